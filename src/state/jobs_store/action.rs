//! What can change the store: the server's events and the reducer's actions (the store's
//! whole input vocabulary; how each is applied is `apply`).

use crate::state::connection::Connection;
use crate::state::retention::RetentionPolicy;
use crate::types::{Job, MetricSample, QueueStatus};

use super::ListView;

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
