//! Test fixtures shared by the native unit tests, the browser tests and the benchmarks: a
//! [`JobBuilder`] and the few other values they all build (a job event, a log line, an error).
//!
//! Compiled only for `cfg(test)` or with the `fixtures` feature, which the crate's own
//! dev-dependency on itself turns on for tests and benches (Cargo.toml), so none of this is in
//! the app's build.

use crate::state::jobs_store::{Action, Event};
use crate::types::job::Millis;
use crate::types::{Attempt, Job, JobError, JobKind, JobParams, JobStatus, LogLine, Progress};

/// The parameters the backend fills in when a request leaves them out.
pub fn params() -> JobParams {
    JobParams {
        chunk_rows: 500,
        chunk_delay_ms: 200,
        fail_at: None,
        passes: 1,
        note: None,
        log_burst: 0,
    }
}

/// A job as the backend sends it, by default just queued: a profile of `ds_sales` with
/// default parameters, one attempt, no progress yet, created at 0, version 1.
///
/// The attempts are made at [`JobBuilder::build`]: `attempt(n)` gives `n` of them, the earlier
/// ones failed (a retry follows a failure) and the last one in the job's status.
#[derive(Clone, Debug)]
pub struct JobBuilder {
    job: Job,
    worker: Option<String>,
}

impl JobBuilder {
    pub fn new(id: impl Into<String>) -> Self {
        JobBuilder {
            job: Job {
                id: id.into(),
                kind: JobKind::Profile,
                dataset_id: "ds_sales".into(),
                dataset_name: "sales.csv".into(),
                status: JobStatus::Queued,
                params: params(),
                progress: Progress {
                    processed: 0,
                    total: 0,
                    unit: "rows".into(),
                    phase: "queued".into(),
                    updated_at: None,
                },
                attempt: 1,
                attempts: Vec::new(),
                error: None,
                result: None,
                created_at: 0,
                started_at: None,
                finished_at: None,
                updated_at: 0,
                version: 1,
                log_count: 0,
            },
            worker: None,
        }
    }

    pub fn kind(mut self, kind: JobKind) -> Self {
        self.job.kind = kind;
        self
    }

    /// The dataset's id and the name shown for it.
    pub fn dataset(mut self, id: impl Into<String>, name: impl Into<String>) -> Self {
        self.job.dataset_id = id.into();
        self.job.dataset_name = name.into();
        self
    }

    /// The job's status, and its current attempt's.
    pub fn status(mut self, status: JobStatus) -> Self {
        self.job.status = status;
        self
    }

    pub fn params(mut self, params: JobParams) -> Self {
        self.job.params = params;
        self
    }

    pub fn chunk_delay_ms(mut self, ms: u32) -> Self {
        self.job.params.chunk_delay_ms = ms;
        self
    }

    /// `processed` of `total` units.
    pub fn progress(mut self, processed: u64, total: u64) -> Self {
        self.job.progress.processed = processed;
        self.job.progress.total = total;
        self
    }

    pub fn phase(mut self, phase: &str) -> Self {
        self.job.progress.phase = phase.into();
        self
    }

    /// When the progress last moved (the job's `updated_at` is set apart).
    pub fn progress_at(mut self, at: Millis) -> Self {
        self.job.progress.updated_at = Some(at);
        self
    }

    /// How many attempts the job has had.
    pub fn attempt(mut self, attempt: u32) -> Self {
        self.job.attempt = attempt;
        self
    }

    /// The worker running the current attempt.
    pub fn worker(mut self, name: &str) -> Self {
        self.worker = Some(name.into());
        self
    }

    /// When the job started, which is when its current attempt started.
    pub fn started_at(mut self, at: Millis) -> Self {
        self.job.started_at = Some(at);
        self
    }

    /// When the job finished (its attempts keep their own `finished_at`, unset).
    pub fn finished_at(mut self, at: Millis) -> Self {
        self.job.finished_at = Some(at);
        self
    }

    /// The job's error (its attempts keep theirs, unset).
    pub fn error(mut self, error: JobError) -> Self {
        self.job.error = Some(error);
        self
    }

