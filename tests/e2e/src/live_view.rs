//! The page's view of the backend's jobs beside the backend's own, read the way resilience
//! tests compare them: job cards with their progress text and stale flag, the detail view, the
//! live log panel, same-document navigation, and the backend's side (every job, a job's whole
//! log) with the diffs between the two. The connection indicator and the clocks that time it
//! are in [`connection`] (re-exported here).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::error::{Context, Error, Result};
use crate::http::ApiClient;

mod connection;
pub use connection::*;

/// The always-visible connection indicator (`data-state`).
pub const CONNECTION: &str = "[data-testid=\"connection\"]";
/// The indicator's sentence.
pub const CONNECTION_DETAIL: &str = "[data-testid=\"connection-detail\"]";
/// The job detail page's log lines (`li[data-n]`).
pub const LOG_LINES: &str = "[data-testid=\"log-lines\"]";
/// A "lines could not be received" marker of the log panel.
pub const LOG_GAP: &str = "[data-testid=\"log-gap\"]";

/// Job statuses that end a job (until a retry).
pub const TERMINAL: [&str; 3] = ["succeeded", "failed", "cancelled"];

/// Whether a backend job (JSON) is in a terminal status.
pub fn is_terminal(job: &Value) -> bool {
    TERMINAL.contains(&job["status"].as_str().unwrap_or_default())
}

// ---- job cards, with progress and staleness ------------------------------------------------

/// One job card as resilience tests read it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LiveCard {
    /// `data-job-id`.
    pub id: String,
    /// `data-status`.
    pub status: String,
    /// `data-stale == "true"`.
    pub stale: bool,
    /// Text of `[data-testid=job-progress]`, e.g. `1,500 / 20,000 rows (8%)`.
    pub progress: String,
}

/// The indicator and every job card, read in one script call (one consistent moment).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PageView {
    pub connection: ConnectionView,
    pub cards: Vec<LiveCard>,
}

impl PageView {
    /// The card of job `id`, if shown.
    pub fn card(&self, id: &str) -> Option<&LiveCard> {
        self.cards.iter().find(|c| c.id == id)
    }
}

const READ_PAGE_JS: &str = r#"
const cards = Array.from(document.querySelectorAll('[data-testid="job-card"]')).map(card => {
  const p = card.querySelector('[data-testid="job-progress"]');
  return {
    id: card.getAttribute("data-job-id") || "",
    status: card.getAttribute("data-status") || "",
    stale: card.getAttribute("data-stale") === "true",
    progress: p ? p.textContent.trim() : "",
  };
});
return {connection: readConnection(), cards};
"#;

/// The indicator and the job cards right now.
pub async fn read_page(browser: &Browser) -> Result<PageView> {
    let script = format!("{READ_CONNECTION_JS}\n{READ_PAGE_JS}");
    let value = browser
        .run_script(&script, vec![], "reading the page")
        .await?;
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("unexpected page shape ({e}): {value}")))
}

/// How the cards differ from the backend's jobs (ids, statuses, duplicates); empty when equal.
pub fn cards_vs_backend(cards: &[LiveCard], jobs: &BTreeMap<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeMap::new();
    for card in cards {
        *seen.entry(card.id.as_str()).or_insert(0) += 1;
        match jobs.get(&card.id) {
            None => out.push(format!("card {} is not a backend job", card.id)),
            Some(job) => {
                let status = job["status"].as_str().unwrap_or_default();
                if card.status != status {
                    out.push(format!(
                        "{}: page shows {:?}, backend says {status:?}",
                        card.id, card.status
                    ));
                }
            }
        }
    }
    for (id, n) in &seen {
        if *n > 1 {
            out.push(format!("{id} has {n} cards"));
        }
    }
    for id in jobs.keys() {
        if !seen.contains_key(id.as_str()) {
            out.push(format!("backend job {id} has no card"));
        }
    }
    out
}

