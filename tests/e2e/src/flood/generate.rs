//! The content of the flood server's jobs: datasets, statuses and jobs of realistic shape
//! (parameters, attempts, errors with tracebacks, results), and log lines, all derived from the
//! job's index, so every run serves the same data.

use std::fmt::Write as _;

use jobs_page::types::{Attempt, Dataset, Job, JobError, JobKind, JobParams, JobStatus, Progress};

use super::data::{LOG_JOB_INDEX, MARKER_INDEX};

/// Dataset names: realistic, and distinct enough for a substring search to select a few.
const DATASET_NAMES: [&str; 24] = [
    "sales.csv",
    "inventory.parquet",
    "customers.csv",
    "orders_2024.csv",
    "returns.csv",
    "web_events.jsonl",
    "payments.parquet",
    "shipments.csv",
    "suppliers.csv",
    "pricing_history.parquet",
    "marketing_spend.csv",
    "support_tickets.jsonl",
    "warehouse_stock.csv",
    "employee_hours.csv",
    "sensor_readings.parquet",
    "fx_rates.csv",
    "ad_clicks.jsonl",
    "subscriptions.csv",
    "refunds.csv",
    "store_visits.parquet",
    "product_catalog.csv",
    "loyalty_points.csv",
    "fraud_flags.parquet",
    "census_tracts.csv",
];

const TRACEBACK: &str = "Traceback (most recent call last):\n  File \"/app/jobs_backend/tasks.py\", line 88, in run_job\n    for chunk in reader.chunks(params.chunk_rows):\n  File \"/app/jobs_backend/tasks.py\", line 142, in validate_chunk\n    value = float(raw)\nValueError: could not convert string to float: 'n/a'";

/// SplitMix64: deterministic "randomness", so every run serves the same jobs.
pub fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The datasets jobs run on.
pub fn datasets(now_ms: i64) -> Vec<Dataset> {
    DATASET_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| Dataset {
            id: format!("ds_{}", name.split('.').next().unwrap_or("data")),
            name: name.to_string(),
            rows: 20_000 + mix(i as u64 + 7) % 2_000_000,
            columns: vec!["id".into(), "date".into(), "region".into(), "amount".into()],
            size_bytes: 600_000 + mix(i as u64 + 11) % 90_000_000,
            created_at: now_ms - 40 * 86_400_000 + i as i64 * 3_600_000,
        })
        .collect()
}

/// The status of each of `n` jobs, newest first: the newest ones are the active ones (as on a
/// real platform), running, with one queued job in six, until `running` are running; then
/// succeeded, failed and cancelled (80/12/8).
pub fn statuses(n: usize, running: usize) -> Vec<JobStatus> {
    let mut statuses = Vec::with_capacity(n);
    let mut started = 0;
    for i in 0..n {
        let h = mix(i as u64);
        let status = if i == MARKER_INDEX || i == LOG_JOB_INDEX {
            JobStatus::Running
        } else if started < running {
            if i % 6 == 5 {
                JobStatus::Queued
            } else {
                JobStatus::Running
            }
        } else {
            match h % 100 {
                0..=79 => JobStatus::Succeeded,
                80..=91 => JobStatus::Failed,
                _ => JobStatus::Cancelled,
            }
        };
        if status == JobStatus::Running {
            started += 1;
        }
        statuses.push(status);
    }
    statuses
}

