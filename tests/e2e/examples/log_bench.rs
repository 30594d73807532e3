//! Log-streaming benchmark (prints figures; not a timed test): streams at least 1,000,000 log
//! lines at a high rate into the log viewer in headless Chromium, with the viewer open and
//! following the whole time, and reports how fast the page absorbed them and what it cost.
//!
//! ```sh
//! cargo run -p jobs-e2e --example log_bench            # needs dist/ built, like the e2e tests
//! LOG_BENCH_LINES=200000 cargo run -p jobs-e2e --example log_bench   # a shorter run
//! ```
//!
//! One job (`ds_sales`, 1,000-row chunks, `log_burst` synthetic lines per chunk, no pause) is
//! queued with no worker running; the page opens the Jobs list (a WebSocket message counter is
//! injected before the app's scripts, through CDP), installs its main-thread probes right after
//! the app loaded, opens the job's log viewer from the card, and only then a worker starts, so
//! the viewer sees every line. Every second it prints a `LOG_BENCH_SAMPLE` line: the backend's
//! `log_count`, the highest line number the page has *received* on its WebSocket, the viewer's
//! own count (its status `N lines · following`, or the last rendered `data-n`), what is in
//! flight (written, not yet received) and unrendered (received, not yet shown), and the CPU
//! seconds of each process (API, worker, Redis, Chromium's renderer). At the end:
//!
//! `LOG_BENCH lines=… lines_per_s=… backend_lines_per_s=… longest_task_ms=… max_lag_ms=…
//!  dom_nodes=… heap_mb=… wasm_memory_mb=… dropped=… …`
//!
//! - `lines_per_s`: lines the page absorbed per second (viewer count over time, from its first
//!   line to the target); `backend_lines_per_s`: the same for the backend's `log_count`;
//! - `longest_task_ms`: the longest main-thread task a `PerformanceObserver({type: 'longtask',
//!   buffered: true})` reported (`n/a` if the browser reports none); `max_lag_ms`: the worst
//!   lateness of a 50 ms `setInterval` (event-loop lag); both run in the page from the start;
//! - `dom_nodes`: `document.getElementsByTagName('*').length` at the end; `heap_mb`:
//!   `performance.memory.usedJSHeapSize` (Chromium runs with `--enable-precise-memory-info`),
//!   which does not include the WebAssembly memory where the app keeps its lines:
//!   `wasm_memory_mb` is that memory's size (it only grows: a high-water mark);
//! - `dropped`: the viewer's "N older lines were dropped from memory" note (it keeps 200,000);
//! - `max_unrendered_lines` / `longest_render_stall_s`: the most lines the page had received
//!   but not shown, and the longest time its count stood still meanwhile;
//! - `ws_*`: WebSocket messages the page received (`ws_sockets` > 1: it reconnected, e.g. after
//!   `resync_required`; `resync_warnings` counts those console warnings);
//! - `ws_only_lines_per_s`: afterwards, the rate at which the same API sends the last 300,000
//!   lines to a Rust client that reads as fast as it can (no browser): the API's own ceiling;
//! - `cpu_*_pct`: CPU use of each process while the page absorbed the lines (100 = one core).
//!
//! Settings (environment): `LOG_BENCH_LINES` (1000000), `LOG_BENCH_BURST` (10000, at most
//! 10000), `LOG_BENCH_DELAY_MS` (0), `LOG_BENCH_CHUNK_ROWS` (1000), `LOG_BENCH_TIMEOUT_S` (900),
//! `LOG_BENCH_EVENTS_MAXLEN` (the backend's default, 50000). Every process it starts (Redis,
//! API, worker, static server, chromedriver, Chromium) belongs to the harness's stack and is
//! killed when the run ends, also on a panic or Ctrl-C. A run takes one to two minutes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use jobs_e2e::bench_env::env_u64;
use jobs_e2e::log_viewer::{self as lv};
use jobs_e2e::{dom, job_id, timeout_secs, Stack};
use serde::Deserialize;
use serde_json::{json, Value};

/// What the viewer shows, read with one light script (the page is busy).
#[derive(Debug, Clone, Default, Deserialize)]
struct PageSample {
    status: String,
    last_n: Option<u64>,
    rows: u64,
    dropped: Option<String>,
    /// The WebSocket probe's counters.
    ws: Option<lv::WsStats>,
}

