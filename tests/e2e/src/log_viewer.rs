//! The job log viewer (the log modal, `data-testid=log-modal`) as its end-to-end tests and the
//! log benchmark see it: its selectors, one-script snapshots of what it shows (rendered rows,
//! scroll position, status line, jump button, search count, level chips), the reader's input
//! (scrolling the viewport, keys, clicks), parsers for its texts, the backend's side of a log
//! (every line, paged), and in-page probes of main-thread health and memory.

use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::error::{Context, Error, Result};
use crate::stack::Stack;
use crate::wait::{default_timeout, try_wait_for};

/// The viewer dialog (`role=dialog`).
pub const LOG_MODAL: &str = "[data-testid=\"log-modal\"]";
/// The scrolling box holding the rows.
pub const LOG_VIEWPORT: &str = "[data-testid=\"log-modal\"] [data-testid=\"log-viewport\"]";
/// One rendered line (`data-n`), inside the viewport.
pub const LOG_ROW: &str = "[data-testid=\"log-modal\"] [data-testid=\"log-row\"]";
/// The viewer's status line (the detail page's log panel has a `log-status` of its own).
pub const LOG_STATUS: &str = "[data-testid=\"log-modal\"] [data-testid=\"log-status\"]";
/// "Jump to latest (N new lines)", shown while not following.
pub const LOG_JUMP: &str = "[data-testid=\"log-modal\"] [data-testid=\"log-jump\"]";
/// The search box.
pub const LOG_SEARCH: &str = "[data-testid=\"log-modal\"] [data-testid=\"log-search\"]";
/// "k of N" / "no matches".
pub const LOG_MATCH_COUNT: &str = "[data-testid=\"log-modal\"] [data-testid=\"log-match-count\"]";
/// The "only matching" checkbox.
pub const LOG_ONLY_MATCHING: &str =
    "[data-testid=\"log-modal\"] [data-testid=\"log-only-matching\"]";
/// The note about lines dropped from memory.
pub const LOG_DROPPED: &str = "[data-testid=\"log-modal\"] [data-testid=\"log-dropped\"]";
/// Level buckets of the chips, in display order.
pub const LEVELS: [&str; 5] = ["DEBUG", "INFO", "WARNING", "ERROR", "OTHER"];

/// The level chip `[data-testid=log-level-<LEVEL>]` of the viewer.
pub fn level_chip(level: &str) -> String {
    format!("{LOG_MODAL} [data-testid=\"log-level-{level}\"]")
}

/// The "Logs" button on the card of job `id`.
pub fn logs_button(id: &str) -> String {
    format!("[data-testid=\"job-card\"][data-job-id=\"{id}\"] [data-testid=\"job-logs\"]")
}

/// `1,234,567` (or any digits with separators) as a number; `None` without digits.
pub fn parse_number(s: &str) -> Option<u64> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The first number (with thousands separators) after `prefix` in `text`.
fn number_after(text: &str, prefix: &str) -> Option<u64> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let num: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    parse_number(&num)
}

/// Removes ANSI escape sequences (CSI, and OSC up to BEL or ST) the way a terminal would not
/// print them; written independently of the app's tokenizer, for expected values.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

// ---- snapshots ---------------------------------------------------------------------------------

/// One level chip: `DEBUG 1,234`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Chip {
    /// The level from the chip's `data-testid`.
    pub level: String,
    /// Its text.
    pub text: String,
    /// `aria-pressed="true"`.
    pub pressed: bool,
}

impl Chip {
    /// The count the chip shows.
    pub fn count(&self) -> Option<u64> {
        number_after(&self.text, &self.level)
    }
}