/// Waits until the page lists exactly `jobs` (by id and status) and, when `live` is set, its
/// indicator says `live`; panics after `timeout` with the last differences. Returns the cards.
pub async fn wait_list_equals(
    browser: &Browser,
    jobs: &BTreeMap<String, Value>,
    what: &str,
    timeout: Duration,
    live: bool,
) -> Vec<LiveCard> {
    crate::wait::wait_for(what, timeout, || async {
        let page = read_page(browser).await.map_err(|e| e.to_string())?;
        let diff = cards_vs_backend(&page.cards, jobs);
        let state = &page.connection.state;
        if diff.is_empty() && (!live || state == "live") {
            Ok(page.cards)
        } else {
            Err(format!("{state}: {}", diff.join("; ")))
        }
    })
    .await
}

/// What the job detail view shows about its job (`[data-testid=job-detail]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DetailView {
    /// `data-job-id`.
    pub id: String,
    /// `data-status` (empty if the build does not render it).
    pub status: String,
    /// `data-stale`: `Some(true|false)`, `None` if the build does not render it.
    pub stale: Option<bool>,
}

const READ_DETAIL_JS: &str = r#"
const el = document.querySelector('[data-testid="job-detail"]');
if (!el) return null;
const stale = el.getAttribute("data-stale");
return {
  id: el.getAttribute("data-job-id") || "",
  status: el.getAttribute("data-status") || "",
  stale: stale === null ? null : stale === "true",
};
"#;

/// The detail view right now (`None` when none is shown).
pub async fn read_detail(browser: &Browser) -> Result<Option<DetailView>> {
    let value = browser
        .run_script(READ_DETAIL_JS, vec![], "reading the job detail view")
        .await?;
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("unexpected detail shape ({e}): {value}")))
}

// ---- the log panel ---------------------------------------------------------------------------

/// One rendered log line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PanelLine {
    /// `data-n`.
    pub n: u64,
    /// `.log-text` text content (not trimmed).
    pub text: String,
}

/// What the detail page's log panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LogPanelView {
    /// Whether `[data-testid=log-lines]` is rendered at all.
    pub present: bool,
    /// Rendered lines, in document order.
    pub lines: Vec<PanelLine>,
    /// Texts of the gap markers.
    pub gaps: Vec<String>,
}

impl LogPanelView {
    /// The last rendered line number (0 if none).
    pub fn last_n(&self) -> u64 {
        self.lines.last().map(|l| l.n).unwrap_or(0)
    }
}

const READ_LOG_PANEL_JS: &str = r#"
const list = document.querySelector('[data-testid="log-lines"]');
const lines = list ? Array.from(list.querySelectorAll(":scope > li[data-n]")).map(li => {
  const t = li.querySelector(".log-text");
  return {n: Number(li.getAttribute("data-n")), text: t ? t.textContent : ""};
}) : [];
const gaps = Array.from(document.querySelectorAll('[data-testid="log-gap"]')).map(g => g.textContent.trim());
return {present: !!list, lines, gaps};
"#;

/// The log panel right now.
pub async fn read_log_panel(browser: &Browser) -> Result<LogPanelView> {
    let value = browser
        .run_script(READ_LOG_PANEL_JS, vec![], "reading the log panel")
        .await?;
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("unexpected log panel shape ({e}): {value}")))
}

/// How the panel differs from the backend's whole log: each of `1..=backend.len()` exactly
/// once, in order, with the same text, and no gap marker. Empty when equal.
pub fn log_vs_backend(panel: &LogPanelView, backend: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    if !panel.gaps.is_empty() {
        out.push(format!("gap markers: {:?}", panel.gaps));
    }
    if panel.lines.len() != backend.len() {
        out.push(format!(
            "{} lines rendered (last n {}), backend has {}",
            panel.lines.len(),
            panel.last_n(),
            backend.len()
        ));
    }
    for (i, line) in panel.lines.iter().enumerate() {
        let want_n = i as u64 + 1;
        if line.n != want_n {
            out.push(format!(
                "position {i} shows line {} instead of {want_n}",
                line.n
            ));
            break;
        }
        // The panel renders escapes as styling, so its text is the backend's without them.
        let want_text = jobs_page::state::log_tokens::strip_ansi(
            backend
                .get(i)
                .and_then(|l| l["text"].as_str())
                .unwrap_or_default(),
        );
        if line.text != want_text {
            out.push(format!(
                "line {want_n}: page {:?}, backend {want_text:?}",
                line.text
            ));
            break;
        }
    }
    out
}

