//! What a [`Browser`] leaves for a failed test: the console log (drained from chromedriver and
//! kept, since each read returns only new entries), a screenshot, and the whole set (screenshot,
//! console, URL, page source) written synchronously, so it works from `Drop` while a test panics.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::{block_on_runtime, on_runtime, Browser};
use crate::error::{Context, Error, Result};

impl Browser {
    /// Every browser console entry of this session so far (`{level, message, timestamp}`).
    pub async fn console_log(&self) -> Result<Vec<Value>> {
        let rt = self.runtime()?;
        let fut = fetch_console(
            self.http.clone(),
            self.driver_port,
            self.session_id.clone(),
            self.console.clone(),
        );
        on_runtime(rt, fut).await
    }

    /// Saves a PNG screenshot of the viewport to `path`.
    pub async fn screenshot_to(&self, path: &Path) -> Result<()> {
        let png = self
            .client
            .screenshot()
            .await
            .context("taking a screenshot")?;
        std::fs::write(path, png).context(format!("writing {}", path.display()))
    }

    /// Saves screenshot, console log, URL and page source into `dir`, synchronously (usable in
    /// `Drop` while a test panics). Returns what was written or why it was not.
    pub fn save_artifacts_blocking(&self, dir: &Path) -> Vec<String> {
        let Ok(rt) = self.runtime() else {
            return vec!["browser runtime already shut down".into()];
        };
        let client = self.client.clone();
        let console = fetch_console(
            self.http.clone(),
            self.driver_port,
            self.session_id.clone(),
            self.console.clone(),
        );
        let dir = dir.to_path_buf();
        let work = async move {
            let mut notes = Vec::new();
            let shot = dir.join("screenshot.png");
            match client.screenshot().await {
                Ok(png) => notes.push(write_note(&shot, &png)),
                Err(e) => notes.push(format!("screenshot failed: {e}")),
            }
            match client.current_url().await {
                Ok(url) => notes.push(write_note(&dir.join("url.txt"), url.as_str().as_bytes())),
                Err(e) => notes.push(format!("current URL unavailable: {e}")),
            }
            match client.source().await {
                Ok(html) => notes.push(write_note(&dir.join("page.html"), html.as_bytes())),
                Err(e) => notes.push(format!("page source unavailable: {e}")),
            }
            match console.await {
                Ok(entries) => {
                    let text = format_console(&entries);
                    let tail = format_console(&entries[entries.len().saturating_sub(40)..]);
                    eprintln!(
                        "---- browser console ({} entries, last 40 shown) ----\n{tail}",
                        entries.len()
                    );
                    notes.push(write_note(&dir.join("console.log"), text.as_bytes()));
                }
                Err(e) => notes.push(format!("console log unavailable: {e}")),
            }
            notes
        };
        block_on_runtime(rt, work, Duration::from_secs(20))
            .unwrap_or_else(|| vec!["saving browser artifacts timed out".into()])
    }
}

/// Drains chromedriver's browser log (each call returns only new entries) into `store` and
/// returns everything stored.
async fn fetch_console(
    http: reqwest::Client,
    port: u16,
    session: String,
    store: Arc<Mutex<Vec<Value>>>,
) -> Result<Vec<Value>> {
    let url = format!("http://127.0.0.1:{port}/session/{session}/se/log");
    let body: Value = http
        .post(&url)
        .json(&json!({"type": "browser"}))
        .send()
        .await
        .context("requesting the browser log")?
        .json()
        .await
        .context("reading the browser log")?;
    let fresh = match body.get("value") {
        Some(Value::Array(entries)) => entries.clone(),
        _ => return Err(Error::msg(format!("unexpected log answer: {body}"))),
    };
    let mut all = store.lock().unwrap_or_else(|p| p.into_inner());
    all.extend(fresh);
    Ok(all.clone())
}

/// One line per console entry: `<level> <message>`.
pub fn format_console(entries: &[Value]) -> String {
    entries
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["level"].as_str().unwrap_or("?"),
                e["message"].as_str().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_note(path: &Path, bytes: &[u8]) -> String {
    match std::fs::write(path, bytes) {
        Ok(()) => format!("wrote {}", path.display()),
        Err(e) => format!("cannot write {}: {e}", path.display()),
    }
}
