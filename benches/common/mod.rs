//! What the benchmarks share: a realistic job as the backend sends it.

use jobs_page::types::{Attempt, Job, JobKind, JobParams, JobStatus, Progress};

/// Job `i` at `version` (running, 1,000,000 rows, `version × 500` processed).
pub fn job(i: usize, version: u64) -> Job {
    Job {
        id: format!("job_{i:012x}"),
        kind: JobKind::Profile,
        dataset_id: "ds_sales".into(),
        dataset_name: "sales.csv".into(),
        status: JobStatus::Running,
        params: JobParams {
            chunk_rows: 500,
            chunk_delay_ms: 200,
            fail_at: None,
            passes: 1,
            note: None,
            log_burst: 0,
        },
        progress: Progress {
            processed: version * 500,
            total: 1_000_000,
            unit: "rows".into(),
            phase: "profiling".into(),
            updated_at: Some(version as i64),
        },
        attempt: 1,
        attempts: vec![Attempt {
            number: 1,
            status: JobStatus::Running,
            worker: Some("worker-1.1".into()),
            started_at: Some(1),
            finished_at: None,
            error: None,
        }],
        error: None,
        result: None,
        created_at: i as i64,
        started_at: Some(1),
        finished_at: None,
        updated_at: version as i64,
        version,
        log_count: version,
    }
}