/// What the viewer shows, read in one script call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ViewerView {
    /// The dialog's `role`.
    pub role: Option<String>,
    /// Its `aria-modal`.
    pub aria_modal: Option<String>,
    /// Text of the status line.
    pub status: String,
    /// Text of the jump button, when shown.
    pub jump: Option<String>,
    /// Text of the search count.
    pub match_count: String,
    /// Text of the dropped-lines note, when shown.
    pub dropped: Option<String>,
    /// Number of rendered rows.
    pub rows: usize,
    /// Smallest rendered `data-n`.
    pub first_n: Option<u64>,
    /// Largest rendered `data-n`.
    pub last_n: Option<u64>,
    /// The viewport's `scrollTop`, `clientHeight`, `scrollHeight`.
    pub scroll_top: f64,
    pub client_height: f64,
    pub scroll_height: f64,
    /// `<mark>` elements in the viewport.
    pub marks: usize,
    /// The level chips.
    pub chips: Vec<Chip>,
}

impl ViewerView {
    /// The viewport is scrolled to the bottom (within 2 px).
    pub fn at_bottom(&self) -> bool {
        self.scroll_top + self.client_height >= self.scroll_height - 2.0
    }

    /// The status says the viewer follows new lines.
    pub fn following(&self) -> bool {
        self.status.contains("following")
    }

    /// The status says following is paused.
    pub fn paused(&self) -> bool {
        self.status.contains("paused")
    }

    /// `N` of a live status `N lines · following`.
    pub fn status_lines(&self) -> Option<u64> {
        self.status
            .contains(" lines · ")
            .then(|| parse_number(self.status.split(" lines").next().unwrap_or_default()))
            .flatten()
    }

    /// `N` of `Log complete · N lines`.
    pub fn complete_lines(&self) -> Option<u64> {
        number_after(&self.status, "Log complete ·")
    }

    /// `N` of the jump button's `Jump to latest (N new lines)`.
    pub fn jump_new_lines(&self) -> Option<u64> {
        number_after(self.jump.as_deref()?, "(")
    }

    /// How many lines the dropped-lines note says were dropped.
    pub fn dropped_lines(&self) -> Option<u64> {
        parse_number(self.dropped.as_deref()?.split(" older").next()?)
    }

    /// The chip of `level`.
    pub fn chip(&self, level: &str) -> Option<&Chip> {
        self.chips.iter().find(|c| c.level == level)
    }

    /// A one-line summary for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "status {:?}, jump {:?}, rows {} (n {:?}..{:?}), scroll {}+{} of {}, marks {}, count {:?}",
            self.status,
            self.jump,
            self.rows,
            self.first_n,
            self.last_n,
            self.scroll_top,
            self.client_height,
            self.scroll_height,
            self.marks,
            self.match_count
        )
    }
}

const READ_VIEWER: &str = r#"
const modal = document.querySelector('[data-testid="log-modal"]');
if (!modal) return null;
const vp = modal.querySelector('[data-testid="log-viewport"]');
const text = sel => { const el = modal.querySelector(sel); return el ? el.textContent.trim() : null; };
let rows = 0, first = null, last = null;
if (vp) {
  for (const r of vp.querySelectorAll('[data-testid="log-row"]')) {
    const n = Number(r.getAttribute('data-n'));
    rows += 1;
    if (first === null || n < first) first = n;
    if (last === null || n > last) last = n;
  }
}
return {
  role: modal.getAttribute('role'),
  aria_modal: modal.getAttribute('aria-modal'),
  status: text('[data-testid="log-status"]') || '',
  jump: text('[data-testid="log-jump"]'),
  match_count: text('[data-testid="log-match-count"]') || '',
  dropped: text('[data-testid="log-dropped"]'),
  rows, first_n: first, last_n: last,
  scroll_top: vp ? vp.scrollTop : 0,
  client_height: vp ? vp.clientHeight : 0,
  scroll_height: vp ? vp.scrollHeight : 0,
  marks: vp ? vp.querySelectorAll('mark').length : 0,
  chips: Array.from(modal.querySelectorAll('[data-testid^="log-level-"]')).map(c => ({
    level: c.getAttribute('data-testid').slice('log-level-'.length),
    text: c.textContent.trim(),
    pressed: c.getAttribute('aria-pressed') === 'true',
  })),
};
"#;

