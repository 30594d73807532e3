//! The event flood and idle figures: one phase per rate (events sent, received and applied
//! per second, main-thread time per 1,000 events, long tasks, frame intervals, marker
//! latency, whether the page kept up), then CPU with the socket open and no events.

use std::time::{Duration, Instant};

use jobs_e2e::flood::{self, FloodServer};
use jobs_e2e::{Browser, Error, Result};

use super::page;
use super::report::{Dist, Idle, Phase};
use super::Settings;

/// A phase keeps up when the page read its socket without holding the server back for long
/// (backpressure), applied nearly every event by the end of the phase (a short drain), did not
/// reconnect, and showed markers within this long at the 95th percentile.
const KEEP_UP_LATENCY_P95_MS: f64 = 1_000.0;
const KEEP_UP_APPLIED_SHARE: f64 = 0.9;
/// Share of the phase the server's writes may wait for the page to read.
const KEEP_UP_BACKPRESSURE_SHARE: f64 = 0.05;
/// More events than this share skipped without backpressure: the server itself fell behind.
const SERVER_BEHIND_SHARE: f64 = 0.01;
/// The rate search stops here (the in-process server's own ceiling is not far above).
const SEARCH_MAX_RATE: u64 = 160_000;
/// How long the last marker of a phase may take to show before the phase counts as not drained.
const DRAIN_LIMIT: Duration = Duration::from_secs(60);

