//! The jobs list as shown: the store's jobs filtered and sorted by the URL's filter, with
//! per-status counts over all jobs. Pure, so its cost is measured natively
//! (`cargo bench --bench list_view`).
//!
//! While events stream in, [`relist`] updates the previous list with the jobs that changed
//! (the store's `ChangeLog`) instead of filtering and sorting every job again: a binary search
//! and an in-place replace per changed job. That holds for the default newest-first order,
//! whose key (`created_at`, id) never changes for a job; other orders, a failure window that
//! moves with the clock, or more changes than an eighth of the list rebuild it.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};
use std::rc::Rc;

use imbl::Vector;

use crate::state::eta::{estimate_recent, Eta, EtaConfig, RECENT_SAMPLES};
use crate::state::job_filter::{JobFilter, Sort};
use crate::state::jobs_store::{tally, JobsState};
use crate::types::{Job, JobStatus};

/// The list as filtered and sorted for display, with counts over all jobs (the held ones and
/// the finished ones the retention let go, which the backend still has).
#[derive(Default)]
pub struct Listed {
    /// Persistent, so a render's update copies O(log n), not the whole list.
    pub jobs: Vector<(Rc<Job>, JobStatus)>,
    /// Per shown status: held jobs plus those let go (`JobsState::released`).
    pub counts: [u64; 6],
    /// The listed jobs per shown status (`JobStatus::ALL` order), for the quick actions' counts.
    pub listed_counts: [u64; 6],
    /// What each status chip states: how many jobs its click would list. With nothing but
    /// statuses chosen, `counts` (every job the backend has); with the list narrowed by
    /// dataset, kind, search, failure group or touched set, the jobs of that narrowing per
    /// status (a faceted count, the chip's own dimension left out).
    pub chip_counts: [u64; 6],
    /// The store revision it was built at (it stays right for later revisions that changed
    /// no job).
    pub revision: u64,
}

/// Newest first: later `created_at` first, ties by id, descending.
fn newest(a: &Job, b: &Job) -> Ordering {
    b.created_at
        .cmp(&a.created_at)
        .then_with(|| b.id.cmp(&a.id))
}

/// The list for `state`: `prev` (built for the same filter, `touched` and clock) updated with
/// the changes since, when that gives the same result; else built anew. `prev` itself when no
/// job changed (a queue or connection update), so nothing is copied.
pub fn relist(
    prev: Option<&Rc<Listed>>,
    state: &JobsState,
    filter: &JobFilter,
    touched: Option<&BTreeSet<String>>,
    now_ms: i64,
) -> Rc<Listed> {
    if let Some(p) = prev {
        if let Some(changed) = state.changes.since(p.revision) {
            // Time and metric samples (which move ETAs) are not job changes.
            let time_bound = filter.failure.is_some() && filter.within_s.is_some();
            if changed.is_empty() && !time_bound && filter.sort != Sort::Eta {
                return p.clone();
            }
            if let Some(next) = update_with(p, &changed, state, filter, touched, now_ms) {
                return Rc::new(next);
            }
        }
    }
    Rc::new(list_jobs(state, filter, touched, now_ms))
}

/// `prev` updated with the jobs changed since it was built, or `None` if that cannot be done.
#[cfg(test)]
fn update(
    prev: &Listed,
    state: &JobsState,
    filter: &JobFilter,
    touched: Option<&BTreeSet<String>>,
    now_ms: i64,
) -> Option<Listed> {
    let changed = state.changes.since(prev.revision)?;
    update_with(prev, &changed, state, filter, touched, now_ms)
}

