//! The job log viewer (the log modal, `data-testid=log-modal`) as its end-to-end tests and the
//! log benchmark see it: its selectors, a one-script snapshot of what it shows (scroll
//! position, status line, jump button, search count, level chips) and waiting for one, the
//! reader's input (scrolling the viewport, typing, focus), and the backend's side of a log
//! (every line, paged). Its rendered rows are read in [`rows`], its texts parsed in [`text`];
//! both are re-exported here, as are the in-page probes of [`crate::page_probes`] and the
//! Jobs page's clicks and key presses.

use std::time::Duration;

use fantoccini::Locator;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::error::{Context, Error, Result};
use crate::stack::Stack;
use crate::wait::try_wait_for;

pub use crate::page_probes::*;

mod rows;
mod text;
pub use rows::*;
use text::number_after;
pub use text::{parse_number, strip_ansi};

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

/// What the viewer shows, read in one script call. (`Default`: nothing shown, for building a
/// view from a few known texts, as the log benchmark and the parsers' tests do.)
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
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
        .run_script(READ_VIEWER, vec![], "reading the log viewer")
        .await?;
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

// ---- input -------------------------------------------------------------------------------------

/// The reader's clicks and key presses are the Jobs page's (real WebDriver events).
pub use crate::jobs_ui::{click, press_key};

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
        .run_script(
            r#"const a = document.activeElement;
               if (a && a.matches(arguments[0])) return null;
               return a ? (a.outerHTML || a.tagName).slice(0, 200) : 'nothing';"#,
            vec![json!(css)],
            "reading the focused element",
        )
        .await?;
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
            chips: vec![Chip {
                level: "DEBUG".into(),
                text: "DEBUG 1,204".into(),
                pressed: true,
            }],
            ..ViewerView::default()
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
}
