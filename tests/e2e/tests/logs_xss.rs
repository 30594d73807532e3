//! Untrusted log text is shown as text and nothing in it runs: a job whose note (logged verbatim
//! when it starts) holds markup, an event handler, an OSC 8 hyperlink to another site and
//! screen-control escapes is shown in the job card, the log viewer and the detail page with the
//! markup as literal characters, no element created from it, no script run, and no raw escape
//! character left in the page.
//!
//! Run: `cargo test -p jobs-e2e --test logs_xss -- --test-threads=1 --nocapture`.

use std::time::Duration;

use jobs_e2e::log_viewer::{self as lv};
use jobs_e2e::{default_timeout, dom, job_id, timeout_secs, wait_for, Browser, Stack};
use serde::Deserialize;
use serde_json::{json, Value};

const NOTE: &str = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> \u{1b}]8;;http://evil.example\u{7}click\u{1b}]8;;\u{7} \u{1b}[2J\u{1b}[1A";

/// What the page holds under one root element.
#[derive(Debug, Deserialize)]
struct Scan {
    /// The root exists.
    found: bool,
    /// Its text (`textContent`).
    text: String,
    /// `script`, `img`, `iframe`, `object`, `embed`, `svg` elements under it.
    active: Vec<String>,
    /// Links to the evil site (anywhere in the document).
    evil_links: Vec<String>,
    /// `typeof window.__pwned`.
    pwned: String,
    /// Text nodes (outside `script`/`style`), attribute values and form values under the root
    /// holding ESC (U+001B) or BEL (U+0007), with where they are.
    control_chars: Vec<String>,
}

const SCAN: &str = r#"
const root = document.querySelector(arguments[0]);
const bad = /[\u001b\u0007]/;
const where = el => {
  const t = el.closest('[data-testid]');
  return (t ? t.getAttribute('data-testid') + ' > ' : '') + el.tagName.toLowerCase();
};
const control = [];
const walker = document.createTreeWalker(root || document.createElement('div'), NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const p = n.parentElement;
  if (p && (p.closest('script') || p.closest('style'))) continue;
  if (bad.test(n.data)) control.push(where(p) + ': ' + JSON.stringify(n.data.slice(0, 120)));
}
for (const el of (root ? root.querySelectorAll('*') : [])) {
  for (const a of el.attributes) {
    if (bad.test(a.value)) control.push(where(el) + ' @' + a.name + ': ' + JSON.stringify(a.value.slice(0, 120)));
  }
  if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && bad.test(el.value)) {
    control.push(where(el) + ' value: ' + JSON.stringify(el.value.slice(0, 120)));
  }
}
return {
  found: !!root,
  text: root ? root.textContent : '',
  active: root ? Array.from(root.querySelectorAll('script, img, iframe, object, embed, svg'))
    .map(e => e.outerHTML.slice(0, 200)) : [],
  evil_links: Array.from(document.querySelectorAll('a[href*="evil"], [src*="evil"], [href*="evil"]'))
    .map(e => e.outerHTML.slice(0, 200)),
  pwned: typeof window.__pwned,
  control_chars: control,
};
"#;

async fn scan(browser: &Browser, root: &str) -> Scan {
    let value: Value = browser
        .client()
        .execute(SCAN, vec![json!(root)])
        .await
        .expect("scanning the page");
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("unexpected scan ({e}): {value}"))
}

/// The checks every view must pass; with `must_show_markup` its text must hold the note's
/// markup as literal characters.
fn assert_inert(what: &str, s: &Scan, must_show_markup: bool) {
    assert!(s.found, "{what}: not on the page");
    assert!(
        s.active.is_empty(),
        "{what}: elements created from log text: {:?}",
        s.active
    );
    assert!(
        s.evil_links.is_empty(),
        "{what}: links to the OSC 8 target: {:?}",
        s.evil_links
    );
    assert_eq!(s.pwned, "undefined", "{what}: a script from the log ran");
    if must_show_markup {
        for literal in [
            "<script>window.__pwned=1</script>",
            "<img src=x onerror=\"window.__pwned=2\">",
        ] {
            assert!(
                s.text.contains(literal),
                "{what}: {literal:?} is not shown as text; text: {:?}",
                &s.text[..s.text.len().min(400)]
            );
        }
    }
    assert!(
        s.control_chars.is_empty(),
        "{what}: raw ESC/BEL characters in its text: {:#?}",
        s.control_chars
    );
}

