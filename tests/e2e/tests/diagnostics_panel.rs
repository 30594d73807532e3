//! The diagnostics panel and the structured console log, against a running backend.
//!
//! The panel opens from the connection indicator as a modal dialog (focus moves in, Escape
//! closes it and gives focus back) and shows live figures that agree with what is going on:
//! WebSocket live with a growing uptime, a positive event rate and a recent last event while
//! two jobs run, event-to-screen latency percentiles, the jobs held equal to the backend's,
//! the wasm memory, the app version and the config in use. Its switch turns debug lines on at
//! run time. The console then holds the job transitions the page saw and the user's cancel
//! with its result, one `[jobs] LEVEL area: message {json}` line each.

use std::time::Instant;

use jobs_e2e::fantoccini::key::Key;
use jobs_e2e::jobs_ui::{attr_of, click, click_in_card, confirm_button, count, press_key, text_of};
use jobs_e2e::live_view::wait_connection;
use jobs_e2e::{job_id, testid, timeout_secs, wait_for, Browser, Stack};
use serde_json::json;

const OPEN: &str = "[data-testid=\"connection\"] [data-testid=\"diagnostics-open\"]";
const PANEL: &str = "[data-testid=\"diagnostics-panel\"]";

/// The text of the figure `slug` (`diag-<slug>`).
async fn figure(browser: &Browser, slug: &str) -> String {
    text_of(browser, &testid(&format!("diag-{slug}")))
        .await
        .unwrap()
        .unwrap_or_default()
}

/// The first number in `text` (`"12.5 (last 10 s)"` → 12.5).
fn number(text: &str) -> Option<f64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// `(p50, p95)` from `p50 35 ms, p95 60 ms (…)`.
fn percentiles(text: &str) -> Option<(f64, f64)> {
    let p50 = number(text.strip_prefix("p50 ")?)?;
    let p95 = number(text.split_once("p95 ")?.1)?;
    Some((p50, p95))
}

async fn focused_in_panel(browser: &Browser) -> bool {
    let v = browser
        .client()
        .execute(
            "const d = document.querySelector(arguments[0]); \
             return !!d && d.contains(document.activeElement);",
            vec![json!(PANEL)],
        )
        .await
        .unwrap();
    v == json!(true)
}

/// Console lines of the app, with chromedriver's quoting undone.
async fn app_lines(browser: &Browser) -> Vec<String> {
    browser
        .console_log()
        .await
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .filter(|m| m.contains("[jobs] "))
        .map(|m| m.replace("\\\"", "\""))
        .collect()
}

