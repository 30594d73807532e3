//! The jobs list as shown: the store's jobs filtered and sorted by the URL's filter, with
//! per-status counts over all jobs. Pure, so its cost is measured natively
//! (`cargo bench --bench list_view`).

use std::collections::BTreeSet;
use std::rc::Rc;

use crate::state::eta::{estimate_recent, Eta, EtaConfig, RECENT_SAMPLES};
use crate::state::job_filter::{JobFilter, Sort};
use crate::state::jobs_store::JobsState;
use crate::types::{Job, JobStatus};

/// The list as filtered and sorted for display, with counts over all jobs.
#[derive(Default)]
pub struct Listed {
    pub jobs: Vec<(Rc<Job>, JobStatus)>,
    pub counts: [u64; 6],
}

pub fn eta_of(state: &JobsState, job: &Job) -> Eta {
    let Some(series) = state.metrics.get(&job.id) else {
        return Eta::Unknown;
    };
    let skip = series.len().saturating_sub(RECENT_SAMPLES);
    let samples: Vec<_> = series.iter().skip(skip).cloned().collect();
    estimate_recent(
        &samples,
        job.progress.processed,
        job.progress.total,
        &EtaConfig::default(),
    )
}

pub fn list_jobs(
    state: &JobsState,
    filter: &JobFilter,
    touched: Option<&BTreeSet<String>>,
    now_ms: i64,
) -> Listed {
    let mut counts = [0u64; 6];
    let mut jobs: Vec<(Rc<Job>, JobStatus)> = Vec::new();
    for entry in state.jobs.values() {
        let shown = state.shown_status(&entry.job);
        if let Some(i) = JobStatus::ALL.iter().position(|s| *s == shown) {
            counts[i] += 1;
        }
        if filter.matches_at(&entry.job, shown, now_ms)
            && touched.is_none_or(|t| t.contains(&entry.job.id))
        {
            jobs.push((entry.job.clone(), shown));
        }
    }
    let newest = |a: &Job, b: &Job| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| b.id.cmp(&a.id))
    };
    match filter.sort {
        Sort::Newest => jobs.sort_by(|(a, _), (b, _)| newest(a, b)),
        Sort::Progress => {
            // Each fraction once, not twice per comparison.
            let mut keyed: Vec<(f64, (Rc<Job>, JobStatus))> = jobs
                .into_iter()
                .map(|x| (x.0.progress.fraction().unwrap_or(0.0), x))
                .collect();
            keyed.sort_by(|(fa, (a, _)), (fb, (b, _))| fb.total_cmp(fa).then_with(|| newest(a, b)));
            jobs = keyed.into_iter().map(|(_, x)| x).collect();
        }
        Sort::Eta => {
            // Known ETAs first, soonest first; then the rest, newest first.
            let key = |j: &Job| match eta_of(state, j) {
                Eta::Range { hi_ms, .. } => hi_ms,
                _ => i64::MAX,
            };
            let mut keyed: Vec<(i64, (Rc<Job>, JobStatus))> =
                jobs.into_iter().map(|x| (key(&x.0), x)).collect();
            keyed.sort_by(|(ka, (a, _)), (kb, (b, _))| ka.cmp(kb).then_with(|| newest(a, b)));
            jobs = keyed.into_iter().map(|(_, x)| x).collect();
        }
    }
    Listed { jobs, counts }
}
