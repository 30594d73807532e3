//! The app's DOM contract as the tests see it: the `data-testid` selectors the Yew app renders,
//! and snapshots of rendered views read in one script call (atomic, and far faster than one
//! WebDriver round trip per element).

use serde::Deserialize;
use serde_json::Value;

use crate::browser::Browser;
use crate::error::{Error, Result};

/// The jobs list view.
pub const JOBS_PAGE: &str = "[data-testid=\"jobs-page\"]";
/// Shown while the list loads (`role=status`).
pub const JOBS_LOADING: &str = "[data-testid=\"jobs-loading\"]";
/// Shown when the list failed to load (`role=alert`, with a "Retry" button).
pub const JOBS_ERROR: &str = "[data-testid=\"jobs-error\"]";
/// Shown when there are no jobs (with a "Start Processing" button).
pub const JOBS_EMPTY: &str = "[data-testid=\"jobs-empty\"]";
/// One job in the list (`data-job-id`, `data-status`).
pub const JOB_CARD: &str = "[data-testid=\"job-card\"]";
/// The job detail view (`data-job-id`).
pub const JOB_DETAIL: &str = "[data-testid=\"job-detail\"]";
/// A job's status text, inside a card or the detail view.
pub const JOB_STATUS: &str = "[data-testid=\"job-status\"]";
/// The not-found view.
pub const NOT_FOUND: &str = "[data-testid=\"not-found\"]";

/// The card of one job.
pub fn job_card(id: &str) -> String {
    format!("{JOB_CARD}[data-job-id=\"{id}\"]")
}

/// The detail view of one job.
pub fn job_detail(id: &str) -> String {
    format!("{JOB_DETAIL}[data-job-id=\"{id}\"]")
}

/// What one job card shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JobCardView {
    /// `data-job-id`.
    pub id: String,
    /// `data-status`.
    pub status: String,
    /// Text of `[data-testid=job-status]` (trimmed; empty if absent).
    pub status_text: String,
    /// Text of `[data-testid=job-dataset]`.
    pub dataset: String,
    /// Text of `[data-testid=job-kind]`.
    pub kind: String,
    /// `href` attributes of the card's links.
    pub links: Vec<String>,
}

const READ_CARDS: &str = r#"
const text = (root, id) => {
  const el = root.querySelector(`[data-testid="${id}"]`);
  return el ? el.textContent.trim() : "";
};
return Array.from(document.querySelectorAll('[data-testid="job-card"]')).map(card => ({
  id: card.getAttribute("data-job-id") || "",
  status: card.getAttribute("data-status") || "",
  status_text: text(card, "job-status"),
  dataset: text(card, "job-dataset"),
  kind: text(card, "job-kind"),
  links: Array.from(card.querySelectorAll("a[href]")).map(a => a.getAttribute("href")),
}));
"#;

/// Every job card on the page right now, in document order.
pub async fn read_job_cards(browser: &Browser) -> Result<Vec<JobCardView>> {
    let value: Value = browser
        .run_script(READ_CARDS, vec![], "reading job cards")
        .await?;
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("job cards had an unexpected shape ({e}): {value}")))
}

/// Whether a shown status text names `status` (case-insensitive; the text may carry an icon or
/// extra words, the status word must be there).
pub fn status_text_matches(text: &str, status: &str) -> bool {
    text.to_lowercase().contains(&status.to_lowercase())
}