async fn finished_job(stack: &Stack) -> String {
    let job = stack
        .create_job(
            "ds_customers",
            "profile",
            json!({"chunk_rows": 1000, "chunk_delay_ms": 0, "note": NOTE}),
        )
        .await;
    assert_eq!(job["params"]["note"], NOTE, "the note is stored verbatim");
    let id = job_id(&job);
    stack.wait_status(&id, "succeeded", timeout_secs(60)).await;
    let lines = lv::backend_log(stack, &id).await;
    assert!(
        lines.iter().any(|l| l["text"] == NOTE),
        "the backend did not log the note verbatim"
    );
    id
}

/// The viewer row that shows the note, once rendered.
async fn note_row(browser: &Browser) -> lv::RowView {
    wait_for(
        "the note's row in the viewer",
        default_timeout(),
        || async {
            let rows = lv::read_rows(browser).await.map_err(|e| e.to_string())?;
            rows.into_iter()
                .find(|r| r.text.contains("__pwned"))
                .ok_or_else(|| "no row with the note yet".to_string())
        },
    )
    .await
}

#[tokio::test]
async fn log_text_is_rendered_as_text_and_runs_nothing() {
    let stack = Stack::start().await;
    let id = finished_job(&stack).await;
    let browser = stack.browser();

    // The job card.
    stack.open("/jobs").await;
    browser.wait_css(&dom::job_card(&id)).await;
    assert_inert("job card", &scan(browser, &dom::job_card(&id)).await, false);

    // The log viewer, opened from the card.
    lv::click(browser, &lv::logs_button(&id))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let row = note_row(browser).await;
    assert_eq!(
        row.text,
        lv::strip_ansi(NOTE),
        "row {}: the note as text, without its escapes",
        row.n
    );
    assert!(
        row.tags
            .iter()
            .all(|t| t == "span" || t == "mark" || t == "a"),
        "row {}: unexpected elements {:?}",
        row.n,
        row.tags
    );
    // Give an injected onerror handler time to fire before checking nothing ran.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let viewer = scan(browser, lv::LOG_VIEWPORT).await;
    assert_inert("log viewer", &viewer, true);
    assert_inert(
        "jobs page with the viewer open",
        &scan(browser, "body").await,
        true,
    );
    println!(
        "viewer row {}: {:?} ({} elements: {:?})",
        row.n,
        row.text,
        row.tags.len(),
        row.tags
    );

    // The viewer over the detail page, through a permalink to the note's line.
    stack.open(&format!("/jobs/{id}/logs?line={}", row.n)).await;
    let again = note_row(browser).await;
    assert_eq!(again.n, row.n);
    assert!(again.has_class("marked"), "{:?}", again.classes);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_inert(
        "log viewer (permalink)",
        &scan(browser, lv::LOG_VIEWPORT).await,
        true,
    );
}

#[tokio::test]
async fn job_detail_page_renders_untrusted_note_and_log_as_text() {
    let stack = Stack::start().await;
    let id = finished_job(&stack).await;
    let browser = stack.browser();

    stack.open(&format!("/jobs/{id}")).await;
    browser.wait_css(&dom::job_detail(&id)).await;
    // The parameters (with the note) and the log panel, once its lines are in.
    wait_for("the detail page's log panel", default_timeout(), || async {
        let s = scan(browser, "[data-testid=\"log-lines\"]").await;
        s.text
            .contains("__pwned")
            .then_some(())
            .ok_or("no note line yet")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let params = scan(browser, "[data-testid=\"job-params\"]").await;
    assert!(
        params.text.contains("<script>window.__pwned=1</script>"),
        "the note in the parameters: {:?}",
        params.text
    );
    let panel = scan(browser, "[data-testid=\"log-lines\"]").await;
    let detail = scan(browser, &dom::job_detail(&id)).await;
    assert_inert("job parameters", &params, false);
    assert_inert("detail page log panel", &panel, true);
    // The log panel sits after the job's article; the article itself shows the note only inside
    // the JSON of the parameters (escaped), so only inertness is checked there.
    assert_inert("job detail page", &detail, false);
}
