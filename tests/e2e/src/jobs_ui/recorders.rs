//! In-page recorders of the Jobs page, installed by a test: a spy on the page's own `fetch`
//! calls (method, URL, body, start and end), every status change of cards and the detail view
//! with browser timestamps, and clicks, so a test can say what was sent and how fast the page
//! answered a click.

use serde::Deserialize;

use crate::browser::Browser;
use crate::error::{Context, Error, Result};

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
        .run_script(
            INSTALL_RECORDERS,
            vec![],
            "installing the in-page recorders",
        )
        .await?;
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
