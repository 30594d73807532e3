//! How many events per second the job store applies (native, release build).
//!
//! Simulates the live feed of many concurrent jobs: each event is a full `job.updated` with a
//! higher version (as the backend sends them), applied in batches through the same
//! `Reducible::reduce` path the page uses — including the copy-on-write of the persistent maps
//! that `use_reducer` forces because the previous state is still referenced. Prints figures;
//! asserts nothing about speed.
//!
//! The churn run streams jobs that are created, run and finish (four events each, far more
//! jobs than the retention holds), so the retention's runs (`state::retention`) are paid for
//! inside the figure: their cost is amortised over the events.
//!
//! Run: `cargo bench --bench store_throughput`

mod common;

use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;

use common::job;
use jobs_page::fixtures::{job_event, snapshot};
use jobs_page::state::jobs_store::{Action, Event, JobsState};
use jobs_page::types::{JobStatus, MetricSample};
use yew::Reducible;

fn run(jobs: usize, batch: usize, total_events: usize) {
    // Pre-build the events so only applying them is timed.
    let mut events = Vec::with_capacity(total_events);
    for k in 0..total_events {
        let i = k % jobs;
        let version = (k / jobs) as u64 + 2;
        if k % 2 == 0 {
            events.push(job_event(k as u64 + 1, job(i, version)));
        } else {
            events.push(Event::Metric {
                seq: k as u64 + 1,
                job_id: format!("job_{i:012x}"),
                sample: MetricSample {
                    t: k as i64,
                    processed: k as u64,
                    total: 1_000_000,
                    rate: 2500.0,
                    attempt: 1,
                },
            });
        }
    }
    let mut state = Rc::new(JobsState::default());
    state = state.reduce(snapshot(0, (0..jobs).map(|i| job(i, 1)).collect()));
    let mut batches: Vec<Vec<Event>> = Vec::new();
    let mut it = events.into_iter().peekable();
    while it.peek().is_some() {
        batches.push(it.by_ref().take(batch).collect());
    }
    let n_batches = batches.len();
    let start = Instant::now();
    let mut held = Vec::with_capacity(2);
    for b in batches {
        // Keep the previous state alive, as the rendered view does, so every reduce copies.
        held.push(state.clone());
        if held.len() > 1 {
            held.remove(0);
        }
        state = state.reduce(Action::Batch(b));
    }
    let secs = start.elapsed().as_secs_f64();
    black_box(&state);
    assert_eq!(state.jobs.len(), jobs);
    println!(
        "STORE_BENCH jobs={jobs:>6} batch={batch:>4} events={total_events:>8} batches={n_batches:>6} \
         time={:>8.1} ms  events/s={:>12.0}  per-batch={:>7.1} µs",
        secs * 1e3,
        total_events as f64 / secs,
        secs * 1e6 / n_batches as f64
    );
}

/// `total_events` events of jobs created, run and finished (queued, running twice,
/// succeeded), 1,000 in flight at once, against the default retention (20,000 finished).
fn churn(batch: usize, total_events: usize) {
    const IN_FLIGHT: usize = 1_000;
    const STEPS: usize = 4;
    let mut events = Vec::with_capacity(total_events);
    for k in 0..total_events {
        // Job n's step s comes at k = (n + s × IN_FLIGHT) within its group of STEPS × IN_FLIGHT.
        let group = k / (STEPS * IN_FLIGHT);
        let within = k % (STEPS * IN_FLIGHT);
        let (step, n) = (within / IN_FLIGHT, group * IN_FLIGHT + within % IN_FLIGHT);
        let mut j = job(n, step as u64 + 1);
        j.status = match step {
            0 => JobStatus::Queued,
            1 | 2 => JobStatus::Running,
            _ => JobStatus::Succeeded,
        };
        if step == STEPS - 1 {
            j.finished_at = Some(k as i64);
        }
        events.push(job_event(k as u64 + 1, j));
    }
    let mut state = Rc::new(JobsState::default());
    state = state.reduce(snapshot(0, Vec::new()));
    let batches: Vec<Vec<Event>> = events.chunks(batch).map(<[Event]>::to_vec).collect();
    let n_batches = batches.len();
    let start = Instant::now();
    let mut held = Vec::with_capacity(2);
    let mut most_held = 0;
    for b in batches {
        held.push(state.clone());
        if held.len() > 1 {
            held.remove(0);
        }
        state = state.reduce(Action::Batch(b));
        most_held = most_held.max(state.jobs.len());
    }
    let secs = start.elapsed().as_secs_f64();
    black_box(&state);
    let seen = total_events / STEPS;
    println!(
        "STORE_BENCH churn jobs_seen={seen:>6} batch={batch:>4} events={total_events:>8} \
         time={:>8.1} ms  events/s={:>12.0}  per-batch={:>7.1} µs  held_max={most_held} \
         held_end={} released={}",
        secs * 1e3,
        total_events as f64 / secs,
        secs * 1e6 / n_batches as f64,
        state.jobs.len(),
        state.released_total(),
    );
}

fn main() {
    for &(jobs, batch) in &[(100, 1), (100, 50), (1_000, 50), (10_000, 200)] {
        run(jobs, batch, 400_000);
    }
    churn(50, 400_000);
}
