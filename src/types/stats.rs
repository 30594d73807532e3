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
}
