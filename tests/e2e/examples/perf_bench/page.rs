//! The page side of the benchmark: the probe (`bench/probe.js`, injected before the page's
//! scripts), reading what it recorded, Chromium's own main-thread metrics over CDP, and CPU
//! seconds of the renderer and of this process from `/proc` and `getrusage`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use jobs_e2e::page_probes::WS_COUNT_JS;
use jobs_e2e::process::descendants_of;
use jobs_e2e::{Browser, Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const PROBE: &str = include_str!("../../bench/probe.js");

/// Runs the probe before every document's own scripts from now on (CDP
/// `Page.addScriptToEvaluateOnNewDocument`), and turns on `Performance.getMetrics`.
pub async fn install(browser: &Browser, marker_id: &str) -> Result<()> {
    let source = PROBE
        .replace("__MARKER_ID__", marker_id)
        .replace("__WS_COUNT__", WS_COUNT_JS);
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await?;
    browser.cdp("Performance.enable", json!({})).await?;
    Ok(())
}

/// Chromium's cumulative page metrics (`TaskDuration`, `ScriptDuration`, … in seconds).
pub async fn metrics(browser: &Browser) -> Result<BTreeMap<String, f64>> {
    let v = browser.cdp("Performance.getMetrics", json!({})).await?;
    Ok(v["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| Some((m["name"].as_str()?.to_string(), m["value"].as_f64()?)))
        .collect())
}

/// `b[k] - a[k]` (0 when either lacks it).
pub fn delta(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>, k: &str) -> f64 {
    b.get(k).copied().unwrap_or(0.0) - a.get(k).copied().unwrap_or(0.0)
}

async fn exec(browser: &Browser, script: &str) -> Result<Value> {
    browser
        .client()
        .execute(script, vec![])
        .await
        .map_err(|e| Error::msg(format!("running a page script: {e}")))
}

async fn exec_async(browser: &Browser, script: &str) -> Result<Value> {
    browser
        .client()
        .execute_async(script, vec![])
        .await
        .map_err(|e| Error::msg(format!("running an async page script: {e}")))
}

/// Polls `script` (which returns null until done) every 50 ms for up to `limit`.
async fn poll(browser: &Browser, script: &str, limit: Duration) -> Result<Option<Value>> {
    let start = Instant::now();
    while start.elapsed() < limit {
        // A busy page may fail one read; the next one counts.
        if let Ok(v) = exec(browser, script).await {
            if !v.is_null() {
                return Ok(Some(v));
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(None)
}

/// Navigates (a full load) and returns navigation start → first job card (ms).
pub async fn load(browser: &Browser, url: &str, limit: Duration) -> Result<f64> {
    browser.open_fresh(url).await?;
    let first = poll(
        browser,
        "const p = window.__perfProbe; return p && p.firstCardAt !== null ? p.firstCardAt : null;",
        limit,
    )
    .await?;
    first
        .and_then(|v| v.as_f64())
        .ok_or_else(|| Error::msg(format!("no job card within {limit:?} at {url}")))
}

/// What the list shows.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct ListState {
    pub first: Option<String>,
    pub summary: Option<String>,
    pub cards: u64,
}

pub async fn list_state(browser: &Browser) -> Result<ListState> {
    let v = exec(browser, "return window.__perfProbe.listState();").await?;
    serde_json::from_value(v).map_err(|e| Error::msg(format!("list state: {e}")))
}

/// Waits until the list's summary and first card stay the same for `quiet`.
pub async fn settle(browser: &Browser, quiet: Duration, limit: Duration) -> Result<ListState> {
    let start = Instant::now();
    let (mut last, mut since) = (list_state(browser).await?, Instant::now());
    while start.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = list_state(browser).await?;
        if now != last {
            (last, since) = (now, Instant::now());
        } else if since.elapsed() >= quiet {
            return Ok(now);
        }
    }
    Ok(last)
}

/// Starts a new measurement window in the probe.
pub async fn reset(browser: &Browser) -> Result<()> {
    exec(browser, "window.__perfProbe.reset(); return true;")
        .await
        .map(|_| ())
}

/// Runs (or pauses) the probe's frame-interval loop.
pub async fn frames_on(browser: &Browser, on: bool) -> Result<()> {
    exec(
        browser,
        &format!("window.__perfProbe.frames_on({on}); return true;"),
    )
    .await
    .map(|_| ())
}

/// WebSocket messages the probe counted.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct WsCount {
    pub sockets: u64,
    pub frames: u64,
    pub updates: u64,
    pub chars: u64,
}

/// What the probe recorded since its last reset.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ProbeWindow {
    pub lat: Vec<f64>,
    #[serde(rename = "domLat")]
    pub dom_lat: Vec<f64>,
    pub frames: Vec<f64>,
    /// `[start, duration]` of each long task (all since the page loaded; filter by `since`).
    pub longtasks: Vec<(f64, f64)>,
    pub since: f64,
    #[serde(rename = "markersSeen")]
    pub markers_seen: u64,
    #[serde(rename = "lastMarker")]
    pub last_marker: Option<String>,
    pub ws: WsCount,
    pub applied: Option<f64>,
    #[serde(rename = "longtaskSupported")]
    pub longtask_supported: bool,
}

impl ProbeWindow {
    /// Long tasks that started in this window.
    pub fn window_longtasks(&self) -> Vec<f64> {
        self.longtasks
            .iter()
            .filter(|(s, _)| *s >= self.since)
            .map(|(_, d)| *d)
            .collect()
    }
}

pub async fn window(browser: &Browser) -> Result<ProbeWindow> {
    let v = exec(
        browser,
        "const p = window.__perfProbe;
         return { lat: p.lat, domLat: p.domLat, frames: p.frames, longtasks: p.longtasks,
                  since: p.since, markersSeen: p.markersSeen, lastMarker: p.lastMarker,
                  lastMarkerShownAt: p.lastMarkerShownAt, ws: p.ws, applied: p.applied(),
                  longtaskSupported: p.longtaskSupported };",
    )
    .await?;
    serde_json::from_value(v).map_err(|e| Error::msg(format!("probe window: {e}")))
}

/// Waits until the page shows the marker sent at `sent_ms`; returns when (epoch ms).
pub async fn wait_marker(browser: &Browser, sent_ms: i64, limit: Duration) -> Result<Option<f64>> {
    let script = format!(
        "const p = window.__perfProbe;
         return p.lastMarker === 'm{sent_ms}' ? p.lastMarkerShownAt : null;"
    );
    Ok(poll(browser, &script, limit)
        .await?
        .and_then(|v| v.as_f64()))
}

/// Sets `location.hash` and returns the ms until the list showed a change (None: none in 20 s).
pub async fn time_hash(browser: &Browser, hash: &str) -> Result<Option<f64>> {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         window.__perfProbe.timeHash({}).then(r => done(r.ms));",
        serde_json::to_string(hash).unwrap_or_default()
    );
    Ok(exec_async(browser, &script).await?.as_f64())
}