/// Waits until the log panel holds exactly `backend`'s lines, each once and in order, with no
/// gap marker; panics after `timeout` with the last differences.
pub async fn wait_log_panel_equals(
    browser: &Browser,
    backend: &[Value],
    what: &str,
    timeout: Duration,
) {
    crate::wait::wait_no_diff(what, timeout, || async {
        let panel = read_log_panel(browser).await.map_err(|e| e.to_string())?;
        Ok(log_vs_backend(&panel, backend))
    })
    .await
}

// ---- navigation ----------------------------------------------------------------------------

/// Sets `location.hash` (a same-document navigation: the app and its store stay alive).
pub async fn set_hash(browser: &Browser, hash: &str) -> Result<()> {
    browser
        .client()
        .execute(
            "location.hash = arguments[0]; return null;",
            vec![json!(hash)],
        )
        .await
        .context(format!("setting location.hash to {hash}"))?;
    Ok(())
}

// ---- the backend's side ----------------------------------------------------------------------

/// Every backend job by id (`GET /jobs?limit=5000`).
pub async fn backend_jobs(api: &ApiClient) -> Result<BTreeMap<String, Value>> {
    let (status, body) = api.get("jobs?limit=5000").await?;
    if status != 200 {
        return Err(Error::msg(format!("GET /jobs answered {status}: {body}")));
    }
    let items = body["items"]
        .as_array()
        .ok_or_else(|| Error::msg(format!("GET /jobs without items: {body}")))?;
    Ok(items
        .iter()
        .filter_map(|j| Some((j["id"].as_str()?.to_string(), j.clone())))
        .collect())
}

/// A job's whole log (`GET /jobs/{id}/logs?after=0&limit=10000`).
pub async fn backend_log(api: &ApiClient, id: &str) -> Result<Vec<Value>> {
    let (status, body) = api
        .get(&format!("jobs/{id}/logs?after=0&limit=10000"))
        .await?;
    if status != 200 {
        return Err(Error::msg(format!(
            "GET /jobs/{id}/logs answered {status}: {body}"
        )));
    }
    body["lines"]
        .as_array()
        .cloned()
        .ok_or_else(|| Error::msg(format!("GET /jobs/{id}/logs without lines: {body}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str, status: &str) -> LiveCard {
        LiveCard {
            id: id.into(),
            status: status.into(),
            stale: false,
            progress: String::new(),
        }
    }

    #[test]
    fn cards_compare_by_id_status_and_multiplicity() {
        let jobs: BTreeMap<String, Value> = [
            ("a".to_string(), json!({"status": "succeeded"})),
            ("b".to_string(), json!({"status": "failed"})),
        ]
        .into_iter()
        .collect();
        assert!(cards_vs_backend(&[card("a", "succeeded"), card("b", "failed")], &jobs).is_empty());
        let diff = cards_vs_backend(
            &[
                card("a", "running"),
                card("a", "running"),
                card("c", "queued"),
            ],
            &jobs,
        );
        assert_eq!(diff.len(), 5, "{diff:?}");
    }

    #[test]
    fn log_compare_wants_every_line_once_in_order() {
        let backend = vec![
            json!({"n": 1, "text": "one"}),
            json!({"n": 2, "text": "two"}),
        ];
        let line = |n, t: &str| PanelLine { n, text: t.into() };
        let ok = LogPanelView {
            present: true,
            lines: vec![line(1, "one"), line(2, "two")],
            gaps: vec![],
        };
        assert!(log_vs_backend(&ok, &backend).is_empty());
        let dup = LogPanelView {
            lines: vec![line(1, "one"), line(1, "one")],
            ..ok.clone()
        };
        assert!(!log_vs_backend(&dup, &backend).is_empty());
        let gap = LogPanelView {
            gaps: vec!["Lines 2–2 could not be received".into()],
            ..ok
        };
        assert!(!log_vs_backend(&gap, &backend).is_empty());
    }
}
