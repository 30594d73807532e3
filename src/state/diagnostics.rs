//! Health figures of the live page: WebSocket state and uptime, reconnects and their reasons,
//! event rate, last event age, event-to-screen latency percentiles, polling, resyncs.
//!
//! Pure: every input carries its time (`now`, milliseconds on the page's monotonic clock,
//! `performance.now()`), and every buffer is bounded, so a session of any length holds a fixed
//! amount. `services::diagnostics` owns the one collector the transport and the jobs provider
//! feed and adds what only the browser knows (wasm memory, the config in use).

use std::collections::VecDeque;

use serde::Serialize;

use crate::state::connection::Connection;
use crate::state::duration::duration;
use crate::state::format::thousands;
use crate::state::log_format::Level;

/// Reconnect reasons kept (newest first in the snapshot).
pub const REASONS_KEPT: usize = 10;
/// The event rate is averaged over this window, in whole-second buckets.
pub const RATE_WINDOW_MS: f64 = 10_000.0;
const RATE_BUCKETS: usize = 10;
/// Latency percentiles cover this window.
pub const LATENCY_WINDOW_MS: f64 = 60_000.0;
/// Latency samples kept at most: one per rendered batch, and batches are at least 50 ms apart,
/// so a minute holds about 1,200; the cap only bites if that assumption breaks.
pub const LATENCY_SAMPLES_KEPT: usize = 2_000;

/// One time the transport had to wait before trying again.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reconnect {
    /// When (monotonic ms).
    #[serde(skip)]
    pub at: f64,
    pub reason: String,
    /// The backoff delay before the next attempt, when known.
    pub delay_ms: Option<u64>,
}

/// The collector's state.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostics {
    started_at: f64,
    connection: Connection,
    live_since: Option<f64>,
    reconnects: u64,
    reasons: VecDeque<Reconnect>,
    /// `(whole second, events in it)`, oldest first, at most `RATE_BUCKETS`.
    buckets: VecDeque<(i64, u64)>,
    last_event_at: Option<f64>,
    /// `(at, latency ms)`, oldest first.
    latency: VecDeque<(f64, f64)>,
    resyncs: u64,
    jobs_held: usize,
}

/// What the browser side adds to a snapshot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Environment {
    /// Wall-clock time, for the connection's countdown text.
    pub now_epoch_ms: i64,
    pub wasm_memory_bytes: u64,
    pub app_version: String,
    pub log_level: Level,
    pub config: serde_json::Value,
}

/// Every figure at one instant (the diagnostics panel and the host's `diagnostics` reply).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiagnosticsSnapshot {
    /// `connecting`, `live`, `reconnecting`, `polling` or `offline`.
    pub websocket: String,
    pub connection_detail: String,
    /// How long the WebSocket has been live (`None` when it is not).
    pub uptime_ms: Option<u64>,
    pub reconnects: u64,
    /// Newest first, at most [`REASONS_KEPT`].
    pub last_reconnects: Vec<Reconnect>,
    pub events_per_s: f64,
    pub last_event_age_ms: Option<u64>,
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    /// Samples behind the percentiles (the last minute).
    pub latency_samples: usize,
    pub polling: bool,
    pub polling_reason: Option<String>,
    pub resyncs: u64,
    pub jobs_in_memory: usize,
    pub wasm_memory_bytes: u64,
    pub app_version: String,
    pub log_level: Level,
    pub config: serde_json::Value,
}

impl Diagnostics {
    pub fn new(now: f64) -> Self {
        Self {
            started_at: now,
            connection: Connection::Connecting,
            live_since: None,
            reconnects: 0,
            reasons: VecDeque::new(),
            buckets: VecDeque::new(),
            last_event_at: None,
            latency: VecDeque::new(),
            resyncs: 0,
            jobs_held: 0,
        }
    }

    /// The transport set its state; `delay_ms` is the backoff before the next attempt. Returns
    /// whether anything changed (polling re-reports the same state every round).
    pub fn on_connection(&mut self, now: f64, c: &Connection, delay_ms: Option<u64>) -> bool {
        if *c == self.connection {
            return false;
        }
        match c {
            Connection::Live => {
                if !self.connection.is_live() {
                    self.live_since = Some(now);
                }
            }
            Connection::Reconnecting { reason, .. }
            | Connection::Offline { reason }
            | Connection::Unauthorized { reason } => {
                self.live_since = None;
                self.reconnects += 1;
                self.reasons.push_back(Reconnect {
                    at: now,
                    reason: reason.clone(),
                    delay_ms,
                });
                while self.reasons.len() > REASONS_KEPT {
                    self.reasons.pop_front();
                }
            }
            Connection::Polling { .. } | Connection::Connecting => self.live_since = None,
        }
        self.connection = c.clone();
        true
    }

    /// `n` events arrived (job, metric, log or queue frames accepted into a batch).
    pub fn on_events(&mut self, now: f64, n: u64) {
        if n == 0 {
            return;
        }
        let sec = (now / 1000.0).floor() as i64;
        match self.buckets.back_mut() {
            Some((s, count)) if *s == sec => *count += n,
            _ => self.buckets.push_back((sec, n)),
        }
        while self.buckets.len() > RATE_BUCKETS {
            self.buckets.pop_front();
        }
        self.last_event_at = Some(now);
    }

