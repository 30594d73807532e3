//! Merging one job version into the store: the contract's rule for whether a version replaces
//! the held one (newer `version`, and reachable along the state machine within an attempt, or
//! a new attempt), and what an applied version updates (counts, transitions, samples of an
//! earlier attempt, a pending cancel the server settled).

use std::rc::Rc;

use crate::state::job_transitions::transition;
use crate::types::{Job, JobStatus};

use super::{Entry, JobsState, UserAction};

/// Why an incoming job version was not applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merge {
    Applied,
    /// Not newer than what we have (late or duplicated).
    Stale,
    /// Newer, but not reachable from the current state within the same attempt.
    Illegal,
}

/// Whether `to` can follow `from` within one attempt (any number of legal steps).
pub fn reachable_within_attempt(from: JobStatus, to: JobStatus) -> bool {
    use JobStatus::*;
    from == to
        || match from {
            Queued => to != Queued,
            Running => matches!(to, Cancelling | Succeeded | Failed | Cancelled),
            Cancelling => matches!(to, Cancelled | Succeeded | Failed),
            Succeeded | Failed | Cancelled => false,
        }
}

/// Decides whether `new` replaces `current`.
pub fn merge_decision(current: Option<&Job>, new: &Job) -> Merge {
    let Some(cur) = current else {
        return Merge::Applied;
    };
    if new.version <= cur.version {
        Merge::Stale
    } else if new.attempt > cur.attempt {
        Merge::Applied
    } else if new.attempt < cur.attempt || !reachable_within_attempt(cur.status, new.status) {
        Merge::Illegal
    } else {
        Merge::Applied
    }
}

impl JobsState {
    pub(super) fn merge_job(&mut self, job: Job, seen_seq: u64) -> Merge {
        let decision = merge_decision(self.jobs.get(&job.id).map(|e| &*e.job), &job);
        match decision {
            Merge::Applied => {
                let id = job.id.clone();
                // A retry starts a new attempt: its earlier samples belong to another run.
                if self
                    .jobs
                    .get(&id)
                    .is_some_and(|cur| cur.job.attempt != job.attempt)
                {
                    if let Some(series) = self.metrics.get_mut(&id) {
                        series.retain(|s| s.attempt >= job.attempt);
                    }
                }
                if job.status.is_terminal() || job.status == JobStatus::Cancelling {
                    self.settle_pending_by_truth(&job);
                }
                if let Some(t) = transition(self.jobs.get(&id).map(|e| &*e.job), &job) {
                    self.transitions.push(t);
                }
                if !self.jobs.contains_key(&id) {
                    self.on_returning(&job);
                }
                self.changes.record(self.revision, &id);
                self.count(job.status, 1);
                if let Some(old) = self.jobs.get(&id).map(|e| e.job.status) {
                    self.count(old, -1);
                }
                self.jobs.insert(
                    id,
                    Entry {
                        job: Rc::new(job),
                        seen_seq,
                    },
                );
            }
            Merge::Illegal => self.rejected += 1,
            Merge::Stale => {}
        }
        decision
    }

    /// A pending cancel is settled by the server reaching the state it asked for.
    fn settle_pending_by_truth(&mut self, job: &Job) {
        if self.pending.get(&job.id) == Some(&UserAction::Cancel) {
            self.pending.remove(&job.id);
        }
    }
}