/// The viewer as shown now, or `None` when it is not open.
pub async fn read_viewer(browser: &Browser) -> Result<Option<ViewerView>> {
    let value: Value = browser
        .client()
        .execute(READ_VIEWER, vec![])
        .await
        .context("reading the log viewer")?;
    if value.is_null() {
        return Ok(None);
    }
    serde_json::from_value(value.clone())
        .map(Some)
        .map_err(|e| Error::msg(format!("unexpected viewer snapshot ({e}): {value}")))
}

/// The viewer, which must be open.
pub async fn viewer(browser: &Browser) -> Result<ViewerView> {
    read_viewer(browser)
        .await?
        .ok_or_else(|| Error::msg("the log viewer is not open"))
}

/// Waits up to `timeout` until the viewer is open and `pred` holds for it.
pub async fn wait_viewer<P>(
    browser: &Browser,
    what: &str,
    timeout: Duration,
    pred: P,
) -> Result<ViewerView>
where
    P: Fn(&ViewerView) -> bool,
{
    try_wait_for(&format!("the log viewer {what}"), timeout, || async {
        match read_viewer(browser).await {
            Ok(Some(v)) if pred(&v) => Ok(v),
            Ok(Some(v)) => Err(Error::msg(v.describe())),
            Ok(None) => Err(Error::msg("the viewer is not open")),
            Err(e) => Err(e),
        }
    })
    .await
}

/// One token `<span>` (or `<mark>`) of a row's text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SpanView {
    /// `span` or `mark`.
    pub tag: String,
    /// Its classes.
    pub classes: Vec<String>,
    /// Its `style` attribute.
    pub style: Option<String>,
    /// Its text.
    pub text: String,
    /// Its computed `color`.
    pub color: String,
}

/// One rendered row.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RowView {
    /// `data-n`.
    pub n: u64,
    /// The row's classes.
    pub classes: Vec<String>,
    /// Text of the `.log-level` span.
    pub level: String,
    /// Classes of the `.log-level` span.
    pub level_classes: Vec<String>,
    /// Computed `color` of the `.log-level` span.
    pub level_color: String,
    /// Computed `color` of `.log-text`.
    pub text_color: String,
    /// Text of `.log-text`.
    pub text: String,
    /// Every element inside `.log-text`.
    pub spans: Vec<SpanView>,
    /// Tag names of every element in the row, for "nothing else was created" checks.
    pub tags: Vec<String>,
}

impl RowView {
    /// Whether the row has class `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.classes.iter().any(|c| c == class)
    }
}

const READ_ROWS: &str = r#"
const vp = document.querySelector('[data-testid="log-modal"] [data-testid="log-viewport"]');
if (!vp) return [];
return Array.from(vp.querySelectorAll('[data-testid="log-row"]')).map(r => {
  const level = r.querySelector('.log-level');
  const text = r.querySelector('.log-text');
  return {
    n: Number(r.getAttribute('data-n')),
    classes: Array.from(r.classList),
    level: level ? level.textContent : '',
    level_classes: level ? Array.from(level.classList) : [],
    level_color: level ? getComputedStyle(level).color : '',
    text_color: text ? getComputedStyle(text).color : '',
    text: text ? text.textContent : '',
    spans: text ? Array.from(text.querySelectorAll('*')).map(s => ({
      tag: s.tagName.toLowerCase(), classes: Array.from(s.classList),
      style: s.getAttribute('style'), text: s.textContent, color: getComputedStyle(s).color,
    })) : [],
    tags: Array.from(r.querySelectorAll('*')).map(e => e.tagName.toLowerCase()),
  };
});
"#;

/// Every rendered row, in document order.
pub async fn read_rows(browser: &Browser) -> Result<Vec<RowView>> {
    let value: Value = browser
        .client()
        .execute(READ_ROWS, vec![])
        .await
        .context("reading the log rows")?;
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("unexpected rows snapshot ({e}): {value}")))
}

// ---- input -------------------------------------------------------------------------------------

