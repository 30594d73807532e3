//! The Jobs page driven and read the way its end-to-end tests need it: clicks and keyboard
//! input through WebDriver (real, trusted events), one-script snapshots of a card or the detail
//! view, the element that has focus, every job id of the virtualised list (by scrolling it), and
//! in-page recorders of the page's own `fetch` calls and of status changes with browser
//! timestamps, so a test can say what was sent and how fast the page answered a click.

use std::collections::BTreeMap;
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::Locator;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::browser::{testid, Browser};
use crate::error::{Context, Error, Result};
use crate::stack::Stack;
use crate::wait::{default_timeout, try_wait_for};

/// Pause between the key-down and key-up of one key press (and between presses).
const KEY_PAUSE: Duration = Duration::from_millis(20);

// ---- clicking ---------------------------------------------------------------------------------

/// Waits (default timeout) for an element matching `css` and clicks it (a real WebDriver click:
/// scrolled into view, trusted event).
pub async fn click(browser: &Browser, css: &str) -> Result<()> {
    let el = try_wait_for(
        &format!("an element matching `{css}` to click"),
        default_timeout(),
        || async { browser.client().find(Locator::Css(css)).await },
    )
    .await?;
    el.click().await.context(format!("clicking `{css}`"))
}

/// Clicks `[data-testid=<id>]`.
pub async fn click_testid(browser: &Browser, id: &str) -> Result<()> {
    click(browser, &testid(id)).await
}

/// Clicks the element `[data-testid=<inner>]` inside the card of job `job_id`.
pub async fn click_in_card(browser: &Browser, job_id: &str, inner: &str) -> Result<()> {
    click(browser, &format!("{} {}", card_css(job_id), testid(inner))).await
}

