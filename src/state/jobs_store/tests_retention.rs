//! Only compiled under #[cfg(test)] (declared so in jobs_store.rs).
//! Bounded memory in the store: retention runs, what it protects, what it releases, and the
//! store's invariants after any sequence of actions.

use std::collections::BTreeSet;

use super::retain::{ACTION_ERRORS_CAP, ACTION_ERROR_TTL_MS, SWEEP_EVERY_MS};
use super::tests::job;
use super::*;
use crate::fixtures::{job_event as ev, snapshot};
use crate::state::retention::RetentionPolicy;
use proptest::prelude::*;

const H: i64 = 3_600_000;
const NOW: i64 = 1_000 * H;

fn done(id: &str, version: u64, status: JobStatus, finished_at: i64) -> Job {
    let mut j = job(id, version, status, 1, 0);
    j.finished_at = Some(finished_at);
    j.updated_at = finished_at;
    j
}

fn store(max_finished: usize, age_h: Option<i64>) -> JobsState {
    JobsState::with_limits(Limits {
        retention: RetentionPolicy {
            max_finished,
            max_age_ms: age_h.map(|h| h * H),
        },
        ..Limits::default()
    })
}

/// The invariants every state must hold.
fn check(s: &JobsState) -> Result<(), String> {
    for status in JobStatus::ALL {
        let recount = s.jobs.values().filter(|e| e.job.status == status).count() as u64;
        if s.held_with(status) != recount {
            return Err(format!(
                "{status}: count {} != {recount}",
                s.held_with(status)
            ));
        }
    }
    if let Some(id) = s.metrics.keys().find(|id| !s.jobs.contains_key(*id)) {
        return Err(format!("metrics for {id}, not held"));
    }
    if let Some(id) = s.action_errors.keys().find(|id| !s.jobs.contains_key(*id)) {
        return Err(format!("action error for {id}, not held"));
    }
    let mut a: Vec<&String> = s.action_errors.keys().collect();
    let mut b: Vec<&String> = s.action_error_at.keys().collect();
    a.sort();
    b.sort();
    if a != b {
        return Err("action errors and their times differ".into());
    }
    if s.action_errors.len() > ACTION_ERRORS_CAP {
        return Err("too many action errors".into());
    }
    Ok(())
}

#[test]
fn finished_jobs_beyond_the_bound_are_let_go_and_counted() {
    let mut s = store(1_000, None);
    let n = 3_000u64;
    let mut batch = Vec::new();
    for i in 0..n {
        batch.push(ev(
            i + 1,
            done(&format!("j{i:05}"), 2, JobStatus::Succeeded, i as i64),
        ));
    }
    batch.push(ev(n + 1, job("live", 1, JobStatus::Running, 1, 0)));
    s.apply(Action::Batch(batch));
    // A run is due past the bound plus its slack; it brings the held finished back to it.
    assert_eq!(s.finished_held(), 1_000);
    assert!(s.job("live").is_some());
    assert!(s.job("j02999").is_some(), "the newest kept");
    assert!(s.job("j00000").is_none(), "the oldest let go");
    assert_eq!(s.released[JobStatus::Succeeded.index()], 2_000);
    assert_eq!(s.known_counts()[JobStatus::Succeeded.index()], 3_000);
    check(&s).unwrap();
}

#[test]
fn the_bound_is_met_within_its_slack_between_runs() {
    let policy_max = 500;
    let mut s = store(policy_max, None);
    let slack = s.limits.retention.slack();
    for i in 0..10_000u64 {
        s.apply(Action::Batch(vec![ev(
            i + 1,
            done(&format!("j{i:05}"), 2, JobStatus::Failed, i as i64),
        )]));
        assert!(s.finished_held() <= policy_max + slack);
    }
    assert_eq!(s.released_total() + s.finished_held() as u64, 10_000);
}

#[test]
fn age_bound_runs_on_the_tick() {
    let mut s = store(100, Some(24));
    s.apply(Action::Batch(vec![
        ev(1, done("old", 2, JobStatus::Succeeded, NOW - 30 * H)),
        ev(2, done("new", 2, JobStatus::Succeeded, NOW - H)),
        ev(3, job("queued_long_ago", 1, JobStatus::Queued, 1, 0)),
    ]));
    assert!(s.job("old").is_some(), "no clock yet: nothing is too old");
    s.apply(Action::Tick { now_ms: NOW });
    assert!(s.job("old").is_none());
    assert!(s.job("new").is_some() && s.job("queued_long_ago").is_some());
    // The next sweep waits a minute.
    s.apply(Action::Batch(vec![ev(
        4,
        done("old2", 2, JobStatus::Failed, NOW - 30 * H),
    )]));
    s.apply(Action::Tick {
        now_ms: NOW + 1_000,
    });
    assert!(s.job("old2").is_some());
    s.apply(Action::Tick {
        now_ms: NOW + SWEEP_EVERY_MS,
    });
    assert!(s.job("old2").is_none());
    check(&s).unwrap();
}