/// Job `i` (0 is the newest) with `status`.
pub fn job(i: usize, status: JobStatus, now_ms: i64, datasets: &[Dataset]) -> Job {
    let h = mix(i as u64);
    let ds = &datasets[(h >> 8) as usize % datasets.len()];
    let kind = if h.is_multiple_of(3) {
        JobKind::Validate
    } else {
        JobKind::Profile
    };
    // Strictly decreasing with the index: index order is newest-first order.
    let created_at = now_ms - 1_000 - i as i64 * 7_000 - (h % 3_000) as i64;
    let passes = 1 + (h >> 20) % 3;
    let total = ds.rows * passes;
    let worker = format!("worker-{}.{}", 1 + (h >> 12) % 4, 4000 + (h >> 16) % 900);
    let started_at = created_at + 1_500;
    let run_ms = 20_000 + ((h >> 24) % 1_800_000) as i64;
    let finished_at = started_at + run_ms;
    let phase_running = if kind == JobKind::Validate {
        "validating"
    } else {
        "profiling"
    };
    let attempt = |number, status, error: Option<JobError>, finished: bool| Attempt {
        number,
        status,
        worker: Some(worker.clone()),
        started_at: Some(started_at),
        finished_at: finished.then_some(finished_at),
        error,
    };
    let error = (status == JobStatus::Failed).then(|| match h % 4 {
        0 => JobError {
            kind: "RuntimeError".into(),
            message: format!("injected failure at {}% (fail_at)", 10 + h % 80),
            traceback: TRACEBACK.replace(
                "ValueError: could not convert string to float: 'n/a'",
                "RuntimeError: injected failure",
            ),
        },
        1 => JobError {
            kind: "WorkerLost".into(),
            message: format!("{worker} stopped answering while the job ran"),
            traceback: String::new(),
        },
        _ => JobError {
            kind: "ValueError".into(),
            message: format!(
                "row {}: column 'amount': could not convert 'n/a' to float",
                1 + h % 20_000
            ),
            traceback: TRACEBACK.into(),
        },
    });
    let (processed, phase, attempts, started, finished, result) = match status {
        JobStatus::Queued => (
            0,
            "queued",
            vec![Attempt {
                number: 1,
                status,
                worker: None,
                started_at: None,
                finished_at: None,
                error: None,
            }],
            None,
            None,
            None,
        ),
        JobStatus::Running | JobStatus::Cancelling => (
            (h >> 4) % total,
            phase_running,
            vec![attempt(1, JobStatus::Running, None, false)],
            Some(started_at),
            None,
            None,
        ),
        JobStatus::Succeeded => (
            total,
            "done",
            vec![attempt(1, status, None, true)],
            Some(started_at),
            Some(finished_at),
            Some(serde_json::json!({
                "rows": total,
                "columns": {
                    "amount": {"min": 0.5, "max": 99_812.25, "mean": 412.7, "nulls": h % 40},
                    "region": {"distinct": 12, "nulls": 0},
                    "date": {"min": "2024-01-01", "max": "2024-12-31", "nulls": 0},
                }
            })),
        ),
        JobStatus::Failed => {
            let mut attempts = Vec::new();
            // One failure in three is a retry that failed again: history carries both errors.
            if h.is_multiple_of(3) {
                attempts.push(attempt(1, JobStatus::Failed, error.clone(), true));
            }
            attempts.push(attempt(
                attempts.len() as u32 + 1,
                JobStatus::Failed,
                error.clone(),
                true,
            ));
            (
                total * (10 + h % 80) / 100,
                "validating",
                attempts,
                Some(started_at),
                Some(finished_at),
                None,
            )
        }
        JobStatus::Cancelled => (
            total * (h % 90) / 100,
            "cancelled",
            vec![attempt(1, status, None, true)],
            Some(started_at),
            Some(finished_at),
            None,
        ),
    };
    let updated_at = finished.unwrap_or(started.unwrap_or(created_at) + 500);
    Job {
        id: format!("job_{:012x}", mix(i as u64 ^ 0x5eed) & 0xffff_ffff_ffff),
        kind,
        dataset_id: ds.id.clone(),
        dataset_name: ds.name.clone(),
        status,
        params: JobParams {
            chunk_rows: 500,
            chunk_delay_ms: 200,
            fail_at: None,
            passes: passes as u32,
            note: None,
            log_burst: 0,
        },
        progress: Progress {
            processed,
            total,
            unit: "rows".into(),
            phase: phase.into(),
            updated_at: Some(updated_at),
        },
        attempt: attempts.len() as u32,
        attempts,
        error,
        result,
        created_at,
        started_at: started,
        finished_at: finished,
        updated_at,
        version: 1 + (h % (i as u64 + 1)).min(50),
        log_count: 40 + h % 400,
    }
}

/// Log line `n` of the log job: a realistic mix of levels, an ANSI colour, JSON.
pub fn push_log_line(out: &mut String, base_ms: i64, n: u64) {
    let (level, text) = match n % 10 {
        0 => (
            "DEBUG",
            format!("chunk {n}: read 500 rows in {} ms", 3 + n % 17),
        ),
        7 => (
            "WARNING",
            format!("row {}: column 'amount' is empty, counted as null", n * 3),
        ),
        9 => (
            "INFO",
            format!(
                "{{\\\"chunk\\\": {n}, \\\"rows\\\": 500, \\\"nulls\\\": {}}}",
                n % 7
            ),
        ),
        _ => (
            "INFO",
            format!(
                "\\u001b[32mchunk {n} done\\u001b[0m (500 rows, {} rows/s)",
                2400 + n % 500
            ),
        ),
    };
    let _ = write!(
        out,
        "{{\"n\":{n},\"ts\":{},\"level\":\"{level}\",\"attempt\":1,\"text\":\"{text}\"}}",
        base_ms + n as i64
    );
}