pub async fn flood_phases(
    browser: &Browser,
    url: &str,
    s: &Settings,
    server: &FloodServer,
) -> Result<Vec<Phase>> {
    page::load(browser, url, Duration::from_secs(60)).await?;
    page::settle(browser, Duration::from_secs(1), Duration::from_secs(30)).await?;
    // The marker pipeline works before anything is measured.
    server.set_markers(true);
    let start = Instant::now();
    while page::window(browser).await?.last_marker.is_none() {
        if start.elapsed() > Duration::from_secs(15) {
            server.set_markers(false);
            return Err(Error::msg(
                "the marker job's phase never showed: is the marker card the first card?",
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.set_markers(false);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut phases = Vec::new();
    // The set rates, then (with `search`) doubling from the highest while the page keeps up and
    // one step back halfway after the first miss, so "highest rate kept up" is a limit rather
    // than the last rate tried.
    let mut rates: Vec<u64> = s.rates.clone();
    rates.sort_unstable();
    let mut i = 0;
    while i < rates.len() {
        let rate = rates[i];
        let p = flood_phase(browser, server, rate, s.flood_s as f64).await?;
        eprintln!(
            "PERF_PHASE rate={rate} sent_per_s={:.0} received_per_s={:.0} applied_per_s={} \
             drain_s={} latency_p95={} cpu_ms_per_1000={} backpressure_pct={:.1} keeps_up={}",
            p.sent_per_s,
            p.received_per_s,
            p.applied_per_s.map_or("n/a".into(), |v| format!("{v:.0}")),
            p.drain_s.map_or("n/a".into(), |v| format!("{v:.1}")),
            p.latency.p95.map_or("n/a".into(), |v| format!("{v:.0}")),
            p.cpu_ms_per_1000
                .map_or("n/a".into(), |v| format!("{v:.1}")),
            p.backpressure_pct,
            p.keeps_up
        );
        // Searching: double while it keeps up; after the first miss, one try halfway between
        // the last rate kept up and the missed one.
        let last = i + 1 == rates.len();
        if last && s.search {
            let searched = rates.len() > s.rates.len();
            if p.keeps_up && rate * 2 <= SEARCH_MAX_RATE && !(searched && rates[i - 1] > rate) {
                rates.push(rate * 2);
            } else if !p.keeps_up && searched && rates[i - 1] < rate {
                rates.push((rates[i - 1] + rate) / 2);
            }
        }
        phases.push(p);
        i += 1;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    Ok(phases)
}

/// Waits (up to 10 s) until only the page under test holds a WebSocket: a page left behind
/// (e.g. in the back-forward cache, which the browser runs without) would get events too and
/// count as sent. Returns how many were open.
async fn one_socket(server: &FloodServer) -> u64 {
    let start = Instant::now();
    loop {
        let open = server.counters().ws_open;
        if open <= 1 || start.elapsed() > Duration::from_secs(10) {
            if open > 1 {
                eprintln!("PERF_WARN {open} WebSockets open: events go to each of them");
            }
            return open;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn flood_phase(
    browser: &Browser,
    server: &FloodServer,
    rate: u64,
    secs: f64,
) -> Result<Phase> {
    let sockets_open = one_socket(server).await;
    page::reset(browser).await?;
    let (c0, m0) = (server.counters(), page::metrics(browser).await?);
    let ((r0, o0), s0) = (page::chromium_cpu_secs(browser), page::self_cpu_secs());
    let w0 = page::window(browser).await?;
    let t0 = Instant::now();
    server.set_rate(rate);
    server.set_markers(true);
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    server.set_rate(0);
    server.set_markers(false);
    let end_ms = flood::now_ms();
    // The connection task notices within a tick; its last burst is then written.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let c_end = server.counters();
    let shown = page::wait_marker(browser, c_end.last_marker_ms, DRAIN_LIMIT).await?;
    let drain_s = shown.map(|t| ((t - end_ms as f64) / 1000.0).max(0.0));
    let wall = t0.elapsed().as_secs_f64();
    let (c1, m1) = (server.counters(), page::metrics(browser).await?);
    let ((r1, o1), s1) = (page::chromium_cpu_secs(browser), page::self_cpu_secs());
    let w1 = page::window(browser).await?;
    let sent = c1.events_sent - c0.events_sent;
    let skipped = c1.skipped - c0.skipped;
    // Phase + drain: the time the page took to take in what the phase sent.
    let span = secs + drain_s.unwrap_or(DRAIN_LIMIT.as_secs_f64());
    let (applied_per_s, applied_source) = match (w0.applied, w1.applied) {
        (Some(a0), Some(a1)) => (Some((a1 - a0) / span), "page counter"),
        _ => (drain_s.map(|_| sent as f64 / span), "last marker"),
    };
    let task = page::delta(&m0, &m1, "TaskDuration");
    let script = page::delta(&m0, &m1, "ScriptDuration");
    let per_1000 = |secs: f64| (sent > 0).then(|| secs * 1000.0 / sent as f64 * 1000.0);
    let long = w1.window_longtasks();
    let sent_per_s = sent as f64 / secs;
    let latency = Dist::of(&w1.lat);
    let reconnects = w1.ws.sockets - w0.ws.sockets;
    let blocked_s = (c1.blocked_us - c0.blocked_us) as f64 / 1e6;
    let backpressure = blocked_s / secs;
    if backpressure <= KEEP_UP_BACKPRESSURE_SHARE
        && skipped as f64 > SERVER_BEHIND_SHARE * (sent + skipped) as f64
    {
        eprintln!(
            "PERF_WARN rate {rate}: the server skipped {skipped} events without backpressure: \
             it was short of CPU (machine busy?), the page got less than the rate"
        );
    }
    let keeps_up = backpressure <= KEEP_UP_BACKPRESSURE_SHARE
        && applied_per_s.is_some_and(|a| a >= KEEP_UP_APPLIED_SHARE * sent_per_s)
        && latency.p95.is_some_and(|p| p < KEEP_UP_LATENCY_P95_MS)
        && reconnects == 0;
    Ok(Phase {
        target_per_s: rate,
        secs,
        drain_s,
        sent,
        sent_per_s,
        skipped,
        backpressure_pct: backpressure * 100.0,
        received_per_s: (w1.ws.updates - w0.ws.updates) as f64 / span,
        applied_per_s,
        applied_source: applied_source.into(),
        cpu_ms_per_1000: per_1000(task),
        script_ms_per_1000: per_1000(script),
        main_thread_busy_pct: task / wall * 100.0,
        renderer_cpu_pct: (r1 - r0) / wall * 100.0,
        chromium_other_cpu_pct: (o1 - o0) / wall * 100.0,
        server_cpu_pct: (s1 - s0) / wall * 100.0,
        longest_task_ms: long.iter().copied().reduce(f64::max),
        long_tasks: long.len(),
        frames: Dist::of(&w1.frames),
        latency,
        dom_latency: Dist::of(&w1.dom_lat),
        longtask_supported: w1.longtask_supported,
        markers_sent: c1.markers_sent - c0.markers_sent,
        markers_seen: w1.markers_seen,
        reconnects,
        resyncs: c1.resyncs_sent - c0.resyncs_sent,
        sockets_open,
        keeps_up,
    })
}

pub async fn idle(
    browser: &Browser,
    url: &str,
    s: &Settings,
    server: &FloodServer,
) -> Result<Idle> {
    page::load(browser, url, Duration::from_secs(60)).await?;
    page::settle(browser, Duration::from_secs(1), Duration::from_secs(30)).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    one_socket(server).await;
    page::reset(browser).await?;
    // The probe's frame loop would be most of an idle page's work: paused meanwhile.
    page::frames_on(browser, false).await?;
    let (m0, r0, t0) = (
        page::metrics(browser).await?,
        page::renderer_cpu_secs(browser),
        Instant::now(),
    );
    tokio::time::sleep(Duration::from_secs(s.idle_s)).await;
    let (m1, r1) = (
        page::metrics(browser).await?,
        page::renderer_cpu_secs(browser),
    );
    let wall = t0.elapsed().as_secs_f64();
    page::frames_on(browser, true).await?;
    let w = page::window(browser).await?;
    Ok(Idle {
        secs: wall,
        main_thread_ms_per_s: page::delta(&m0, &m1, "TaskDuration") * 1000.0 / wall,
        script_ms_per_s: page::delta(&m0, &m1, "ScriptDuration") * 1000.0 / wall,
        renderer_cpu_pct: (r1 - r0) / wall * 100.0,
        long_tasks: w.window_longtasks().len(),
    })
}
