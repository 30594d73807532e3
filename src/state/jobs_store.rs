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

use std::rc::Rc;

use imbl::{HashMap, Vector};
use yew::Reducible;

use crate::state::change_log::ChangeLog;
use crate::state::chart::job_series::NotLive;
use crate::state::chart::queue_history::QueueHistory;
use crate::state::connection::Connection;
use crate::state::job_transitions::{transition, TransitionLog};
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

/// A user action sent to the server and not yet answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserAction {
    Cancel,
    Retry,
}

/// A change from the server, in the order it arrived.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Job {
        seq: u64,
        job: Box<Job>,
    },
    Metric {
        seq: u64,
        job_id: String,
        sample: MetricSample,
    },
}

/// Everything that can change the store.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A list from `GET /jobs` at event position `seq`. With `reset`, the backend lost its
    /// history (Redis reset) and the snapshot replaces everything.
    Snapshot {
        jobs: Vec<Job>,
        seq: u64,
        reset: bool,
        /// Jobs the backend has that the snapshot left out (beyond what the page holds).
        not_loaded: u64,
        /// Only the first page: a `SnapshotMore` with the rest follows.
        more_coming: bool,
    },
    /// The rest of a first load whose first page was applied as a `Snapshot` (so the first
    /// cards show while the other pages load): added to what is held, the newer version kept.
    SnapshotMore { jobs: Vec<Job>, not_loaded: u64 },
    /// Events that arrived together; applied as one step (one render).
    Batch(Vec<Event>),
    /// The transport's state changed at `at_ms` (epoch ms; kept for the charts' not-live gaps).
    Connection { connection: Connection, at_ms: i64 },
    /// The queue's health as the server reported it at `at_ms` (its frames carry no time).
    Queue { queue: QueueStatus, at_ms: i64 },
    /// The snapshot could not be loaded.
    LoadFailed(String),
    /// The user asked for `action` on `id`; show it at once.
    Optimistic { id: String, action: UserAction },
    /// The server accepted: its answer is the new truth.
    Confirmed { id: String, job: Box<Job> },
    /// The server refused or could not be reached: undo, and say why.
    RolledBack { id: String, reason: String },
    /// The user read the rollback reason.
    DismissActionError { id: String },
    /// The job left the view: drop its buffers.
    Forget { id: String },
    /// A job fetched on demand (the job page of a job the store did not hold).
    Fetched { job: Box<Job> },
    /// Time passed (epoch ms): age bounds apply (the provider sends one every few seconds).
    Tick { now_ms: i64 },
    /// The list's selection, touched set or filter changed.
    View(ListView),
    /// The job page of `id` opened (its job is never evicted while it is open) or closed.
    JobPage { id: String, open: bool },
    /// The retention policy in use (from the configuration).
    Retention(RetentionPolicy),
}