#[test]
fn selected_open_touched_and_pending_jobs_stay() {
    let mut s = store(0, Some(1));
    s.apply(Action::Batch(
        ["sel", "open", "touched", "pending", "other"]
            .iter()
            .enumerate()
            .map(|(i, id)| ev(i as u64 + 1, done(id, 2, JobStatus::Failed, NOW - 10 * H)))
            .collect(),
    ));
    s.apply(Action::View(ListView {
        selected: Rc::new(["sel".to_string()].into_iter().collect()),
        touched: Some(Rc::new(["touched".to_string()].into_iter().collect())),
        filter: None,
    }));
    s.apply(Action::JobPage {
        id: "open".into(),
        open: true,
    });
    s.apply(Action::Optimistic {
        id: "pending".into(),
        action: UserAction::Retry,
    });
    s.apply(Action::Tick { now_ms: NOW });
    let held: BTreeSet<&str> = s.jobs.keys().map(String::as_str).collect();
    assert_eq!(
        held,
        ["open", "pending", "sel", "touched"].into_iter().collect()
    );
    // Closing another page keeps this one open; closing this one lets it go at the next sweep.
    s.apply(Action::JobPage {
        id: "else".into(),
        open: false,
    });
    assert_eq!(s.open_job.as_deref(), Some("open"));
    s.apply(Action::JobPage {
        id: "open".into(),
        open: false,
    });
    s.apply(Action::Tick {
        now_ms: NOW + SWEEP_EVERY_MS,
    });
    assert!(s.job("open").is_none());
    check(&s).unwrap();
}

#[test]
fn metrics_only_for_held_jobs_and_dropped_on_eviction() {
    let mut s = store(1, None);
    let sample = |t| MetricSample {
        t,
        processed: 1,
        total: 10,
        rate: 1.0,
        attempt: 1,
    };
    s.apply(Action::Batch(vec![
        Event::Metric {
            seq: 1,
            job_id: "ghost".into(),
            sample: sample(1),
        },
        ev(2, job("a", 1, JobStatus::Running, 1, 0)),
        Event::Metric {
            seq: 3,
            job_id: "a".into(),
            sample: sample(2),
        },
    ]));
    assert!(s.metrics.get("ghost").is_none(), "not held: not stored");
    assert_eq!(s.metrics.get("a").map(|m| m.len()), Some(1));
    s.apply(Action::Batch(vec![
        ev(4, done("a", 2, JobStatus::Succeeded, 1)),
        ev(5, done("b", 2, JobStatus::Succeeded, 2)),
    ]));
    s.apply(Action::Tick { now_ms: NOW });
    assert!(s.job("a").is_none() && s.metrics.get("a").is_none());
    check(&s).unwrap();
}

#[test]
fn action_errors_resolve_expire_and_are_capped() {
    let mut s = store(100_000, None);
    s.apply(Action::Tick { now_ms: NOW });
    s.apply(Action::Batch(vec![ev(
        1,
        job("a", 1, JobStatus::Running, 1, 0),
    )]));
    s.apply(Action::RolledBack {
        id: "a".into(),
        reason: "no".into(),
    });
    s.apply(Action::RolledBack {
        id: "not_held".into(),
        reason: "no".into(),
    });
    assert_eq!(s.action_errors.len(), 1);
    // Resolved: a later confirmed action on the job drops the old refusal.
    s.apply(Action::Confirmed {
        id: "a".into(),
        job: Box::new(job("a", 2, JobStatus::Cancelling, 1, 0)),
    });
    assert!(s.action_errors.is_empty());
    s.apply(Action::RolledBack {
        id: "a".into(),
        reason: "still no".into(),
    });
    s.apply(Action::Tick {
        now_ms: NOW + SWEEP_EVERY_MS,
    });
    assert_eq!(s.action_errors.len(), 1, "not old yet");
    s.apply(Action::Tick {
        now_ms: NOW + ACTION_ERROR_TTL_MS + 2 * SWEEP_EVERY_MS,
    });
    assert!(s.action_errors.is_empty(), "expired");
    // A bulk refusal of more than the cap keeps the newest, within the cap.
    let n = ACTION_ERRORS_CAP + 500;
    s.apply(Action::Batch(
        (0..n)
            .map(|i| {
                ev(
                    10 + i as u64,
                    job(&format!("b{i}"), 1, JobStatus::Queued, 1, 0),
                )
            })
            .collect(),
    ));
    for i in 0..n {
        s.apply(Action::Tick {
            now_ms: NOW + 10 * H + i as i64,
        });
        s.apply(Action::RolledBack {
            id: format!("b{i}"),
            reason: "refused".into(),
        });
    }
    assert!(s.action_errors.len() <= ACTION_ERRORS_CAP);
    assert!(
        s.action_errors.contains_key(&format!("b{}", n - 1)),
        "newest kept"
    );
    assert!(!s.action_errors.contains_key("b0"), "oldest dropped");
    check(&s).unwrap();
}

