//! The element helpers tests use on a [`Browser`]: find all matching now, wait for one (by CSS
//! or `data-testid`), wait for a text, wait for an element to go, and run a script of the
//! harness's own.

use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::Locator;
use serde_json::Value;

use super::Browser;
use crate::error::{Context, Result};
use crate::wait::{default_timeout, wait_for};

/// `[data-testid="<id>"]`.
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

impl Browser {
    /// All elements matching `css` right now (no waiting).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .context(format!("finding `{css}`"))
    }

    /// Waits (default timeout) for an element matching `css`.
    pub async fn wait_css(&self, css: &str) -> Element {
        self.wait_css_within(css, default_timeout()).await
    }

    /// Waits up to `timeout` for an element matching `css`.
    pub async fn wait_css_within(&self, css: &str, timeout: Duration) -> Element {
        wait_for(&format!("an element matching `{css}`"), timeout, || async {
            self.client.find(Locator::Css(css)).await
        })
        .await
    }

    /// Waits for `[data-testid="<id>"]`.
    pub async fn wait_testid(&self, id: &str) -> Element {
        self.wait_css(&testid(id)).await
    }

    /// Waits until the first element matching `css` has a text for which `pred` holds; returns
    /// that text. `what` describes the expectation for the timeout message.
    pub async fn wait_text<P>(&self, css: &str, what: &str, pred: P) -> String
    where
        P: Fn(&str) -> bool,
    {
        wait_for(
            &format!("`{css}` to have text {what}"),
            default_timeout(),
            || async {
                let el = self
                    .client
                    .find(Locator::Css(css))
                    .await
                    .map_err(|e| e.to_string())?;
                let text = el.text().await.map_err(|e| e.to_string())?;
                if pred(&text) {
                    Ok(text)
                } else {
                    Err(format!("text was {text:?}"))
                }
            },
        )
        .await
    }

    /// Waits until no element matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        wait_for(
            &format!("`{css}` to disappear"),
            default_timeout(),
            || async {
                match self.client.find_all(Locator::Css(css)).await {
                    Ok(found) if found.is_empty() => Ok(()),
                    Ok(found) => Err(format!("{} still present", found.len())),
                    Err(e) => Err(e.to_string()),
                }
            },
        )
        .await
    }

    /// Waits until the first element matching `css` reads exactly `text`; returns it.
    pub async fn wait_text_eq(&self, css: &str, text: &str) -> String {
        self.wait_text(css, text, |t| t == text).await
    }

    /// Runs one of the harness's scripts in the page (`what` names it in the error) and
    /// returns its result.
    pub async fn run_script(&self, script: &str, args: Vec<Value>, what: &str) -> Result<Value> {
        self.client
            .execute(script, args)
            .await
            .context(what.to_string())
    }
}
