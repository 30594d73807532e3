//! Only compiled under #[cfg(test)] (declared so in job_series.rs).
//! Job chart tests: gaps, not-live periods, the ETA band, figures, attempts, the merge property.

use super::*;
use proptest::prelude::*;

fn s(attempt: u32, t: i64, processed: u64, rate: f64) -> MetricSample {
    MetricSample {
        t,
        processed,
        total: 1000,
        rate,
        attempt,
    }
}

/// Attempt 1, one sample per second from t = 0, 100 rows per second.
fn steady(n: i64) -> Vec<MetricSample> {
    (0..n)
        .map(|i| s(1, i * 1000, (i * 100) as u64, 100.0))
        .collect()
}

fn chart(samples: &[MetricSample], running: bool, now: i64, not_live: &NotLive) -> JobChart {
    job_chart(
        samples,
        1,
        running,
        Some(0),
        now,
        not_live,
        &EtaConfig::default(),
    )
}

fn live_since(t: i64) -> NotLive {
    let mut nl = NotLive::new();
    nl.on_connection(t, true);
    nl
}

#[test]
fn not_live_opens_and_closes_periods() {
    let mut nl = NotLive::new();
    nl.on_connection(100, false);
    nl.on_connection(150, false);
    assert_eq!(
        nl.periods().iter().copied().collect::<Vec<_>>(),
        vec![Outage {
            start: 100,
            end: None
        }]
    );
    nl.on_connection(300, true);
    nl.on_connection(350, true);
    nl.on_connection(500, false);
    assert!(!nl.is_live());
    nl.on_connection(400, true); // the clock went back: no negative period
    assert_eq!(
        nl.periods().iter().copied().collect::<Vec<_>>(),
        vec![
            Outage {
                start: 100,
                end: Some(300)
            },
            Outage {
                start: 500,
                end: Some(500)
            },
        ]
    );
    assert!(nl.is_live());
}

#[test]
fn live_from_the_start_has_no_period() {
    assert!(live_since(0).periods().is_empty());
}

#[test]
fn not_live_is_capped() {
    let mut nl = NotLive::new();
    for i in 0..(NotLive::CAP as i64 + 50) {
        nl.on_connection(i * 10, false);
        nl.on_connection(i * 10 + 5, true);
    }
    assert_eq!(nl.periods().len(), NotLive::CAP);
    assert_eq!(nl.periods().front().map(|o| o.start), Some(500));
}

#[test]
fn gap_threshold_is_three_median_intervals_at_least_two_seconds() {
    assert_eq!(gap_threshold_ms(&[]), MIN_GAP_MS);
    assert_eq!(gap_threshold_ms(&steady(1)), MIN_GAP_MS);
    assert_eq!(gap_threshold_ms(&steady(10)), 3000);
    let fast: Vec<_> = (0..10).map(|i| s(1, i * 100, 0, 0.0)).collect();
    assert_eq!(gap_threshold_ms(&fast), MIN_GAP_MS);
}

#[test]
fn gaps_split_segments_at_the_threshold() {
    let mut samples = steady(5); // 0..4 s
    samples.push(s(1, 7_000, 500, 100.0)); // 3 s later: exactly the threshold, no gap
    samples.push(s(1, 8_000, 600, 100.0));
    samples.push(s(1, 11_001, 700, 100.0)); // 3.001 s later: a gap
    samples.push(s(1, 12_000, 800, 100.0));
    let c = chart(&samples, false, 20_000, &live_since(0));
    assert_eq!(c.progress.len(), 2);
    assert_eq!(c.rate.len(), 2);
    assert_eq!(c.progress[0].len(), 7);
    assert_eq!(
        c.progress[1][0],
        Point {
            x: 11_001.0,
            y: 0.7
        }
    );
    assert_eq!(c.gaps, 1);
    assert_eq!(c.samples, 9);
}

#[test]
fn a_not_live_period_counts_as_a_gap() {
    let mut nl = live_since(0);
    nl.on_connection(2_500, false);
    nl.on_connection(3_500, true);
    nl.on_connection(50_000, false); // after the chart: not counted
    nl.on_connection(60_000, true);
    let c = chart(&steady(10), false, 70_000, &nl);
    assert_eq!(c.progress.len(), 1);
    assert_eq!(c.not_live, vec![(2_500, 3_500)]);
    assert_eq!(c.gaps, 1);
}

#[test]
fn an_open_period_ends_now_and_is_clipped() {
    let mut nl = NotLive::new();
    nl.on_connection(-5_000, false); // before the chart starts
    let c = chart(&steady(5), true, 9_000, &nl);
    assert_eq!(c.x_range.0, 0);
    assert!(c.x_range.1 >= 9_000);
    assert_eq!(c.not_live, vec![(0, 9_000)]);
    assert_eq!(c.gaps, 1);
}

