//! The Jobs page read the way its end-to-end tests need it: one-script snapshots of a card or
//! the detail view, texts and attributes, every job id of the virtualised list (by scrolling
//! it), the list's summary, and the backend's side of the comparison (its jobs and counts).
//! Driving the page (clicks, keys, focus) is in [`input`]; the in-page recorders of the page's
//! own `fetch` calls and status changes are in [`recorders`]. Both are re-exported here.

use std::collections::BTreeMap;

use fantoccini::key::Key;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::browser::{testid, Browser};
use crate::error::{Context, Error, Result};
use crate::stack::Stack;
use crate::wait::{default_timeout, try_wait_for};

mod input;
mod recorders;
pub use input::*;
pub use recorders::*;

// ---- reading cards and the detail view --------------------------------------------------------

/// `[data-testid=job-card][data-job-id=<id>]`.
pub fn card_css(id: &str) -> String {
    format!("[data-testid=\"job-card\"][data-job-id=\"{id}\"]")
}

/// Everything one job card (or the detail view) shows, read in one script call. For the detail
/// view, the action buttons and the action error are read from the page section around it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JobView {
    /// `data-job-id`.
    pub id: String,
    /// `data-status`.
    pub status: String,
    /// `data-stale`.
    pub stale: String,
    /// Texts of the inner test ids; `None` when the element is absent.
    pub status_text: Option<String>,
    pub progress: Option<String>,
    pub phase: Option<String>,
    pub rate: Option<String>,
    pub eta: Option<String>,
    pub elapsed: Option<String>,
    pub attempt: Option<String>,
    pub error: Option<String>,
    pub action_error: Option<String>,
    /// Whether the selection checkbox is checked (cards only).
    pub selected: bool,
    /// Test ids of the enabled action buttons (`job-cancel`, `job-retry`, `job-run-again`).
    pub actions: Vec<String>,
    /// Test ids of the disabled ones.
    pub disabled_actions: Vec<String>,
    /// The whole visible text.
    pub text: String,
}

impl JobView {
    /// `processed` parsed from the progress text (`"1,200 / 20,000 rows (6%)"` → 1200).
    pub fn processed(&self) -> Option<u64> {
        let text = self.progress.as_deref()?;
        let first = text.split_whitespace().next()?;
        first.replace(',', "").parse().ok()
    }
}

const READ_JOB_VIEW: &str = r#"
const root = document.querySelector(arguments[0]);
if (!root) return null;
const text = id => {
  const el = root.querySelector(`[data-testid="${id}"]`);
  return el ? el.textContent.trim() : null;
};
// The detail page keeps its actions and action error beside the article, in its section.
const scope = root.getAttribute('data-testid') === 'job-detail' ? (root.parentElement || root) : root;
const buttons = Array.from(scope.querySelectorAll('button[data-testid^="job-"]'));
const sel = root.querySelector('[data-testid="job-select"]');
return {
  id: root.getAttribute('data-job-id') || '',
  status: root.getAttribute('data-status') || '',
  stale: root.getAttribute('data-stale') || '',
  status_text: text('job-status'),
  progress: text('job-progress'),
  phase: text('job-phase'),
  rate: text('job-rate'),
  eta: text('job-eta'),
  elapsed: text('job-elapsed'),
  attempt: text('job-attempt'),
  error: text('job-error'),
  action_error: (() => { const el = scope.querySelector('[data-testid="job-action-error"]'); return el ? el.textContent.trim() : null; })(),
  selected: !!(sel && sel.checked),
  actions: buttons.filter(b => !b.disabled).map(b => b.getAttribute('data-testid')),
  disabled_actions: buttons.filter(b => b.disabled).map(b => b.getAttribute('data-testid')),
  text: (root.innerText || '').trim(),
};
"#;

/// The view matching `root_css` (a card or `[data-testid=job-detail]`), or `None` if absent.
pub async fn read_view(browser: &Browser, root_css: &str) -> Result<Option<JobView>> {
    let v = browser
        .client()
        .execute(READ_JOB_VIEW, vec![json!(root_css)])
        .await
        .context(format!("reading `{root_css}`"))?;
    if v.is_null() {
        return Ok(None);
    }
    serde_json::from_value(v.clone())
        .map(Some)
        .map_err(|e| Error::msg(format!("unexpected job view ({e}): {v}")))
}

/// The card of job `id`, if it is rendered now.
pub async fn read_card(browser: &Browser, id: &str) -> Result<Option<JobView>> {
    read_view(browser, &card_css(id)).await
}

