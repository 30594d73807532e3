//! Log lines of a job.

use serde::{Deserialize, Serialize};

use super::job::Millis;

/// One log line; `n` numbers a job's lines from 1 without gaps. `text` is untrusted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub n: u64,
    pub ts: Millis,
    pub level: String,
    pub attempt: u32,
    pub text: String,
}

/// `GET /jobs/{id}/logs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogPage {
    pub job_id: String,
    pub lines: Vec<LogLine>,
    pub total: u64,
}