#[test]
fn a_released_job_that_is_retried_comes_back_and_leaves_the_released_count() {
    let mut s = store(0, None);
    s.apply(Action::Batch(vec![ev(
        1,
        done("a", 2, JobStatus::Failed, 1),
    )]));
    s.apply(Action::Tick { now_ms: NOW });
    assert!(s.job("a").is_none());
    assert_eq!(s.released[JobStatus::Failed.index()], 1);
    // Retried elsewhere: attempt 2 is queued, attempt 1 failed.
    s.apply(Action::Batch(vec![ev(
        2,
        job("a", 3, JobStatus::Queued, 2, 0),
    )]));
    assert_eq!(s.job("a").map(|j| j.attempt), Some(2));
    assert_eq!(s.released_total(), 0);
    assert_eq!(s.known_counts()[JobStatus::Failed.index()], 0);
    assert_eq!(s.known_counts()[JobStatus::Queued.index()], 1);
    // A snapshot is the backend's whole list again: the released counts restart from what
    // the retention lets go of it, at once.
    s.apply(Action::Batch(vec![ev(
        3,
        done("b", 2, JobStatus::Failed, 1),
    )]));
    s.apply(Action::Tick {
        now_ms: NOW + SWEEP_EVERY_MS,
    });
    assert_eq!(s.released_total(), 1);
    s.apply(snapshot(
        5,
        vec![
            done("c", 2, JobStatus::Cancelled, 1),
            job("d", 1, JobStatus::Running, 1, 0),
        ],
    ));
    assert_eq!(s.released, [0, 0, 0, 0, 0, 1]);
    assert_eq!(s.jobs.len(), 1, "only the running job is held");
    check(&s).unwrap();
}

#[test]
fn a_fetched_job_is_held_and_protected_while_its_page_is_open() {
    let mut s = store(0, None);
    s.apply(Action::JobPage {
        id: "old".into(),
        open: true,
    });
    s.apply(Action::Fetched {
        job: Box::new(done("old", 9, JobStatus::Succeeded, 1)),
    });
    s.apply(Action::Tick { now_ms: NOW });
    assert_eq!(s.job("old").map(|j| j.version), Some(9));
    // One let go, fetched back, let go again: counted once throughout (with another failed
    // job let go beside it, so a count moved twice would show).
    s.apply(Action::Batch(vec![
        ev(1, done("b", 2, JobStatus::Failed, 1)),
        ev(2, done("c", 2, JobStatus::Failed, 1)),
    ]));
    s.apply(Action::Tick {
        now_ms: NOW + SWEEP_EVERY_MS,
    });
    assert_eq!(s.known_counts()[JobStatus::Failed.index()], 2);
    let mut b = done("b", 3, JobStatus::Failed, 1);
    b.attempt = 2; // a retried job: counted once, not once per rule
    b.attempts.push(b.attempts[0].clone());
    b.attempts[1].number = 2;
    s.apply(Action::Fetched { job: Box::new(b) });
    assert!(s.job("b").is_some());
    assert_eq!(s.known_counts()[JobStatus::Failed.index()], 2);
    s.apply(Action::Tick {
        now_ms: NOW + 2 * SWEEP_EVERY_MS,
    });
    assert!(s.job("b").is_none());
    assert_eq!(s.known_counts()[JobStatus::Failed.index()], 2);
}

/// One step of a session over a few jobs.
#[derive(Clone, Debug)]
enum Step {
    Update(usize, u8),
    Finish(usize, u8, i64),
    Metric(usize),
    Cancel(usize),
    Confirm(usize),
    RollBack(usize),
    Dismiss(usize),
    Select(Vec<usize>),
    Open(usize, bool),
    Tick(i64),
    Snapshot(Vec<usize>),
}

const JOBS: usize = 16;

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..JOBS, 0u8..3).prop_map(|(j, s)| Step::Update(j, s)),
        4 => (0..JOBS, 3u8..6, 0i64..48).prop_map(|(j, s, h)| Step::Finish(j, s, h)),
        2 => (0..JOBS).prop_map(Step::Metric),
        1 => (0..JOBS).prop_map(Step::Cancel),
        1 => (0..JOBS).prop_map(Step::Confirm),
        1 => (0..JOBS).prop_map(Step::RollBack),
        1 => (0..JOBS).prop_map(Step::Dismiss),
        1 => prop::collection::vec(0..JOBS, 0..4).prop_map(Step::Select),
        1 => (0..JOBS, any::<bool>()).prop_map(|(j, o)| Step::Open(j, o)),
        2 => (0i64..48).prop_map(Step::Tick),
        1 => prop::collection::vec(0..JOBS, 0..JOBS).prop_map(Step::Snapshot),
    ]
}

