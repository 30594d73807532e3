//! axe-core (the npm package, installed into `.tools/node_modules` by `scripts/setup.sh`) run in
//! headless Chromium over every view, in the light and the dark theme (`?theme=light|dark` on
//! the page URL): the jobs list with a running, a failed and a succeeded job, as cards and as
//! compact rows (`view=compact`); the metrics panel
//! (`#/jobs?metrics=1h`); a running job's page with its chart; the log viewer of the failed
//! job (`#/jobs/<id>/logs`: every level, a traceback, ANSI colours); the start dialog; and the
//! diagnostics panel opened from the connection indicator. No violation of impact serious or
//! critical may be reported; the failure message lists each violation's rule, impact and the
//! offending nodes' selectors.
//!
//!
//! `theme_choice_is_remembered_the_system_followed_and_the_host_wins`: the theme control (the
//! first Tab stop, with a visible focus ring) changes the theme from the keyboard alone; the
//! choice survives a reload (`localStorage`); "System" follows `prefers-color-scheme` live; and
//! `?theme=` (as the host's theme) wins over the remembered choice, with the control disabled
//! and saying why.
//!
//! Run: `cargo test -p jobs-e2e --test accessibility -- --test-threads=1 --nocapture`.

use std::time::Instant;

use jobs_e2e::fantoccini::key::Key;
use jobs_e2e::jobs_ui::{attr_of, bulk_start, click, count, focused, press_key, text_of};
use jobs_e2e::log_viewer::LOG_ROW;
use jobs_e2e::{dom, paths, testid, timeout_secs, wait_for, Browser, Stack};
use serde::Deserialize;
use serde_json::{json, Value};

/// The connection indicator's control that opens the diagnostics panel, and the panel.
const DIAGNOSTICS_OPEN: &str = "[data-testid=\"connection\"] [data-testid=\"diagnostics-open\"]";
const DIAGNOSTICS_PANEL: &str = "[data-testid=\"diagnostics-panel\"]";

/// Runs axe over the whole document; resolves to the violations, trimmed to what a reader of a
/// failure needs.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations.map(v => ({
  id: v.id, impact: v.impact || '', help: v.help,
  nodes: v.nodes.map(n => ({ target: n.target.map(String), summary: n.failureSummary || '' })),
})))).catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));
"#;

#[derive(Debug, Deserialize)]
struct Violation {
    id: String,
    impact: String,
    help: String,
    nodes: Vec<Node>,
}

#[derive(Debug, Deserialize)]
struct Node {
    target: Vec<String>,
    summary: String,
}

fn axe_source() -> String {
    let path = paths::repo_root().join(".tools/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} not readable ({e}): run scripts/setup.sh (npm install axe-core)",
            path.display()
        )
    })
}

/// Injects axe (once per document) and returns its serious and critical violations, after
/// printing every violation it found.
async fn audit(browser: &Browser, axe: &str, view: &str) -> Vec<String> {
    let client = browser.client();
    let loaded = client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .expect("checking for axe");
    if loaded != json!(true) {
        client.execute(axe, vec![]).await.expect("injecting axe");
    }
    let started = Instant::now();
    let value = client
        .execute_async(RUN_AXE, vec![])
        .await
        .expect("running axe");
    let violations: Vec<Violation> = serde_json::from_value(value).expect("axe result shape");
    println!(
        "{view}: {} violation(s) in {:.1}s",
        violations.len(),
        started.elapsed().as_secs_f64()
    );
    let mut bad = Vec::new();
    for v in &violations {
        // Every node's selector; the first one's reason (the rest usually say the same).
        let targets: Vec<String> = v.nodes.iter().map(|n| n.target.join(" ")).collect();
        let why = v.nodes.first().map(|n| n.summary.replace('\n', " "));
        let line = format!(
            "{view}: {} [{}] {}: {} node(s): {}; first: {}",
            v.id,
            v.impact,
            v.help,
            targets.len(),
            targets.join(", "),
            why.unwrap_or_default()
        );
        println!("  {line}");
        if v.impact == "serious" || v.impact == "critical" {
            bad.push(line);
        }
    }
    bad
}