#[test]
fn eta_band_only_while_running_with_a_range() {
    let samples = steady(5); // 400 of 1000 at t = 4 s, 100/s → 6 s left
    let c = chart(&samples, true, 4_500, &live_since(0));
    let band = c.eta_band.clone().unwrap();
    assert_eq!(
        band,
        EtaBand {
            from_t: 4_000,
            from_fraction: 0.4,
            lo_t: 10_000,
            hi_t: 10_000
        }
    );
    assert_eq!(c.x_range, (0, 10_000));
    assert!(matches!(c.figures.eta, Eta::Range { .. }));

    let stopped = chart(&samples, false, 4_500, &live_since(0));
    assert_eq!(stopped.eta_band, None);
    assert_eq!(stopped.figures.eta, Eta::Unknown);
    assert_eq!(stopped.x_range, (0, 4_000));

    // Too few samples for an estimate.
    assert_eq!(
        chart(&samples[..2], true, 4_500, &live_since(0)).eta_band,
        None
    );
    // Done.
    let mut done = samples.clone();
    done.push(s(1, 5_000, 1000, 100.0));
    let c = chart(&done, true, 5_500, &live_since(0));
    assert_eq!((c.eta_band, c.figures.eta), (None, Eta::Done));
}

#[test]
fn figures_of_a_known_series() {
    let samples = vec![
        s(1, 1_000, 100, 50.0),
        s(1, 3_000, 300, 150.0),
        s(1, 5_000, 500, 80.0),
    ];
    let c = job_chart(
        &samples,
        1,
        true,
        Some(0),
        6_000,
        &live_since(0),
        &EtaConfig::default(),
    );
    let f = &c.figures;
    assert_eq!((f.processed, f.total), (500, 1000));
    assert_eq!(f.current_rate, Some(80.0));
    assert_eq!(f.average_rate, Some(100.0)); // 400 rows in 4 s
    assert_eq!(f.peak_rate, Some(150.0));
    assert_eq!(f.elapsed_ms, Some(6_000));
    assert_eq!(c.rate_max, 150.0);

    let stopped = job_chart(
        &samples,
        1,
        false,
        Some(0),
        60_000,
        &live_since(0),
        &EtaConfig::default(),
    );
    assert_eq!(stopped.figures.elapsed_ms, Some(5_000));
    let one = chart(&samples[..1], true, 2_000, &live_since(0)).figures;
    assert_eq!(one.average_rate, None);
}

#[test]
fn empty_chart_is_still_drawable() {
    let c = job_chart(
        &[],
        1,
        true,
        None,
        10_000,
        &live_since(0),
        &EtaConfig::default(),
    );
    assert!(c.progress.is_empty() && c.rate.is_empty());
    assert_eq!(c.x_range, (10_000, 10_000 + MIN_SPAN_MS));
    assert_eq!(c.figures.elapsed_ms, None);
    assert_eq!(c.figures.peak_rate, None);
    assert_eq!(c.rate_max, 0.0);
}

#[test]
fn only_the_chosen_attempt_is_charted() {
    let mut samples = vec![
        s(1, 0, 0, 10.0),
        s(1, 1_000, 10, 10.0),
        MetricSample {
            total: 0,
            ..s(2, 5_000, 0, 0.0)
        },
        s(2, 6_000, 20, 20.0),
        s(2, 7_000, 40, 20.0),
    ];
    samples.push(s(3, 9_000, 0, 0.0));
    assert_eq!(attempts_in(&samples), vec![1, 2, 3]);
    assert!(attempts_in(&[]).is_empty());
    let c = job_chart(
        &samples,
        2,
        false,
        None,
        10_000,
        &live_since(0),
        &EtaConfig::default(),
    );
    assert_eq!(c.attempt, 2);
    assert_eq!(c.samples, 3);
    assert_eq!(c.x_range, (5_000, 7_000));
    // The total == 0 sample has no progress point but does have a rate point.
    assert_eq!(
        c.progress,
        vec![vec![
            Point {
                x: 6_000.0,
                y: 0.02
            },
            Point {
                x: 7_000.0,
                y: 0.04
            }
        ]]
    );
    assert_eq!(c.rate[0].len(), 3);
    assert_eq!(c.figures.processed, 40);
}