/// Scrolls the viewport to `top` px as a reader would (sets `scrollTop`, then dispatches the
/// `scroll` event at once rather than waiting for the browser's own).
pub async fn scroll_viewport(browser: &Browser, top: f64) -> Result<()> {
    browser
        .client()
        .execute(
            r#"const vp = document.querySelector('[data-testid="log-modal"] [data-testid="log-viewport"]');
               if (!vp) throw new Error('no log viewport');
               vp.scrollTop = arguments[0];
               vp.dispatchEvent(new Event('scroll'));"#,
            vec![json!(top)],
        )
        .await
        .map(|_| ())
        .context("scrolling the log viewport")
}

/// Waits (default timeout) for `css` and clicks it (a WebDriver click: trusted, focuses it).
pub async fn click(browser: &Browser, css: &str) -> Result<()> {
    let el = try_wait_for(
        &format!("an element matching `{css}` to click"),
        default_timeout(),
        || async { browser.client().find(Locator::Css(css)).await },
    )
    .await?;
    el.click().await.context(format!("clicking `{css}`"))
}

/// Presses and releases `key` wherever focus is, like a keyboard.
pub async fn press_key(browser: &Browser, key: Key) -> Result<()> {
    let k: char = key.into();
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: k })
        .then(KeyAction::Pause {
            duration: Duration::from_millis(20),
        })
        .then(KeyAction::Up { value: k });
    browser
        .client()
        .perform_actions(actions)
        .await
        .context(format!("pressing {key:?}"))
}

/// Clicks `css` and types `text` into it (real key events, so `input` events fire).
pub async fn type_into(browser: &Browser, css: &str, text: &str) -> Result<()> {
    let el = browser
        .client()
        .find(Locator::Css(css))
        .await
        .context(format!("finding `{css}`"))?;
    el.click().await.context(format!("focusing `{css}`"))?;
    el.send_keys(text)
        .await
        .context(format!("typing into `{css}`"))
}

/// Whether the focused element matches `css`; the `Err` describes what has focus otherwise.
pub async fn focus_matches(
    browser: &Browser,
    css: &str,
) -> Result<std::result::Result<(), String>> {
    let value: Value = browser
        .client()
        .execute(
            r#"const a = document.activeElement;
               if (a && a.matches(arguments[0])) return null;
               return a ? (a.outerHTML || a.tagName).slice(0, 200) : 'nothing';"#,
            vec![json!(css)],
        )
        .await
        .context("reading the focused element")?;
    Ok(match value {
        Value::Null => Ok(()),
        Value::String(s) => Err(s),
        other => Err(other.to_string()),
    })
}

// ---- the backend's side ------------------------------------------------------------------------

/// Every kept line of job `id`'s log, oldest first (paged through `GET /jobs/{id}/logs`).
pub async fn backend_log(stack: &Stack, id: &str) -> Vec<Value> {
    let mut lines = Vec::new();
    let mut after = 0u64;
    loop {
        let (status, body) = stack
            .api_get(&format!("jobs/{id}/logs?after={after}&limit=10000"))
            .await;
        assert_eq!(status, 200, "GET /jobs/{id}/logs: {body}");
        let page = body["lines"].as_array().cloned().unwrap_or_default();
        let Some(last) = page.last().and_then(|l| l["n"].as_u64()) else {
            return lines;
        };
        after = last;
        lines.extend(page);
    }
}

/// Line `n` of job `id` from the backend.
pub async fn backend_line(stack: &Stack, id: &str, n: u64) -> Value {
    let (status, body) = stack
        .api_get(&format!("jobs/{id}/logs?after={}&limit=1", n - 1))
        .await;
    assert_eq!(status, 200, "GET /jobs/{id}/logs: {body}");
    body["lines"][0].clone()
}

