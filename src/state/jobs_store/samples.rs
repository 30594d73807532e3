//! A held job's live metric samples: one series per job, ordered by `(attempt, t)`, without
//! duplicates, at most `Limits::metrics_per_job` long.

use imbl::Vector;

use crate::types::MetricSample;

/// Keeps samples ordered by time, without duplicates, and at most `cap` long.
pub(super) fn insert_sample(series: &mut Vector<MetricSample>, sample: MetricSample, cap: usize) {
    let key = (sample.attempt, sample.t);
    match series.back() {
        Some(last) if (last.attempt, last.t) < key => series.push_back(sample),
        None => series.push_back(sample),
        _ => {
            // Out of order (replay after reconnect): find its place, skip exact duplicates.
            let pos = series
                .iter()
                .position(|s| (s.attempt, s.t) >= key)
                .unwrap_or(series.len());
            if series.get(pos).map(|s| (s.attempt, s.t)) != Some(key) {
                series.insert(pos, sample);
            }
        }
    }
    while series.len() > cap {
        series.pop_front();
    }
}
