//! Jobs finished per time bucket, stacked by outcome, from the backend's `/stats` series; and
//! the windows the statistics can be asked for.

use crate::types::StatsBucket;

/// One stacked bar: the jobs that finished in `[t, t + width_ms)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// Start of the bucket (epoch ms).
    pub t: i64,
    /// Bucket width (ms).
    pub width_ms: i64,
    pub succeeded: u64,
    pub failed: u64,
    pub cancelled: u64,
}

impl Bar {
    /// Height of the stack.
    pub fn total(&self) -> u64 {
        self.succeeded
            .saturating_add(self.failed)
            .saturating_add(self.cancelled)
    }
}

/// The bars of a window, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throughput {
    pub bars: Vec<Bar>,
    /// The highest stack, at least 1 (so an idle window still has a y axis).
    pub y_max: u64,
    /// Jobs finished over all bars.
    pub total: u64,
}

/// Bars from the series of `/stats` (buckets of `bucket_s` seconds; 0 reads as 1).
pub fn throughput(series: &[StatsBucket], bucket_s: u64) -> Throughput {
    let width_ms = i64::try_from(bucket_s.max(1).saturating_mul(1000)).unwrap_or(i64::MAX);
    let mut bars: Vec<Bar> = series
        .iter()
        .map(|b| Bar {
            t: b.t,
            width_ms,
            succeeded: b.succeeded,
            failed: b.failed,
            cancelled: b.cancelled,
        })
        .collect();
    // The backend sends oldest first; sorting (stable, linear when sorted) keeps bars from
    // overlapping if it ever did not.
    crate::state::sort::sort_by_key(&mut bars, |b| b.t);
    Throughput {
        y_max: bars.iter().map(Bar::total).max().unwrap_or(0).max(1),
        total: bars
            .iter()
            .fold(0u64, |sum, b| sum.saturating_add(b.total())),
        bars,
    }
}

/// A statistics window the page offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Window {
    /// The last 15 minutes.
    M15,
    /// The last hour.
    #[default]
    H1,
    /// The last 24 hours.
    H24,
}

impl Window {
    /// Every window, shortest first (the order of the picker).
    pub const ALL: [Window; 3] = [Window::M15, Window::H1, Window::H24];

    /// Length of the window.
    pub fn seconds(self) -> u64 {
        match self {
            Window::M15 => 900,
            Window::H1 => 3_600,
            Window::H24 => 86_400,
        }
    }

    /// Bucket width to ask for: per minute for the short windows, per 15 minutes for 24 h
    /// (96 bars rather than 1440).
    pub fn bucket_s(self) -> u64 {
        match self {
            Window::M15 | Window::H1 => 60,
            Window::H24 => 900,
        }
    }

    /// Short form, for the URL and the API: "15m", "1h", "24h".
    pub fn as_str(self) -> &'static str {
        match self {
            Window::M15 => "15m",
            Window::H1 => "1h",
            Window::H24 => "24h",
        }
    }

    /// The inverse of [`Window::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == s)
    }

    /// For people: "15 min", "1 hour", "24 hours".
    pub fn label(self) -> &'static str {
        match self {
            Window::M15 => "15 min",
            Window::H1 => "1 hour",
            Window::H24 => "24 hours",
        }
    }
}

/// `count` as a share of `finished`: "83.3 %"; "—" when nothing finished.
pub fn rate_text(count: u64, finished: u64) -> String {
    if finished == 0 {
        return "—".into();
    }
    format!("{:.1} %", count as f64 / finished as f64 * 100.0)
}

/// A key that changes whenever a job finishes or a finished job is retried: when it changes,
/// the backend's figures are out of date. (Count of finished jobs and the newest finish time,
/// mixed; a retry lowers the count, a finish raises it or moves the time.)
pub fn finished_key<'a>(jobs: impl IntoIterator<Item = &'a crate::types::Job>) -> u64 {
    let (mut count, mut newest) = (0u64, 0i64);
    for j in jobs {
        if j.status.is_terminal() {
            count += 1;
            newest = newest.max(j.finished_at.unwrap_or(0));
        }
    }
    count.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ newest as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(t: i64, succeeded: u64, failed: u64, cancelled: u64) -> StatsBucket {
        StatsBucket {
            t,
            succeeded,
            failed,
            cancelled,
        }
    }

    #[test]
    fn bars_stack_outcomes() {
        let series = [
            bucket(60_000, 1, 1, 0),
            bucket(0, 3, 0, 1),
            bucket(120_000, 0, 0, 0),
        ];
        let tp = throughput(&series, 60);
        assert_eq!(
            tp.bars.iter().map(|b| b.t).collect::<Vec<_>>(),
            vec![0, 60_000, 120_000]
        );
        assert!(tp.bars.iter().all(|b| b.width_ms == 60_000));
        assert_eq!((tp.y_max, tp.total), (4, 6));
    }

    #[test]
    fn an_idle_window_still_has_a_y_axis() {
        let tp = throughput(&[bucket(0, 0, 0, 0)], 900);
        assert_eq!((tp.y_max, tp.total, tp.bars[0].width_ms), (1, 0, 900_000));
        assert_eq!(throughput(&[], 0).y_max, 1);
    }

    #[test]
    fn windows_round_trip() {
        for w in Window::ALL {
            assert_eq!(Window::parse(w.as_str()), Some(w));
            assert_eq!(w.seconds() % w.bucket_s(), 0);
        }
        assert_eq!(Window::default(), Window::H1);
        assert_eq!(Window::parse("2h"), None);
        assert_eq!(Window::H24.label(), "24 hours");
        assert_eq!(Window::M15.seconds(), 900);
    }

    #[test]
    fn rates_read_as_percent() {
        assert_eq!(rate_text(5, 6), "83.3 %");
        assert_eq!(rate_text(0, 6), "0.0 %");
        assert_eq!(rate_text(6, 6), "100.0 %");
        assert_eq!(rate_text(0, 0), "—");
    }

    #[test]
    fn finished_key_moves_on_finish_and_retry() {
        use crate::state::jobs_store::tests::job;
        use crate::types::JobStatus;
        let mut jobs = vec![
            job("a", 1, JobStatus::Running, 1, 0),
            job("b", 1, JobStatus::Succeeded, 1, 0),
        ];
        jobs[1].finished_at = Some(5);
        let before = finished_key(&jobs);
        assert_eq!(finished_key(&jobs), before, "stable for the same jobs");
        jobs[0].status = JobStatus::Failed;
        jobs[0].finished_at = Some(9);
        let finished = finished_key(&jobs);
        assert_ne!(finished, before);
        jobs[0].status = JobStatus::Queued;
        jobs[0].finished_at = None;
        assert_ne!(finished_key(&jobs), finished, "a retry changes it again");
    }
}
