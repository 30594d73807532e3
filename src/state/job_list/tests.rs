//! Tests of `state::job_list`.

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
