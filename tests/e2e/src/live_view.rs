//! What the page shows about its link to the backend, read the way resilience tests need it:
//! the connection indicator (now, and every change since a recorder was installed, with
//! browser timestamps), job cards with their progress text and stale flag, the live log panel,
//! and same-document navigation. Plus the backend's side of the comparison (every job, a job's
//! whole log) and wall-clock helpers to relate test-side instants to browser timestamps.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::error::{Context, Error, Result};
use crate::http::ApiClient;
use crate::stack::Stack;

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

/// Milliseconds since the Unix epoch, the clock the browser's `Date.now()` uses.
pub fn epoch_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

// ---- the connection indicator --------------------------------------------------------------

/// What the indicator shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ConnectionView {
    /// `data-state`: connecting, live, reconnecting, polling, offline, unauthorised
    /// (empty if not rendered).
    pub state: String,
    /// The indicator's sentence.
    pub detail: String,
    /// Whether a "Retry now" button is shown.
    pub retry_button: bool,
}

const READ_CONNECTION_JS: &str = r#"
const readConnection = () => {
  const el = document.querySelector('[data-testid="connection"]');
  if (!el) return {state: "", detail: "", retry_button: false};
  const d = el.querySelector('[data-testid="connection-detail"]');
  return {
    state: el.getAttribute("data-state") || "",
    detail: d ? d.textContent.trim() : "",
    retry_button: Array.from(el.querySelectorAll("button")).some(b => /retry now/i.test(b.textContent)),
  };
};
"#;

/// The indicator right now.
pub async fn read_connection(browser: &Browser) -> Result<ConnectionView> {
    let script = format!("{READ_CONNECTION_JS}\nreturn readConnection();");
    let value = browser
        .client()
        .execute(&script, vec![])
        .await
        .context("reading the connection indicator")?;
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("unexpected indicator shape ({e}): {value}")))
}

/// Waits until the indicator shows one of `states`; returns what it showed.
pub async fn try_wait_connection(
    browser: &Browser,
    states: &[&str],
    timeout: Duration,
) -> Result<ConnectionView> {
    crate::wait::try_wait_for(
        &format!("the connection indicator to show {states:?}"),
        timeout,
        || async {
            let c = read_connection(browser).await?;
            if states.contains(&c.state.as_str()) {
                Ok(c)
            } else {
                Err(Error::msg(format!("{:?}: {:?}", c.state, c.detail)))
            }
        },
    )
    .await
}

/// Like [`try_wait_connection`], panicking on timeout.
pub async fn wait_connection(
    browser: &Browser,
    states: &[&str],
    timeout: Duration,
) -> ConnectionView {
    match try_wait_connection(browser, states, timeout).await {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

/// One change of the indicator seen by the in-page recorder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StateChange {
    /// The new `data-state` (empty while the indicator is not rendered).
    pub state: String,
    /// Browser `Date.now()` when the change was observed (a mutation-observer callback, so
    /// within a millisecond or so of the render).
    pub at_ms: i64,
    /// The indicator's sentence at that moment.
    pub detail: String,
    /// The state the recorder found when it was installed: not a change.
    #[serde(default)]
    pub initial: bool,
}

const INSTALL_RECORDER_JS: &str = r#"
if (!window.__e2eConnLog) {
  const log = [];
  window.__e2eConnLog = log;
  let last = null;
  let first = true;
  const check = () => {
    const el = document.querySelector('[data-testid="connection"]');
    const state = el ? (el.getAttribute("data-state") || "") : "";
    if (state !== last) {
      last = state;
      const d = el ? el.querySelector('[data-testid="connection-detail"]') : null;
      log.push({state, at_ms: Date.now(), detail: d ? d.textContent.trim() : "", initial: first});
      first = false;
    }
  };
  new MutationObserver(check).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"],
  });
  check();
}
return window.__e2eConnLog.length;
"#;

