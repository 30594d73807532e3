//! The flood server: a synthetic Jobs backend for the performance benchmark
//! (`examples/perf_bench.rs`), in-process, on a free loopback port. It serves the part of the
//! contract (`docs/api.md`) a page needs to show the list — `GET /jobs` (offset, limit, sort,
//! status, dataset, kind, q), `/jobs/{id}`, `/jobs/{id}/metrics`, `/jobs/{id}/logs`, `/queue`,
//! `/stats`, `/datasets`, with CORS — and a WebSocket that sends `job.updated` frames for the
//! running jobs at a rate the benchmark switches between phases without restarting
//! ([`FloodServer::set_rate`]), in small bursts every few milliseconds so the rate is smooth.
//!
//! Event-to-screen latency needs no help from the page: the newest job (the first card in the
//! default sort) is the *marker*; every ~50 ms it gets an update whose `progress.phase` is
//! `m<send time, epoch ms>`, which cards show as text. A probe in the page notes when a new
//! marker text first appears on screen. A marker goes last in its burst, so when it is shown
//! every event sent before it has been received too.
//!
//! Pacing is per connection and honest about backpressure: a burst is written with one
//! `write_all`; when the page reads slower than the rate, the socket fills, the write waits,
//! and the events that fell more than 50 ms behind schedule are skipped (counted in
//! [`FloodCounters::skipped`]) rather than queued, so "events sent per second" is what the page
//! actually took.
//!
//! Churn (the soak benchmark, `examples/soak.rs`): [`FloodServer::set_churn`] makes new jobs
//! appear, run and finish continuously (`flood/churn.rs`), as events only.
//!
//! Event positions: one `seq` counter for the server; every event gets the next one and
//! becomes its job's `version`, so versions only grow. A WebSocket resumed with `after` equal
//! to the current position is `resumed`; any other `after` gets `resync_required` (events are
//! not kept for replay), which makes a client reload the snapshot, as the contract says.

pub mod churn;
mod client;
pub mod data;
mod generate;
mod routes;
pub mod wire;
mod ws;

pub use client::{read_as_fast_as_possible, ClientRead};

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::error::Result;
use crate::server_tasks::{bind_free, ServerTasks};
use data::{JobSet, RunState, LOG_JOB_INDEX, MARKER_INDEX};

/// Settings of a [`FloodServer`].
#[derive(Clone, Debug)]
pub struct FloodConfig {
    /// Jobs held (at least 2).
    pub jobs: usize,
    /// Of which running (the marker and the log job among them).
    pub running: usize,
    /// `heartbeat_ms` announced in `hello`; a heartbeat goes out this often.
    pub heartbeat_ms: u64,
    /// A `queue` frame goes out this often.
    pub queue_ms: u64,
    /// A marker update goes out this often while markers are on.
    pub marker_ms: u64,
    /// Bursts are written this often.
    pub tick_ms: u64,
    /// Log lines the log job has before any streaming ([`FloodServer::stream_log`]).
    pub log_lines: u64,
    /// Time between the steps of a churn job's life ([`FloodServer::set_churn`]).
    pub churn_step_ms: u64,
}

impl Default for FloodConfig {
    fn default() -> Self {
        Self {
            jobs: 10_000,
            running: 1_000,
            heartbeat_ms: 5_000,
            queue_ms: 2_000,
            marker_ms: 50,
            tick_ms: 5,
            log_lines: 1_000,
            churn_step_ms: 1_000,
        }
    }
}

/// What the server has done so far (monotonic; the benchmark takes differences per phase).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FloodCounters {
    /// `job.updated` frames written, markers included.
    pub events_sent: u64,
    /// Of which marker updates.
    pub markers_sent: u64,
    /// Send time (epoch ms) in the text of the last marker written; 0 before the first.
    pub last_marker_ms: i64,
    /// Scheduled events skipped because the connection was more than 50 ms behind (the client
    /// not reading, see `blocked_us`, or the server itself short of CPU).
    pub skipped: u64,
    /// Time writes waited for a full socket to drain (µs): the client's backpressure.
    pub blocked_us: u64,
    pub heartbeats_sent: u64,
    /// `log` frames written.
    pub log_lines_sent: u64,
    /// Bytes written on WebSockets (frame headers included).
    pub ws_bytes: u64,
    /// WebSockets accepted so far / open now.
    pub ws_connections: u64,
    pub ws_open: u64,
    /// `resync_required` frames sent (a reconnect with a position the server cannot resume).
    pub resyncs_sent: u64,
    pub http_requests: u64,
}

