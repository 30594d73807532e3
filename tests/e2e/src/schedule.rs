//! Is a page's reconnect schedule really exponential backoff with jitter and a cap? A pure
//! check over the instants of its connection attempts while the backend was down (from the
//! [`FaultProxy`](crate::fault_proxy::FaultProxy) records), against the app's contract
//! ([`BackoffSpec`]: `src/state/backoff.rs`), plus the request rate over any minute.
//!
//! Each interval between two attempts is one backoff delay plus the time a failed attempt takes
//! (a few ms on loopback): delay `k` lies in `[floor × c_k, c_k]` with
//! `c_k = min(cap, base × factor^k)`. The checks, each of which a wrong schedule fails:
//! - no interval above the cap (+ tolerance), none above its own ceiling, none below its floor;
//! - growth in expectation, without leaning on any one random draw: over the ramp (intervals
//!   whose ceiling is below the cap, and the first capped one), the mean of the last third is
//!   at least [`GROWTH`] × the mean of the first third;
//! - jitter: the intervals are not one fixed interval (not all within 5 % of their median), and
//!   relative to their ceilings they spread (range of `interval / c_k` ≥ [`MIN_SPREAD`]): a
//!   deterministic doubling fails that.

/// The backoff a page promises (what `src/state/backoff.rs` implements).
#[derive(Debug, Clone, PartialEq)]
pub struct BackoffSpec {
    pub base_ms: f64,
    pub factor: f64,
    pub cap_ms: f64,
    /// Lowest delay as a fraction of its ceiling: 0.5 for "equal jitter", 0 for full jitter.
    pub floor: f64,
    /// The app's attempt count at the first delay of the outage (0 after a stable connection).
    pub first_index: u32,
    /// Slack for the time a failed attempt takes and timer lateness.
    pub tolerance_ms: f64,
}

impl BackoffSpec {
    /// The app's reconnect backoff: 250 ms × 2 per attempt, capped at 30 s, delays in
    /// `[ceiling / 2, ceiling]`, from a fresh backoff, with 400 ms of slack.
    pub fn app() -> Self {
        Self {
            base_ms: 250.0,
            factor: 2.0,
            cap_ms: 30_000.0,
            floor: 0.5,
            first_index: 0,
            tolerance_ms: 400.0,
        }
    }

    /// Ceiling of the `k`-th delay (0-based, counted from the spec's `first_index`).
    pub fn ceiling_ms(&self, k: u32) -> f64 {
        (self.base_ms * self.factor.powi(k.min(1000) as i32)).min(self.cap_ms)
    }
}

/// Mean of the ramp's last third over the mean of its first third must reach this.
pub const GROWTH: f64 = 3.0;
/// The range of `interval / ceiling` must reach this (equal jitter spreads them over 0.5).
pub const MIN_SPREAD: f64 = 0.08;
/// Fewer intervals than this say nothing about a schedule.
pub const MIN_INTERVALS: usize = 5;

/// What the schedule looked like.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleReport {
    /// Milliseconds between consecutive attempts.
    pub intervals_ms: Vec<f64>,
    /// Each interval over its ceiling.
    pub normalised: Vec<f64>,
    /// Mean of the ramp's last third / mean of its first third.
    pub growth: f64,
    /// Range of `normalised`.
    pub spread: f64,
    /// The most attempts within any 60 s.
    pub max_per_minute: usize,
    /// Everything the schedule breaks; empty when it is a proper backoff.
    pub problems: Vec<String>,
}

impl ScheduleReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// `intervals=[…] growth=… spread=… max_per_min=…` for logs.
    pub fn summary(&self) -> String {
        let iv: Vec<String> = self
            .intervals_ms
            .iter()
            .map(|d| format!("{d:.0}"))
            .collect();
        format!(
            "intervals_ms=[{}] growth={:.1} spread={:.2} max_per_min={}",
            iv.join(","),
            self.growth,
            self.spread,
            self.max_per_minute
        )
    }
}

