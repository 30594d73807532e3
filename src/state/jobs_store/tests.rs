//! Only compiled under #[cfg(test)] (declared so in jobs_store.rs).
//! Reducer tests: transitions, optimistic actions, caps, and the ordering property.

use super::*;
use crate::fixtures::{job_event as ev, snapshot, JobBuilder};
use proptest::prelude::*;

/// A profiling job of 1000 rows, `processed` done, on its `attempt`th attempt, last changed at
/// `version` (the fixture most state tests share).
pub(crate) fn job(id: &str, version: u64, status: JobStatus, attempt: u32, processed: u64) -> Job {
    JobBuilder::new(id)
        .status(status)
        .chunk_delay_ms(0)
        .progress(processed, 1000)
        .phase("profiling")
        .progress_at(version as i64)
        .attempt(attempt)
        .updated_at(version as i64)
        .version(version)
        .build()
}

fn sample(t: i64, attempt: u32) -> MetricSample {
    MetricSample {
        t,
        processed: t as u64,
        total: 1000,
        rate: 1.0,
        attempt,
    }
}

#[test]
fn newer_versions_apply_older_ones_are_ignored() {
    let mut s = JobsState::default();
    s.apply(Action::Batch(vec![
        ev(1, job("a", 1, JobStatus::Queued, 1, 0)),
        ev(3, job("a", 3, JobStatus::Running, 1, 200)),
        ev(2, job("a", 2, JobStatus::Running, 1, 100)),
        ev(3, job("a", 3, JobStatus::Running, 1, 200)),
    ]));
    let a = s.job("a").unwrap();
    assert_eq!((a.version, a.progress.processed), (3, 200));
    assert_eq!(s.seq, 3);
}

#[test]
fn terminal_jobs_stay_terminal_within_an_attempt() {
    let mut s = JobsState::default();
    s.apply(Action::Batch(vec![ev(
        1,
        job("a", 5, JobStatus::Succeeded, 1, 1000),
    )]));
    // A newer version claiming the same attempt runs again is not a legal transition.
    s.apply(Action::Batch(vec![ev(
        2,
        job("a", 6, JobStatus::Running, 1, 10),
    )]));
    assert_eq!(s.job("a").unwrap().status, JobStatus::Succeeded);
    assert_eq!(s.rejected, 1);
    // A retry is a new attempt and may start over.
    s.apply(Action::Batch(vec![ev(
        3,
        job("a", 7, JobStatus::Queued, 2, 0),
    )]));
    let a = s.job("a").unwrap();
    assert_eq!((a.status, a.attempt), (JobStatus::Queued, 2));
}

#[test]
fn reachability_matches_the_state_machine() {
    use JobStatus::*;
    // Every single legal step within an attempt is reachable; retry edges are not.
    for from in JobStatus::ALL {
        for to in JobStatus::ALL {
            if from.can_become(to) && to != Queued {
                assert!(reachable_within_attempt(from, to), "{from}->{to}");
            }
        }
    }
    assert!(
        reachable_within_attempt(Queued, Succeeded),
        "missed steps are fine"
    );
    assert!(!reachable_within_attempt(Running, Queued));
    assert!(
        !reachable_within_attempt(Failed, Queued),
        "needs a new attempt"
    );
    assert!(!reachable_within_attempt(Cancelling, Running));
}

#[test]
fn optimistic_cancel_shows_at_once_and_settles_either_way() {
    let mut s = JobsState::default();
    s.apply(Action::Batch(vec![ev(
        1,
        job("a", 2, JobStatus::Running, 1, 10),
    )]));
    s.apply(Action::Optimistic {
        id: "a".into(),
        action: UserAction::Cancel,
    });
    let a = s.job("a").unwrap().clone();
    assert_eq!(s.shown_status(&a), JobStatus::Cancelling);
    // Rollback: the server said no; the status is the server's again and the reason is kept.
    s.apply(Action::RolledBack {
        id: "a".into(),
        reason: "job is already succeeded".into(),
    });
    assert_eq!(s.shown_status(&a), JobStatus::Running);
    assert_eq!(
        s.action_errors.get("a").map(String::as_str),
        Some("job is already succeeded")
    );
    // Confirmation: the server's answer becomes the truth.
    s.apply(Action::Optimistic {
        id: "a".into(),
        action: UserAction::Cancel,
    });
    assert!(s.action_errors.get("a").is_none());
    s.apply(Action::Confirmed {
        id: "a".into(),
        job: Box::new(job("a", 3, JobStatus::Cancelling, 1, 10)),
    });
    assert!(s.pending.is_empty());
    assert_eq!(s.job("a").unwrap().status, JobStatus::Cancelling);
}