    pub fn created_at(mut self, at: Millis) -> Self {
        self.job.created_at = at;
        self
    }

    pub fn updated_at(mut self, at: Millis) -> Self {
        self.job.updated_at = at;
        self
    }

    pub fn version(mut self, version: u64) -> Self {
        self.job.version = version;
        self
    }

    pub fn log_count(mut self, count: u64) -> Self {
        self.job.log_count = count;
        self
    }

    pub fn build(self) -> Job {
        let JobBuilder { mut job, worker } = self;
        let (current, status, started_at) = (job.attempt, job.status, job.started_at);
        job.attempts = (1..=current)
            .map(|number| {
                let last = number == current;
                Attempt {
                    number,
                    status: if last { status } else { JobStatus::Failed },
                    worker: if last { worker.clone() } else { None },
                    started_at: if last { started_at } else { None },
                    finished_at: None,
                    error: None,
                }
            })
            .collect();
        job
    }
}

/// An error as the worker records it.
pub fn job_error(kind: &str, message: &str, traceback: &str) -> JobError {
    JobError {
        kind: kind.into(),
        message: message.into(),
        traceback: traceback.into(),
    }
}

/// The store's event for a `job.created`/`job.updated` frame numbered `seq`.
pub fn job_event(seq: u64, job: Job) -> Event {
    Event::Job {
        seq,
        job: Box::new(job),
    }
}

/// A complete list answer at `seq` (not a reset, nothing left to load).
pub fn snapshot(seq: u64, jobs: Vec<Job>) -> Action {
    Action::Snapshot {
        jobs,
        seq,
        reset: false,
        not_loaded: 0,
        more_coming: false,
    }
}

/// Line `n`: an INFO line of the first attempt, stamped `n`, reading `line n`.
pub fn info_line(n: u64) -> LogLine {
    log_line(n, "INFO", &format!("line {n}"))
}

/// Log line `n` of attempt 1 at `level`, stamped `n` ms.
pub fn log_line(n: u64, level: &str, text: &str) -> LogLine {
    LogLine {
        n,
        ts: n as Millis,
        level: level.into(),
        attempt: 1,
        text: text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_job_is_queued_with_one_attempt_and_default_params() {
        let j = JobBuilder::new("job_1").build();
        assert_eq!(j.id, "job_1");
        assert_eq!(j.status, JobStatus::Queued);
        assert_eq!(j.params, params());
        assert_eq!(j.attempt, 1);
        assert_eq!(j.attempts.len(), 1);
        assert_eq!(j.attempts[0].status, JobStatus::Queued);
        assert_eq!(j.progress.fraction(), None);
    }

    #[test]
    fn earlier_attempts_failed_and_the_current_one_carries_the_status() {
        let j = JobBuilder::new("job_2")
            .status(JobStatus::Running)
            .attempt(3)
            .worker("w1")
            .started_at(7)
            .build();
        let numbers: Vec<u32> = j.attempts.iter().map(|a| a.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
        let statuses: Vec<JobStatus> = j.attempts.iter().map(|a| a.status).collect();
        assert_eq!(
            statuses,
            [JobStatus::Failed, JobStatus::Failed, JobStatus::Running]
        );
        assert_eq!(j.attempts[2].worker.as_deref(), Some("w1"));
        assert_eq!(j.attempts[2].started_at, Some(7));
        assert_eq!(j.attempts[0].worker, None);
        assert_eq!(j.started_at, Some(7));
    }

    #[test]
    fn the_built_job_round_trips_through_the_wire_format() {
        let j = JobBuilder::new("job_3")
            .status(JobStatus::Failed)
            .progress(5, 10)
            .error(job_error("ValueError", "bad row", ""))
            .finished_at(9)
            .build();
        let back: Job = serde_json::from_value(serde_json::to_value(&j).unwrap()).unwrap();
        assert_eq!(back, j);
        assert_eq!(j.progress.fraction(), Some(0.5));
    }
}