#[tokio::test]
async fn no_serious_or_critical_violations_in_light_and_dark() {
    let axe = axe_source();
    let stack = Stack::builder().workers(3).start().await;
    let t0 = Instant::now();
    let browser = stack.browser();

    // A succeeded and a failed job (with synthetic lines: every level, ANSI colours, JSON),
    // and one that keeps running through the test.
    let quick = |extra: Value| {
        let mut p = json!({"chunk_rows": 5000, "chunk_delay_ms": 50, "log_burst": 8});
        if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
            p.extend(extra.clone());
        }
        p
    };
    let ids = bulk_start(
        &stack,
        vec![
            json!({"dataset_id": "ds_sales", "kind": "profile", "params": quick(json!({}))}),
            json!({"dataset_id": "ds_sales", "kind": "profile",
                   "params": quick(json!({"fail_at": 0.5}))}),
            json!({"dataset_id": "ds_sensors", "kind": "profile",
                   "params": {"chunk_rows": 200, "chunk_delay_ms": 1000}}),
        ],
    )
    .await;
    let (succeeded, failed, running) = (&ids[0], &ids[1], &ids[2]);
    for (id, want) in [
        (succeeded, "succeeded"),
        (failed, "failed"),
        (running, "running"),
    ] {
        stack
            .wait_job(id, want, timeout_secs(30), |j| j["status"] == want)
            .await;
    }

    let mut bad = Vec::new();
    let mut diagnostics_checked = false;
    for theme in ["light", "dark"] {
        stack.open_themed(theme, "/jobs").await;
        wait_for("the three cards", timeout_secs(15), || async {
            count(browser, dom::JOB_CARD).await.ok().filter(|n| *n == 3)
        })
        .await;
        bad.extend(audit(browser, &axe, &format!("{theme} jobs list")).await);

        // The compact view: the same jobs as rows (one of them failed, one succeeded).
        stack.open_themed(theme, "/jobs?view=compact").await;
        wait_for("the three rows", timeout_secs(15), || async {
            count(browser, "[data-testid=\"job-row\"]")
                .await
                .ok()
                .filter(|n| *n == 3)
        })
        .await;
        bad.extend(audit(browser, &axe, &format!("{theme} compact list")).await);
        stack.open_themed(theme, "/jobs").await;

        click(browser, &testid("start-open")).await.unwrap();
        browser.wait_testid("start-datasets").await;
        bad.extend(audit(browser, &axe, &format!("{theme} start dialog")).await);

        if count(browser, DIAGNOSTICS_OPEN).await.unwrap_or(0) > 0 {
            stack.open_themed(theme, "/jobs").await;
            click(browser, DIAGNOSTICS_OPEN).await.unwrap();
            browser.wait_css(DIAGNOSTICS_PANEL).await;
            bad.extend(audit(browser, &axe, &format!("{theme} diagnostics panel")).await);
            diagnostics_checked = true;
        } else {
            println!("{theme}: no {DIAGNOSTICS_OPEN} yet: diagnostics panel not checked");
        }

        stack.open_themed(theme, "/jobs?metrics=1h").await;
        browser
            .wait_css(&format!("{}[data-window=\"1h\"]", testid("metrics-panel")))
            .await;
        browser.wait_testid("metric-tiles").await;
        bad.extend(audit(browser, &axe, &format!("{theme} metrics panel")).await);

        stack.open_themed(theme, &format!("/jobs/{running}")).await;
        browser
            .wait_css("[data-testid=\"job-chart-canvas\"] canvas[data-chart-state=\"drawn\"]")
            .await;
        bad.extend(audit(browser, &axe, &format!("{theme} job page")).await);

        // A permalink, so a marked row is checked too.
        stack
            .open_themed(theme, &format!("/jobs/{failed}/logs?line=3"))
            .await;
        wait_for("log rows", timeout_secs(15), || async {
            count(browser, LOG_ROW).await.ok().filter(|n| *n >= 10)
        })
        .await;
        bad.extend(audit(browser, &axe, &format!("{theme} log viewer")).await);
    }
    println!(
        "diagnostics panel checked: {diagnostics_checked}; test body {:.1}s",
        t0.elapsed().as_secs_f64()
    );
    assert!(
        bad.is_empty(),
        "{} serious or critical axe violation(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// `data-theme` on `<html>`.
async fn shown_theme(browser: &Browser) -> String {
    attr_of(browser, "html", "data-theme")
        .await
        .expect("reading data-theme")
        .unwrap_or_default()
}

async fn wait_theme(browser: &Browser, want: &str) {
    wait_for(&format!("data-theme={want}"), timeout_secs(5), || async {
        let shown = shown_theme(browser).await;
        (shown == want).then_some(()).ok_or(shown)
    })
    .await;
}

/// What the theme control shows: its value, whether it is disabled, its note, and whether it
/// is focused with an outline drawn.
async fn control(browser: &Browser) -> Value {
    browser
        .client()
        .execute(
            "const s = document.querySelector('[data-testid=\"theme-choice\"]');
             const note = document.getElementById('theme-note');
             const st = getComputedStyle(s);
             return {value: s.value, disabled: s.disabled, note: note ? note.textContent : null,
                     focused: document.activeElement === s,
                     ring: st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0,
                     stored: localStorage.getItem('jobs-page.theme')};",
            vec![],
        )
        .await
        .expect("reading the theme control")
}

async fn emulate_system(browser: &Browser, scheme: &str) {
    browser
        .cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn theme_choice_is_remembered_the_system_followed_and_the_host_wins() {
    let stack = Stack::builder().workers(0).start().await;
    let browser = stack.browser();
    emulate_system(browser, "light").await;
    stack.open("/jobs").await;
    browser.wait_css(dom::JOBS_EMPTY).await;
    wait_theme(browser, "light").await;
    assert_eq!(
        attr_of(browser, &testid("theme-toggle"), "data-source")
            .await
            .unwrap(),
        Some("system".into())
    );

    // The first Tab stop; the arrow keys change it (System → Light → Dark).
    press_key(browser, Key::Tab).await.unwrap();
    let f = focused(browser).await.unwrap();
    assert_eq!(f.testid, "theme-choice", "first Tab stop: {}", f.describe());
    let c = control(browser).await;
    assert_eq!(c["ring"], json!(true), "no visible focus: {c}");
    press_key(browser, Key::Down).await.unwrap();
    press_key(browser, Key::Down).await.unwrap();
    wait_theme(browser, "dark").await;
    let c = control(browser).await;
    assert_eq!(
        (&c["value"], &c["stored"]),
        (&json!("dark"), &json!("dark")),
        "{c}"
    );

    // Remembered across a reload, and a system change does not override it.
    stack.open("/jobs").await;
    browser.wait_css(dom::JOBS_EMPTY).await;
    wait_theme(browser, "dark").await;
    emulate_system(browser, "light").await;
    assert_eq!(control(browser).await["value"], json!("dark"));
    assert_eq!(shown_theme(browser).await, "dark");

    // "System" follows the setting live.
    press_key(browser, Key::Tab).await.unwrap();
    press_key(browser, Key::Up).await.unwrap();
    press_key(browser, Key::Up).await.unwrap();
    wait_theme(browser, "light").await;
    assert_eq!(control(browser).await["stored"], json!("system"));
    emulate_system(browser, "dark").await;
    wait_theme(browser, "dark").await;
    let label = text_of(
        browser,
        "[data-testid=\"theme-choice\"] option[value=\"system\"]",
    )
    .await
    .unwrap();
    assert_eq!(label.as_deref(), Some("System (dark)"));
    emulate_system(browser, "light").await;
    wait_theme(browser, "light").await;

    // The host's theme (`?theme=`) wins over a remembered choice; the control says so.
    browser
        .client()
        .execute("localStorage.setItem('jobs-page.theme', 'light');", vec![])
        .await
        .unwrap();
    emulate_system(browser, "light").await;
    let url = format!("{}?theme=dark#/jobs", stack.app_base_url());
    browser.open_fresh(&url).await.unwrap();
    browser.wait_css(dom::JOBS_EMPTY).await;
    wait_theme(browser, "dark").await;
    let c = control(browser).await;
    assert_eq!(c["disabled"], json!(true), "{c}");
    assert_eq!(c["note"], json!("Set by the host page (dark)"), "{c}");
}
