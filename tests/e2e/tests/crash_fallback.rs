//! A panic replaces the page with the crash fallback and tells the host.
//!
//! `?crash_test=1` makes the release build (`panic = "abort"`) panic on purpose about 1.5 s
//! after start (`src/services/crash.rs`). Standalone: the app is up first, then the fallback
//! replaces it (not a blank page): the words, a focused "Reload" that really reloads, the
//! panic message and location in a read-only details box, "Copy details" still answering after
//! the abort, and an error line in the console. Embedded in a same-origin parent page (served
//! by the stack's static server, recording every message it receives): the parent gets
//! `ready` and then `error` with the panic message, from the app's origin.

use std::time::Instant;

use jobs_e2e::jobs_ui::{attr_of, click, count, text_of};
use jobs_e2e::{testid, timeout_secs, wait_for, Browser, Stack};
use serde_json::{json, Value};

/// The deliberate panic's message (`CRASH_TEST_MESSAGE` in `src/services/crash.rs`).
const CRASH_MESSAGE: &str = "crash test: the page was opened with ?crash_test=1";

/// A parent page that frames the app with the crash trigger and records what it is told. Its
/// script is a file of its own: the static server's CSP allows no inline script.
const HOST_HTML: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>crash host</title>
<script src="host.js"></script></head>
<body><iframe id="app" title="Jobs" width="1000" height="700"
  src="/apps/jobs/?crash_test=1#/jobs"></iframe></body></html>
"#;
const HOST_JS: &str = r#"window.__messages = [];
window.addEventListener("message", (e) => {
  window.__messages.push({origin: e.origin, data: e.data});
});
"#;

async fn js(browser: &Browser, script: &str) -> Value {
    browser
        .client()
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("running `{script}`: {e}"))
}

#[tokio::test]
async fn a_panic_shows_the_fallback_and_tells_the_host() {
    let stack = Stack::builder().workers(0).start().await;
    let browser = stack.browser();
    let t0 = Instant::now();

    // ---- standalone -----------------------------------------------------------------------
    let url = format!("{}?crash_test=1#/jobs", stack.app_base_url());
    browser.open_fresh(&url).await.expect("opening the app");
    // The app was running before it crashed: the fallback replaces it, not a failed start.
    browser.wait_testid("connection").await;
    browser
        .wait_css_within(&testid("crash-fallback"), timeout_secs(15))
        .await;
    assert_eq!(
        count(browser, &testid("app")).await.unwrap(),
        0,
        "the app is still in the page under the fallback"
    );
    let text = text_of(browser, &testid("crash-fallback"))
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        text.contains("The Jobs page stopped because of an internal error"),
        "fallback text: {text:?}"
    );
    let reload = text_of(browser, &testid("crash-reload")).await.unwrap();
    assert_eq!(reload.as_deref(), Some("Reload"));
    let focused = js(
        browser,
        "return document.activeElement && document.activeElement.getAttribute('data-testid');",
    )
    .await;
    assert_eq!(focused, json!("crash-reload"), "focus is not on Reload");
    let details = js(
        browser,
        "const t = document.querySelector('[data-testid=\"crash-details\"]'); \
         return t ? {value: t.value, readOnly: t.readOnly} : null;",
    )
    .await;
    let value = details["value"].as_str().unwrap_or_default();
    assert!(value.contains(CRASH_MESSAGE), "details: {value:?}");
    assert!(
        value.contains("panicked at src/services/crash.rs:"),
        "details lack the location: {value:?}"
    );
    assert_eq!(details["readOnly"], json!(true), "details are editable");
    let label = attr_of(browser, "label[for=\"crash-details\"]", "for")
        .await
        .unwrap();
    assert!(label.is_some(), "the details box has no label");

    // The console got the error line.
    let console = wait_for(
        "the crash logged at error level",
        timeout_secs(5),
        || async {
            let entries = browser.console_log().await.map_err(|e| e.to_string())?;
            entries
                .iter()
                .filter_map(|e| e["message"].as_str())
                .find(|m| m.contains("[jobs] ERROR crash:") && m.contains(CRASH_MESSAGE))
                .map(str::to_string)
                .ok_or_else(|| format!("{} entries, none is the crash", entries.len()))
        },
    )
    .await;
    println!("console: {console}");

    // The buttons still answer after the abort: Copy says how it went, Reload reloads.
    click(browser, &testid("crash-copy")).await.unwrap();
    let status = browser
        .wait_text(
            &testid("crash-copy-status"),
            "saying how the copy went",
            |t| !t.is_empty(),
        )
        .await;
    println!("copy: {status}");
    js(browser, "window.__before_reload = true; return null;").await;
    click(browser, &testid("crash-reload")).await.unwrap();
    wait_for(
        "Reload to load the page again",
        timeout_secs(15),
        || async {
            let v = browser
                .client()
                .execute(
                    "return window.__before_reload === undefined \
                 && !!document.querySelector('[data-testid=\"connection\"]');",
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            if v == json!(true) {
                Ok(())
            } else {
                Err("still the old document, or the app not up yet".to_string())
            }
        },
    )
    .await;

    // ---- embedded: the host hears `error` -------------------------------------------------
    let host_dir = stack.temp_dir().join("www").join("crash-host");
    std::fs::create_dir_all(&host_dir).expect("creating the host page's directory");
    std::fs::write(host_dir.join("index.html"), HOST_HTML).expect("writing the host page");
    std::fs::write(host_dir.join("host.js"), HOST_JS).expect("writing the host script");
    let origin = stack.static_origin();
    browser
        .open_fresh(&format!("{origin}/crash-host/index.html"))
        .await
        .expect("opening the host page");
    let messages = wait_for("the host to receive `error`", timeout_secs(20), || async {
        let v = browser
            .client()
            .execute("return window.__messages || [];", vec![])
            .await
            .map_err(|e| e.to_string())?;
        let list = v.as_array().cloned().unwrap_or_default();
        let got_error = list.iter().any(|m| m["data"]["type"] == json!("error"));
        if got_error {
            Ok(list)
        } else {
            Err(format!("messages so far: {v}"))
        }
    })
    .await;
    let types: Vec<&str> = messages
        .iter()
        .filter_map(|m| m["data"]["type"].as_str())
        .collect();
    let error = messages
        .iter()
        .find(|m| m["data"]["type"] == json!("error"))
        .expect("an error message");
    assert_eq!(error["origin"], json!(origin), "error from another origin");
    let message = error["data"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(CRASH_MESSAGE),
        "the host's error lacks the panic message: {error}"
    );
    let ready = types.iter().position(|t| *t == "ready");
    let err = types.iter().position(|t| *t == "error");
    assert!(
        ready.is_some() && ready < err,
        "`ready` did not come before `error`: {types:?}"
    );
    println!(
        "host got {types:?}; test body {:.1}s",
        t0.elapsed().as_secs_f64()
    );
}