#[derive(Default)]
struct Counters {
    events_sent: AtomicU64,
    markers_sent: AtomicU64,
    last_marker_ms: AtomicI64,
    skipped: AtomicU64,
    blocked_us: AtomicU64,
    heartbeats_sent: AtomicU64,
    log_lines_sent: AtomicU64,
    ws_bytes: AtomicU64,
    ws_connections: AtomicU64,
    ws_open: AtomicU64,
    resyncs_sent: AtomicU64,
    http_requests: AtomicU64,
}

/// The changing part: running jobs, the event position, the round-robin cursor.
struct LiveState {
    run: Vec<RunState>,
    head: u64,
    cursor: usize,
}

/// The log job's log: `base` lines, then `target` more at `rate` lines/s from `since`.
#[derive(Clone, Copy, Debug)]
struct LogStream {
    base: u64,
    since: Option<Instant>,
    rate: u64,
    target: u64,
}

impl LogStream {
    fn count(&self, now: Instant) -> u64 {
        match self.since {
            None => self.base,
            Some(t) => {
                let grown = (now.duration_since(t).as_secs_f64() * self.rate as f64) as u64;
                self.base + grown.min(self.target)
            }
        }
    }
}

struct Shared {
    set: JobSet,
    live: Mutex<LiveState>,
    cfg: FloodConfig,
    rate: AtomicU64,
    rate_gen: AtomicU64,
    markers: AtomicBool,
    log: Mutex<LogStream>,
    churn: Mutex<churn::Churn>,
    counters: Counters,
    queue_json: String,
    datasets_json: String,
    started_ms: i64,
}

