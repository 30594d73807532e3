//! Churn for the soak benchmark (`examples/soak.rs`): new jobs created, run and finished
//! continuously, so the jobs a page ever sees far exceed what it should hold (hours of a busy
//! platform compressed into minutes).
//!
//! Each churn job lives `STEPS` steps, `step_ms` apart: created `queued`, `running` at 0 %,
//! 50 % (with a metric sample) and 100 % (another sample), then finished — 85 % succeeded,
//! 10 % failed (with an error), 5 % cancelled. The jobs exist only as events: `GET /jobs` lists
//! the fixed set, so a snapshot reload (a resync) leaves them out, as it would jobs the backend
//! trimmed. One churn for the server, shared by its connections (the soak opens one).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use jobs_page::types::{Attempt, Dataset, Job, JobError, JobStatus, MetricSample};

use super::generate;

/// Steps of a churn job's life (see the module doc).
const STEPS: u32 = 5;
/// Rows a churn job processes.
const TOTAL: u64 = 10_000;
/// The most jobs created per call (a paused server catching up stays bounded).
const MAX_NEW_PER_CALL: u64 = 2_000;

/// One frame's payload, before the connection numbers it.
#[derive(Clone, Debug, PartialEq)]
pub enum ChurnFrame {
    /// A `job.updated` frame's job, as JSON.
    Job(String),
    /// A `metric` frame's job id and sample, as JSON.
    Metric { job_id: String, sample: String },
}

/// A job in flight.
#[derive(Clone, Debug)]
struct Active {
    n: u64,
    step: u32,
    due: Instant,
    created_ms: i64,
}

/// The churn: creates `rate` jobs per second from `origin`.
#[derive(Debug)]
pub struct Churn {
    rate: u64,
    origin: Instant,
    created: u64,
    /// Jobs created before the current rate was set (the rate counts from there).
    created_base: u64,
    finished: u64,
    /// In creation order, so the front is always the next due (all steps are `step`
    /// apart); at most `rate × STEPS × step` long.
    active: VecDeque<Active>,
    step: Duration,
    datasets: Vec<Dataset>,
}

impl Churn {
    pub fn new(step_ms: u64, now_ms: i64) -> Self {
        Self {
            rate: 0,
            origin: Instant::now(),
            created: 0,
            created_base: 0,
            finished: 0,
            active: VecDeque::new(),
            step: Duration::from_millis(step_ms.max(1)),
            datasets: generate::datasets(now_ms),
        }
    }

    /// New jobs per second from now on (0: none; jobs in flight still finish).
    pub fn set_rate(&mut self, per_s: u64, now: Instant) {
        self.rate = per_s;
        self.origin = now;
        self.created_base = self.created;
    }

    /// Jobs created so far.
    pub fn created(&self) -> u64 {
        self.created
    }

    /// Jobs finished so far.
    pub fn finished(&self) -> u64 {
        self.finished
    }

    /// The frames due at `now` (epoch `now_ms`): new jobs, then steps of jobs in flight.
    pub fn due(&mut self, now: Instant, now_ms: i64, out: &mut Vec<ChurnFrame>) {
        let should = self.created_base
            + (now.duration_since(self.origin).as_secs_f64() * self.rate as f64) as u64;
        let new = should.saturating_sub(self.created).min(MAX_NEW_PER_CALL);
        for _ in 0..new {
            let n = self.created;
            self.created += 1;
            out.push(ChurnFrame::Job(self.render(n, 0, now_ms, now_ms)));
            self.active.push_back(Active {
                n,
                step: 1,
                due: now + self.step,
                created_ms: now_ms,
            });
        }
        while self.active.front().is_some_and(|a| a.due <= now) {
            let Some(mut a) = self.active.pop_front() else {
                break;
            };
            if a.step == 2 || a.step == 3 {
                out.push(ChurnFrame::Metric {
                    job_id: id(a.n),
                    sample: self.sample(a.step, now_ms),
                });
            }
            out.push(ChurnFrame::Job(self.render(
                a.n,
                a.step,
                a.created_ms,
                now_ms,
            )));
            if a.step + 1 < STEPS {
                a.step += 1;
                a.due = now + self.step;
                self.active.push_back(a);
            } else {
                self.finished += 1;
            }
        }
    }

