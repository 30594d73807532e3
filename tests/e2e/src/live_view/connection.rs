//! The connection indicator as resilience tests read it (now, and every change since an
//! in-page recorder was installed, with browser timestamps), and the wall-clock helpers that
//! relate test-side instants to those timestamps (when the API answered again, medians).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use crate::browser::Browser;
use crate::error::{Error, Result};
use crate::http::ApiClient;
use crate::stack::Stack;

/// Milliseconds since the Unix epoch, the clock the browser's `Date.now()` uses.
pub fn epoch_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

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

pub(super) const READ_CONNECTION_JS: &str = r#"
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
        .run_script(&script, vec![], "reading the connection indicator")
        .await?;
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
        .run_script(
            INSTALL_RECORDER_JS,
            vec![],
            "installing the connection recorder",
        )
        .await?;
    Ok(())
}

/// Every change recorded since [`install_connection_recorder`], oldest first.
pub async fn connection_history(browser: &Browser) -> Result<Vec<StateChange>> {
    let value = browser
        .run_script(
            "return window.__e2eConnLog || [];",
            vec![],
            "reading the connection recorder",
        )
        .await?;
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

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[5, 1, 3]), 3);
        assert_eq!(median(&[4, 1, 3, 2]), 2);
        assert_eq!(median(&[]), 0);
    }
}
