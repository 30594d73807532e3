//! Honest time-to-finish estimates from the measured rate, and stall detection.
//!
//! The rate is measured over the recent samples (not the whole run, which hides slowdowns),
//! and the estimate is a range: remaining work at the fastest and slowest recent rate. With
//! too little data it says "unknown" instead of inventing a number.

use crate::types::{Job, JobStatus, MetricSample};

/// Settings of the estimator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EtaConfig {
    /// Only samples this recent count (ms).
    pub window_ms: i64,
    /// At least this many rate measurements are needed for an estimate.
    pub min_intervals: usize,
    /// A running job whose progress has not moved for this long is stalled (ms).
    pub stall_after_ms: i64,
}

impl Default for EtaConfig {
    fn default() -> Self {
        Self {
            window_ms: 30_000,
            min_intervals: 2,
            stall_after_ms: crate::state::config::DEFAULT_STALL_AFTER_MS,
        }
    }
}

/// What the page can say about when a job ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Eta {
    /// Not enough data (or not moving).
    Unknown,
    /// Finishes in `lo_ms..=hi_ms` from now; `rate` is the recent median rate (units/s).
    Range { lo_ms: i64, hi_ms: i64, rate: f64 },
    /// Nothing left to do.
    Done,
}

/// Samples an estimate looks at: the most recent ones. The card, the job page and its chart
/// all estimate through [`estimate_recent`], so they state the same range.
pub const RECENT_SAMPLES: usize = 40;

/// [`estimate`] over the last [`RECENT_SAMPLES`] of `samples`.
pub fn estimate_recent(
    samples: &[MetricSample],
    processed: u64,
    total: u64,
    cfg: &EtaConfig,
) -> Eta {
    let skip = samples.len().saturating_sub(RECENT_SAMPLES);
    estimate(&samples[skip..], processed, total, cfg)
}

/// Estimates from samples (oldest first) of the current attempt.
pub fn estimate(samples: &[MetricSample], processed: u64, total: u64, cfg: &EtaConfig) -> Eta {
    if total > 0 && processed >= total {
        return Eta::Done;
    }
    let Some(last) = samples.last() else {
        return Eta::Unknown;
    };
    if total == 0 {
        return Eta::Unknown;
    }
    let recent: Vec<&MetricSample> = samples
        .iter()
        .filter(|s| s.attempt == last.attempt && last.t - s.t <= cfg.window_ms)
        .collect();
    let mut rates: Vec<f64> = recent
        .windows(2)
        .filter_map(|w| {
            let dt = (w[1].t - w[0].t) as f64 / 1000.0;
            let dp = w[1].processed as f64 - w[0].processed as f64;
            (dt > 0.0 && dp >= 0.0).then_some(dp / dt)
        })
        .collect();
    if rates.len() < cfg.min_intervals {
        return Eta::Unknown;
    }
    crate::state::sort::sort_by(&mut rates, f64::total_cmp);
    let slow = rates[0];
    let fast = rates[rates.len() - 1];
    let median = rates[rates.len() / 2];
    if slow <= 0.0 && fast <= 0.0 {
        return Eta::Unknown;
    }
    let remaining = total.saturating_sub(processed) as f64;
    let ms = |rate: f64| (remaining / rate * 1000.0).round() as i64;
    // A zero slowest rate means the upper bound is open: use the median instead of infinity.
    let hi_rate = if slow > 0.0 { slow } else { median };
    if hi_rate <= 0.0 {
        return Eta::Unknown;
    }
    Eta::Range {
        lo_ms: ms(fast),
        hi_ms: ms(hi_rate),
        rate: median,
    }
}

/// A running job whose progress has not moved for `stall_after_ms`. Only meaningful while
/// the data is live (the caller passes `now_ms` frozen otherwise).
pub fn is_stalled(job: &Job, now_ms: i64, cfg: &EtaConfig) -> bool {
    job.status == JobStatus::Running
        && job
            .progress
            .updated_at
            .or(job.started_at)
            .is_some_and(|t| now_ms - t > cfg.stall_after_ms)
}