fn id(j: usize) -> String {
    format!("j{j:02}")
}

proptest! {
    /// After any sequence of actions: counts equal a recount, metrics and action errors only
    /// for held jobs, held finished jobs within the bound (plus slack, plus what must stay),
    /// and protected or unfinished jobs never let go.
    #[test]
    fn store_invariants_hold_after_any_sequence(
        steps in prop::collection::vec(step(), 1..80),
        max_finished in 0usize..6,
        age in prop::option::of(1i64..30),
    ) {
        let mut s = store(max_finished, age);
        let mut version = 1u64;
        let mut selected: BTreeSet<String> = BTreeSet::new();
        let mut clock = NOW;
        for st in &steps {
            version += 1;
            let before: Vec<String> = s.jobs.keys().cloned().collect();
            let unfinished: Vec<String> = s.jobs.values()
                .filter(|e| !e.job.status.is_terminal()).map(|e| e.job.id.clone()).collect();
            let is_snapshot = matches!(st, Step::Snapshot(_));
            match st {
                Step::Update(j, st) => {
                    let status = JobStatus::ALL[*st as usize];
                    s.apply(Action::Batch(vec![ev(version, job(&id(*j), version, status, 1, version))]));
                }
                Step::Finish(j, st, h) => {
                    let status = JobStatus::ALL[*st as usize];
                    s.apply(Action::Batch(vec![ev(version, done(&id(*j), version, status, clock - h * H))]));
                }
                Step::Metric(j) => s.apply(Action::Batch(vec![Event::Metric {
                    seq: version, job_id: id(*j),
                    sample: MetricSample { t: version as i64, processed: 1, total: 2, rate: 1.0, attempt: 1 },
                }])),
                Step::Cancel(j) => s.apply(Action::Optimistic { id: id(*j), action: UserAction::Cancel }),
                Step::Confirm(j) => s.apply(Action::Confirmed {
                    id: id(*j), job: Box::new(job(&id(*j), version, JobStatus::Cancelling, 1, 0)),
                }),
                Step::RollBack(j) => s.apply(Action::RolledBack { id: id(*j), reason: "no".into() }),
                Step::Dismiss(j) => s.apply(Action::DismissActionError { id: id(*j) }),
                Step::Select(js) => {
                    selected = js.iter().map(|j| id(*j)).collect();
                    s.apply(Action::View(ListView { selected: Rc::new(selected.clone()), ..ListView::default() }));
                }
                Step::Open(j, open) => s.apply(Action::JobPage { id: id(*j), open: *open }),
                Step::Tick(h) => {
                    clock += h * SWEEP_EVERY_MS / 4;
                    s.apply(Action::Tick { now_ms: clock });
                }
                Step::Snapshot(js) => s.apply(snapshot(version, js.iter().map(|j| job(&id(*j), version, JobStatus::Running, 1, 0)).collect())),
            }
            if let Err(e) = check(&s) {
                return Err(TestCaseError::fail(format!("after {st:?}: {e}")));
            }
            if !is_snapshot {
                for gone in before.iter().filter(|i| !s.jobs.contains_key(*i)) {
                    prop_assert!(!unfinished.contains(gone), "unfinished {} let go", gone);
                    prop_assert!(!selected.contains(gone), "selected {} let go", gone);
                    prop_assert!(s.open_job.as_ref() != Some(gone), "open {} let go", gone);
                    prop_assert!(!s.pending.contains_key(gone), "pending {} let go", gone);
                }
            }
            let protected_finished = s.jobs.values().filter(|e| e.job.status.is_terminal()
                && (selected.contains(&e.job.id) || s.open_job.as_ref() == Some(&e.job.id)
                    || s.pending.contains_key(&e.job.id))).count();
            let bound = max_finished.max(protected_finished) + s.limits.retention.slack();
            prop_assert!(s.finished_held() <= bound, "{} finished held, bound {}", s.finished_held(), bound);
        }
        // A sweep brings the held finished jobs to the bound itself.
        s.apply(Action::Tick { now_ms: clock + SWEEP_EVERY_MS });
        let protected_finished = s.jobs.values().filter(|e| e.job.status.is_terminal()
            && (selected.contains(&e.job.id) || s.open_job.as_ref() == Some(&e.job.id)
                || s.pending.contains_key(&e.job.id))).count();
        prop_assert!(s.finished_held() <= max_finished.max(protected_finished));
        check(&s).map_err(TestCaseError::fail)?;
    }
}
