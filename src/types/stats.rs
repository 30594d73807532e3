//! Completion and failure statistics over a time window.

use serde::{Deserialize, Serialize};

use super::job::Millis;

/// Failed jobs that share an exception type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailureGroup {
    #[serde(rename = "type")]
    pub kind: String,
    pub count: u64,
    pub job_ids: Vec<String>,
}

/// Jobs that finished inside one bucket of the window, by outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatsBucket {
    /// Start of the bucket (epoch ms); the bucket covers `[t, t + bucket_s * 1000)`.
    pub t: Millis,
    pub succeeded: u64,
    pub failed: u64,
    pub cancelled: u64,
}

/// `GET /stats`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub window_s: u64,
    pub since: Millis,
    pub finished: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub cancelled: u64,
    pub completion_rate: f64,
    pub failure_rate: f64,
    pub failures_by_type: Vec<FailureGroup>,
    /// Width of one bucket of `series` (seconds).
    pub bucket_s: u64,
    /// Finished jobs per bucket, oldest first, covering the whole window (empty buckets
    /// included, so a quiet minute reads as zero, not as a missing one).
    pub series: Vec<StatsBucket>,
}
