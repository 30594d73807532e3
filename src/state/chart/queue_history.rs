//! The session's history of queue frames (queued and running jobs, busy and idle workers, Redis
//! health), kept as a bounded ring for the queue chart.

use imbl::Vector;

use super::downsample::Point;
use crate::types::QueueStatus;

/// The queue at one moment, reduced to what the chart draws.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueSample {
    /// Epoch ms at which the frame arrived.
    pub t: i64,
    /// Jobs waiting in the queue.
    pub queued: u64,
    /// Jobs being worked on.
    pub running: u64,
    /// Workers whose state is `"busy"`.
    pub busy: u32,
    /// All other workers.
    pub idle: u32,
    /// Whether Redis answered.
    pub redis_ok: bool,
    /// Redis round trip, when measured (non-finite values read as unmeasured).
    pub redis_latency_ms: Option<f64>,
}

impl QueueSample {
    /// The sample of a queue frame received at `at_ms`.
    pub fn from_status(at_ms: i64, q: &QueueStatus) -> Self {
        let busy = q.workers.iter().filter(|w| w.state == "busy").count();
        let idle = q.workers.len() - busy;
        Self {
            t: at_ms,
            queued: q.queued,
            running: q.running,
            busy: u32::try_from(busy).unwrap_or(u32::MAX),
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
            redis_ok: q.redis.ok,
            redis_latency_ms: q.redis.latency_ms.filter(|ms| ms.is_finite()),
        }
    }
}

/// Queue samples in arrival order, the newest [`QueueHistory::CAP`] of them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct QueueHistory {
    samples: Vector<QueueSample>,
}

impl QueueHistory {
    /// The backend sends a queue frame about every 2 s, so this is about one hour.
    pub const CAP: usize = 1800;

    /// Appends the frame received at `at_ms`, dropping the oldest beyond the cap. Arrival
    /// order is kept even if the clock went back (a sample may then be older than the one
    /// before it): the ring records what was seen, it never reorders.
    pub fn push(&mut self, at_ms: i64, q: &QueueStatus) {
        self.samples.push_back(QueueSample::from_status(at_ms, q));
        while self.samples.len() > Self::CAP {
            self.samples.pop_front();
        }
    }

    /// All samples, oldest first.
    pub fn samples(&self) -> &Vector<QueueSample> {
        &self.samples
    }

    /// Samples taken at or after `t` (epoch ms), in arrival order.
    pub fn since(&self, t: i64) -> impl Iterator<Item = &QueueSample> + '_ {
        self.samples.iter().filter(move |s| s.t >= t)
    }

    /// The newest sample.
    pub fn latest(&self) -> Option<&QueueSample> {
        self.samples.back()
    }

    /// Number of samples held (at most [`QueueHistory::CAP`]).
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// No frame received yet.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

/// A silence longer than this between queue frames (sent about every 2 s) is a gap: the
/// lines break there instead of joining across it.
pub const QUEUE_GAP_MS: i64 = 10_000;

/// The queue chart's lines since some time, each split into segments at gaps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueLines {
    pub queued: Vec<Vec<Point>>,
    pub running: Vec<Vec<Point>>,
    pub busy: Vec<Vec<Point>>,
    pub idle: Vec<Vec<Point>>,
    /// Redis round-trip time (ms); absent while Redis did not answer.
    pub latency: Vec<Vec<Point>>,
    /// Highest of queued, running, busy and idle (for the y axis).
    pub max_count: f64,
    pub max_latency: f64,
    pub samples: usize,
}