/// Clicks `el` with Shift held (a real pointer click, as a user extends a selection).
pub async fn shift_click(browser: &Browser, el: &Element) -> Result<()> {
    // Bring the element on screen first: pointer moves need it in the viewport.
    browser
        .client()
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(el).context("serialising an element")?],
        )
        .await
        .context("scrolling an element into view")?;
    let shift: char = Key::Shift.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(KeyAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(KeyAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(KeyAction::Up { value: shift });
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(PointerAction::MoveToElement {
            element: el.clone(),
            duration: None,
            x: 0,
            y: 0,
        })
        .then(PointerAction::Down {
            button: fantoccini::actions::MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: fantoccini::actions::MOUSE_BUTTON_LEFT,
        });
    let actions = fantoccini::actions::Actions::from(keys).and(mouse);
    browser
        .client()
        .perform_actions(actions)
        .await
        .context("shift-click")?;
    browser
        .client()
        .release_actions()
        .await
        .context("releasing input state")
}

// ---- keyboard ---------------------------------------------------------------------------------

/// Presses and releases one key (a character or a [`Key`] code) wherever focus is, as the
/// user's keyboard would: no element is focused or clicked first.
pub async fn press(browser: &Browser, key: char) -> Result<()> {
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(KeyAction::Up { value: key });
    browser
        .client()
        .perform_actions(actions)
        .await
        .context(format!("pressing key U+{:04X}", key as u32))
}

/// Presses [`Key`] `key`.
pub async fn press_key(browser: &Browser, key: Key) -> Result<()> {
    press(browser, key.into()).await
}

/// Shift+`key`.
pub async fn press_shifted(browser: &Browser, key: Key) -> Result<()> {
    let shift: char = Key::Shift.into();
    let k: char = key.into();
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Down { value: k })
        .then(KeyAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(KeyAction::Up { value: k })
        .then(KeyAction::Up { value: shift });
    browser
        .client()
        .perform_actions(actions)
        .await
        .context("pressing Shift+key")
}

/// Types `text` wherever focus is, one key press per character.
pub async fn type_text(browser: &Browser, text: &str) -> Result<()> {
    let mut actions = KeyActions::new("keyboard".into());
    for c in text.chars() {
        actions = actions
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    browser
        .client()
        .perform_actions(actions)
        .await
        .context(format!("typing {text:?}"))
}

/// What has focus (`document.activeElement`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Focused {
    /// Lower-case tag name (`body` when nothing in particular has focus).
    pub tag: String,
    /// `data-testid` of the element itself (empty if none).
    pub testid: String,
    /// Its visible text, trimmed (buttons and links).
    pub text: String,
    /// `aria-label`.
    pub label: String,
    /// `type` attribute (inputs).
    pub kind: String,
    /// `data-testid` of the `role=dialog` it is in (empty outside dialogs; `"dialog"` for a
    /// dialog without test id).
    pub dialog: String,
    /// `data-job-id` of the job card it is in (empty outside cards).
    pub card: String,
}

impl Focused {
    /// One line for messages.
    pub fn describe(&self) -> String {
        format!(
            "<{} testid={:?} text={:?} aria-label={:?} dialog={:?} card={:?}>",
            self.tag, self.testid, self.text, self.label, self.dialog, self.card
        )
    }
}

const READ_FOCUS: &str = r#"
const el = document.activeElement || document.body;
const dialog = el.closest ? el.closest('[role="dialog"]') : null;
const card = el.closest ? el.closest('[data-testid="job-card"]') : null;
return {
  tag: el.tagName.toLowerCase(),
  testid: el.getAttribute('data-testid') || '',
  text: (el.innerText || el.textContent || '').trim().slice(0, 200),
  label: el.getAttribute('aria-label') || '',
  kind: el.getAttribute('type') || '',
  dialog: dialog ? (dialog.getAttribute('data-testid') || 'dialog') : '',
  card: card ? (card.getAttribute('data-job-id') || '') : '',
};
"#;

/// The element that has focus now.
pub async fn focused(browser: &Browser) -> Result<Focused> {
    let v = browser
        .client()
        .execute(READ_FOCUS, vec![])
        .await
        .context("reading document.activeElement")?;
    serde_json::from_value(v.clone())
        .map_err(|e| Error::msg(format!("unexpected focus snapshot ({e}): {v}")))
}

/// Presses Tab (Shift+Tab with `backwards`) until `pred` holds for the focused element, at most
/// `max` times; returns it and how many presses it took. The error lists every stop on the way.
pub async fn tab_until<P>(
    browser: &Browser,
    what: &str,
    max: usize,
    backwards: bool,
    pred: P,
) -> Result<(Focused, usize)>
where
    P: Fn(&Focused) -> bool,
{
    let mut path = Vec::new();
    for n in 1..=max {
        if backwards {
            press_shifted(browser, Key::Tab).await?;
        } else {
            press_key(browser, Key::Tab).await?;
        }
        let f = focused(browser).await?;
        if pred(&f) {
            return Ok((f, n));
        }
        path.push(f.describe());
    }
    Err(Error::msg(format!(
        "{max} Tab presses did not reach {what}; focus went through:\n  {}",
        path.join("\n  ")
    )))
}

/// Waits until the focused element satisfies `pred`.
pub async fn wait_focus<P>(browser: &Browser, what: &str, pred: P) -> Result<Focused>
where
    P: Fn(&Focused) -> bool,
{
    try_wait_for(&format!("focus on {what}"), default_timeout(), || async {
        let f = focused(browser).await.map_err(|e| e.to_string())?;
        if pred(&f) {
            Ok(f)
        } else {
            Err(format!("focus is on {}", f.describe()))
        }
    })
    .await
}

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
            .client()
            .execute(STEP, vec![json!(step)])
            .await
            .context("scrolling the job list")?;
        let top = v["top"].as_f64().unwrap_or(0.0);
        let done = v["done"].as_bool().unwrap_or(true);
        let ids = try_wait_for(
            "the list to render the window of its scroll position",
            default_timeout(),
            || async {
                let v = browser
                    .client()
                    .execute(RENDERED_WINDOW, vec![])
                    .await
                    .context("reading the rendered window")?;
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
        .client()
        .execute(
            "document.querySelector('[data-testid=\"filter-search\"]').select();",
            vec![],
        )
        .await
        .context("selecting the search text")?;
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

// ---- in-page recorders ------------------------------------------------------------------------

/// One `fetch` the page made after [`install_recorders`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FetchCall {
    pub method: String,
    pub url: String,
    /// `performance.now()` when it was called.
    pub t: f64,
    /// When its promise settled (`None` while in flight).
    pub settled: Option<f64>,
    /// HTTP status, or 0 when it failed without an answer.
    pub status: Option<u16>,
    /// The request body as text (first 100,000 characters; `None` without a body, or while a
    /// `Request` object's body is still being read).
    #[serde(default)]
    pub body: Option<String>,
}

/// One status change of a card or the detail view, seen by a `MutationObserver`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StatusChange {
    pub t: f64,
    /// `job-card` or `job-detail`.
    pub testid: String,
    pub id: String,
    pub status: String,
}

/// A click seen by a capture-phase listener on the document.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClickRecord {
    pub t: f64,
    /// `data-testid` of the closest element having one.
    pub testid: String,
}