/// Installs (once per document) a recorder of every indicator change, timestamped in the page.
/// A full page load discards it; hash navigation keeps it.
pub async fn install_connection_recorder(browser: &Browser) -> Result<()> {
    browser
        .client()
        .execute(INSTALL_RECORDER_JS, vec![])
        .await
        .context("installing the connection recorder")?;
    Ok(())
}

/// Every change recorded since [`install_connection_recorder`], oldest first.
pub async fn connection_history(browser: &Browser) -> Result<Vec<StateChange>> {
    let value = browser
        .client()
        .execute("return window.__e2eConnLog || [];", vec![])
        .await
        .context("reading the connection recorder")?;
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("unexpected recorder shape ({e}): {value}")))
}

/// The first recorded state `state` at or after `since_ms` (browser epoch ms), the state found
/// at install time included (see [`first_change_after_install`] for changes only).
pub fn first_change_to(history: &[StateChange], state: &str, since_ms: i64) -> Option<i64> {
    history
        .iter()
        .find(|c| c.state == state && c.at_ms >= since_ms)
        .map(|c| c.at_ms)
}

/// Like [`first_change_to`], but only real changes: the state found at install time is left
/// out, so an install in the same millisecond as a later event cannot count as a change.
pub fn first_change_after_install(
    history: &[StateChange],
    state: &str,
    since_ms: i64,
) -> Option<i64> {
    history
        .iter()
        .find(|c| !c.initial && c.state == state && c.at_ms >= since_ms)
        .map(|c| c.at_ms)
}

/// `state@+ms` for each change relative to `origin_ms`, for messages.
pub fn describe_history(history: &[StateChange], origin_ms: i64) -> String {
    history
        .iter()
        .map(|c| format!("{}@{:+}ms", c.state, c.at_ms - origin_ms))
        .collect::<Vec<_>>()
        .join(" → ")
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
        .client()
        .execute(&script, vec![])
        .await
        .context("reading the page")?;
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
        .client()
        .execute(READ_DETAIL_JS, vec![])
        .await
        .context("reading the job detail view")?;
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
        .client()
        .execute(READ_LOG_PANEL_JS, vec![])
        .await
        .context("reading the log panel")?;
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

/// Polls the API every `every` until it answers `GET /queue` with 200; returns when the
/// request that succeeded was sent (epoch ms): the API was answering from then on, give or
/// take `every`. (The moment the answer arrived would be later by the time `/queue` takes to
/// compute, during which a page may already have reconnected.) Run it beside
/// [`Stack::start_api`] for a finer "answering again" instant than the harness's own check.
pub async fn first_answer_ms(api: ApiClient, every: Duration) -> i64 {
    loop {
        let sent_at = epoch_ms();
        if let Ok((200, _)) = api.get("/api/v1/queue").await {
            return sent_at;
        }
        tokio::time::sleep(every).await;
    }
}

/// Starts the API again and returns the epoch ms from which it answered (see
/// [`first_answer_ms`]; a 10 ms probe runs alongside the harness's start).
pub async fn restart_api_timed(stack: &mut Stack) -> Result<i64> {
    let probe = tokio::spawn(first_answer_ms(
        stack.api().clone(),
        Duration::from_millis(10),
    ));
    let started = stack.start_api().await;
    if let Err(e) = started {
        probe.abort();
        return Err(e);
    }
    match tokio::time::timeout(Duration::from_secs(5), probe).await {
        Ok(Ok(at)) => Ok(at),
        _ => Ok(epoch_ms()),
    }
}

/// The median of `samples` (the mean of the middle two for an even count; 0 when empty).
pub fn median(samples: &[i64]) -> i64 {
    let mut v = samples.to_vec();
    v.sort_unstable();
    match v.len() {
        0 => 0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2,
    }
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

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[5, 1, 3]), 3);
        assert_eq!(median(&[4, 1, 3, 2]), 2);
        assert_eq!(median(&[]), 0);
    }
}