/// The most of `times_ms` (sorted or not) that fall within any window of `window_ms`.
pub fn max_in_window(times_ms: &[f64], window_ms: f64) -> usize {
    let mut t = times_ms.to_vec();
    t.sort_by(f64::total_cmp);
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..t.len() {
        while t[hi] - t[lo] >= window_ms {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Checks attempt instants (ms, any clock; the first is the first retry of the outage).
pub fn check_schedule(times_ms: &[f64], spec: &BackoffSpec) -> ScheduleReport {
    let mut t = times_ms.to_vec();
    t.sort_by(f64::total_cmp);
    let intervals: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    // Interval i ends with the delay after attempt i: index first_index + 1 + i.
    let ceilings: Vec<f64> = (0..intervals.len())
        .map(|i| spec.ceiling_ms(spec.first_index + 1 + i as u32))
        .collect();
    let normalised: Vec<f64> = intervals
        .iter()
        .zip(&ceilings)
        .map(|(d, c)| d / c)
        .collect();
    let mut problems = Vec::new();
    if intervals.len() < MIN_INTERVALS {
        problems.push(format!(
            "only {} intervals (need {MIN_INTERVALS})",
            intervals.len()
        ));
    }
    let tol = spec.tolerance_ms;
    for (i, (d, c)) in intervals.iter().zip(&ceilings).enumerate() {
        if *d > spec.cap_ms + tol {
            problems.push(format!(
                "interval {i} is {d:.0} ms, over the cap {}",
                spec.cap_ms
            ));
        } else if *d > c + tol {
            problems.push(format!(
                "interval {i} is {d:.0} ms, over its ceiling {c:.0}"
            ));
        }
        if *d < spec.floor * c - tol {
            problems.push(format!(
                "interval {i} is {d:.0} ms, under its floor {:.0}",
                spec.floor * c
            ));
        }
    }
    // The ramp: ceilings below the cap, and the first capped one.
    let ramp_len = ceilings
        .iter()
        .position(|c| *c >= spec.cap_ms)
        .map_or(intervals.len(), |p| p + 1);
    let ramp = &intervals[..ramp_len];
    let third = (ramp.len() / 3).max(1);
    let growth = if ramp.len() >= 3 {
        mean(&ramp[ramp.len() - third..]) / mean(&ramp[..third]).max(1.0)
    } else {
        0.0
    };
    if ramp.len() >= 3 && growth < GROWTH {
        problems.push(format!(
            "no growth: the ramp's last third averages {growth:.2} × its first (need {GROWTH})"
        ));
    }
    let mut sorted = intervals.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    if intervals.len() >= 3
        && intervals
            .iter()
            .all(|d| (d - median).abs() <= 0.05 * median)
    {
        problems.push(format!(
            "a fixed interval: every interval within 5 % of {median:.0} ms"
        ));
    }
    let spread = normalised.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - normalised.iter().copied().fold(f64::INFINITY, f64::min);
    let spread = if spread.is_finite() { spread } else { 0.0 };
    if intervals.len() >= MIN_INTERVALS && spread < MIN_SPREAD {
        problems.push(format!(
            "no jitter: interval / ceiling spans only {spread:.3} (need {MIN_SPREAD})"
        ));
    }
    ScheduleReport {
        intervals_ms: intervals,
        normalised,
        growth,
        spread,
        max_per_minute: max_in_window(&t, 60_000.0),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic generator (xorshift), so the tests are reproducible.
    fn randoms(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed.max(1);
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Attempt instants of a page following `spec` with delays `floor..1` of each ceiling
    /// (from `unit`), each failed attempt taking `overhead` ms.
    fn backoff_times(spec: &BackoffSpec, n: usize, mut unit: impl FnMut() -> f64) -> Vec<f64> {
        let mut t = 1_000.0;
        let mut out = vec![t];
        for i in 0..n {
            let c = spec.ceiling_ms(spec.first_index + 1 + i as u32);
            t += c * (spec.floor + (1.0 - spec.floor) * unit()) + 15.0;
            out.push(t);
        }
        out
    }

    #[test]
    fn a_fixed_interval_fails() {
        let times: Vec<f64> = (0..30)
            .map(|i| i as f64 * 2_000.0 + (i % 3) as f64)
            .collect();
        let r = check_schedule(&times, &BackoffSpec::app());
        assert!(!r.ok());
        let all = r.problems.join("; ");
        assert!(all.contains("fixed interval"), "{all}");
        assert!(all.contains("no growth"), "{all}");
        assert!(all.contains("over its ceiling"), "{all}");
        assert_eq!(r.max_per_minute, 30);
    }

    #[test]
    fn exponential_with_equal_jitter_passes_for_many_seeds() {
        let spec = BackoffSpec::app();
        for seed in 1..200 {
            let times = backoff_times(&spec, 9, randoms(seed));
            let r = check_schedule(&times, &spec);
            assert!(r.ok(), "seed {seed}: {:?} {}", r.problems, r.summary());
            assert!(r.max_per_minute <= 10, "{}", r.summary());
        }
    }

    #[test]
    fn a_deterministic_doubling_has_no_jitter() {
        let spec = BackoffSpec::app();
        let times = backoff_times(&spec, 9, || 1.0);
        let r = check_schedule(&times, &spec);
        assert!(r.problems.iter().any(|p| p.contains("no jitter")), "{r:?}");
    }

    #[test]
    fn full_jitter_breaks_the_floor_and_over_cap_is_caught() {
        let full = BackoffSpec {
            floor: 0.0,
            ..BackoffSpec::app()
        };
        // A page drawing near-zero delays (allowed by full jitter) hammers: the app's spec
        // (equal jitter) rejects it.
        let times = backoff_times(&full, 9, || 0.01);
        let r = check_schedule(&times, &BackoffSpec::app());
        assert!(
            r.problems.iter().any(|p| p.contains("under its floor")),
            "{r:?}"
        );
        let mut times = backoff_times(&BackoffSpec::app(), 9, randoms(7));
        let last = *times.last().expect("times");
        times.push(last + 45_000.0);
        let r = check_schedule(&times, &BackoffSpec::app());
        assert!(
            r.problems.iter().any(|p| p.contains("over the cap")),
            "{r:?}"
        );
    }

    #[test]
    fn too_few_attempts_say_nothing() {
        let r = check_schedule(&[0.0, 300.0, 900.0], &BackoffSpec::app());
        assert!(
            r.problems.iter().any(|p| p.contains("only 2 intervals")),
            "{r:?}"
        );
    }

    #[test]
    fn window_counts_the_busiest_minute() {
        assert_eq!(
            max_in_window(&[0.0, 10.0, 59_999.0, 60_000.0, 61_000.0], 60_000.0),
            3
        );
        assert_eq!(max_in_window(&[], 60_000.0), 0);
    }
}
