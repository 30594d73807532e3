//! In-page probes of a page's health that the log benchmark, the performance benchmark and the
//! soak read: main-thread long tasks and event-loop lag, WebSocket traffic (counted before the
//! page's own handler runs), the DOM's size, the JS heap and the wasm linear memory.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::error::{Context, Error, Result};

/// `bench/ws_count.js`: the WebSocket message counter both the performance probe and
/// [`install_ws_probe_on_new_documents`] put where their script says `__WS_COUNT__`.
pub const WS_COUNT_JS: &str = include_str!("../bench/ws_count.js");

const INSTALL_PROBES: &str = r#"
if (window.__logProbe) return true;
const p = { longtaskSupported: false, longtasks: 0, longest: 0, totalLong: 0,
            maxLag: 0, lagSamples: 0, lagOver50: 0, lagOver200: 0, last: performance.now() };
window.__logProbe = p;
try {
  const types = PerformanceObserver.supportedEntryTypes || [];
  p.longtaskSupported = types.includes('longtask');
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      p.longtasks += 1; p.totalLong += e.duration;
      if (e.duration > p.longest) p.longest = e.duration;
    }
  }).observe({ type: 'longtask', buffered: true });
} catch (e) { p.longtaskError = String(e); }
// Event-loop lag: a 50 ms timer that fires late by `lag` ms was blocked that long.
const PERIOD = 50;
p.last = performance.now();
setInterval(() => {
  const now = performance.now();
  const lag = Math.max(0, now - p.last - PERIOD);
  p.last = now; p.lagSamples += 1;
  if (lag > p.maxLag) p.maxLag = lag;
  if (lag > 50) p.lagOver50 += 1;
  if (lag > 200) p.lagOver200 += 1;
}, PERIOD);
return true;
"#;

/// Installs, once per page load, a `PerformanceObserver` for long tasks (`buffered: true`, so
/// tasks since the page loaded count) and a 50 ms `setInterval` event-loop-lag probe.
pub async fn install_main_thread_probes(browser: &Browser) -> Result<()> {
    browser
        .client()
        .execute(INSTALL_PROBES, vec![])
        .await
        .map(|_| ())
        .context("installing the main-thread probes")
}

/// What the probes saw since they were installed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MainThreadStats {
    /// Whether this browser reports `longtask` entries.
    pub longtask_supported: bool,
    /// Long tasks (> 50 ms) seen.
    pub longtasks: u64,
    /// The longest one (ms).
    pub longest_task_ms: f64,
    /// Their summed duration (ms).
    pub total_longtask_ms: f64,
    /// Largest lateness of the 50 ms timer (ms).
    pub max_lag_ms: f64,
    /// Timer ticks seen.
    pub lag_samples: u64,
    /// Ticks more than 50 ms / 200 ms late.
    pub lag_over_50: u64,
    pub lag_over_200: u64,
}

/// Reads the probes' counters.
pub async fn main_thread_stats(browser: &Browser) -> Result<MainThreadStats> {
    let value: Value = browser
        .run_script(
            r#"const p = window.__logProbe;
               if (!p) return null;
               return { longtask_supported: p.longtaskSupported, longtasks: p.longtasks,
                        longest_task_ms: p.longest, total_longtask_ms: p.totalLong,
                        max_lag_ms: p.maxLag, lag_samples: p.lagSamples,
                        lag_over_50: p.lagOver50, lag_over_200: p.lagOver200 };"#,
            vec![],
            "reading the main-thread probes",
        )
        .await?;
    if value.is_null() {
        return Err(Error::msg("the probes are not installed (page reloaded?)"));
    }
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("unexpected probe data ({e}): {value}")))
}

const WS_PROBE: &str = r#"
(() => {
  if (window.__wsProbe) return;
  const p = window.__wsProbe = { sockets: 0, frames: 0, logFrames: 0, chars: 0, lastLogN: 0 };
  const count = ev => {
    p.frames += 1;
    const d = ev.data;
    if (typeof d !== 'string') return;
    p.chars += d.length;
    if (d.startsWith('{"type":"log"')) {
      p.logFrames += 1;
      const i = d.indexOf('"n":');
      if (i >= 0) { const n = parseInt(d.slice(i + 4, i + 24), 10); if (n > p.lastLogN) p.lastLogN = n; }
    }
  };
  (__WS_COUNT__)(count, () => { p.sockets += 1; });
})();
"#;