/// What the recorders saw.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Recorded {
    pub fetches: Vec<FetchCall>,
    pub changes: Vec<StatusChange>,
    pub clicks: Vec<ClickRecord>,
    /// `performance.now()` when read.
    pub now: f64,
}

impl Recorded {
    /// Fetches with `method` whose URL path ends with `suffix` (query ignored).
    pub fn fetches_to(&self, method: &str, suffix: &str) -> Vec<&FetchCall> {
        self.fetches
            .iter()
            .filter(|f| f.method.eq_ignore_ascii_case(method))
            .filter(|f| {
                let path = f.url.split('?').next().unwrap_or_default();
                path.ends_with(suffix)
            })
            .collect()
    }
}

const INSTALL_RECORDERS: &str = r#"
if (window.__e2e) return false;
const rec = {fetches: [], changes: [], clicks: []};
window.__e2e = rec;
const orig = window.fetch;
window.fetch = function (input, init) {
  const url = typeof input === 'string' ? input : (input && input.url) || String(input);
  const method = ((init && init.method) || (input && input.method) || 'GET').toUpperCase();
  const entry = {method, url, t: performance.now(), settled: null, status: null, body: null};
  rec.fetches.push(entry);
  const cap = t => { entry.body = String(t).slice(0, 100000); };
  if (init && typeof init.body === 'string') cap(init.body);
  else if (input instanceof Request && method !== 'GET' && method !== 'HEAD') {
    // Read a copy: the real fetch consumes the original's body.
    try { input.clone().text().then(cap, () => {}); } catch (e) {}
  }
  const p = orig.apply(this, arguments);
  p.then(r => { entry.settled = performance.now(); entry.status = r.status; },
         () => { entry.settled = performance.now(); entry.status = 0; });
  return p;
};
const note = el => {
  if (!el || !el.getAttribute) return;
  const testid = el.getAttribute('data-testid');
  if (testid !== 'job-card' && testid !== 'job-detail') return;
  rec.changes.push({t: performance.now(), testid, id: el.getAttribute('data-job-id') || '',
                    status: el.getAttribute('data-status') || ''});
};
new MutationObserver(muts => {
  for (const m of muts) {
    if (m.type === 'attributes') note(m.target);
    else for (const n of m.addedNodes) {
      note(n);
      if (n.querySelectorAll) n.querySelectorAll('[data-testid="job-card"],[data-testid="job-detail"]').forEach(note);
    }
  }
}).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                        attributeFilter: ['data-status']});
document.addEventListener('click', e => {
  const el = e.target && e.target.closest ? e.target.closest('[data-testid]') : null;
  rec.clicks.push({t: performance.now(), testid: el ? el.getAttribute('data-testid') : ''});
}, true);
return true;
"#;

/// Installs (once per page load) a spy on `window.fetch` recording method, URL, body, start
/// and end of every request the page makes, a `MutationObserver` recording every `data-status`
/// change of cards and the detail view, and a click recorder. The page's behaviour is unchanged: the
/// spy calls the real `fetch` and returns its promise.
pub async fn install_recorders(browser: &Browser) -> Result<()> {
    browser
        .client()
        .execute(INSTALL_RECORDERS, vec![])
        .await
        .context("installing the in-page recorders")?;
    Ok(())
}

/// What the recorders saw so far.
pub async fn recorded(browser: &Browser) -> Result<Recorded> {
    let v = browser
        .client()
        .execute(
            "const r = window.__e2e || {fetches: [], changes: [], clicks: []}; \
             return {fetches: r.fetches, changes: r.changes, clicks: r.clicks, now: performance.now()};",
            vec![],
        )
        .await
        .context("reading the in-page recorders")?;
    serde_json::from_value(v.clone())
        .map_err(|e| Error::msg(format!("unexpected recorder content ({e}): {v}")))
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

/// Clicks the button inside `[data-testid=<scope>]` whose visible text is exactly `text` (for
/// buttons without a test id, such as "Clear selection").
pub async fn click_button_text(browser: &Browser, scope: &str, text: &str) -> Result<()> {
    let xpath = format!("//*[@data-testid='{scope}']//button[normalize-space(.)='{text}']");
    let el = try_wait_for(
        &format!("a button {text:?} in {scope}"),
        default_timeout(),
        || async { browser.client().find(Locator::XPath(&xpath)).await },
    )
    .await?;
    el.click()
        .await
        .context(format!("clicking {text:?} in {scope}"))
}
