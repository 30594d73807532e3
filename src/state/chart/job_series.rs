//! One job's progress chart as data: progress and rate segments split at gaps in the data,
//! the periods the page was not live, the ETA band, the headline figures, and the sparkline.
//! Also the session-wide record of not-live periods and the merge of backfilled and live samples.

use std::cmp::Ordering;

use imbl::Vector;

use super::downsample::{min_max, Point};
use crate::state::eta::{estimate_recent, Eta, EtaConfig};
use crate::state::sort::{sort, sort_by, sort_by_key};
use crate::types::MetricSample;

/// A period in which the page was not live (disconnected, or not yet connected).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outage {
    /// Epoch ms.
    pub start: i64,
    /// Epoch ms; `None` while the page is still not live.
    pub end: Option<i64>,
}

/// The not-live periods of the whole session, oldest first, from connection state changes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct NotLive {
    /// Bounded to [`NotLive::CAP`] periods: a flapping connection must not grow memory without
    /// bound, and periods that old are far off any chart.
    periods: Vector<Outage>,
    /// `None` until the first call.
    live: Option<bool>,
}

impl NotLive {
    /// At most this many periods are kept (the oldest go first).
    pub const CAP: usize = 200;

    /// No periods; the first call to [`NotLive::on_connection`] sets the starting state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the connection state at `at_ms`: going not-live opens a period, going live closes
    /// it, the same state again changes nothing. Before the page was ever live it counts as not
    /// live, from the first call on.
    pub fn on_connection(&mut self, at_ms: i64, live: bool) {
        if self.live == Some(live) {
            return;
        }
        self.live = Some(live);
        if live {
            if let Some(open) = self.periods.back_mut().filter(|o| o.end.is_none()) {
                // A clock that went back must not make a period of negative length.
                open.end = Some(at_ms.max(open.start));
            }
        } else {
            self.periods.push_back(Outage {
                start: at_ms,
                end: None,
            });
            while self.periods.len() > Self::CAP {
                self.periods.pop_front();
            }
        }
    }

    /// The periods, oldest first; only the last may be open.
    pub fn periods(&self) -> &Vector<Outage> {
        &self.periods
    }

    /// Whether the last recorded state is live (false before the first call).
    pub fn is_live(&self) -> bool {
        self.live == Some(true)
    }
}

/// Where the job is expected to reach 100 %: a fan from the last sample to `[lo_t, hi_t]`.
#[derive(Clone, Debug, PartialEq)]
pub struct EtaBand {
    /// Epoch ms of the last sample.
    pub from_t: i64,
    /// Progress (0..=1) at the last sample.
    pub from_fraction: f64,
    /// Earliest expected finish (epoch ms), at the fastest recent rate.
    pub lo_t: i64,
    /// Latest expected finish (epoch ms), at the slowest recent rate.
    pub hi_t: i64,
}

/// The numbers shown next to the chart (and in its text alternative), for one attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// From the attempt's last sample (0 without samples).
    pub processed: u64,
    /// Rows to process, from the same sample.
    pub total: u64,
    /// The last sample's rate (rows/s).
    pub current_rate: Option<f64>,
    /// Mean over the attempt: `(last.processed - first.processed) / (last.t - first.t)` in
    /// rows/s; `None` with fewer than two samples (or no time between them).
    pub average_rate: Option<f64>,
    /// Highest sample rate of the attempt.
    pub peak_rate: Option<f64>,
    /// From `started_at` (or the first sample) to now while running, else to the last sample.
    pub elapsed_ms: Option<i64>,
    /// `eta::estimate_recent` over the attempt while running; a job that is not running is `Done`
    /// when complete and `Unknown` otherwise (it will not finish by itself).
    pub eta: Eta,
}

/// Everything the progress chart draws, in data units (x in epoch ms).
#[derive(Clone, Debug, PartialEq)]
pub struct JobChart {
    /// The attempt charted.
    pub attempt: u32,
    /// Segments of `(t, processed / total)`; samples with `total == 0` are left out.
    pub progress: Vec<Vec<Point>>,
    /// Segments of `(t, rows/s)`.
    pub rate: Vec<Vec<Point>>,
    /// Not-live periods clipped to `x_range` (an open one ends at `now_ms`).
    pub not_live: Vec<(i64, i64)>,
    /// Only while running with an estimate (see [`EtaBand`]).
    pub eta_band: Option<EtaBand>,
    /// Samples of this attempt.
    pub samples: usize,
    /// Start and end of the time axis (epoch ms); always at least [`MIN_SPAN_MS`] wide.
    pub x_range: (i64, i64),
    /// Highest rate (0 without samples), for the rate axis.
    pub rate_max: f64,
    /// The numbers beside the chart.
    pub figures: Figures,
    /// Gaps in the data plus not-live periods in `x_range` (read out by the text alternative).
    pub gaps: usize,
}