/// Waits until the card of `id` is rendered and `pred` holds for it; returns it.
pub async fn wait_card<P>(browser: &Browser, id: &str, what: &str, pred: P) -> Result<JobView>
where
    P: Fn(&JobView) -> bool,
{
    wait_view(browser, &card_css(id), &format!("card {id} {what}"), pred).await
}

/// Waits until the view at `root_css` exists and `pred` holds for it.
pub async fn wait_view<P>(browser: &Browser, root_css: &str, what: &str, pred: P) -> Result<JobView>
where
    P: Fn(&JobView) -> bool,
{
    try_wait_for(what, default_timeout(), || async {
        match read_view(browser, root_css).await {
            Ok(Some(v)) if pred(&v) => Ok(v),
            Ok(Some(v)) => Err(format!("shown: {v:?}")),
            Ok(None) => Err(format!("`{root_css}` is not rendered")),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
}

/// Text of the first element matching `css`, or `None`.
pub async fn text_of(browser: &Browser, css: &str) -> Result<Option<String>> {
    let v = browser
        .client()
        .execute(
            "const el = document.querySelector(arguments[0]); \
             return el ? (el.innerText || el.textContent || '').trim() : null;",
            vec![json!(css)],
        )
        .await
        .context(format!("reading the text of `{css}`"))?;
    Ok(v.as_str().map(str::to_string))
}

/// Texts of every element matching `css`.
pub async fn texts_of(browser: &Browser, css: &str) -> Result<Vec<String>> {
    let v = browser
        .client()
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]))\
               .map(el => (el.innerText || el.textContent || '').trim());",
            vec![json!(css)],
        )
        .await
        .context(format!("reading the texts of `{css}`"))?;
    serde_json::from_value(v).map_err(|e| Error::msg(format!("texts of `{css}`: {e}")))
}

/// Attribute `name` of the first element matching `css` (`None` if absent or no such element).
pub async fn attr_of(browser: &Browser, css: &str, name: &str) -> Result<Option<String>> {
    let v = browser
        .client()
        .execute(
            "const el = document.querySelector(arguments[0]); \
             return el ? el.getAttribute(arguments[1]) : null;",
            vec![json!(css), json!(name)],
        )
        .await
        .context(format!("reading {name} of `{css}`"))?;
    Ok(v.as_str().map(str::to_string))
}

/// How many elements match `css` now.
pub async fn count(browser: &Browser, css: &str) -> Result<usize> {
    Ok(browser.find_all(css).await?.len())
}

/// Ids of the job cards rendered now, in document order.
pub async fn rendered_ids(browser: &Browser) -> Result<Vec<String>> {
    let v = browser
        .client()
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"job-card\"]'))\
               .map(c => c.getAttribute('data-job-id'));",
            vec![],
        )
        .await
        .context("reading rendered card ids")?;
    serde_json::from_value(v).map_err(|e| Error::msg(format!("card ids: {e}")))
}

