//! What building the jobs list costs with 10,000 jobs (native, release build): the selector
//! the page runs when jobs change or the user filters, searches or sorts
//! (`state::job_list::list_jobs`), beside a hand-written floor in the same run (a plain `Vec`
//! of the jobs, filtered with one comparison and sorted by one key, no store, no counts).
//! Prints figures; asserts nothing about speed.
//!
//! Run: `cargo bench --bench list_view`

mod common;

use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;

use common::job;
use jobs_page::fixtures::snapshot;
use jobs_page::state::job_filter::{JobFilter, Sort};
use jobs_page::state::job_list::list_jobs;
use jobs_page::state::jobs_store::JobsState;
use jobs_page::types::{Job, JobStatus};
use yew::Reducible;

const JOBS: usize = 10_000;
const ROUNDS: usize = 50;

/// Median milliseconds of `ROUNDS` runs of `f`.
fn median_ms(mut f: impl FnMut() -> usize) -> f64 {
    let mut times: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[ROUNDS / 2]
}

fn jobs() -> Vec<Job> {
    (0..JOBS)
        .map(|i| {
            let mut j = job(i, 1 + (i % 7) as u64);
            // A realistic mix: 1,000 running, the rest finished one way or another.
            j.status = match i % 10 {
                0 => JobStatus::Running,
                1 => JobStatus::Failed,
                2 => JobStatus::Queued,
                3 => JobStatus::Cancelled,
                _ => JobStatus::Succeeded,
            };
            j
        })
        .collect()
}

fn main() {
    let all = jobs();
    let state = Rc::new(JobsState::default()).reduce(snapshot(0, all.clone()));
    // In the store's order, so both sort the same input.
    drop(all);
    let plain: Vec<Rc<Job>> = state.jobs.values().map(|e| e.job.clone()).collect();
    let cases: [(&str, JobFilter); 4] = [
        ("all, newest", JobFilter::default()),
        (
            "status=failed",
            JobFilter {
                status: [JobStatus::Failed].into_iter().collect(),
                ..JobFilter::default()
            },
        ),
        (
            "search \"00000000002\"",
            JobFilter {
                q: "00000000002".into(),
                ..JobFilter::default()
            },
        ),
        (
            "sort=progress",
            JobFilter {
                sort: Sort::Progress,
                ..JobFilter::default()
            },
        ),
    ];
    for (name, filter) in cases {
        let app = median_ms(|| list_jobs(&state, &filter, None, 0).jobs.len());
        // The floor: the same question asked of a plain Vec, by hand.
        let floor = median_ms(|| {
            let mut v: Vec<&Rc<Job>> = plain
                .iter()
                .filter(|j| {
                    (filter.status.is_empty() || filter.status.contains(&j.status))
                        && (filter.q.is_empty() || j.id.contains(filter.q.as_str()))
                })
                .collect();
            match filter.sort {
                Sort::Progress => v.sort_by(|a, b| {
                    let fa = a.progress.processed as f64 / a.progress.total.max(1) as f64;
                    let fb = b.progress.processed as f64 / b.progress.total.max(1) as f64;
                    fb.total_cmp(&fa)
                }),
                _ => v.sort_by_key(|j| std::cmp::Reverse(j.created_at)),
            }
            v.len()
        });
        println!(
            "LIST_BENCH jobs={JOBS} case={name:<22} app={app:>7.3} ms  floor={floor:>7.3} ms  ratio={:>5.1}",
            app / floor
        );
    }
}