/// `prev` updated with `changed` (the ids changed since it was built).
fn update_with(
    prev: &Listed,
    changed: &[&str],
    state: &JobsState,
    filter: &JobFilter,
    touched: Option<&BTreeSet<String>>,
    now_ms: i64,
) -> Option<Listed> {
    let time_bound = filter.failure.is_some() && filter.within_s.is_some();
    if filter.sort != Sort::Newest || time_bound {
        return None;
    }
    if changed.len() > prev.jobs.len() / 8 + 16 {
        return None;
    }
    let mut jobs = prev.jobs.clone();
    let mut listed_counts = prev.listed_counts;
    let mut done: HashSet<&str> = HashSet::with_capacity(changed.len());
    for &id in changed {
        if !done.insert(id) {
            continue;
        }
        // Removals invalidate the change log, so a changed job is always held.
        let job = &state.jobs.get(id)?.job;
        let at = jobs.binary_search_by(|(j, _)| newest(j, job));
        let shown = state.shown_status(job);
        let keep = filter.matches_at(job, shown, now_ms) && touched.is_none_or(|t| t.contains(id));
        match (at, keep) {
            (Ok(i), true) => {
                let (_, was) = jobs.set(i, (job.clone(), shown));
                tally(&mut listed_counts, was, -1);
                tally(&mut listed_counts, shown, 1);
            }
            (Ok(i), false) => {
                let (_, was) = jobs.remove(i);
                tally(&mut listed_counts, was, -1);
            }
            (Err(i), true) => {
                jobs.insert(i, (job.clone(), shown));
                tally(&mut listed_counts, shown, 1);
            }
            (Err(_), false) => {}
        }
    }
    let counts = shown_counts(state);
    Some(Listed {
        jobs,
        chip_counts: chip_counts(state, filter, touched, now_ms, counts, listed_counts),
        counts,
        listed_counts,
        revision: state.revision,
    })
}

/// Jobs per shown status (`JobStatus::ALL` order): the store's counts (released jobs
/// included), moved for the few jobs a pending action shows differently.
fn shown_counts(state: &JobsState) -> [u64; 6] {
    let mut counts = state.known_counts();
    for id in state.pending.keys() {
        let Some(job) = state.job(id) else { continue };
        let shown = state.shown_status(job);
        if shown != job.status {
            tally(&mut counts, job.status, -1);
            tally(&mut counts, shown, 1);
        }
    }
    counts
}

/// The summary's note on finished jobs the retention let go, e.g. " · 160,000 older finished
/// jobs not held (the page keeps the newest 20,000 finished jobs, finished within 24 h)".
pub fn released_note(state: &JobsState) -> Option<String> {
    let n = state.released_total();
    (n > 0).then(|| {
        format!(
            " · {} older finished jobs not held (the page keeps {})",
            crate::state::format::thousands(n),
            state.limits.retention.describe()
        )
    })
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
    // Jobs let go by the retention still count: the backend has them.
    let mut counts = state.released;
    let mut jobs: Vec<(Rc<Job>, JobStatus)> = Vec::new();
    for entry in state.jobs.values() {
        let shown = state.shown_status(&entry.job);
        counts[shown.index()] += 1;
        if filter.matches_at(&entry.job, shown, now_ms)
            && touched.is_none_or(|t| t.contains(&entry.job.id))
        {
            jobs.push((entry.job.clone(), shown));
        }
    }
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
    let mut listed_counts = [0u64; 6];
    for (_, shown) in &jobs {
        tally(&mut listed_counts, *shown, 1);
    }
    Listed {
        jobs: jobs.into_iter().collect(),
        chip_counts: chip_counts(state, filter, touched, now_ms, counts, listed_counts),
        counts,
        listed_counts,
        revision: state.revision,
    }
}

/// The status chips' counts (see [`Listed::chip_counts`]). Only a list narrowed both by status
/// and by something else needs a walk over the held jobs; otherwise the counts at hand are the
/// answer.
fn chip_counts(
    state: &JobsState,
    filter: &JobFilter,
    touched: Option<&BTreeSet<String>>,
    now_ms: i64,
    counts: [u64; 6],
    listed_counts: [u64; 6],
) -> [u64; 6] {
    let facet = JobFilter {
        status: BTreeSet::new(),
        ..filter.clone()
    };
    if !facet.is_narrowed() && touched.is_none() {
        return counts;
    }
    if filter.status.is_empty() {
        return listed_counts;
    }
    let mut out = [0u64; 6];
    for entry in state.jobs.values() {
        let shown = state.shown_status(&entry.job);
        if facet.matches_at(&entry.job, shown, now_ms)
            && touched.is_none_or(|t| t.contains(&entry.job.id))
        {
            tally(&mut out, shown, 1);
        }
    }
    out
}

#[cfg(test)]
mod tests;