const READ_PAGE: &str = r#"
const modal = document.querySelector('[data-testid="log-modal"]');
if (!modal) return null;
const rows = modal.querySelectorAll('[data-testid="log-row"]');
let last = null;
for (const r of rows) { const n = Number(r.getAttribute('data-n')); if (last === null || n > last) last = n; }
const t = sel => { const el = modal.querySelector(sel); return el ? el.textContent.trim() : null; };
const p = window.__wsProbe;
return { status: t('[data-testid="log-status"]') || '', last_n: last, rows: rows.length,
         dropped: t('[data-testid="log-dropped"]'),
         ws: p ? { sockets: p.sockets, frames: p.frames, log_frames: p.logFrames, chars: p.chars,
                   last_log_n: p.lastLogN } : null };
"#;

/// Keeps every long task's (start, duration) in `window.__longTasks` (at most 10,000).
const LONGTASK_LIST: &str = r#"
const list = window.__longTasks = [];
try {
  new PerformanceObserver(l => {
    for (const e of l.getEntries()) if (list.length < 10000) list.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
} catch (e) {}
return true;
"#;

impl PageSample {
    /// The viewer's own line count: `N` of `N lines · following` / `Log complete · N lines`.
    fn count(&self) -> Option<u64> {
        let v = lv::ViewerView {
            status: self.status.clone(),
            dropped: self.dropped.clone(),
            ..lv::ViewerView::default()
        };
        v.status_lines().or_else(|| v.complete_lines())
    }

    fn dropped(&self) -> u64 {
        self.dropped
            .as_deref()
            .and_then(|d| lv::parse_number(d.split(" older").next().unwrap_or_default()))
            .unwrap_or(0)
    }
}

/// CPU seconds (user + system) of every process of the stack, by role.
fn cpu_by_role(pids: &[i32], seen: &mut BTreeMap<i32, (String, f64)>) {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    for &pid in pids {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // after ") ": state(0) ppid(1) ... utime(11) stime(12)
        let (Some(u), Some(s)) = (fields.get(11), fields.get(12)) else {
            continue;
        };
        let secs = (u.parse::<f64>().unwrap_or(0.0) + s.parse::<f64>().unwrap_or(0.0)) / hz;
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        let role = if cmd.contains("uvicorn") {
            "api"
        } else if cmd.contains("jobs_backend.worker") {
            "worker"
        } else if cmd.contains("redis-server") {
            "redis"
        } else if cmd.contains("--type=renderer") {
            "renderer"
        } else if cmd.contains("chromedriver") {
            "chromedriver"
        } else if cmd.contains("--type=") {
            "chromium_other"
        } else if cmd.contains("chromium") {
            "chromium_browser"
        } else {
            "other"
        };
        seen.insert(pid, (role.to_string(), secs));
    }
}

fn totals(seen: &BTreeMap<i32, (String, f64)>) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (role, secs) in seen.values() {
        *out.entry(role.clone()).or_insert(0.0) += secs;
    }
    out
}

/// The time at which `series` (t seconds, count) first reached `target`, interpolated.
fn time_to_reach(series: &[(f64, u64)], target: u64) -> Option<f64> {
    let i = series.iter().position(|(_, n)| *n >= target)?;
    if i == 0 {
        return Some(series[0].0);
    }
    let ((t0, n0), (t1, n1)) = (series[i - 1], series[i]);
    let frac = (target - n0) as f64 / (n1 - n0).max(1) as f64;
    Some(t0 + (t1 - t0) * frac)
}

/// Lines per second from the first sample with a line to `target` (or the last sample).
fn rate(series: &[(f64, u64)], target: u64) -> Option<(f64, u64, f64)> {
    let (t0, n0) = *series.iter().find(|(_, n)| *n > 0)?;
    let (t1, n1) = match time_to_reach(series, target) {
        Some(t) => (t, target),
        None => *series.last()?,
    };
    (t1 > t0).then(|| ((n1 - n0) as f64 / (t1 - t0), n1, t1 - t0))
}

/// How fast the API alone sends a log to a client that reads as fast as it can (no browser):
/// subscribes to job `id` after line `from` and counts `log` frames until `lines` arrived or
/// `limit` passed. Returns (lines, seconds, API CPU seconds used meanwhile).
async fn ws_only(
    stack: &Stack,
    id: &str,
    from: u64,
    lines: u64,
    limit: Duration,
) -> (u64, f64, f64) {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let (ws, _) = tokio_tungstenite::connect_async(stack.ws_url())
        .await
        .expect("WebSocket connects");
    let (mut tx, mut rx) = ws.split();
    let sub = json!({"type": "subscribe_logs", "job_id": id, "after_line": from});
    tx.send(Message::Text(sub.to_string()))
        .await
        .expect("subscribe");
    let api_cpu = |stack: &Stack| {
        let mut seen = BTreeMap::new();
        cpu_by_role(&stack.process_ids(), &mut seen);
        totals(&seen).get("api").copied().unwrap_or(0.0)
    };
    let cpu0 = api_cpu(stack);
    let start = Instant::now();
    let mut got = 0u64;
    while got < lines && start.elapsed() < limit {
        match tokio::time::timeout(Duration::from_secs(5), rx.next()).await {
            Ok(Some(Ok(Message::Text(t)))) if t.starts_with("{\"type\":\"log\"") => got += 1,
            Ok(Some(Ok(_))) => {}
            _ => break,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    (got, secs, api_cpu(stack) - cpu0)
}

#[tokio::main]
async fn main() {
    let target = env_u64("LOG_BENCH_LINES", 1_000_000);
    let burst = env_u64("LOG_BENCH_BURST", 10_000).min(10_000);
    let delay_ms = env_u64("LOG_BENCH_DELAY_MS", 0);
    let chunk_rows = env_u64("LOG_BENCH_CHUNK_ROWS", 1000).max(1);
    let limit = Duration::from_secs(env_u64("LOG_BENCH_TIMEOUT_S", 900));
    let maxlen = std::env::var("LOG_BENCH_EVENTS_MAXLEN").ok();

    let mut builder = Stack::builder()
        .workers(0)
        .browser_arg("--enable-precise-memory-info");
    if let Some(m) = &maxlen {
        builder = builder.env("EVENTS_MAXLEN", m.clone());
    }
    let mut stack = builder.start().await;

    // Enough chunks for `target` lines: each chunk logs `burst` + 2..4 lines of its own.
    let sales_rows = 20_000u64;
    let chunks = target.div_ceil(burst + 2);
    let passes = (chunks * chunk_rows).div_ceil(sales_rows).clamp(1, 1000);
    let params = json!({"chunk_rows": chunk_rows, "chunk_delay_ms": delay_ms,
                        "log_burst": burst, "passes": passes});
    let job = stack
        .create_job("ds_sales", "profile", params.clone())
        .await;
    let id = job_id(&job);
    println!(
        "LOG_BENCH_SETUP job={id} params={params} expected_lines>={} events_maxlen={}",
        (sales_rows * passes).div_ceil(chunk_rows) * (burst + 2),
        maxlen.as_deref().unwrap_or("default(50000)")
    );

    // The page: a WebSocket message counter that runs before the app's scripts, the Jobs list,
    // main-thread probes right after the app loaded, the viewer opened from the card.
    lv::install_ws_probe_on_new_documents(stack.browser())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    stack.open("/jobs").await;
    {
        let browser = stack.browser();
        browser.wait_css(dom::JOBS_PAGE).await;
        lv::install_main_thread_probes(browser)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Every long task's duration, for the distribution printed at the end.
        let _ = browser
            .client()
            .execute(LONGTASK_LIST, vec![])
            .await
            .map_err(|e| eprintln!("LOG_BENCH_WARN long-task list: {e}"));
        browser.wait_css(&dom::job_card(&id)).await;
        lv::click(browser, &lv::logs_button(&id))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        lv::wait_viewer(browser, "to open", timeout_secs(20), |v| v.following())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let before = lv::page_size(stack.browser()).await.ok();

    // Optional CPU profile of the page while it absorbs the lines (CDP `Profiler`).
    let profile_to = std::env::var("LOG_BENCH_PROFILE").ok();
    if profile_to.is_some() {
        let b = stack.browser();
        for (cmd, params) in [
            ("Profiler.enable", json!({})),
            ("Profiler.setSamplingInterval", json!({"interval": 500})),
            ("Profiler.start", json!({})),
        ] {
            if let Err(e) = b.cdp(cmd, params).await {
                eprintln!("LOG_BENCH_WARN {cmd}: {e}");
            }
        }
        // A function the profile names, run at a known `performance.now()`: it maps the
        // profile's clock to the page's (the long tasks' start times).
        let mark = r#"return (function LOG_BENCH_MARK() {
            const t = performance.now(); while (performance.now() - t < 3) {} return t; })();"#;
        match b.client().execute(mark, vec![]).await {
            Ok(v) => println!("LOG_BENCH_MARK perf_now_ms={v}"),
            Err(e) => eprintln!("LOG_BENCH_WARN mark: {e}"),
        }
    }

    // Go.
    stack
        .start_workers(1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let browser = stack.browser();
    let start = Instant::now();
    let mut backend_series: Vec<(f64, u64)> = vec![(0.0, 0)];
    let mut page_series: Vec<(f64, u64)> = vec![(0.0, 0)];
    let mut cpu: BTreeMap<i32, (String, f64)> = BTreeMap::new();
    let mut cpu_series: Vec<(f64, BTreeMap<String, f64>)> = vec![(0.0, BTreeMap::new())];
    let mut last_page = PageSample::default();
    let mut max_lag_lines = 0u64;
    let mut max_unrendered = 0u64;
    // Longest time the viewer's count stood still while the page held newer lines it had received.
    let (mut stall_since, mut longest_stall) = (None::<f64>, 0.0f64);
    let mut slow_reads = 0u32;
    let mut job_status;
    loop {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let t = start.elapsed().as_secs_f64();
        let (code, job) = stack.api_get(&format!("jobs/{id}")).await;
        let backend = if code == 200 {
            job["log_count"].as_u64().unwrap_or(0)
        } else {
            backend_series.last().map(|s| s.1).unwrap_or(0)
        };
        job_status = job["status"].as_str().unwrap_or("?").to_string();
        backend_series.push((t, backend));
        let read_start = Instant::now();
        let page: Option<PageSample> = match browser.client().execute(READ_PAGE, vec![]).await {
            Ok(Value::Null) => None,
            Ok(v) => serde_json::from_value(v).ok(),
            Err(e) => {
                eprintln!("LOG_BENCH_WARN page read failed at {t:.1}s: {e}");
                None
            }
        };
        let read_ms = read_start.elapsed().as_secs_f64() * 1000.0;
        if read_ms > 500.0 {
            slow_reads += 1;
        }
        if let Some(p) = page {
            last_page = p;
        }
        // The status count, or the last rendered row (the same while following; the status
        // shows no count while it waits for late lines after the job ended).
        let previous = page_series.last().map(|s| s.1).unwrap_or(0);
        let count = last_page
            .count()
            .unwrap_or(0)
            .max(last_page.last_n.unwrap_or(0))
            .max(previous);
        page_series.push((start.elapsed().as_secs_f64(), count));
        max_lag_lines = max_lag_lines.max(backend.saturating_sub(count));
        cpu_by_role(&stack.process_ids(), &mut cpu);
        let c = totals(&cpu);
        cpu_series.push((start.elapsed().as_secs_f64(), c.clone()));
        let ws = last_page.ws.clone().unwrap_or_default();
        let unrendered = ws.last_log_n.saturating_sub(count);
        max_unrendered = max_unrendered.max(unrendered);
        let now_t = start.elapsed().as_secs_f64();
        if unrendered > 0 && page_series.len() >= 2 && page_series[page_series.len() - 2].1 == count
        {
            let since = *stall_since.get_or_insert(page_series[page_series.len() - 2].0);
            longest_stall = longest_stall.max(now_t - since);
        } else {
            stall_since = None;
        }
        println!(
            "LOG_BENCH_SAMPLE t={t:.1}s backend={backend} received={} page={count} in_flight={} \
             unrendered={} rendered_last_n={} rows={} status={:?} page_read_ms={read_ms:.0} \
             sockets={} cpu_api={:.1} cpu_worker={:.1} cpu_redis={:.1} cpu_renderer={:.1}",
            ws.last_log_n,
            backend.saturating_sub(ws.last_log_n),
            unrendered,
            last_page
                .last_n
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into()),
            last_page.rows,
            last_page.status,
            ws.sockets,
            c.get("api").unwrap_or(&0.0),
            c.get("worker").unwrap_or(&0.0),
            c.get("redis").unwrap_or(&0.0),
            c.get("renderer").unwrap_or(&0.0),
        );
        let terminal = ["succeeded", "failed", "cancelled"].contains(&job_status.as_str());
        if count >= target && backend >= target {
            break;
        }
        if terminal && count >= backend {
            break;
        }
        if start.elapsed() > limit {
            eprintln!("LOG_BENCH_WARN time limit reached before {target} lines");
            break;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();

    // Figures.
    if let Some(path) = &profile_to {
        match browser.cdp("Profiler.stop", json!({})).await {
            Ok(v) => match std::fs::write(path, v["profile"].to_string()) {
                Ok(()) => println!("LOG_BENCH_PROFILE written to {path}"),
                Err(e) => eprintln!("LOG_BENCH_WARN writing {path}: {e}"),
            },
            Err(e) => eprintln!("LOG_BENCH_WARN Profiler.stop: {e}"),
        }
    }
    let probes = lv::main_thread_stats(browser).await;
    let final_ws = lv::ws_stats(browser)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let size = lv::page_size(browser).await;
    let viewer = lv::read_viewer(browser).await.ok().flatten();
    let console = browser.console_log().await.unwrap_or_default();
    let resyncs = console
        .iter()
        .filter(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.contains("resync") || m.contains("reloading"))
        })
        .count();
    let (page_rate, page_n, page_secs) = rate(&page_series, target).unwrap_or((0.0, 0, 0.0));
    let (backend_rate, backend_n, backend_secs) =
        rate(&backend_series, target).unwrap_or((0.0, 0, 0.0));
    // The same API without a browser: the rate a fast client gets (the last 300,000 lines).
    let final_backend = backend_series.last().map(|s| s.1).unwrap_or(0);
    let probe_lines = 300_000u64.min(final_backend);
    let (ws_lines, ws_secs, ws_api_cpu) = ws_only(
        &stack,
        &id,
        final_backend - probe_lines,
        probe_lines,
        Duration::from_secs(60),
    )
    .await;
    let ws_only_rate = ws_lines as f64 / ws_secs.max(1e-3);
    let c = totals(&cpu);
    // CPU use while the page absorbed lines: from the sample before its first line to the
    // first sample at the target (or the end).
    let first = page_series.iter().position(|(_, n)| *n > 0).unwrap_or(0);
    let last = page_series
        .iter()
        .position(|(_, n)| *n >= target)
        .unwrap_or(page_series.len() - 1);
    let (w0, w1) = (first.saturating_sub(1), last.max(first));
    let (t0, c0) = &cpu_series[w0.min(cpu_series.len() - 1)];
    let (t1, c1) = &cpu_series[w1.min(cpu_series.len() - 1)];
    let window = (t1 - t0).max(1e-3);
    let pct = |role: &str| {
        (c1.get(role).copied().unwrap_or(0.0) - c0.get(role).copied().unwrap_or(0.0)) / window
            * 100.0
    };
    let (longest, longtasks) = match &probes {
        Ok(p) if p.longtask_supported && p.longtasks > 0 => {
            (format!("{:.0}", p.longest_task_ms), p.longtasks.to_string())
        }
        Ok(p) if p.longtask_supported => ("0".into(), "0".into()),
        _ => ("n/a".into(), "n/a".into()),
    };
    let max_lag = probes
        .as_ref()
        .map(|p| format!("{:.0}", p.max_lag_ms))
        .unwrap_or_else(|e| format!("n/a({e})"));
    let heap_mb = size
        .as_ref()
        .ok()
        .and_then(|s| s.heap_used)
        .map(|b| format!("{:.1}", b / 1_048_576.0))
        .unwrap_or_else(|| "n/a".into());
    let wasm_mb = lv::wasm_memory_bytes(browser)
        .await
        .ok()
        .flatten()
        .map(|b| format!("{:.1}", b / 1_048_576.0))
        .unwrap_or_else(|| "n/a".into());
    let dom_nodes = size
        .as_ref()
        .map(|s| s.dom_nodes.to_string())
        .unwrap_or_else(|_| "n/a".into());
    let dropped = viewer
        .as_ref()
        .and_then(|v| v.dropped_lines())
        .unwrap_or_else(|| last_page.dropped());
    println!(
        "LOG_BENCH lines={page_n} lines_per_s={page_rate:.0} backend_lines={backend_n} \
         backend_lines_per_s={backend_rate:.0} page_secs={page_secs:.1} backend_secs={backend_secs:.1} \
         longest_task_ms={longest} longtasks={longtasks} max_lag_ms={max_lag} dom_nodes={dom_nodes} \
         heap_mb={heap_mb} wasm_memory_mb={wasm_mb} dropped={dropped} max_lag_lines={max_lag_lines} \
         max_unrendered_lines={max_unrendered} longest_render_stall_s={longest_stall:.1} \
         ws_sockets={} ws_frames={} ws_log_frames={} ws_mb={:.0} resync_warnings={resyncs} \
         ws_only_lines_per_s={ws_only_rate:.0} \
         slow_page_reads={slow_reads} job_status={job_status} elapsed_s={elapsed:.1} \
         cpu_window_s={window:.1} cpu_api_pct={:.0} cpu_worker_pct={:.0} cpu_redis_pct={:.0} \
         cpu_renderer_pct={:.0} cpu_chromium_other_pct={:.0}",
        final_ws.sockets,
        final_ws.frames,
        final_ws.log_frames,
        final_ws.chars as f64 / 1_048_576.0,
        pct("api"),
        pct("worker"),
        pct("redis"),
        pct("renderer"),
        pct("chromium_other") + pct("chromium_browser"),
    );
    println!(
        "LOG_BENCH_WS_ONLY lines={ws_lines} secs={ws_secs:.1} lines_per_s={ws_only_rate:.0} \
         api_cpu_pct={:.0} (a Rust client subscribed after line {}, no browser)",
        ws_api_cpu / ws_secs.max(1e-3) * 100.0,
        final_backend - probe_lines
    );
    if let Ok(p) = &probes {
        println!("LOG_BENCH_PROBES {p:?}");
    }
    // Tasks over 50 ms, by duration (ms) and start (s after the page loaded).
    if let Ok(v) = browser
        .client()
        .execute("return window.__longTasks || [];", vec![])
        .await
    {
        let tasks: Vec<(f64, f64)> = serde_json::from_value(v).unwrap_or_default();
        let over = |ms: f64| tasks.iter().filter(|t| t.1 > ms).count();
        let list: Vec<String> = tasks
            .iter()
            .map(|(at, d)| format!("{d:.0}@{:.1}s", at / 1000.0))
            .collect();
        println!(
            "LOG_BENCH_LONGTASKS over_50ms={} over_100ms={} over_200ms={} tasks=[{}]",
            over(50.0),
            over(100.0),
            over(200.0),
            list.join(" ")
        );
    }
    if let (Some(b), Ok(a)) = (&before, &size) {
        println!(
            "LOG_BENCH_SIZE before: dom_nodes={} heap_mb={:.1}; after: dom_nodes={} heap_mb={:.1}",
            b.dom_nodes,
            b.heap_used.unwrap_or(0.0) / 1_048_576.0,
            a.dom_nodes,
            a.heap_used.unwrap_or(0.0) / 1_048_576.0
        );
    }
    if let Some(v) = &viewer {
        println!("LOG_BENCH_VIEWER {}", v.describe());
        println!("LOG_BENCH_DROPPED_NOTE {:?}", v.dropped);
    }
    println!("LOG_BENCH_CPU_SECONDS {c:?}");
    if resyncs > 0 {
        for e in console
            .iter()
            .filter(|e| {
                e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("resync") || m.contains("reloading"))
            })
            .take(5)
        {
            println!(
                "LOG_BENCH_CONSOLE {}",
                e["message"].as_str().unwrap_or_default()
            );
        }
    }
    // Stop the job before the stack goes (it is killed with the stack anyway).
    let _ = stack
        .api()
        .post(&format!("jobs/{id}/cancel"), &json!({}))
        .await;
    stack.stop_workers();
    drop(stack);
}
