//! Only compiled under #[cfg(test)] (declared so in retention.rs).
//! The retention decision: what it never evicts, the bound it reaches, and that it is stable.

use std::collections::BTreeSet;

use super::*;
use crate::state::jobs_store::tests::job;
use crate::types::JobStatus;
use proptest::prelude::*;

const H: i64 = 3_600_000;

fn finished(id: &str, status: JobStatus, at: i64) -> Job {
    let mut j = job(id, 1, status, 1, 0);
    j.finished_at = Some(at);
    j.updated_at = at;
    j
}

fn policy(max_finished: usize, age_h: Option<i64>) -> RetentionPolicy {
    RetentionPolicy {
        max_finished,
        max_age_ms: age_h.map(|h| h * H),
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn keeps_the_newest_finished_and_every_unfinished_job() {
    let jobs = vec![
        finished("old", JobStatus::Succeeded, 1_000),
        finished("mid", JobStatus::Failed, 2_000),
        finished("new", JobStatus::Cancelled, 3_000),
        job("run", 1, JobStatus::Running, 1, 0),
        job("queued", 1, JobStatus::Queued, 1, 0),
        job("cancelling", 1, JobStatus::Cancelling, 1, 0),
    ];
    let out = to_evict(&jobs, |_| false, |_| false, 0, &policy(1, None));
    assert_eq!(sorted(out), ["mid", "old"]);
    let none = to_evict(&jobs, |_| false, |_| false, 0, &policy(3, None));
    assert!(none.is_empty(), "within the bound nothing goes");
}

#[test]
fn age_bound_applies_only_with_a_known_clock() {
    let now = 100 * H;
    let jobs = vec![
        finished("day_old", JobStatus::Succeeded, now - 25 * H),
        finished("fresh", JobStatus::Succeeded, now - H),
    ];
    let p = policy(10, Some(24));
    assert_eq!(to_evict(&jobs, |_| false, |_| false, now, &p), ["day_old"]);
    assert!(to_evict(&jobs, |_| false, |_| false, 0, &p).is_empty());
    // Without finished_at, the last update counts.
    let mut j = finished("no_finish", JobStatus::Failed, 0);
    j.finished_at = None;
    j.updated_at = now - 30 * H;
    assert_eq!(to_evict([&j], |_| false, |_| false, now, &p), ["no_finish"]);
}

#[test]
fn protected_jobs_stay_and_use_up_the_budget_first() {
    let jobs: Vec<Job> = (0..5)
        .map(|i| finished(&format!("j{i}"), JobStatus::Succeeded, i))
        .collect();
    // j0 (the oldest) is selected: it stays, and leaves room for one more, the newest.
    let out = to_evict(&jobs, |id| id == "j0", |_| false, 0, &policy(2, None));
    assert_eq!(sorted(out), ["j1", "j2", "j3"]);
    // Protected jobs are kept even past the age bound and past the count bound.
    let out = to_evict(&jobs, |_| true, |_| false, 100 * H, &policy(0, Some(1)));
    assert!(out.is_empty());
}

#[test]
fn jobs_matching_the_filter_go_last() {
    let jobs: Vec<Job> = (0..6)
        .map(|i| {
            let status = if i % 2 == 0 {
                JobStatus::Failed
            } else {
                JobStatus::Succeeded
            };
            finished(&format!("j{i}"), status, i)
        })
        .collect();
    // Filter "failed": the three failed ones are kept although j5 and j3 are newer.
    let out = to_evict(
        &jobs,
        |_| false,
        |j| j.status == JobStatus::Failed,
        0,
        &policy(3, None),
    );
    assert_eq!(sorted(out), ["j1", "j3", "j5"]);
}

#[test]
fn describes_the_policy_in_words() {
    assert_eq!(
        RetentionPolicy::default().describe(),
        "the newest 20,000 finished jobs, finished within 24 h"
    );
    assert_eq!(policy(500, None).describe(), "the newest 500 finished jobs");
    assert_eq!(policy(1, None).slack(), 256);
    assert_eq!(policy(80_000, None).slack(), 10_000);
}

fn any_status() -> impl Strategy<Value = JobStatus> {
    (0usize..6).prop_map(|i| JobStatus::ALL[i])
}

fn jobs_strategy() -> impl Strategy<Value = Vec<Job>> {
    prop::collection::vec((any_status(), 0i64..200, any::<bool>()), 0..60).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (status, at, no_finish))| {
                let mut j = finished(&format!("j{i:03}"), status, at * H / 4);
                if no_finish {
                    j.finished_at = None;
                }
                j
            })
            .collect()
    })
}

proptest! {
    /// Never evicts unfinished or protected jobs; reaches the bound; keeps the newest (within
    /// the preferred class and across it); is idempotent.
    #[test]
    fn retention_invariants(
        jobs in jobs_strategy(),
        protect in prop::collection::btree_set(0usize..60, 0..10),
        max_finished in 0usize..40,
        age_h in prop::option::of(1i64..60),
        now_h in 0i64..80,
        prefer_failed in any::<bool>(),
    ) {
        let protected: BTreeSet<String> = protect.iter().map(|i| format!("j{i:03}")).collect();
        let is_protected = |id: &str| protected.contains(id);
        let preferred = |j: &Job| prefer_failed && j.status == JobStatus::Failed;
        let p = policy(max_finished, age_h);
        let now = now_h * H;
        let out = to_evict(&jobs, is_protected, preferred, now, &p);
        let evicted: BTreeSet<&str> = out.iter().map(String::as_str).collect();
        prop_assert_eq!(evicted.len(), out.len(), "no id twice");
        for j in &jobs {
            if evicted.contains(j.id.as_str()) {
                prop_assert!(j.status.is_terminal(), "unfinished {} evicted", j.id);
                prop_assert!(!protected.contains(&j.id), "protected {} evicted", j.id);
            }
        }
        let kept: Vec<&Job> = jobs.iter().filter(|j| !evicted.contains(j.id.as_str())).collect();
        let kept_finished = kept.iter().filter(|j| j.status.is_terminal()).count();
        let protected_finished = kept.iter()
            .filter(|j| j.status.is_terminal() && protected.contains(&j.id)).count();
        prop_assert!(kept_finished <= max_finished.max(protected_finished),
            "{} finished kept, bound {}", kept_finished, max_finished);
        // Nothing unprotected and too old is kept.
        if let (Some(a), true) = (age_h, now > 0) {
            for j in &kept {
                if j.status.is_terminal() && !protected.contains(&j.id) {
                    prop_assert!(finished_key(j) >= now - a * H, "{} too old", j.id);
                }
            }
        }
        // The newest are kept: every evicted job that was young enough ranks below every
        // kept unprotected finished job.
        let rank = |j: &Job| (preferred(j), finished_key(j), j.id.clone());
        let young = |j: &Job| match age_h { Some(a) if now > 0 => finished_key(j) >= now - a * H, _ => true };
        for e in jobs.iter().filter(|j| evicted.contains(j.id.as_str()) && young(j)) {
            for k in kept.iter().filter(|j| j.status.is_terminal() && !protected.contains(&j.id)) {
                prop_assert!(rank(k) > rank(e), "kept {} ranks below evicted {}", k.id, e.id);
            }
        }
        // Idempotent: what is left needs no further eviction.
        let again = to_evict(kept.iter().copied(), is_protected, preferred, now, &p);
        prop_assert!(again.is_empty(), "second run evicted {:?}", again);
    }
}
