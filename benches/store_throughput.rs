//! How many events per second the job store applies (native, release build).
//!
//! Simulates the live feed of many concurrent jobs: each event is a full `job.updated` with a
//! higher version (as the backend sends them), applied in batches through the same
//! `Reducible::reduce` path the page uses — including the copy-on-write of the persistent maps
//! that `use_reducer` forces because the previous state is still referenced. Prints figures;
//! asserts nothing about speed.
//!
//! Run: `cargo bench --bench store_throughput`

mod common;

use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;

use common::job;
use jobs_page::state::jobs_store::{Action, Event, JobsState};
use jobs_page::types::MetricSample;
use yew::Reducible;

fn run(jobs: usize, batch: usize, total_events: usize) {
    // Pre-build the events so only applying them is timed.
    let mut events = Vec::with_capacity(total_events);
    for k in 0..total_events {
        let i = k % jobs;
        let version = (k / jobs) as u64 + 2;
        if k % 2 == 0 {
            events.push(Event::Job {
                seq: k as u64 + 1,
                job: Box::new(job(i, version)),
            });
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
    state = state.reduce(Action::Snapshot {
        jobs: (0..jobs).map(|i| job(i, 1)).collect(),
        seq: 0,
        reset: false,
        not_loaded: 0,
        more_coming: false,
    });
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

fn main() {
    for &(jobs, batch) in &[(100, 1), (100, 50), (1_000, 50), (10_000, 200)] {
        run(jobs, batch, 400_000);
    }
}