// ---- main-thread and memory probes -------------------------------------------------------------

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
        .client()
        .execute(
            r#"const p = window.__logProbe;
               if (!p) return null;
               return { longtask_supported: p.longtaskSupported, longtasks: p.longtasks,
                        longest_task_ms: p.longest, total_longtask_ms: p.totalLong,
                        max_lag_ms: p.maxLag, lag_samples: p.lagSamples,
                        lag_over_50: p.lagOver50, lag_over_200: p.lagOver200 };"#,
            vec![],
        )
        .await
        .context("reading the main-thread probes")?;
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
  const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  if (desc && desc.set) {
    Object.defineProperty(WebSocket.prototype, 'onmessage', {
      configurable: true, enumerable: desc.enumerable,
      get() { return desc.get.call(this); },
      set(fn) {
        if (typeof fn === 'function') {
          p.sockets += 1;
          const inner = fn;
          fn = function (ev) { count(ev); return inner.call(this, ev); };
        }
        desc.set.call(this, fn);
      },
    });
  }
  const wrapped = new WeakMap();
  const add = WebSocket.prototype.addEventListener;
  const remove = WebSocket.prototype.removeEventListener;
  WebSocket.prototype.addEventListener = function (type, fn, opts) {
    if (type === 'message' && typeof fn === 'function') {
      if (!wrapped.has(fn)) wrapped.set(fn, function (ev) { count(ev); return fn.call(this, ev); });
      p.sockets += 1;
      return add.call(this, type, wrapped.get(fn), opts);
    }
    return add.call(this, type, fn, opts);
  };
  WebSocket.prototype.removeEventListener = function (type, fn, opts) {
    return remove.call(this, type, (type === 'message' && wrapped.get(fn)) || fn, opts);
  };
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
            json!({"source": WS_PROBE}),
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
        .client()
        .execute(
            r#"const p = window.__wsProbe;
               return p ? { sockets: p.sockets, frames: p.frames, log_frames: p.logFrames,
                            chars: p.chars, last_log_n: p.lastLogN } : null;"#,
            vec![],
        )
        .await
        .context("reading the WebSocket probe")?;
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
        .client()
        .execute(
            r#"const m = performance.memory;
               return { dom_nodes: document.getElementsByTagName('*').length,
                        heap_used: m ? m.usedJSHeapSize : null,
                        heap_total: m ? m.totalJSHeapSize : null };"#,
            vec![],
        )
        .await
        .context("reading the page size")?;
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("unexpected page size ({e}): {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(status: &str, jump: Option<&str>) -> ViewerView {
        ViewerView {
            role: Some("dialog".into()),
            aria_modal: Some("true".into()),
            status: status.into(),
            jump: jump.map(Into::into),
            match_count: String::new(),
            dropped: Some(
                "12,345 older lines were dropped from memory (this view keeps at most 200,000); scroll to the top to reload them.".into(),
            ),
            rows: 0,
            first_n: None,
            last_n: None,
            scroll_top: 0.0,
            client_height: 0.0,
            scroll_height: 0.0,
            marks: 0,
            chips: vec![Chip {
                level: "DEBUG".into(),
                text: "DEBUG 1,204".into(),
                pressed: true,
            }],
        }
    }

    #[test]
    fn parses_the_viewer_texts() {
        let v = view(
            "1,234 lines · following",
            Some("Jump to latest (5,678 new lines)"),
        );
        assert_eq!(v.status_lines(), Some(1234));
        assert!(v.following() && !v.paused());
        assert_eq!(v.jump_new_lines(), Some(5678));
        assert_eq!(v.dropped_lines(), Some(12_345));
        assert_eq!(v.chip("DEBUG").and_then(Chip::count), Some(1204));
        let done = view("Log complete · 1,000,002 lines", Some("Jump to latest"));
        assert_eq!(done.complete_lines(), Some(1_000_002));
        assert_eq!(done.status_lines(), None);
        assert_eq!(done.jump_new_lines(), None);
    }

    #[test]
    fn strips_csi_and_osc_sequences() {
        assert_eq!(strip_ansi("a \u{1b}[32mOK\u{1b}[0m b"), "a OK b");
        assert_eq!(
            strip_ansi("\u{1b}]8;;http://evil.example\u{7}click\u{1b}]8;;\u{7} \u{1b}[2J\u{1b}[1A"),
            "click "
        );
        assert_eq!(strip_ansi("x\u{1b}]0;t\u{1b}\\y"), "xy");
    }
}