    /// A batch that arrived `latency_ms` before `now` has been rendered.
    pub fn on_latency(&mut self, now: f64, latency_ms: f64) {
        if !latency_ms.is_finite() || latency_ms < 0.0 {
            return;
        }
        self.latency.push_back((now, latency_ms));
        while self.latency.len() > LATENCY_SAMPLES_KEPT
            || self
                .latency
                .front()
                .is_some_and(|(at, _)| *at < now - LATENCY_WINDOW_MS)
        {
            self.latency.pop_front();
        }
    }

    pub fn on_resync(&mut self) {
        self.resyncs += 1;
    }

    pub fn set_jobs_held(&mut self, n: usize) {
        self.jobs_held = n;
    }

    /// Events per second over the last [`RATE_WINDOW_MS`] (or since the collector started,
    /// when that is shorter): the whole-second buckets inside the window, divided by the time
    /// they cover.
    pub fn events_per_s(&self, now: f64) -> f64 {
        let now_sec = (now / 1000.0).floor() as i64;
        let first_sec = now_sec - (RATE_BUCKETS as i64 - 1);
        let count: u64 = self
            .buckets
            .iter()
            .filter(|(s, _)| *s >= first_sec && *s <= now_sec)
            .map(|(_, c)| c)
            .sum();
        let window_start = (first_sec as f64 * 1000.0).max(self.started_at);
        let span = (now - window_start).max(1000.0);
        count as f64 / (span / 1000.0)
    }

    /// `(p50, p95, samples)` of the latencies recorded in the last minute.
    pub fn latency(&self, now: f64) -> Option<(f64, f64, usize)> {
        let mut recent: Vec<f64> = self
            .latency
            .iter()
            .filter(|(at, _)| *at >= now - LATENCY_WINDOW_MS)
            .map(|(_, ms)| *ms)
            .collect();
        if recent.is_empty() {
            return None;
        }
        crate::state::sort::sort_by(&mut recent, f64::total_cmp);
        Some((
            percentile(&recent, 0.50),
            percentile(&recent, 0.95),
            recent.len(),
        ))
    }

    pub fn snapshot(&self, now: f64, env: Environment) -> DiagnosticsSnapshot {
        let latency = self.latency(now);
        let polling_reason = match &self.connection {
            Connection::Polling { reason } => Some(reason.clone()),
            _ => None,
        };
        DiagnosticsSnapshot {
            websocket: self.connection.label().to_string(),
            connection_detail: self.connection.describe(env.now_epoch_ms),
            uptime_ms: self.live_since.map(|s| (now - s).max(0.0) as u64),
            reconnects: self.reconnects,
            last_reconnects: self.reasons.iter().rev().cloned().collect(),
            events_per_s: self.events_per_s(now),
            last_event_age_ms: self.last_event_at.map(|t| (now - t).max(0.0) as u64),
            latency_p50_ms: latency.map(|l| l.0),
            latency_p95_ms: latency.map(|l| l.1),
            latency_samples: latency.map_or(0, |l| l.2),
            polling: polling_reason.is_some(),
            polling_reason,
            resyncs: self.resyncs,
            jobs_in_memory: self.jobs_held,
            wasm_memory_bytes: env.wasm_memory_bytes,
            app_version: env.app_version,
            log_level: env.log_level,
            config: env.config,
        }
    }
}

/// Nearest-rank percentile of sorted, non-empty `values`.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The figures as `(label, text)` rows, in the panel's order.
pub fn rows(s: &DiagnosticsSnapshot) -> Vec<(&'static str, String)> {
    let uptime = s
        .uptime_ms
        .map(|u| format!(", up for {}", duration(u as i64)))
        .unwrap_or_default();
    let reasons = if s.last_reconnects.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = s
            .last_reconnects
            .iter()
            .map(|r| match r.delay_ms {
                Some(d) => format!("{} (retry after {})", r.reason, seconds(d as f64)),
                None => r.reason.clone(),
            })
            .collect();
        format!("; latest first: {}", list.join(" · "))
    };
    let latency = match (s.latency_p50_ms, s.latency_p95_ms) {
        (Some(p50), Some(p95)) => format!(
            "p50 {} ms, p95 {} ms ({} samples, last minute)",
            p50.round(),
            p95.round(),
            thousands(s.latency_samples as u64)
        ),
        _ => "no events rendered in the last minute".into(),
    };
    vec![
        ("WebSocket", format!("{}{uptime}", s.websocket)),
        (
            "Reconnects",
            format!("{}{reasons}", thousands(s.reconnects)),
        ),
        (
            "Events per second",
            format!("{:.1} (last 10 s)", s.events_per_s),
        ),
        (
            "Last event",
            s.last_event_age_ms
                .map(|a| format!("{} ago", seconds(a as f64)))
                .unwrap_or_else(|| "none yet".into()),
        ),
        ("Event-to-screen latency", latency),
        (
            "Polling",
            match &s.polling_reason {
                Some(r) => format!("on: {r}"),
                None => "off".into(),
            },
        ),
        ("Resyncs", thousands(s.resyncs)),
        ("Jobs in memory", thousands(s.jobs_in_memory as u64)),
        ("Wasm memory", mebibytes(s.wasm_memory_bytes)),
        ("App version", s.app_version.clone()),
        ("Log level", format!("{:?}", s.log_level).to_lowercase()),
    ]
}

/// `1234` → `1.2 s`.
fn seconds(ms: f64) -> String {
    format!("{:.1} s", ms / 1000.0)
}

/// `5242880` → `5.0 MiB`.
fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests;
