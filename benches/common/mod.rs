//! What the benchmarks share: a realistic job as the backend sends it.

use jobs_page::fixtures::JobBuilder;
use jobs_page::types::{Job, JobStatus};

/// Job `i` at `version` (running, 1,000,000 rows, `version × 500` processed).
pub fn job(i: usize, version: u64) -> Job {
    JobBuilder::new(format!("job_{i:012x}"))
        .status(JobStatus::Running)
        .progress(version * 500, 1_000_000)
        .phase("profiling")
        .progress_at(version as i64)
        .worker("worker-1.1")
        .started_at(1)
        .created_at(i as i64)
        .updated_at(version as i64)
        .version(version)
        .log_count(version)
        .build()
}