/// The lines of every sample at or after `since_ms`.
pub fn queue_lines<'a>(
    samples: impl IntoIterator<Item = &'a QueueSample>,
    since_ms: i64,
) -> QueueLines {
    let mut out = QueueLines::default();
    let mut last_t: Option<i64> = None;
    for s in samples.into_iter().filter(|s| s.t >= since_ms) {
        let gap = last_t.is_none_or(|t| s.t - t > QUEUE_GAP_MS);
        last_t = Some(s.t);
        let x = s.t as f64;
        let push = |line: &mut Vec<Vec<Point>>, y: f64, new_segment: bool| match line.last_mut() {
            Some(seg) if !new_segment => seg.push(Point { x, y }),
            _ => line.push(vec![Point { x, y }]),
        };
        push(&mut out.queued, s.queued as f64, gap);
        push(&mut out.running, s.running as f64, gap);
        push(&mut out.busy, s.busy as f64, gap);
        push(&mut out.idle, s.idle as f64, gap);
        match s.redis_latency_ms.filter(|l| s.redis_ok && l.is_finite()) {
            Some(l) => {
                push(&mut out.latency, l, gap);
                out.max_latency = out.max_latency.max(l);
            }
            // A Redis outage breaks the latency line even without a silence: an empty segment
            // that the next answer starts filling (empty ones are dropped at the end).
            None if out.latency.last().is_some_and(|seg| !seg.is_empty()) => {
                out.latency.push(Vec::new())
            }
            None => {}
        }
        let most = s.queued.max(s.running).max(u64::from(s.busy.max(s.idle)));
        out.max_count = out.max_count.max(most as f64);
        out.samples += 1;
    }
    out.latency.retain(|seg| !seg.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{RedisHealth, WorkerInfo};

    fn status(queued: u64, states: &[&str]) -> QueueStatus {
        QueueStatus {
            queued,
            running: 1,
            workers: states
                .iter()
                .enumerate()
                .map(|(i, state)| WorkerInfo {
                    name: format!("w{i}"),
                    state: (*state).into(),
                    current_job: None,
                })
                .collect(),
            redis: RedisHealth {
                ok: true,
                version: None,
                latency_ms: Some(0.4),
                used_memory_bytes: None,
            },
        }
    }

    #[test]
    fn busy_and_idle_split_the_workers() {
        let mut h = QueueHistory::default();
        h.push(1_000, &status(3, &["busy", "idle", "suspended", "busy"]));
        let s = h.latest().unwrap();
        assert_eq!((s.t, s.queued, s.running), (1_000, 3, 1));
        assert_eq!((s.busy, s.idle), (2, 2));
        assert_eq!((s.redis_ok, s.redis_latency_ms), (true, Some(0.4)));
    }

    #[test]
    fn the_ring_is_capped_and_keeps_arrival_order() {
        let mut h = QueueHistory::default();
        for i in 0..(QueueHistory::CAP as u64 + 25) {
            h.push(i as i64 * 2_000, &status(i, &[]));
        }
        assert_eq!(h.len(), QueueHistory::CAP);
        assert_eq!(h.samples().front().map(|s| s.queued), Some(25));
        h.push(0, &status(7, &[])); // the clock went back
        assert_eq!(h.latest().map(|s| (s.t, s.queued)), Some((0, 7)));
        let last_t = (QueueHistory::CAP as i64 + 24) * 2_000;
        assert_eq!(h.since(last_t).count(), 1);
        assert_eq!(h.since(0).count(), QueueHistory::CAP);
    }

    fn at(t: i64, queued: u64, latency: Option<f64>) -> QueueSample {
        QueueSample {
            t,
            queued,
            running: 1,
            busy: 1,
            idle: 0,
            redis_ok: latency.is_some(),
            redis_latency_ms: latency,
        }
    }

    #[test]
    fn lines_break_at_silences_and_redis_outages() {
        let samples = [
            at(0, 1, Some(0.5)),
            at(2_000, 2, Some(0.6)),
            at(4_000, 3, None),
            at(6_000, 4, Some(0.4)),
            at(30_000, 5, Some(0.7)),
        ];
        let l = queue_lines(samples.iter(), 0);
        assert_eq!(l.samples, 5);
        assert_eq!(
            l.queued.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![4, 1]
        );
        assert_eq!(
            l.latency.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![2, 1, 1]
        );
        assert_eq!(l.max_count, 5.0);
        assert_eq!(l.max_latency, 0.7);
        assert_eq!(queue_lines(samples.iter(), 5_000).samples, 2);
    }
}