/// Counts, from before the page's own scripts run (CDP
/// `Page.addScriptToEvaluateOnNewDocument`, so it holds for every later page load), every
/// WebSocket message the page receives: frames, `log` frames, characters, the highest log line
/// number received. Read with [`ws_stats`].
pub async fn install_ws_probe_on_new_documents(browser: &Browser) -> Result<()> {
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": WS_PROBE.replace("__WS_COUNT__", WS_COUNT_JS)}),
        )
        .await
        .map(|_| ())
}

/// What the WebSocket probe counted.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct WsStats {
    /// Message listeners attached (one per socket the app opened).
    pub sockets: u64,
    /// Messages received.
    pub frames: u64,
    /// `log` messages received.
    pub log_frames: u64,
    /// Characters received.
    pub chars: u64,
    /// Highest log line number received.
    pub last_log_n: u64,
}

/// The WebSocket probe's counters (`None` if it is not installed in this page).
pub async fn ws_stats(browser: &Browser) -> Result<Option<WsStats>> {
    let value: Value = browser
        .run_script(
            r#"const p = window.__wsProbe;
               return p ? { sockets: p.sockets, frames: p.frames, log_frames: p.logFrames,
                            chars: p.chars, last_log_n: p.lastLogN } : null;"#,
            vec![],
            "reading the WebSocket probe",
        )
        .await?;
    if value.is_null() {
        return Ok(None);
    }
    serde_json::from_value(value.clone())
        .map(Some)
        .map_err(|e| Error::msg(format!("unexpected WebSocket probe data ({e}): {value}")))
}

/// Size of the page.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PageSize {
    /// `document.getElementsByTagName('*').length`.
    pub dom_nodes: u64,
    /// `performance.memory.usedJSHeapSize` (Chrome; exact only with
    /// `--enable-precise-memory-info`), when available.
    pub heap_used: Option<f64>,
    /// `performance.memory.totalJSHeapSize`.
    pub heap_total: Option<f64>,
}

/// The size of the app's WebAssembly linear memory (bytes), where the Rust side keeps its data
/// (the log buffer among it): `performance.memory` does not count it. Read from the wasm
/// exports that the app's module's (idempotent) `init()` returns; `None` if unavailable.
pub async fn wasm_memory_bytes(browser: &Browser) -> Result<Option<f64>> {
    let value: Value = browser
        .client()
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               const link = document.querySelector('link[rel="modulepreload"][href$=".js"]');
               if (!link) { done(null); return; }
               import(link.href)
                 .then(m => m.default())
                 .then(w => done(w && w.memory ? w.memory.buffer.byteLength : null))
                 .catch(() => done(null));"#,
            vec![],
        )
        .await
        .context("reading the wasm memory size")?;
    Ok(value.as_f64())
}

/// DOM element count and JS heap use now.
pub async fn page_size(browser: &Browser) -> Result<PageSize> {
    let value: Value = browser
        .run_script(
            r#"const m = performance.memory;
               return { dom_nodes: document.getElementsByTagName('*').length,
                        heap_used: m ? m.usedJSHeapSize : null,
                        heap_total: m ? m.totalJSHeapSize : null };"#,
            vec![],
            "reading the page size",
        )
        .await?;
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("unexpected page size ({e}): {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counter goes in by text replacement, so each script must name the placeholder once
    /// and only where the code wants it: a mention in a comment would paste the whole counter
    /// into that comment and break the script.
    #[test]
    fn each_probe_names_the_ws_counter_once() {
        let perf_probe = include_str!("../bench/probe.js");
        assert_eq!(perf_probe.matches("__WS_COUNT__").count(), 1);
        assert_eq!(WS_PROBE.matches("__WS_COUNT__").count(), 1);
        assert!(perf_probe.contains("(__WS_COUNT__)(count, "));
        assert!(WS_PROBE.contains("(__WS_COUNT__)(count, "));
        assert!(!WS_COUNT_JS.contains("__WS_COUNT__"));
        assert!(WS_COUNT_JS.trim_end().ends_with('}'));
    }
}