    fn sample(&self, step: u32, now_ms: i64) -> String {
        let processed = TOTAL * (step as u64 - 1) / 2;
        let s = MetricSample {
            t: now_ms,
            processed,
            total: TOTAL,
            rate: 2_500.0,
            attempt: 1,
        };
        serde_json::to_string(&s).unwrap_or_default()
    }

    /// Job `n` at `step` of its life, as JSON.
    fn render(&self, n: u64, step: u32, created_ms: i64, now_ms: i64) -> String {
        let mut job: Job = generate::job(
            (n % 10_000) as usize,
            JobStatus::Running,
            now_ms,
            &self.datasets,
        );
        job.id = id(n);
        job.created_at = created_ms;
        job.updated_at = now_ms;
        job.version = step as u64 + 1;
        job.attempt = 1;
        job.log_count = 0;
        job.result = None;
        job.error = None;
        job.progress.total = TOTAL;
        job.progress.updated_at = Some(now_ms);
        let (status, processed, finished_at) = match step {
            0 => (JobStatus::Queued, 0, None),
            1..=3 => (JobStatus::Running, TOTAL * (step as u64 - 1) / 2, None),
            _ => {
                let status = match generate::mix(n) % 20 {
                    0 | 1 => JobStatus::Failed,
                    2 => JobStatus::Cancelled,
                    _ => JobStatus::Succeeded,
                };
                (status, TOTAL, Some(now_ms))
            }
        };
        job.status = status;
        job.progress.processed = processed;
        job.progress.phase = if step == 0 { "queued" } else { "profiling" }.into();
        job.started_at = (step > 0).then_some(created_ms);
        job.finished_at = finished_at;
        if status == JobStatus::Failed {
            job.error = Some(JobError {
                kind: "ValueError".into(),
                message: format!("row {} has a bad value", n % 997),
                traceback:
                    "Traceback (most recent call last):\n  File \"job.py\", line 1\nValueError"
                        .into(),
            });
        }
        job.attempts = vec![Attempt {
            number: 1,
            status,
            worker: (step > 0).then(|| "worker-1.4001".to_string()),
            started_at: job.started_at,
            finished_at,
            error: job.error.clone(),
        }];
        serde_json::to_string(&job).unwrap_or_default()
    }
}

/// The id of churn job `n`.
pub fn id(n: u64) -> String {
    format!("churn_{n:09}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_created_at_the_rate_and_each_runs_its_whole_life() {
        let mut c = Churn::new(10, 1_764_370_000_000);
        let t0 = Instant::now();
        c.set_rate(1_000, t0);
        let mut frames = Vec::new();
        c.due(t0 + Duration::from_millis(100), 1, &mut frames);
        assert_eq!(c.created(), 100);
        // Long after: no new jobs (rate 0), every job in flight finishes.
        c.set_rate(0, t0 + Duration::from_millis(100));
        for ms in (110..1_000).step_by(10) {
            c.due(t0 + Duration::from_millis(ms), 2, &mut frames);
        }
        assert_eq!(c.finished(), 100);
        let jobs: Vec<Job> = frames
            .iter()
            .filter_map(|f| match f {
                ChurnFrame::Job(j) => serde_json::from_str(j).ok(),
                ChurnFrame::Metric { .. } => None,
            })
            .collect();
        assert_eq!(
            jobs.len(),
            100 * STEPS as usize,
            "every frame decodes as the app's Job"
        );
        let metrics = frames.len() - jobs.len();
        assert_eq!(metrics, 200);
        let last_of_0: Vec<&Job> = jobs.iter().filter(|j| j.id == id(0)).collect();
        let statuses: Vec<JobStatus> = last_of_0.iter().map(|j| j.status).collect();
        assert_eq!(statuses[0], JobStatus::Queued);
        assert!(statuses[STEPS as usize - 1].is_terminal());
        let versions: Vec<u64> = last_of_0.iter().map(|j| j.version).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    }
}