#[test]
fn metrics_are_ordered_deduplicated_and_capped() {
    let mut s = JobsState::with_limits(Limits {
        metrics_per_job: 3,
        ..Limits::default()
    });
    let m = |seq, t| Event::Metric {
        seq,
        job_id: "a".into(),
        sample: sample(t, 1),
    };
    s.apply(Action::Batch(vec![
        ev(1, job("a", 1, JobStatus::Running, 1, 0)),
        m(1, 10),
        m(3, 30),
        m(2, 20),
        m(3, 30),
        m(4, 40),
    ]));
    let ts: Vec<i64> = s.metrics.get("a").unwrap().iter().map(|x| x.t).collect();
    assert_eq!(ts, vec![20, 30, 40]);
}

#[test]
fn retry_drops_samples_of_earlier_attempts_and_forget_releases_buffers() {
    let mut s = JobsState::default();
    s.apply(Action::Batch(vec![
        ev(1, job("a", 1, JobStatus::Failed, 1, 10)),
        Event::Metric {
            seq: 2,
            job_id: "a".into(),
            sample: sample(5, 1),
        },
        ev(3, job("a", 2, JobStatus::Queued, 2, 0)),
    ]));
    assert!(s.metrics.get("a").unwrap().is_empty());
    s.apply(Action::Forget { id: "a".into() });
    assert!(s.job("a").is_none() && s.metrics.get("a").is_none());
}

#[test]
fn snapshot_keeps_newer_event_versions_and_jobs_created_after_it() {
    let mut s = JobsState::default();
    s.apply(Action::Batch(vec![
        ev(5, job("a", 4, JobStatus::Running, 1, 40)),
        ev(9, job("b", 1, JobStatus::Queued, 1, 0)),
    ]));
    s.apply(snapshot(
        6,
        vec![
            job("a", 3, JobStatus::Running, 1, 30),
            job("c", 2, JobStatus::Failed, 1, 0),
        ],
    ));
    assert_eq!(s.job("a").unwrap().version, 4);
    assert!(
        s.job("b").is_some(),
        "created at seq 9, after the snapshot at 6"
    );
    assert!(s.job("c").is_some());
    // A reset (backend lost its history) replaces everything.
    s.apply(Action::Snapshot {
        jobs: vec![job("z", 1, JobStatus::Queued, 1, 0)],
        seq: 0,
        reset: true,
        not_loaded: 0,
        more_coming: false,
    });
    assert_eq!(s.jobs.len(), 1);
    assert_eq!(s.seq, 0);
}

/// A valid backend history: per job, a random walk along legal transitions, versions +1.
fn history() -> impl Strategy<Value = Vec<Job>> {
    let walk = proptest::collection::vec(0u8..=255, 1..12);
    proptest::collection::vec(walk, 1..6).prop_flat_map(|walks| {
        let mut per_job: Vec<Vec<Job>> = Vec::new();
        for (j, choices) in walks.iter().enumerate() {
            let id = format!("job{j}");
            let mut status = JobStatus::Queued;
            let mut attempt = 1;
            let mut versions = vec![job(&id, 1, status, attempt, 0)];
            for (v, c) in choices.iter().enumerate() {
                let options: Vec<JobStatus> = JobStatus::ALL
                    .into_iter()
                    .filter(|n| status.can_become(*n) || *n == status)
                    .collect();
                let next = options[*c as usize % options.len()];
                if next == JobStatus::Queued && status != JobStatus::Queued {
                    attempt += 1;
                }
                status = next;
                versions.push(job(&id, v as u64 + 2, status, attempt, v as u64 * 10));
            }
            per_job.push(versions);
        }
        // Interleave the jobs' histories in a random global order (each job's own order kept,
        // as the backend commits them).
        let total: usize = per_job.iter().map(Vec::len).sum();
        proptest::collection::vec(0usize..per_job.len(), total).prop_map(move |picks| {
            let mut cursors = vec![0usize; per_job.len()];
            let mut out = Vec::new();
            for &k in &picks {
                if cursors[k] < per_job[k].len() {
                    out.push(per_job[k][cursors[k]].clone());
                    cursors[k] += 1;
                }
            }
            for (k, versions) in per_job.iter().enumerate() {
                out.extend(versions[cursors[k]..].iter().cloned());
            }
            out
        })
    })
}