#[test]
fn sparkline_is_normalised() {
    let samples: Vec<_> = (0..100)
        .map(|i| s(1, i * 1000, 0, (i % 10) as f64))
        .chain([s(2, 0, 0, 1e6)])
        .collect();
    let line = sparkline(&samples, 1, 20);
    assert!(line.len() <= 22);
    assert_eq!(line.first().map(|p| p.x), Some(0.0));
    assert_eq!(line.last().map(|p| p.x), Some(1.0));
    assert!(line
        .iter()
        .all(|p| (0.0..=1.0).contains(&p.x) && (0.0..=1.0).contains(&p.y)));
    assert!(line.iter().any(|p| p.y == 1.0));

    let flat: Vec<_> = (0..10).map(|i| s(1, i * 1000, 0, 0.0)).collect();
    assert!(sparkline(&flat, 1, 40).iter().all(|p| p.y == 0.0));
    assert!(sparkline(&flat, 7, 40).is_empty());
}

#[test]
fn merge_prefers_the_copy_with_more_progress() {
    let mut into = vec![s(1, 1_000, 10, 1.0)];
    merge_samples(&mut into, [s(1, 1_000, 20, 1.0), s(1, 0, 0, 0.0)], 10);
    assert_eq!(into, vec![s(1, 0, 0, 0.0), s(1, 1_000, 20, 1.0)]);
    merge_samples(&mut into, [s(1, 1_000, 15, 1.0)], 10);
    assert_eq!(into, vec![s(1, 0, 0, 0.0), s(1, 1_000, 20, 1.0)]);
    merge_samples(&mut into, [s(2, 0, 0, 0.0)], 2);
    assert_eq!(into, vec![s(1, 1_000, 20, 1.0), s(2, 0, 0, 0.0)]);
}

/// Samples with distinct keys, and the sorted set they make.
fn sample_set() -> impl Strategy<Value = Vec<MetricSample>> {
    proptest::collection::btree_map((0u32..3, 0i64..200), (0u64..1000, 0.0f64..500.0), 0..60)
        .prop_map(|m| {
            m.into_iter()
                .map(|((attempt, t), (processed, rate))| s(attempt, t * 500, processed, rate))
                .collect()
        })
}

/// The set, and a stream holding every sample of it at least once, shuffled, with duplicates.
fn set_and_stream() -> impl Strategy<Value = (Vec<MetricSample>, Vec<MetricSample>)> {
    sample_set()
        .prop_flat_map(|set| {
            let dups = proptest::collection::vec(0..set.len().max(1), 0..40);
            (Just(set), dups)
        })
        .prop_flat_map(|(set, dups)| {
            let mut stream = set.clone();
            if !set.is_empty() {
                stream.extend(dups.iter().map(|&i| set[i].clone()));
            }
            (Just(set), Just(stream).prop_shuffle())
        })
}

proptest! {
    #[test]
    fn merging_any_interleaving_gives_the_sorted_set(
        (set, stream) in set_and_stream(),
        batch_sizes in proptest::collection::vec(1usize..10, 1..20),
        cap in 1usize..80,
    ) {
        let expected: Vec<MetricSample> =
            set.iter().skip(set.len().saturating_sub(cap)).cloned().collect();

        // In batches of varying size, as backfill pages and live frames arrive.
        let mut merged = Vec::new();
        let mut rest = stream.as_slice();
        for size in batch_sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (batch, tail) = rest.split_at((*size).min(rest.len()));
            merge_samples(&mut merged, batch.iter().cloned(), cap);
            rest = tail;
        }
        prop_assert_eq!(&merged, &expected);

        // All at once, in the opposite order.
        let mut at_once = Vec::new();
        merge_samples(&mut at_once, stream.iter().rev().cloned(), cap);
        prop_assert_eq!(&at_once, &expected);
    }

    #[test]
    fn chart_points_stay_in_range(
        steps in proptest::collection::vec((1i64..10_000, 0u64..50, 0.0f64..100.0), 0..60),
        running in any::<bool>(),
    ) {
        let mut t = 0;
        let mut p = 0;
        let samples: Vec<MetricSample> = steps.iter().map(|&(dt, dp, rate)| {
            t += dt; p += dp; s(1, t, p.min(1000), rate)
        }).collect();
        let c = chart(&samples, running, t + 1, &live_since(0));
        prop_assert_eq!(c.progress.len(), c.rate.len());
        prop_assert_eq!(c.gaps, c.progress.len().saturating_sub(1));
        prop_assert!(c.x_range.0 < c.x_range.1);
        for seg in c.progress.iter().chain(&c.rate) {
            prop_assert!(!seg.is_empty());
            prop_assert!(seg.windows(2).all(|w| w[0].x < w[1].x));
            prop_assert!(seg.iter().all(|pt| (c.x_range.0 as f64..=c.x_range.1 as f64).contains(&pt.x)));
        }
        prop_assert!(c.progress.iter().flatten().all(|pt| (0.0..=1.0).contains(&pt.y)));
    }
}