/// `Range` as text: "about 2 min 10 s", "1 min 40 s – 2 min 30 s"; "unknown"; "done".
pub fn describe(eta: &Eta) -> String {
    use crate::state::duration::estimate as words;
    match eta {
        Eta::Unknown => "unknown".into(),
        Eta::Done => "done".into(),
        Eta::Range { lo_ms, hi_ms, .. } => {
            let (lo, hi) = (words(*lo_ms), words(*hi_ms));
            if lo == hi {
                format!("about {lo}")
            } else {
                format!("{lo} – {hi}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(t: i64, processed: u64) -> MetricSample {
        MetricSample {
            t,
            processed,
            total: 1000,
            rate: 0.0,
            attempt: 1,
        }
    }

    #[test]
    fn unknown_without_enough_data() {
        let cfg = EtaConfig::default();
        assert_eq!(estimate(&[], 0, 1000, &cfg), Eta::Unknown);
        assert_eq!(
            estimate(&[s(0, 0), s(1000, 100)], 100, 1000, &cfg),
            Eta::Unknown
        );
        assert_eq!(
            estimate(&[s(0, 0), s(1000, 100), s(2000, 200)], 200, 0, &cfg),
            Eta::Unknown
        );
    }

    #[test]
    fn range_spans_fastest_to_slowest_recent_rate() {
        let cfg = EtaConfig::default();
        // 100/s then 200/s: 600 left → 3 s at best, 6 s at worst.
        let eta = estimate(&[s(0, 0), s(1000, 100), s(2000, 300)], 400, 1000, &cfg);
        assert_eq!(
            eta,
            Eta::Range {
                lo_ms: 3000,
                hi_ms: 6000,
                rate: 200.0
            }
        );
        assert_eq!(describe(&eta), "3 s – 6 s");
    }

    #[test]
    fn old_samples_and_earlier_attempts_are_ignored() {
        let cfg = EtaConfig {
            window_ms: 2_000,
            ..Default::default()
        };
        let mut old_attempt = s(0, 0);
        old_attempt.attempt = 0;
        let samples = [
            old_attempt,
            s(10_000, 0),
            s(50_000, 10),
            s(51_000, 110),
            s(52_000, 210),
        ];
        assert_eq!(
            estimate(&samples, 210, 1000, &cfg),
            Eta::Range {
                lo_ms: 7900,
                hi_ms: 7900,
                rate: 100.0
            }
        );
    }

    #[test]
    fn done_and_not_moving() {
        let cfg = EtaConfig::default();
        assert_eq!(estimate(&[s(0, 1000)], 1000, 1000, &cfg), Eta::Done);
        let flat = [s(0, 10), s(1000, 10), s(2000, 10)];
        assert_eq!(estimate(&flat, 10, 1000, &cfg), Eta::Unknown);
    }

    proptest! {
        #[test]
        fn bounds_are_ordered_and_finite(
            steps in proptest::collection::vec((1i64..5_000, 0u64..1_000), 3..30),
            extra in 0u64..100_000,
        ) {
            let mut t = 0;
            let mut p = 0;
            let samples: Vec<MetricSample> = steps.iter().map(|(dt, dp)| {
                t += dt; p += dp; s(t, p)
            }).collect();
            let total = p + extra + 1;
            match estimate(&samples, p, total, &EtaConfig { window_ms: i64::MAX, ..Default::default() }) {
                Eta::Range { lo_ms, hi_ms, rate } => {
                    prop_assert!(0 <= lo_ms && lo_ms <= hi_ms);
                    prop_assert!(rate.is_finite() && rate >= 0.0);
                }
                Eta::Unknown => {}
                Eta::Done => prop_assert!(false, "not done"),
            }
        }
    }
}
