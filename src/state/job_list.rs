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
mod tests {
    use super::*;
    use crate::fixtures::{job_event, snapshot};
    use crate::state::jobs_store::tests::job;
    use crate::state::jobs_store::{Action, UserAction};
    use proptest::prelude::*;

    /// One step of a session, on job `j % JOBS`.
    #[derive(Clone, Debug)]
    enum Step {
        /// A newer version with this status and dataset name.
        Update(usize, u8, bool),
        Create(usize),
        Cancel(usize),
        Confirm(usize),
        RollBack(usize),
        Render,
    }

    const JOBS: usize = 12;
    const STATUSES: [JobStatus; 6] = JobStatus::ALL;

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0..JOBS, 0u8..6, any::<bool>()).prop_map(|(j, s, n)| Step::Update(j, s, n)),
            1 => (0..JOBS).prop_map(Step::Create),
            1 => (0..JOBS).prop_map(Step::Cancel),
            1 => (0..JOBS).prop_map(Step::Confirm),
            1 => (0..JOBS).prop_map(Step::RollBack),
            2 => Just(Step::Render),
        ]
    }

    fn make(j: usize, version: u64, status: JobStatus, renamed: bool) -> Job {
        let mut job = job(&format!("job_{j:02}"), version, status, 1, version);
        // Ties in created_at, broken by id.
        job.created_at = (j / 3) as i64;
        if renamed {
            job.dataset_name = "renamed.csv".into();
        }
        job
    }

    type View = (Vec<(String, JobStatus)>, [u64; 6], [u64; 6], [u64; 6]);

    fn view(l: &Listed) -> View {
        (
            l.jobs.iter().map(|(j, s)| (j.id.clone(), *s)).collect(),
            l.counts,
            l.listed_counts,
            l.chip_counts,
        )
    }

    fn filters() -> Vec<JobFilter> {
        vec![
            JobFilter::default(),
            JobFilter {
                status: [JobStatus::Cancelling, JobStatus::Failed]
                    .into_iter()
                    .collect(),
                ..JobFilter::default()
            },
            JobFilter {
                q: "RENAMED".into(),
                ..JobFilter::default()
            },
            JobFilter {
                status: [JobStatus::Running].into_iter().collect(),
                q: "renamed".into(),
                ..JobFilter::default()
            },
            JobFilter {
                sort: Sort::Progress,
                ..JobFilter::default()
            },
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Updating the previous list with the changes always gives what rebuilding gives.
        #[test]
        fn relist_equals_a_rebuild(
            steps in prop::collection::vec(step(), 1..60),
            with_touched in any::<bool>(),
        ) {
            let touched: Option<BTreeSet<String>> = with_touched
                .then(|| (0..JOBS).step_by(2).map(|j| format!("job_{j:02}")).collect());
            for filter in filters() {
                let mut s = JobsState::default();
                s.apply(snapshot(1, (0..JOBS / 2).map(|j| make(j, 1, JobStatus::Running, false)).collect()));
                let mut version = 1;
                let mut prev: Option<Rc<Listed>> = None;
                for st in &steps {
                    version += 1;
                    match st {
                        Step::Update(j, status, renamed) => {
                            let job = make(*j, version, STATUSES[*status as usize], *renamed);
                            s.apply(Action::Batch(vec![job_event(version, job)]));
                        }
                        Step::Create(j) => {
                            let job = make(*j + JOBS, version, JobStatus::Queued, false);
                            s.apply(Action::Batch(vec![job_event(version, job)]));
                        }
                        Step::Cancel(j) => s.apply(Action::Optimistic { id: format!("job_{j:02}"), action: UserAction::Cancel }),
                        Step::Confirm(j) => {
                            let job = make(*j, version, JobStatus::Cancelling, false);
                            s.apply(Action::Confirmed { id: job.id.clone(), job: Box::new(job) });
                        }
                        Step::RollBack(j) => s.apply(Action::RolledBack { id: format!("job_{j:02}"), reason: "no".into() }),
                        Step::Render => {
                            let next = relist(prev.as_ref(), &s, &filter, touched.as_ref(), 0);
                            let want = list_jobs(&s, &filter, touched.as_ref(), 0);
                            prop_assert_eq!(view(&next), view(&want), "{:?}", filter);
                            prev = Some(next);
                        }
                    }
                }
            }
        }
    }

    proptest! {
        /// A status chip states how many jobs of its status its click lists (or, pressed,
        /// lists now), whatever else narrows the list.
        #[test]
        fn a_chip_states_what_its_click_lists(
            jobs in prop::collection::vec((0usize..6, any::<bool>()), 0..40),
            chosen in prop::collection::btree_set(0usize..6, 0..3),
            narrow in 0usize..3,
        ) {
            let mut s = JobsState::default();
            s.apply(Action::Snapshot {
                jobs: jobs
                    .iter()
                    .enumerate()
                    .map(|(j, (st, renamed))| make(j, 1, JobStatus::ALL[*st], *renamed))
                    .collect(),
                seq: 1,
                reset: false,
                not_loaded: 0,
                more_coming: false,
            });
            let filter = JobFilter {
                status: chosen.iter().map(|i| JobStatus::ALL[*i]).collect(),
                q: if narrow == 1 { "renamed".into() } else { String::new() },
                dataset: (narrow == 2).then(|| "ds_other".into()),
                ..JobFilter::default()
            };
            let listed = list_jobs(&s, &filter, None, 0);
            for status in JobStatus::ALL {
                let mut clicked = filter.clone();
                clicked.status.insert(status);
                let after = list_jobs(&s, &clicked, None, 0);
                prop_assert_eq!(
                    listed.chip_counts[status.index()],
                    after.listed_counts[status.index()],
                    "{:?} with {:?}", status, filter
                );
            }
        }
    }

    #[test]
    fn counts_include_released_jobs_and_the_summary_says_so() {
        use crate::state::jobs_store::{Limits, ListView};
        use crate::state::retention::RetentionPolicy;
        let mut s = JobsState::with_limits(Limits {
            retention: RetentionPolicy {
                max_finished: 1,
                max_age_ms: None,
            },
            ..Limits::default()
        });
        assert_eq!(released_note(&s), None);
        let done = |j: usize, v: u64| {
            let mut job = make(j, v, JobStatus::Failed, false);
            job.finished_at = Some(v as i64);
            job_event(v, job)
        };
        s.apply(Action::Batch(vec![done(1, 2), done(2, 3), done(3, 4)]));
        s.apply(Action::Tick { now_ms: 120_000 });
        let f = JobFilter::default();
        let listed = list_jobs(&s, &f, None, 0);
        assert_eq!(listed.jobs.len(), 1);
        assert_eq!(
            listed.counts[JobStatus::Failed.index()],
            3,
            "the backend's count"
        );
        assert_eq!(listed.listed_counts[JobStatus::Failed.index()], 1);
        let note = released_note(&s).unwrap();
        assert!(note.contains("2 older finished jobs not held"), "{note}");
        assert!(note.contains("the newest 1 finished jobs"), "{note}");
        // The incremental path counts the same.
        let prev = Rc::new(listed);
        s.apply(Action::View(ListView::default()));
        s.apply(Action::Batch(vec![job_event(
            9,
            make(5, 9, JobStatus::Running, false),
        )]));
        let next = relist(Some(&prev), &s, &f, None, 0);
        assert_eq!(view(&next), view(&list_jobs(&s, &f, None, 0)));
        assert_eq!(next.counts[JobStatus::Failed.index()], 3);
    }

    #[test]
    fn a_snapshot_makes_it_rebuild() {
        let mut s = JobsState::default();
        let snap = |jobs: Vec<Job>| Action::Snapshot {
            jobs,
            seq: 1,
            reset: true,
            not_loaded: 0,
            more_coming: false,
        };
        s.apply(snap(vec![make(1, 1, JobStatus::Running, false)]));
        let f = JobFilter::default();
        let first = Rc::new(list_jobs(&s, &f, None, 0));
        s.apply(snap(vec![make(2, 1, JobStatus::Running, false)]));
        assert!(update(&first, &s, &f, None, 0).is_none());
        let again = relist(Some(&first), &s, &f, None, 0);
        assert_eq!(
            view(&again).0,
            vec![("job_02".to_string(), JobStatus::Running)]
        );
    }
}