/// Every job id the (virtualised) list holds, in list order: scrolls the list from top to
/// bottom and collects the rendered cards at every step, then scrolls back to the top.
pub async fn all_listed_ids(browser: &Browser) -> Result<Vec<String>> {
    const STEP: &str = r#"
const s = document.querySelector('[data-testid="job-scroller"]');
if (!s) return {ids: [], done: true};
if (arguments[0] === 0) { s.scrollTop = 0; s.dispatchEvent(new Event('scroll')); }
else { s.scrollTop = s.scrollTop + Math.max(100, s.clientHeight - 176); s.dispatchEvent(new Event('scroll')); }
return {
  top: s.scrollTop,
  done: s.scrollTop + s.clientHeight >= s.scrollHeight - 2,
};
"#;
    // The rendered cards cover the scroller's viewport: the first starts at or above its top,
    // and the last ends at or below its bottom unless it is the list's last card (no padding
    // below it). Until the page re-renders for the new scroll position, this does not hold.
    const RENDERED_WINDOW: &str = r#"
const s = document.querySelector('[data-testid="job-scroller"]');
const ul = s && s.querySelector('[data-testid="job-list"]');
if (!s || !ul) return {covers: true, ids: []};
const cards = Array.from(ul.querySelectorAll('[data-testid="job-card"]'));
const ids = cards.map(c => c.getAttribute('data-job-id'));
if (cards.length === 0) return {covers: parseFloat(ul.style.paddingTop || '0') === 0, ids};
const view = s.getBoundingClientRect();
const first = cards[0].getBoundingClientRect();
const last = cards[cards.length - 1].getBoundingClientRect();
const padBottom = parseFloat(ul.style.paddingBottom || '0');
const covers = first.top <= view.top + 2 && (last.bottom >= view.bottom - 2 || padBottom === 0);
return {covers, ids, first: first.top, last: last.bottom, top: view.top, bottom: view.bottom};
"#;
    let mut seen: Vec<String> = Vec::new();
    let mut last_top = -1.0f64;
    for step in 0..2000u32 {
        let v = browser
            .run_script(STEP, vec![json!(step)], "scrolling the job list")
            .await?;
        let top = v["top"].as_f64().unwrap_or(0.0);
        let done = v["done"].as_bool().unwrap_or(true);
        let ids = try_wait_for(
            "the list to render the window of its scroll position",
            default_timeout(),
            || async {
                let v = browser
                    .run_script(RENDERED_WINDOW, vec![], "reading the rendered window")
                    .await?;
                if v["covers"] == json!(true) {
                    serde_json::from_value::<Vec<String>>(v["ids"].clone())
                        .map_err(|e| Error::msg(format!("card ids: {e}")))
                } else {
                    Err(Error::msg(format!(
                        "rendered cards do not cover the viewport: {v}"
                    )))
                }
            },
        )
        .await?;
        for id in ids {
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
        if done || (top - last_top).abs() < 0.5 {
            break;
        }
        last_top = top;
    }
    browser
        .client()
        .execute(
            "const s = document.querySelector('[data-testid=\"job-scroller\"]'); \
             if (s) { s.scrollTop = 0; s.dispatchEvent(new Event('scroll')); }",
            vec![],
        )
        .await
        .context("scrolling the job list back up")?;
    Ok(seen)
}

/// Types `text` into the search box (replacing what it held) with real key presses.
pub async fn search(browser: &Browser, text: &str) -> Result<()> {
    let input = browser.wait_testid("filter-search").await;
    // Select what is there, so typing replaces it.
    input.click().await.context("focusing the search box")?;
    browser
        .run_script(
            "document.querySelector('[data-testid=\"filter-search\"]').select();",
            vec![],
            "selecting the search text",
        )
        .await?;
    if text.is_empty() {
        press_key(browser, Key::Backspace).await
    } else {
        type_text(browser, text).await
    }
}

/// The current URL's fragment, without `#` (`/jobs?status=failed`).
pub async fn hash(browser: &Browser) -> Result<String> {
    let url = browser.current_url().await?;
    Ok(url
        .split_once('#')
        .map(|(_, h)| h.to_string())
        .unwrap_or_default())
}

/// Waits until the list's summary (`data-testid=list-summary`, "2 of 7 jobs") reads exactly
/// `text`; returns it.
pub async fn wait_summary(browser: &Browser, text: &str) -> String {
    browser.wait_text_eq(&testid("list-summary"), text).await
}

/// The confirm button of the dialog `[data-testid=<dialog>]`.
pub fn confirm_button(dialog: &str) -> String {
    format!("{} {}", testid(dialog), testid("confirm-button"))
}

// ---- the backend's side -----------------------------------------------------------------------

/// Every job the backend has (`GET /jobs?limit=5000`), by id.
pub async fn backend_jobs(stack: &Stack) -> BTreeMap<String, Value> {
    let (status, body) = stack.api_get("jobs?limit=5000").await;
    assert_eq!(status, 200, "GET /jobs: {body}");
    body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|j| Some((j["id"].as_str()?.to_string(), j)))
        .collect()
}

/// The backend's per-status counts (`GET /jobs` `counts`).
pub async fn backend_counts(stack: &Stack) -> BTreeMap<String, u64> {
    let (status, body) = stack.api_get("jobs?limit=1").await;
    assert_eq!(status, 200, "GET /jobs: {body}");
    body["counts"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

/// Starts jobs with one `POST /jobs/bulk/start`; returns the created jobs' ids in order.
pub async fn bulk_start(stack: &Stack, jobs: Vec<Value>) -> Vec<String> {
    let n = jobs.len();
    let (status, body) = stack
        .api_post("jobs/bulk/start", json!({ "jobs": jobs }))
        .await;
    assert_eq!(status, 200, "POST /jobs/bulk/start: {body}");
    assert_eq!(body["ok"], json!(n), "bulk start refused items: {body}");
    body["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A job's `status` string.
pub fn status_of(job: &Value) -> &str {
    job["status"].as_str().unwrap_or_default()
}

/// `20000` → `20,000`, as the page writes numbers.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
