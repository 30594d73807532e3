//! The log viewer's rendered rows, read in one script call: each row's line number, classes,
//! level (text, classes, colour), text and every token element inside it.

use serde::Deserialize;
use serde_json::Value;

use crate::browser::Browser;
use crate::error::{Error, Result};

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
        .run_script(READ_ROWS, vec![], "reading the log rows")
        .await?;
    serde_json::from_value(value.clone())
        .map_err(|e| Error::msg(format!("unexpected rows snapshot ({e}): {value}")))
}