#[tokio::test]
async fn diagnostics_panel_shows_live_figures_and_the_log_follows_the_jobs() {
    let stack = Stack::builder().workers(2).start().await;
    stack.open("/jobs").await;
    let browser = stack.browser();
    wait_connection(browser, &["live"], timeout_secs(20)).await;
    let t0 = Instant::now();

    // Opens as a dialog with focus inside; debug on at run time.
    click(browser, OPEN).await.unwrap();
    browser.wait_css(PANEL).await;
    assert_eq!(
        attr_of(browser, PANEL, "role").await.unwrap().as_deref(),
        Some("dialog")
    );
    assert!(
        focused_in_panel(browser).await,
        "focus did not move into the panel"
    );
    click(browser, &testid("diagnostics-debug")).await.unwrap();

    // Two jobs of about 25 s each, started once the page is live, so it sees them appear.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let job = stack
            .create_job(
                "ds_sensors",
                "profile",
                json!({"chunk_rows": 200, "chunk_delay_ms": 100}),
            )
            .await;
        ids.push(job_id(&job));
    }

    let figures = wait_for(
        "live figures while the jobs run",
        timeout_secs(20),
        || async {
            let rate = figure(browser, "events-per-second").await;
            let latency = figure(browser, "event-to-screen-latency").await;
            let held = figure(browser, "jobs-in-memory").await;
            let last = figure(browser, "last-event").await;
            let ok = number(&rate).is_some_and(|r| r >= 1.0)
                && percentiles(&latency).is_some()
                && held == "2"
                && last.ends_with("s ago");
            if ok {
                Ok((rate, latency, last))
            } else {
                Err(format!(
                    "events/s {rate:?}, latency {latency:?}, jobs {held:?}, last {last:?}"
                ))
            }
        },
    )
    .await;
    let (rate, latency, last) = figures;
    let (p50, p95) = percentiles(&latency).unwrap();
    assert!(p50 <= p95, "{latency}");
    assert!(p95 < 5_000.0, "event-to-screen p95 over 5 s: {latency}");
    assert!(number(&last).unwrap() < 5.0, "last event {last}");
    let ws = figure(browser, "websocket").await;
    assert!(ws.starts_with("live, up for"), "websocket: {ws:?}");
    // Refreshed every second while open: the uptime moves on.
    wait_for("the uptime to move on", timeout_secs(5), || async {
        let now = figure(browser, "websocket").await;
        if now != ws {
            Ok(())
        } else {
            Err(format!("still {now:?}"))
        }
    })
    .await;
    let memory = number(&figure(browser, "wasm-memory").await).unwrap_or(0.0);
    assert!(memory > 0.0, "wasm memory {memory}");
    let version = figure(browser, "app-version").await;
    let manifest = include_str!("../../../Cargo.toml");
    assert!(
        manifest.contains(&format!("version = \"{version}\"")),
        "app version {version:?} is not the crate's"
    );
    assert_eq!(figure(browser, "resyncs").await, "0");
    assert_eq!(figure(browser, "polling").await, "off");
    assert_eq!(figure(browser, "log-level").await, "debug");
    let config_json = browser
        .client()
        .execute(
            "const p = document.querySelector('[data-testid=\"diagnostics-config\"]'); \
             return p ? p.textContent : '';",
            vec![],
        )
        .await
        .unwrap();
    let config_json: serde_json::Value =
        serde_json::from_str(config_json.as_str().unwrap_or_default()).unwrap_or_default();
    assert_eq!(
        config_json["api_base"],
        json!(stack.api_base()),
        "config shown: {config_json}"
    );
    println!("figures: events/s {rate}; latency {latency}; last event {last}; {ws}");

    // Escape closes it and gives focus back to the button.
    press_key(browser, Key::Escape).await.unwrap();
    browser.wait_gone(PANEL).await;
    let back = browser
        .client()
        .execute(
            "return document.activeElement && document.activeElement.getAttribute('data-testid');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(back, json!("diagnostics-open"), "focus did not return");

    // A user action, logged with its scope and result.
    let cancelled = &ids[0];
    click_in_card(browser, cancelled, "job-cancel")
        .await
        .unwrap();
    click(browser, &confirm_button("confirm-cancel"))
        .await
        .unwrap();
    stack
        .wait_job(cancelled, "cancelled", timeout_secs(20), |j| {
            j["status"] == json!("cancelled")
        })
        .await;

    let id_field = |id: &str| format!("\"job_id\":\"{id}\"");
    let lines = wait_for("the log lines", timeout_secs(10), || async {
        let lines = app_lines(browser).await;
        let has = |f: &dyn Fn(&str) -> bool| lines.iter().any(|l| f(l));
        let missing: Vec<&str> = [
            (
                "debug switched on",
                has(&|l| l.contains("[jobs] INFO diagnostics: debug logging on")),
            ),
            (
                "cancel requested (debug)",
                has(&|l| {
                    l.contains("[jobs] DEBUG action: cancel requested")
                        && l.contains(&id_field(cancelled))
                }),
            ),
            (
                "cancel accepted",
                has(&|l| {
                    l.contains("[jobs] INFO action: cancel accepted")
                        && l.contains(&id_field(cancelled))
                        && l.contains("\"result\":\"ok\"")
                }),
            ),
            (
                "cancelled transition",
                has(&|l| {
                    l.contains("[jobs] INFO job: ")
                        && l.contains(&id_field(cancelled))
                        && l.contains("\"to\":\"cancelled\"")
                }),
            ),
            (
                "the other job seen queued then running",
                has(&|l| {
                    l.contains("[jobs] INFO job: ")
                        && l.contains(&id_field(&ids[1]))
                        && l.contains("\"from\":null")
                        && l.contains("\"to\":\"queued\"")
                }) && has(&|l| {
                    l.contains("[jobs] INFO job: ")
                        && l.contains(&id_field(&ids[1]))
                        && l.contains("\"from\":\"queued\"")
                        && l.contains("\"to\":\"running\"")
                }),
            ),
        ]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(what, _)| what)
        .collect();
        if missing.is_empty() {
            Ok(lines)
        } else {
            Err(format!("missing: {missing:?}"))
        }
    })
    .await;
    for l in lines.iter().filter(|l| l.contains(&id_field(cancelled))) {
        println!("log: {l}");
    }
    assert_eq!(count(browser, PANEL).await.unwrap(), 0);
    println!("test body {:.1}s", t0.elapsed().as_secs_f64());
}