impl Shared {
    fn live(&self) -> MutexGuard<'_, LiveState> {
        // A panic while holding the lock leaves consistent data (plain numbers): keep going.
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn churn(&self) -> MutexGuard<'_, churn::Churn> {
        self.churn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn log_stream(&self) -> LogStream {
        *self.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Lines in job `i`'s log now.
    fn log_count(&self, i: usize, now: Instant) -> u64 {
        if i == LOG_JOB_INDEX {
            self.log_stream().count(now)
        } else {
            self.set.jobs[i].log_count
        }
    }
}

/// Epoch milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A running flood server; stops (closing every connection) when dropped.
pub struct FloodServer {
    port: u16,
    shared: Arc<Shared>,
    _tasks: ServerTasks,
}

impl std::fmt::Debug for FloodServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FloodServer")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl FloodServer {
    /// Generates the jobs and listens on a free loopback port (on the current tokio runtime).
    pub async fn start(cfg: FloodConfig) -> Result<Self> {
        let started_ms = now_ms();
        let (set, run) = JobSet::generate(cfg.jobs, cfg.running, started_ms, cfg.log_lines);
        let c = set.counts();
        let workers: Vec<_> = (1..=4)
            .map(|w| {
                serde_json::json!({"name": format!("worker-{w}.{}", 4000 + w), "state": "busy",
                                        "current_job": set.id(set.running[w % set.running.len()])})
            })
            .collect();
        let queue_json = serde_json::json!({
            "queued": c.queued, "running": c.running, "workers": workers,
            "redis": {"ok": true, "version": "7.0.15", "latency_ms": 0.2, "used_memory_bytes": 48_000_000},
        })
        .to_string();
        let datasets_json = serde_json::json!({ "items": set.datasets }).to_string();
        let head = set.initial_seq;
        let (listener, port) = bind_free("the flood server").await?;
        let shared = Arc::new(Shared {
            live: Mutex::new(LiveState {
                run,
                head,
                cursor: 0,
            }),
            log: Mutex::new(LogStream {
                base: cfg.log_lines,
                since: None,
                rate: 0,
                target: 0,
            }),
            churn: Mutex::new(churn::Churn::new(cfg.churn_step_ms, started_ms)),
            set,
            cfg,
            rate: AtomicU64::new(0),
            rate_gen: AtomicU64::new(0),
            markers: AtomicBool::new(false),
            counters: Counters::default(),
            queue_json,
            datasets_json,
            started_ms,
        });
        let tasks = {
            let shared = shared.clone();
            ServerTasks::accept_each(listener, move |stream| {
                routes::handle_conn(shared.clone(), stream)
            })
        };
        Ok(Self {
            port,
            shared,
            _tasks: tasks,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:<port>/api/v1`.
    pub fn api_base(&self) -> String {
        format!("{}/api/v1", self.origin())
    }

    /// `ws://127.0.0.1:<port>/api/v1/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/api/v1/ws", self.port)
    }

    /// The marker job's id (the newest job).
    pub fn marker_id(&self) -> &str {
        self.shared.set.id(MARKER_INDEX)
    }

    /// The id of the job whose log [`stream_log`](Self::stream_log) grows.
    pub fn log_job_id(&self) -> &str {
        self.shared.set.id(LOG_JOB_INDEX)
    }

    /// Jobs held, and how many of each status.
    pub fn job_count(&self) -> usize {
        self.shared.set.jobs.len()
    }

    pub fn counts(&self) -> &jobs_page::types::StatusCounts {
        self.shared.set.counts()
    }

    /// A job's dataset name (to pick searches that select a known share of the jobs).
    pub fn dataset_names(&self) -> Vec<String> {
        self.shared
            .set
            .datasets
            .iter()
            .map(|d| d.name.clone())
            .collect()
    }

    /// Jobs whose dataset name contains `needle` (what a search for it finds).
    pub fn jobs_matching_dataset(&self, needle: &str) -> usize {
        self.shared
            .set
            .jobs
            .iter()
            .filter(|j| j.dataset_name.contains(needle))
            .count()
    }

    /// Non-marker `job.updated` events per second on every open WebSocket, from now on
    /// (0: none). Takes effect within one tick.
    pub fn set_rate(&self, per_s: u64) {
        self.shared.rate.store(per_s, Ordering::SeqCst);
        self.shared.rate_gen.fetch_add(1, Ordering::SeqCst);
    }

    pub fn rate(&self) -> u64 {
        self.shared.rate.load(Ordering::SeqCst)
    }

    /// New churn jobs per second from now on (0: none; those in flight still finish).
    pub fn set_churn(&self, per_s: u64) {
        self.shared.churn().set_rate(per_s, Instant::now());
    }

    /// Churn jobs created and finished so far.
    pub fn churn_counts(&self) -> (u64, u64) {
        let c = self.shared.churn();
        (c.created(), c.finished())
    }

    /// Marker updates on or off.
    pub fn set_markers(&self, on: bool) {
        self.shared.markers.store(on, Ordering::SeqCst);
    }

    /// Appends `lines` lines to the log job's log at `per_s` lines per second, from now.
    pub fn stream_log(&self, lines: u64, per_s: u64) {
        let mut log = self.shared.log.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        *log = LogStream {
            base: log.count(now),
            since: Some(now),
            rate: per_s.max(1),
            target: lines,
        };
    }

    /// Lines in the log job's log now.
    pub fn log_lines(&self) -> u64 {
        self.shared.log_stream().count(Instant::now())
    }

    /// The counters now.
    pub fn counters(&self) -> FloodCounters {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::SeqCst);
        FloodCounters {
            events_sent: get(&c.events_sent),
            markers_sent: get(&c.markers_sent),
            last_marker_ms: c.last_marker_ms.load(Ordering::SeqCst),
            skipped: get(&c.skipped),
            blocked_us: get(&c.blocked_us),
            heartbeats_sent: get(&c.heartbeats_sent),
            log_lines_sent: get(&c.log_lines_sent),
            ws_bytes: get(&c.ws_bytes),
            ws_connections: get(&c.ws_connections),
            ws_open: get(&c.ws_open),
            resyncs_sent: get(&c.resyncs_sent),
            http_requests: get(&c.http_requests),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn serves_the_list_and_a_paced_checked_stream() {
        let server = FloodServer::start(FloodConfig {
            jobs: 400,
            running: 60,
            heartbeat_ms: 200,
            ..FloodConfig::default()
        })
        .await
        .unwrap();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let list: jobs_page::types::JobList = http
            .get(format!("{}/jobs?limit=5000&offset=0", server.api_base()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list.items.len(), 400);
        assert_eq!(list.items[0].id, server.marker_id());
        let preflight = http
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/jobs", server.api_base()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status().as_u16(), 204);
        assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
        let missing = http
            .get(format!("{}/nothing", server.api_base()))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status().as_u16(), 404);

        server.set_rate(2_000);
        server.set_markers(true);
        let read = read_as_fast_as_possible(&server.ws_url(), 1.0)
            .await
            .unwrap();
        assert!(read.chain_ok, "{read:?}");
        assert_eq!(read.decode_errors, 0, "{read:?}");
        assert!(
            (1_500.0..2_600.0).contains(&read.events_per_s),
            "paced near 2,000/s (+20 markers): {read:?}"
        );
        assert!(server.counters().markers_sent >= 10);
    }
}