/// Consecutive samples closer than this are never treated as a gap.
pub const MIN_GAP_MS: i64 = 2_000;

/// The narrowest time axis, so an empty or one-sample chart still has a width to divide by.
pub const MIN_SPAN_MS: i64 = 1_000;

/// Two consecutive samples further apart than this have missing data between them:
/// `max(3 × median interval, 2 s)`, the median (upper, for an even count) taken over the
/// positive intervals between consecutive samples.
pub fn gap_threshold_ms(samples: &[MetricSample]) -> i64 {
    let mut intervals: Vec<i64> = samples
        .windows(2)
        .map(|w| w[1].t.saturating_sub(w[0].t))
        .filter(|dt| *dt > 0)
        .collect();
    if intervals.is_empty() {
        return MIN_GAP_MS;
    }
    let mid = intervals.len() / 2;
    let (_, median, _) = intervals.select_nth_unstable(mid);
    median.saturating_mul(3).max(MIN_GAP_MS)
}

/// The chart of `attempt` from all of a job's samples (sorted by `(attempt, t)`).
///
/// The time axis runs from `started_at` (or the first sample, whichever is earlier) to the
/// last sample, now while `running`, or the end of the ETA band, whichever is latest.
pub fn job_chart(
    samples: &[MetricSample],
    attempt: u32,
    running: bool,
    started_at: Option<i64>,
    now_ms: i64,
    not_live: &NotLive,
    eta_cfg: &EtaConfig,
) -> JobChart {
    let mut own: Vec<MetricSample> = samples
        .iter()
        .filter(|s| s.attempt == attempt)
        .cloned()
        .collect();
    // Already sorted in practice (then this is one linear pass); wrong order would draw zigzags.
    sort_by_key(&mut own, |s| s.t);

    let segments = split_at_gaps(&own, gap_threshold_ms(&own));
    let data_gaps = segments.len().saturating_sub(1);
    let progress = segment_points(&segments, |s| {
        (s.total > 0).then(|| Point {
            x: s.t as f64,
            y: fraction(s),
        })
    });
    let rate = segment_points(&segments, |s| {
        s.rate.is_finite().then_some(Point {
            x: s.t as f64,
            y: s.rate,
        })
    });
    let rate_max = own
        .iter()
        .map(|s| s.rate)
        .filter(|r| r.is_finite())
        .fold(0.0, f64::max);

    let (first_t, last_t) = (own.first().map(|s| s.t), own.last().map(|s| s.t));
    let mut figures = figures(&own, running, eta_cfg);
    figures.elapsed_ms = started_at.or(first_t).and_then(|start| {
        let end = if running { Some(now_ms) } else { last_t };
        end.map(|end| end.saturating_sub(start).max(0))
    });
    let eta_band = eta_band(&own, running, &figures.eta);

    let start = match (started_at, first_t) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(now_ms),
    };
    let mut end = last_t.unwrap_or(start);
    if running {
        end = end.max(now_ms);
    }
    if let Some(band) = &eta_band {
        end = end.max(band.hi_t);
    }
    let x_range = (start, end.max(start.saturating_add(MIN_SPAN_MS)));
    let not_live = clip_outages(not_live, x_range, now_ms);

    JobChart {
        attempt,
        progress,
        rate,
        gaps: data_gaps + not_live.len(),
        not_live,
        eta_band,
        samples: own.len(),
        x_range,
        rate_max,
        figures,
    }
}

/// Distinct attempts present in `samples`, ascending, so earlier attempts can be offered.
pub fn attempts_in(samples: &[MetricSample]) -> Vec<u32> {
    let mut attempts: Vec<u32> = samples.iter().map(|s| s.attempt).collect();
    sort(&mut attempts);
    attempts.dedup();
    attempts
}

