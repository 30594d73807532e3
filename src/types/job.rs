//! The job: its status, parameters, progress, attempts and errors, and the list/bulk envelopes.

use serde::{Deserialize, Serialize};

/// Epoch milliseconds, UTC (the contract's only time format).
pub type Millis = i64;

/// A job's state in the contract's state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Cancelling,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobStatus {
    /// Every status, in the order the UI lists them.
    pub const ALL: [JobStatus; 6] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Cancelling,
        JobStatus::Succeeded,
        JobStatus::Failed,
        JobStatus::Cancelled,
    ];

    /// Its position in [`JobStatus::ALL`] (the index of per-status count arrays).
    pub fn index(self) -> usize {
        match self {
            JobStatus::Queued => 0,
            JobStatus::Running => 1,
            JobStatus::Cancelling => 2,
            JobStatus::Succeeded => 3,
            JobStatus::Failed => 4,
            JobStatus::Cancelled => 5,
        }
    }

    /// The wire name, also used as the label shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Cancelling => "cancelling",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// Terminal until a retry starts a new attempt.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled
        )
    }

    /// Whether the contract allows `self → next` (retry is `failed|cancelled → queued`).
    pub fn can_become(self, next: JobStatus) -> bool {
        use JobStatus::*;
        matches!(
            (self, next),
            (Queued, Running)
                | (Queued, Cancelled)
                | (Running, Succeeded)
                | (Running, Failed)
                | (Running, Cancelling)
                | (Cancelling, Cancelled)
                | (Cancelling, Succeeded)
                | (Cancelling, Failed)
                | (Failed, Queued)
                | (Cancelled, Queued)
        )
    }
}

impl std::fmt::Display for JobStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a job does with its dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Profile,
    Validate,
}

impl JobKind {
    pub const ALL: [JobKind; 2] = [JobKind::Profile, JobKind::Validate];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Profile => "profile",
            JobKind::Validate => "validate",
        }
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parameters that control a job's behaviour (always complete in responses).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobParams {
    pub chunk_rows: u32,
    pub chunk_delay_ms: u32,
    pub fail_at: Option<f64>,
    pub passes: u32,
    pub note: Option<String>,
    /// Extra synthetic log lines written per chunk (log-volume demos and benchmarks).
    #[serde(default)]
    pub log_burst: u32,
}

/// Where a job is: `processed` of `total` units, in a named phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub processed: u64,
    pub total: u64,
    pub unit: String,
    pub phase: String,
    pub updated_at: Option<Millis>,
}

impl Progress {
    /// Fraction done in `[0, 1]`, or `None` while the total is unknown.
    pub fn fraction(&self) -> Option<f64> {
        (self.total > 0).then(|| (self.processed as f64 / self.total as f64).clamp(0.0, 1.0))
    }
}

/// A Python exception as the worker recorded it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobError {
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
    pub traceback: String,
}

/// One run of a job; retries append attempts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub number: u32,
    pub status: JobStatus,
    pub worker: Option<String>,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
    pub error: Option<JobError>,
}

/// A processing job (the contract's `Job`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    pub dataset_id: String,
    pub dataset_name: String,
    pub status: JobStatus,
    pub params: JobParams,
    pub progress: Progress,
    pub attempt: u32,
    pub attempts: Vec<Attempt>,
    pub error: Option<JobError>,
    pub result: Option<serde_json::Value>,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
    pub updated_at: Millis,
    pub version: u64,
    pub log_count: u64,
}

/// Jobs per status over all jobs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub queued: u64,
    pub running: u64,
    pub cancelling: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub cancelled: u64,
}

impl StatusCounts {
    pub fn get(&self, status: JobStatus) -> u64 {
        match status {
            JobStatus::Queued => self.queued,
            JobStatus::Running => self.running,
            JobStatus::Cancelling => self.cancelling,
            JobStatus::Succeeded => self.succeeded,
            JobStatus::Failed => self.failed,
            JobStatus::Cancelled => self.cancelled,
        }
    }
}

/// `GET /jobs`: a page of jobs plus the event position the snapshot is at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobList {
    pub items: Vec<Job>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    pub counts: StatusCounts,
    pub seq: u64,
}

/// `POST /jobs` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobCreate {
    pub dataset_id: String,
    pub kind: JobKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<serde_json::Value>,
}

/// One item's outcome in a bulk request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkItemResult {
    pub id: Option<String>,
    pub index: u32,
    pub ok: bool,
    pub status_code: u16,
    pub detail: Option<String>,
    pub job: Option<Job>,
}

/// Bulk start/cancel/retry response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkResponse {
    pub results: Vec<BulkItemResult>,
    pub ok: u32,
    pub failed: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_contract_transitions_are_legal() {
        use JobStatus::*;
        let legal = [
            (Queued, Running),
            (Queued, Cancelled),
            (Running, Succeeded),
            (Running, Failed),
            (Running, Cancelling),
            (Cancelling, Cancelled),
            (Cancelling, Succeeded),
            (Cancelling, Failed),
            (Failed, Queued),
            (Cancelled, Queued),
        ];
        for a in JobStatus::ALL {
            for b in JobStatus::ALL {
                assert_eq!(a.can_become(b), legal.contains(&(a, b)), "{a} -> {b}");
            }
        }
        assert!(!Succeeded.can_become(Queued), "succeeded is never retried");
    }

    #[test]
    fn fraction_is_unknown_without_total_and_clamped() {
        let mut p = Progress {
            processed: 5,
            total: 0,
            unit: "rows".into(),
            phase: "loading".into(),
            updated_at: None,
        };
        assert_eq!(p.fraction(), None);
        p.total = 4;
        assert_eq!(p.fraction(), Some(1.0));
        p.total = 10;
        assert_eq!(p.fraction(), Some(0.5));
    }

    #[test]
    fn status_wire_names_round_trip() {
        for s in JobStatus::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<JobStatus>(&json).unwrap(), s);
        }
        assert!(serde_json::from_str::<JobStatus>("\"exploded\"").is_err());
    }
}
