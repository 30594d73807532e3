//! The job store: the backend's truth as last heard, plus the user's pending actions.
//!
//! A reducer (`impl Reducible`) so every change is one predictable step. Jobs are merged by
//! `version`, never moved backwards, and only along the contract's state machine; a terminal
//! job stays terminal unless a retry starts a new attempt. Persistent maps (`imbl`) make the
//! per-batch copy that `use_reducer` needs cost O(changes), not O(jobs).
//!
//! Memory is bounded whatever the page's uptime (see `retain`): finished jobs beyond the
//! retention policy are let go (`state::retention`), metric samples are kept only for held
//! jobs, and rollback reasons expire.
//!
//! This module holds the state and its readers; the rest is one idea per submodule: the
//! input vocabulary (`action`), the reducer's step (`apply`), the per-job merge rule
//! (`merge`), snapshots (`snapshot`), metric series (`samples`) and memory bounds (`retain`).

use std::rc::Rc;

use imbl::{HashMap, Vector};
use yew::Reducible;

use crate::state::change_log::ChangeLog;
use crate::state::chart::job_series::NotLive;
use crate::state::chart::queue_history::QueueHistory;
use crate::state::connection::Connection;
use crate::state::job_transitions::TransitionLog;
use crate::state::retention::RetentionPolicy;
use crate::types::{Job, JobStatus, MetricSample, QueueStatus};

/// Caps that keep memory bounded in long sessions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Metric samples kept per job (oldest dropped first).
    pub metrics_per_job: usize,
    /// Finished jobs held (`config.json`'s `retain_finished_*`).
    pub retention: RetentionPolicy,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            metrics_per_job: 600,
            retention: RetentionPolicy::default(),
        }
    }
}

/// A job as the store holds it: the job and the event position it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub job: Rc<Job>,
    /// The seq of the event (or snapshot) that delivered this version.
    pub seen_seq: u64,
}

/// The store.
#[derive(Clone, Debug, PartialEq)]
pub struct JobsState {
    pub jobs: HashMap<String, Entry>,
    /// Highest event seq seen (diagnostics; ordering is per job, by version).
    pub seq: u64,
    /// A snapshot has been applied at least once.
    pub loaded: bool,
    /// Older jobs the backend has that the last snapshot left out (see `snapshot_pages`), or,
    /// while `loading_more`, that are still loading.
    pub not_loaded: u64,
    /// The first page of the first load is shown; the other pages are on their way.
    pub loading_more: bool,
    /// Jobs held per server status, in `JobStatus::ALL` order; kept up to date by every change
    /// so readers (the host's badge) need not walk every job on every batch.
    pub status_counts: [u64; 6],
    pub load_error: Option<String>,
    pub connection: Connection,
    pub queue: Option<Rc<QueueStatus>>,
    /// Queue health over the session (a ring: see `QueueHistory::CAP`).
    pub queue_history: QueueHistory,
    /// When the page was not live (a ring of periods), so charts draw those as gaps.
    pub not_live: NotLive,
    /// Live samples of held jobs only (at most `Limits::metrics_per_job` each).
    pub metrics: HashMap<String, Vector<MetricSample>>,
    /// Actions sent and not answered (one per job; each ends confirmed or rolled back).
    pub pending: HashMap<String, UserAction>,
    /// Why an action was refused, per held job; dropped when resolved, when the job is let
    /// go, after `retain::ACTION_ERROR_TTL_MS`, and beyond `retain::ACTION_ERRORS_CAP`.
    pub action_errors: HashMap<String, String>,
    /// When each action error was recorded (the store's clock, epoch ms).
    pub action_error_at: HashMap<String, i64>,
    /// Finished jobs let go by the retention since the last snapshot, per status
    /// (`JobStatus::ALL` order): the backend still has them.
    pub released: [u64; 6],
    /// The latest time the store heard of (epoch ms; 0 before the first tick).
    pub clock_ms: i64,
    /// What the list shows and selects, and the open job page: kept by the retention.
    pub view: ListView,
    pub open_job: Option<String>,
    /// Held finished jobs at which the next retention run is due (see `retain`).
    pub retain_at: usize,
    /// When the last full retention sweep ran (epoch ms).
    pub swept_ms: i64,
    /// Versions refused as illegal transitions (a backend bug if ever non-zero).
    pub rejected: u64,
    /// Status and attempt changes applied, for the console log (see `job_transitions`).
    pub transitions: TransitionLog,
    /// Bumped by every applied action: a cheap key for memoising derived views.
    pub revision: u64,
    /// Which jobs changed at which revision (a ring), so the list is updated, not rebuilt.
    pub changes: ChangeLog,
    pub limits: Limits,
}

impl Default for JobsState {
    fn default() -> Self {
        Self::with_limits(Limits::default())
    }
}

impl JobsState {
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            jobs: HashMap::new(),
            seq: 0,
            loaded: false,
            not_loaded: 0,
            loading_more: false,
            status_counts: [0; 6],
            load_error: None,
            connection: Connection::Connecting,
            queue: None,
            queue_history: QueueHistory::default(),
            not_live: NotLive::default(),
            metrics: HashMap::new(),
            pending: HashMap::new(),
            action_errors: HashMap::new(),
            action_error_at: HashMap::new(),
            released: [0; 6],
            clock_ms: 0,
            view: ListView::default(),
            open_job: None,
            retain_at: limits.retention.max_finished + limits.retention.slack(),
            swept_ms: 0,
            rejected: 0,
            transitions: TransitionLog::default(),
            revision: 0,
            changes: ChangeLog::default(),
            limits,
        }
    }

    pub fn job(&self, id: &str) -> Option<&Rc<Job>> {
        self.jobs.get(id).map(|e| &e.job)
    }

    /// The status to show: the server's, or what a pending action makes it look like.
    pub fn shown_status(&self, job: &Job) -> JobStatus {
        if self.pending.is_empty() {
            return job.status; // the usual case, without hashing the id
        }
        match (self.pending.get(&job.id), job.status) {
            (Some(UserAction::Cancel), JobStatus::Running) => JobStatus::Cancelling,
            (Some(UserAction::Cancel), JobStatus::Queued) => JobStatus::Cancelled,
            (Some(UserAction::Retry), JobStatus::Failed | JobStatus::Cancelled) => {
                JobStatus::Queued
            }
            (_, s) => s,
        }
    }

    fn count(&mut self, status: JobStatus, delta: i64) {
        tally(&mut self.status_counts, status, delta);
    }

    /// Jobs held with `status` (the server's status, not the optimistic one).
    pub fn held_with(&self, status: JobStatus) -> u64 {
        self.status_counts[status.index()]
    }
}

/// Moves a per-status count (`JobStatus::ALL` order) by `delta`, never below zero.
pub fn tally(counts: &mut [u64; 6], status: JobStatus, delta: i64) {
    let i = status.index();
    counts[i] = counts[i].saturating_add_signed(delta);
}

impl Reducible for JobsState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
}

mod action;
mod apply;
mod merge;
mod retain;
mod samples;
mod snapshot;

pub use action::{Action, Event, UserAction};
pub use merge::{merge_decision, reachable_within_attempt, Merge};
pub use retain::ListView;

#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod tests_retention;
