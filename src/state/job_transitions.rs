//! Job state transitions the page sees, for the console log.
//!
//! [`transition`] compares the version of a job the store held with the one it applies. The
//! reducer (`jobs_store`) records every transition it applies in a [`TransitionLog`], a
//! bounded ring with a running total; the jobs provider keeps a cursor into it and logs what
//! is new after each render. So the reducer stays pure (recording is part of its state) and the
//! log shows exactly what was applied: stale and illegal versions never appear.

use imbl::Vector;
use serde::Serialize;

use crate::types::{Job, JobStatus};

/// One job moving from one status (or attempt) to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub job_id: String,
    /// `None` when the page had not seen the job before (it was created meanwhile).
    pub from: Option<JobStatus>,
    pub to: JobStatus,
    /// The attempt the job is on after the change (a retry starts a new one).
    pub attempt: u32,
    pub from_attempt: Option<u32>,
    pub version: u64,
}

/// The transition from `old` to `new`, if the status or the attempt changed (progress updates
/// within one status are not transitions).
pub fn transition(old: Option<&Job>, new: &Job) -> Option<Transition> {
    if let Some(old) = old {
        if old.status == new.status && old.attempt == new.attempt {
            return None;
        }
    }
    Some(Transition {
        job_id: new.id.clone(),
        from: old.map(|o| o.status),
        to: new.status,
        attempt: new.attempt,
        from_attempt: old.map(|o| o.attempt),
        version: new.version,
    })
}

/// The latest transitions (at most [`TransitionLog::CAP`]) and how many were ever recorded.
/// Persistent storage, so the reducer's per-action copy costs O(1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransitionLog {
    entries: Vector<Transition>,
    total: u64,
}

/// What a reader gets from [`TransitionLog::since`].
#[derive(Debug, PartialEq)]
pub struct Since<'a> {
    /// Recorded after the cursor but already pushed out of the ring.
    pub missed: u64,
    /// The rest, oldest first.
    pub entries: Vec<&'a Transition>,
}

impl TransitionLog {
    /// Enough for the largest burst between two renders in normal use (a bulk action on a
    /// few hundred jobs); a resync that changes thousands of jobs at once reports `missed`.
    pub const CAP: usize = 512;

    pub fn push(&mut self, t: Transition) {
        self.entries.push_back(t);
        self.total += 1;
        while self.entries.len() > Self::CAP {
            self.entries.pop_front();
        }
    }

    /// How many transitions were ever recorded: the cursor for [`since`](Self::since).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Everything recorded after `cursor` (an earlier [`total`](Self::total)).
    pub fn since(&self, cursor: u64) -> Since<'_> {
        let new = self.total.saturating_sub(cursor);
        let kept = (new as usize).min(self.entries.len());
        let skip = self.entries.len() - kept;
        Since {
            missed: new - kept as u64,
            entries: self.entries.iter().skip(skip).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::jobs_store::tests::job;
    use proptest::prelude::*;

    fn t(n: u64) -> Transition {
        Transition {
            job_id: format!("j{n}"),
            from: None,
            to: JobStatus::Queued,
            attempt: 1,
            from_attempt: None,
            version: n,
        }
    }

    #[test]
    fn status_or_attempt_changes_are_transitions() {
        let mut a = job("j1", 3, JobStatus::Running, 1, 0);
        let mut b = a.clone();
        b.version = 4;
        b.progress.processed += 10;
        assert_eq!(
            transition(Some(&a), &b),
            None,
            "progress alone is not a transition"
        );
        b.status = JobStatus::Succeeded;
        let got = transition(Some(&a), &b).unwrap();
        assert_eq!(
            (got.from, got.to, got.attempt, got.version),
            (Some(JobStatus::Running), JobStatus::Succeeded, 1, 4)
        );
        // A retry: failed → queued with a new attempt.
        a.status = JobStatus::Failed;
        let mut r = a.clone();
        r.status = JobStatus::Queued;
        r.attempt = 2;
        let got = transition(Some(&a), &r).unwrap();
        assert_eq!((got.from_attempt, got.attempt), (Some(1), 2));
        // First sight of a job.
        let got = transition(None, &a).unwrap();
        assert_eq!((got.from, got.to), (None, JobStatus::Failed));
    }

    #[test]
    fn reader_catches_up_and_counts_what_it_missed() {
        let mut log = TransitionLog::default();
        for n in 0..3 {
            log.push(t(n));
        }
        let s = log.since(0);
        assert_eq!((s.missed, s.entries.len()), (0, 3));
        assert_eq!(log.since(3).entries.len(), 0);
        for n in 3..(TransitionLog::CAP as u64 + 10) {
            log.push(t(n));
        }
        let s = log.since(3);
        assert_eq!(s.missed, 7);
        assert_eq!(s.entries.first().unwrap().version, 10);
    }

    #[test]
    fn the_store_records_only_what_it_applies() {
        use crate::fixtures::{job_event as ev, snapshot};
        use crate::state::jobs_store::{Action, JobsState};
        let mut s = JobsState::default();
        s.apply(snapshot(1, vec![job("a", 1, JobStatus::Queued, 1, 0)]));
        assert_eq!(
            s.transitions.total(),
            0,
            "the first load is not a transition"
        );
        s.apply(Action::Batch(vec![
            ev(2, job("a", 2, JobStatus::Running, 1, 0)),
            ev(3, job("a", 3, JobStatus::Running, 1, 50)),
            ev(4, job("a", 2, JobStatus::Succeeded, 1, 0)),
            ev(5, job("a", 4, JobStatus::Queued, 1, 0)),
            ev(6, job("b", 1, JobStatus::Queued, 1, 0)),
        ]));
        let seen: Vec<(String, Option<JobStatus>, JobStatus)> = s
            .transitions
            .since(0)
            .entries
            .iter()
            .map(|t| (t.job_id.clone(), t.from, t.to))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("a".into(), Some(JobStatus::Queued), JobStatus::Running),
                ("b".into(), None, JobStatus::Queued),
            ],
            "progress, stale and illegal versions are not logged"
        );
        // A later snapshot (resync) brings a change made while the page was away.
        s.apply(snapshot(
            9,
            vec![
                job("a", 9, JobStatus::Succeeded, 1, 1000),
                job("b", 1, JobStatus::Queued, 1, 0),
            ],
        ));
        let since = s.transitions.since(2);
        assert_eq!(since.entries.len(), 1);
        assert_eq!(since.entries[0].to, JobStatus::Succeeded);
    }

    proptest! {
        /// Bounded, counts every push, and a reader sees the newest entries in push order.
        #[test]
        fn ring_invariants(pushes in 0u64..1500, cursor_frac in 0.0f64..=1.0) {
            let mut log = TransitionLog::default();
            for n in 0..pushes {
                log.push(t(n));
            }
            prop_assert!(log.entries.len() <= TransitionLog::CAP);
            prop_assert_eq!(log.total(), pushes);
            let cursor = (pushes as f64 * cursor_frac) as u64;
            let s = log.since(cursor);
            prop_assert_eq!(s.missed + s.entries.len() as u64, pushes - cursor);
            let versions: Vec<u64> = s.entries.iter().map(|e| e.version).collect();
            let want: Vec<u64> = (cursor + s.missed..pushes).collect();
            prop_assert_eq!(versions, want);
        }
    }
}