/// A job as the store holds it: the job and the event position it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub job: Rc<Job>,
    /// The seq of the event (or snapshot) that delivered this version.
    pub seen_seq: u64,
}

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

    /// Applies one state change in place.
    pub fn apply(&mut self, action: Action) {
        self.revision = self.revision.wrapping_add(1);
        match action {
            Action::Snapshot {
                jobs,
                seq,
                reset,
                not_loaded,
                more_coming,
            } => {
                self.not_loaded = not_loaded;
                self.loading_more = more_coming;
                self.apply_snapshot(jobs, seq, reset);
                // A snapshot may hold up to `MAX_HELD` jobs: bring them to the bound at once.
                self.retain_now();
            }
            Action::SnapshotMore { jobs, not_loaded } => {
                self.not_loaded = not_loaded;
                self.loading_more = false;
                self.changes.invalidate(self.revision);
                let seen = self.seq;
                for job in jobs {
                    let newer_held = self
                        .jobs
                        .get(&job.id)
                        .is_some_and(|cur| cur.job.version >= job.version);
                    if newer_held {
                        continue;
                    }
                    self.count(job.status, 1);
                    let entry = Entry {
                        job: Rc::new(job),
                        seen_seq: seen,
                    };
                    if let Some(old) = self.jobs.insert(entry.job.id.clone(), entry) {
                        self.count(old.job.status, -1);
                    }
                }
                self.retain_now();
            }
            Action::Batch(events) => {
                for event in events {
                    self.apply_event(event);
                }
            }
            Action::Connection { connection, at_ms } => {
                self.clock_ms = self.clock_ms.max(at_ms);
                self.not_live.on_connection(at_ms, connection.is_live());
                self.connection = connection;
            }
            Action::Queue { queue, at_ms } => {
                self.clock_ms = self.clock_ms.max(at_ms);
                self.queue_history.push(at_ms, &queue);
                self.queue = Some(Rc::new(queue));
            }
            Action::LoadFailed(reason) => self.load_error = Some(reason),
            Action::Optimistic { id, action } => {
                self.changes.record(self.revision, &id);
                self.clear_action_error(&id);
                self.pending.insert(id, action);
            }
            Action::Confirmed { id, job } => {
                self.changes.record(self.revision, &id);
                self.pending.remove(&id);
                // The action is resolved: an older refusal no longer applies.
                self.clear_action_error(&id);
                let seen = self.seq;
                self.merge_job(*job, seen);
            }
            Action::RolledBack { id, reason } => {
                self.changes.record(self.revision, &id);
                self.pending.remove(&id);
                self.record_action_error(id, reason);
            }
            Action::DismissActionError { id } => {
                self.clear_action_error(&id);
            }
            Action::Forget { id } => {
                self.changes.invalidate(self.revision);
                if let Some(old) = self.jobs.remove(&id) {
                    self.count(old.job.status, -1);
                }
                self.metrics.remove(&id);
                self.pending.remove(&id);
                self.clear_action_error(&id);
            }
            Action::Fetched { job } => {
                self.on_fetched(&job);
                let seen = self.seq;
                self.merge_job(*job, seen);
            }
            Action::Tick { now_ms } => {
                self.clock_ms = self.clock_ms.max(now_ms);
                self.on_tick();
            }
            Action::View(view) => self.view = view,
            Action::JobPage { id, open } => {
                if open {
                    self.open_job = Some(id);
                } else if self.open_job.as_ref() == Some(&id) {
                    self.open_job = None;
                }
            }
            Action::Retention(policy) => {
                self.limits.retention = policy;
                self.retain_now();
            }
        }
        // O(1) unless enough jobs finished since the last run (see `retain`).
        self.maybe_retain();
    }

    fn apply_snapshot(&mut self, jobs: Vec<Job>, seq: u64, reset: bool) {
        let mut next: HashMap<String, Entry> = HashMap::new();
        for job in jobs {
            let id = job.id.clone();
            // The snapshot is the backend's truth, but an event may already have brought a
            // newer version than the snapshot holds.
            let keep_ours = !reset
                && self
                    .jobs
                    .get(&id)
                    .is_some_and(|cur| cur.job.version >= job.version);
            let entry = match (keep_ours, self.jobs.get(&id)) {
                (true, Some(cur)) => cur.clone(),
                (_, cur) => {
                    // The first load is not a change the page saw; later snapshots (resyncs,
                    // polling) are.
                    if self.loaded {
                        let old = cur.map(|c| &*c.job);
                        if let Some(t) = transition(old, &job) {
                            self.transitions.push(t);
                        }
                    }
                    Entry {
                        job: Rc::new(job),
                        seen_seq: seq,
                    }
                }
            };
            next.insert(id, entry);
        }
        if !reset {
            // A job missing from the snapshot but delivered by a newer event than the snapshot
            // was created after it: keep it. One known at or before the snapshot is gone.
            for (id, entry) in self.jobs.iter() {
                if entry.seen_seq > seq && !next.contains_key(id) {
                    next.insert(id.clone(), entry.clone());
                }
            }
        }
        self.metrics.retain(|id, _| next.contains_key(id));
        self.pending.retain(|id, _| next.contains_key(id));
        self.action_errors.retain(|id, _| next.contains_key(id));
        self.action_error_at.retain(|id, _| next.contains_key(id));
        // The snapshot is the backend's list again: nothing is let go of it yet.
        self.released = [0; 6];
        self.changes.invalidate(self.revision);
        self.status_counts = [0; 6];
        for entry in next.values() {
            self.count(entry.job.status, 1);
        }
        self.jobs = next;
        self.seq = if reset { seq } else { self.seq.max(seq) };
        self.loaded = true;
        self.load_error = None;
    }

    fn apply_event(&mut self, event: Event) {
        match event {
            Event::Job { seq, job } => {
                self.seq = self.seq.max(seq);
                self.merge_job(*job, seq);
            }
            Event::Metric {
                seq,
                job_id,
                sample,
            } => {
                self.seq = self.seq.max(seq);
                // Samples of jobs the store does not hold would never be read (and never
                // dropped): the job page backfills its own from the API.
                if !self.jobs.contains_key(&job_id) {
                    return;
                }
                let cap = self.limits.metrics_per_job;
                let series = self.metrics.entry(job_id).or_default();
                insert_sample(series, sample, cap);
            }
        }
    }

    fn merge_job(&mut self, job: Job, seen_seq: u64) -> Merge {
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

    fn count(&mut self, status: JobStatus, delta: i64) {
        tally(&mut self.status_counts, status, delta);
    }

    /// Jobs held with `status` (the server's status, not the optimistic one).
    pub fn held_with(&self, status: JobStatus) -> u64 {
        self.status_counts[status.index()]
    }

    /// A pending cancel is settled by the server reaching the state it asked for.
    fn settle_pending_by_truth(&mut self, job: &Job) {
        if self.pending.get(&job.id) == Some(&UserAction::Cancel) {
            self.pending.remove(&job.id);
        }
    }
}

/// Moves a per-status count (`JobStatus::ALL` order) by `delta`, never below zero.
pub fn tally(counts: &mut [u64; 6], status: JobStatus, delta: i64) {
    let i = status.index();
    counts[i] = counts[i].saturating_add_signed(delta);
}

/// Keeps samples ordered by time, without duplicates, and at most `cap` long.
fn insert_sample(series: &mut Vector<MetricSample>, sample: MetricSample, cap: usize) {
    let key = (sample.attempt, sample.t);
    match series.back() {
        Some(last) if (last.attempt, last.t) < key => series.push_back(sample),
        None => series.push_back(sample),
        _ => {
            // Out of order (replay after reconnect): find its place, skip exact duplicates.
            let pos = series
                .iter()
                .position(|s| (s.attempt, s.t) >= key)
                .unwrap_or(series.len());
            if series.get(pos).map(|s| (s.attempt, s.t)) != Some(key) {
                series.insert(pos, sample);
            }
        }
    }
    while series.len() > cap {
        series.pop_front();
    }
}

impl Reducible for JobsState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
}

mod retain;
pub use retain::ListView;

#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod tests_retention;