/// The rate of `attempt` thinned to about `width_px / 2` min/max buckets, with x and y scaled
/// to `0..=1` (y relative to the highest rate, so 0 is the baseline; all 0 when every rate is).
pub fn sparkline(samples: &[MetricSample], attempt: u32, width_px: usize) -> Vec<Point> {
    let rates: Vec<Point> = samples
        .iter()
        .filter(|s| s.attempt == attempt && s.rate.is_finite())
        .map(|s| Point {
            x: s.t as f64,
            y: s.rate.max(0.0),
        })
        .collect();
    let thin = min_max(&rates, (width_px / 2).max(1));
    let x0 = thin.iter().map(|p| p.x).fold(f64::INFINITY, f64::min);
    let x1 = thin.iter().map(|p| p.x).fold(f64::NEG_INFINITY, f64::max);
    let y_max = thin.iter().map(|p| p.y).fold(0.0, f64::max);
    let unit = |v: f64, lo: f64, hi: f64| {
        if hi > lo {
            ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    thin.into_iter()
        .map(|p| Point {
            x: unit(p.x, x0, x1),
            y: unit(p.y, 0.0, y_max),
        })
        .collect()
}

/// Merges `more` into `into`, keyed by `(attempt, t)`: sorted, without duplicates, only the
/// newest `cap` kept. Backfilled (HTTP) and live (WebSocket) samples can arrive in any order
/// and overlap; the result does not depend on it. When two copies of a key disagree, the one
/// with more progress wins (it was reported later).
pub fn merge_samples(
    into: &mut Vec<MetricSample>,
    more: impl IntoIterator<Item = MetricSample>,
    cap: usize,
) {
    into.extend(more);
    // Sorted input (the usual case: live samples append) makes this one linear pass.
    sort_by(into, preferred_first);
    into.dedup_by(|later, kept| (later.attempt, later.t) == (kept.attempt, kept.t));
    if into.len() > cap {
        into.drain(..into.len() - cap);
    }
}

/// By key; within a key, the copy to keep first (a total order, so merging is deterministic).
fn preferred_first(a: &MetricSample, b: &MetricSample) -> Ordering {
    (a.attempt, a.t)
        .cmp(&(b.attempt, b.t))
        .then(b.processed.cmp(&a.processed))
        .then(b.total.cmp(&a.total))
        .then(b.rate.total_cmp(&a.rate))
}

fn fraction(s: &MetricSample) -> f64 {
    if s.total == 0 {
        return 0.0;
    }
    (s.processed as f64 / s.total as f64).clamp(0.0, 1.0)
}

/// Runs of samples with no interval above `threshold_ms`.
fn split_at_gaps(samples: &[MetricSample], threshold_ms: i64) -> Vec<&[MetricSample]> {
    let mut segments = Vec::new();
    let mut from = 0;
    for (i, w) in samples.windows(2).enumerate() {
        if w[1].t.saturating_sub(w[0].t) > threshold_ms {
            segments.push(&samples[from..=i]);
            from = i + 1;
        }
    }
    if from < samples.len() {
        segments.push(&samples[from..]);
    }
    segments
}

fn segment_points(
    segments: &[&[MetricSample]],
    point: impl Fn(&MetricSample) -> Option<Point>,
) -> Vec<Vec<Point>> {
    segments
        .iter()
        .map(|seg| seg.iter().filter_map(&point).collect::<Vec<_>>())
        .filter(|seg| !seg.is_empty())
        .collect()
}

/// Figures except `elapsed_ms`, which needs the caller's clock and `started_at`.
fn figures(own: &[MetricSample], running: bool, cfg: &EtaConfig) -> Figures {
    let (processed, total) = own.last().map_or((0, 0), |s| (s.processed, s.total));
    let average_rate = match (own.first(), own.last()) {
        (Some(first), Some(last)) if last.t > first.t => {
            let seconds = last.t.saturating_sub(first.t) as f64 / 1000.0;
            Some(last.processed.saturating_sub(first.processed) as f64 / seconds)
        }
        _ => None,
    };
    // The same estimate the card and the job page state (see `eta::RECENT_SAMPLES`).
    let eta = match estimate_recent(own, processed, total, cfg) {
        Eta::Done => Eta::Done,
        eta if running => eta,
        _ => Eta::Unknown,
    };
    Figures {
        processed,
        total,
        current_rate: own.last().map(|s| s.rate).filter(|r| r.is_finite()),
        average_rate,
        peak_rate: own
            .iter()
            .map(|s| s.rate)
            .filter(|r| r.is_finite())
            .reduce(f64::max),
        elapsed_ms: None,
        eta,
    }
}

fn eta_band(own: &[MetricSample], running: bool, eta: &Eta) -> Option<EtaBand> {
    let last = own.last()?;
    match *eta {
        Eta::Range { lo_ms, hi_ms, .. } if running && last.total > 0 => Some(EtaBand {
            from_t: last.t,
            from_fraction: fraction(last),
            lo_t: last.t.saturating_add(lo_ms),
            hi_t: last.t.saturating_add(hi_ms),
        }),
        _ => None,
    }
}

fn clip_outages(not_live: &NotLive, (x0, x1): (i64, i64), now_ms: i64) -> Vec<(i64, i64)> {
    not_live
        .periods()
        .iter()
        .filter_map(|o| {
            let end = o.end.unwrap_or(now_ms);
            let (a, b) = (o.start.max(x0), end.min(x1));
            (a < b).then_some((a, b))
        })
        .collect()
}

#[cfg(test)]
mod tests;