proptest! {
    /// Any reordering and duplication of a valid history, with a consistent snapshot taken at
    /// any point and delivered at any point, ends in the backend's final state.
    #[test]
    fn any_delivery_order_ends_in_the_backend_state(
        hist in history(),
        order_seed in proptest::collection::vec(any::<u32>(), 1..80),
        snap_at in any::<prop::sample::Index>(),
        deliver_snap_at in any::<prop::sample::Index>(),
        batch_size in 1usize..8,
    ) {
        let events: Vec<Event> = hist.iter().enumerate()
            .map(|(i, j)| ev(i as u64 + 1, j.clone())).collect();
        // Backend's final state: the last version of each job.
        let mut truth: std::collections::HashMap<String, Job> = Default::default();
        for j in &hist { truth.insert(j.id.clone(), j.clone()); }
        // Snapshot after the first `cut` events.
        let cut = snap_at.index(hist.len() + 1);
        let mut snap: std::collections::BTreeMap<String, Job> = Default::default();
        for j in &hist[..cut] { snap.insert(j.id.clone(), j.clone()); }
        // Delivery: every event at least once, shuffled, some twice.
        let mut delivery: Vec<Event> = events.clone();
        for (i, r) in order_seed.iter().enumerate() {
            delivery.push(events[(*r as usize + i) % events.len()].clone());
        }
        for (i, r) in order_seed.iter().enumerate() {
            let a = i % delivery.len();
            let b = *r as usize % delivery.len();
            delivery.swap(a, b);
        }
        let answer = snapshot(cut as u64, snap.into_values().collect());
        let at = deliver_snap_at.index(delivery.len() + 1);
        let mut s = JobsState::default();
        for (i, chunk) in delivery.chunks(batch_size).enumerate() {
            if i * batch_size >= at && !s.loaded { s.apply(answer.clone()); }
            s.apply(Action::Batch(chunk.to_vec()));
        }
        if !s.loaded { s.apply(answer); }
        prop_assert_eq!(s.jobs.len(), truth.len());
        for (id, want) in &truth {
            let got = s.job(id).expect("job present");
            prop_assert_eq!(&**got, want);
        }
        prop_assert_eq!(s.rejected, 0, "valid histories never trip the legality check");
        // The running counts equal a recount.
        for status in JobStatus::ALL {
            let recount = s.jobs.values().filter(|e| e.job.status == status).count() as u64;
            prop_assert_eq!(s.held_with(status), recount, "{:?}", status);
        }
    }
}

#[test]
fn status_counts_follow_every_kind_of_change() {
    let mut s = JobsState::default();
    s.apply(snapshot(
        1,
        vec![
            job("a", 1, JobStatus::Running, 1, 0),
            job("b", 1, JobStatus::Running, 1, 0),
        ],
    ));
    assert_eq!(s.held_with(JobStatus::Running), 2);
    s.apply(Action::Batch(vec![ev(
        2,
        job("a", 2, JobStatus::Failed, 1, 5),
    )]));
    assert_eq!(s.held_with(JobStatus::Running), 1);
    assert_eq!(s.held_with(JobStatus::Failed), 1);
    // A stale version changes nothing.
    s.apply(Action::Batch(vec![ev(
        3,
        job("a", 1, JobStatus::Running, 1, 0),
    )]));
    assert_eq!(s.held_with(JobStatus::Failed), 1);
    s.apply(Action::Confirmed {
        id: "b".into(),
        job: Box::new(job("b", 2, JobStatus::Cancelling, 1, 0)),
    });
    assert_eq!(s.held_with(JobStatus::Running), 0);
    assert_eq!(s.held_with(JobStatus::Cancelling), 1);
    s.apply(Action::Forget { id: "a".into() });
    s.apply(Action::Forget { id: "nope".into() });
    assert_eq!(s.held_with(JobStatus::Failed), 0);
    assert_eq!(s.status_counts.iter().sum::<u64>(), s.jobs.len() as u64);
}

#[test]
fn a_first_page_shows_at_once_and_the_rest_joins_it() {
    let mut s = JobsState::default();
    s.apply(Action::Snapshot {
        jobs: vec![job("new", 1, JobStatus::Running, 1, 0)],
        seq: 10,
        reset: false,
        not_loaded: 2,
        more_coming: true,
    });
    assert!(s.loaded && s.loading_more);
    assert_eq!(s.not_loaded, 2);
    // An update of a job on a later page may come first (a polling round, a confirmed action).
    s.apply(Action::Confirmed {
        id: "old".into(),
        job: Box::new(job("old", 5, JobStatus::Cancelling, 1, 0)),
    });
    s.apply(Action::SnapshotMore {
        jobs: vec![
            job("old", 4, JobStatus::Running, 1, 0),
            job("older", 1, JobStatus::Failed, 1, 0),
            job("new", 1, JobStatus::Running, 1, 0),
        ],
        not_loaded: 0,
    });
    assert!(!s.loading_more);
    assert_eq!(s.not_loaded, 0);
    assert_eq!(s.jobs.len(), 3);
    assert_eq!(s.job("old").unwrap().version, 5, "the newer version stays");
    assert_eq!(s.held_with(JobStatus::Cancelling), 1);
    assert_eq!(s.held_with(JobStatus::Running), 1);
    assert_eq!(s.held_with(JobStatus::Failed), 1);
    assert_eq!(s.status_counts.iter().sum::<u64>(), 3);
}