/// Scrolling the list by `px` per frame for `steps` frames.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ScrollRun {
    pub intervals: Vec<f64>,
    #[serde(rename = "scrollTop")]
    pub scroll_top: f64,
}

pub async fn scroll_test(browser: &Browser, steps: u32, px: u32) -> Result<Option<ScrollRun>> {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         window.__perfProbe.scrollTest({steps}, {px}).then(done);"
    );
    let v = exec_async(browser, &script).await?;
    if v.is_null() {
        return Ok(None);
    }
    serde_json::from_value(v)
        .map(Some)
        .map_err(|e| Error::msg(format!("scroll run: {e}")))
}

/// DOM elements and JS heap now.
pub async fn size(browser: &Browser) -> Result<(u64, Option<f64>)> {
    let v = exec(
        browser,
        "const m = performance.memory;
         return [document.getElementsByTagName('*').length, m ? m.usedJSHeapSize : null];",
    )
    .await?;
    Ok((v[0].as_u64().unwrap_or(0), v[1].as_f64()))
}

/// CPU seconds (user + system) of the Chromium processes under this browser's chromedriver:
/// `(renderers, the others)`. The renderers are everything the page costs, its compositor and
/// IO threads included; the others are the browser process, the network service (which reads
/// the sockets) and the GPU/utility processes.
pub fn chromium_cpu_secs(browser: &Browser) -> (f64, f64) {
    let Some(driver) = browser.driver_process() else {
        return (0.0, 0.0);
    };
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let (mut renderers, mut others) = (0.0, 0.0);
    for pid in descendants_of(driver.pid() as i32) {
        let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd);
        if !cmd.contains("chromium") {
            continue;
        }
        let secs = (|| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let rest = &stat[stat.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            // after ") ": state(0) ppid(1) ... utime(11) stime(12)
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / hz)
        })()
        .unwrap_or(0.0);
        if cmd.contains("--type=renderer") {
            renderers += secs;
        } else {
            others += secs;
        }
    }
    (renderers, others)
}

/// CPU seconds of the renderer processes (see [`chromium_cpu_secs`]).
pub fn renderer_cpu_secs(browser: &Browser) -> f64 {
    chromium_cpu_secs(browser).0
}

/// CPU seconds this process (the flood server and the harness) has used.
pub fn self_cpu_secs() -> f64 {
    // SAFETY: getrusage writes into the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// The `p`-quantile (0..=1) of `v` (nearest rank), or None when empty.
pub fn quantile(v: &[f64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((p * s.len() as f64).ceil() as usize).clamp(1, s.len());
    Some(s[rank - 1])
}
