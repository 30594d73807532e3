//! The compact view (one row a job) with 200 jobs at 1280×900: switched next to the sort
//! control, it shows at least 25 whole rows on screen; a row's actions work (cancel with its
//! confirmation, then retry: attempt 2, which the job's page lists as "Attempt 2", "Attempt
//! 1" with no list numbering); the choice is in the URL, so it survives a reload and a deep
//! link opens it (with a filter beside it).

use jobs_e2e::jobs_ui::{bulk_start, click, text_of};
use jobs_e2e::{dom, testid, timeout_secs, wait_for, Stack};
use serde_json::{json, Value};

const JOBS: usize = 200;

/// `[data-testid=job-row][data-job-id=<id>]`.
fn row_css(id: &str) -> String {
    format!("[data-testid=\"job-row\"][data-job-id=\"{id}\"]")
}

/// What the list shows now: how many cards and rows are rendered, how many rows are wholly
/// inside both the scroller and the window, the pressed layout button, and the row height.
const READ_LIST: &str = r#"
const scroller = document.querySelector('[data-testid="job-scroller"]');
const box = scroller ? scroller.getBoundingClientRect() : null;
const rows = Array.from(document.querySelectorAll('[data-testid="job-row"]'));
const visible = rows.filter(r => {
  const b = r.getBoundingClientRect();
  return box && b.top >= box.top - 0.5 && b.bottom <= box.bottom + 0.5
      && b.top >= -0.5 && b.bottom <= window.innerHeight + 0.5;
});
const pressed = document.querySelector('.layout-switch [aria-pressed="true"]');
return {
  cards: document.querySelectorAll('[data-testid="job-card"]').length,
  rows: rows.length,
  visible: visible.length,
  row_height: rows.length ? rows[0].getBoundingClientRect().height : 0,
  viewport: [window.innerWidth, window.innerHeight],
  scroller_height: box ? box.height : 0,
  pressed: pressed ? pressed.getAttribute('data-testid') : null,
  statuses: Array.from(new Set(rows.map(r => r.getAttribute('data-status')))),
};
"#;

async fn read_list(stack: &Stack) -> Value {
    stack
        .browser()
        .client()
        .execute(READ_LIST, vec![])
        .await
        .unwrap_or(Value::Null)
}

/// Waits until the list reads as `pred` says; returns that reading.
async fn wait_list(stack: &Stack, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    wait_for(what, timeout_secs(20), || async {
        let v = read_list(stack).await;
        if pred(&v) {
            Ok(v)
        } else {
            Err(v.to_string())
        }
    })
    .await
}

async fn hash(stack: &Stack) -> String {
    let url = stack.browser().current_url().await.unwrap_or_default();
    url.split_once('#')
        .map(|(_, h)| h.to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn compact_view_shows_many_rows_acts_from_a_row_and_stays_in_the_url() {
    // No workers: the jobs stay queued, so the list and the actions are deterministic.
    let stack = Stack::builder().workers(0).start().await;
    let t0 = std::time::Instant::now();
    let datasets = stack.datasets().await;
    let ids: Vec<String> = datasets
        .iter()
        .filter_map(|d| d["id"].as_str().map(String::from))
        .collect();
    let jobs: Vec<Value> = (0..JOBS)
        .map(|i| json!({"dataset_id": ids[i % ids.len()], "kind": "profile"}))
        .collect();
    let created = bulk_start(&stack, jobs).await;
    assert_eq!(created.len(), JOBS);

    // A laptop's 1280×900 viewport (the headless window's own is smaller than its size).
    let browser = stack.browser();
    browser
        .cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await
        .unwrap();
    stack.open("/jobs").await;
    browser.wait_css(dom::JOBS_PAGE).await;
    wait_list(&stack, "cards first (the default layout)", |v| {
        v["cards"].as_u64() > Some(0) && v["rows"] == 0
    })
    .await;

    // Switch: the URL says so, and the list is rows.
    click(browser, &testid("layout-compact")).await.unwrap();
    let list = wait_list(&stack, "compact rows", |v| {
        v["rows"].as_u64() > Some(0) && v["cards"] == 0
    })
    .await;
    println!("compact list at {}: {list}", list["viewport"]);
    assert_eq!(list["pressed"], "layout-compact", "{list}");
    assert!(hash(&stack).await.contains("view=compact"));
    let visible = list["visible"].as_u64().unwrap_or(0);
    assert!(
        visible >= 25,
        "{visible} whole rows visible in the viewport: {list}"
    );
    // Still virtualised: far fewer rows in the DOM than jobs.
    assert!(list["rows"].as_u64().unwrap_or(0) < 80, "{list}");

    // Act from a row: cancel (with its confirmation naming the job), then retry.
    // Newest first: the last job created is the top row.
    let target = &created[JOBS - 1];
    browser.wait_css(&row_css(target)).await;
    click(
        browser,
        &format!("{} {}", row_css(target), testid("job-cancel")),
    )
    .await
    .unwrap();
    let dialog = testid("confirm-cancel");
    browser.wait_css(&dialog).await;
    let text = text_of(browser, &dialog).await.unwrap().unwrap_or_default();
    assert!(
        text.contains(target.as_str()),
        "the dialog names the job: {text:?}"
    );
    click(browser, &format!("{dialog} {}", testid("confirm-button")))
        .await
        .unwrap();
    browser
        .wait_css(&format!("{}[data-status=\"cancelled\"]", row_css(target)))
        .await;
    stack
        .wait_job(target, "cancelled", timeout_secs(10), |j| {
            j["status"] == "cancelled"
        })
        .await;
    let finished = text_of(
        browser,
        &format!("{} {}", row_css(target), testid("job-when")),
    )
    .await
    .unwrap()
    .unwrap_or_default();
    assert!(
        finished.starts_with("finished "),
        "a cancelled row says when: {finished:?}"
    );
    click(
        browser,
        &format!("{} {}", row_css(target), testid("job-retry")),
    )
    .await
    .unwrap();
    stack
        .wait_job(target, "retried", timeout_secs(10), |j| j["attempt"] == 2)
        .await;
    wait_for("the row to show attempt 2", timeout_secs(10), || async {
        let attempt = text_of(
            browser,
            &format!("{} {}", row_css(target), testid("job-attempt")),
        )
        .await
        .ok()
        .flatten();
        (attempt.as_deref() == Some("attempt 2")).then_some(())
    })
    .await;

    // The job's page lists both attempts by name, newest first, with no list numbering.
    stack.open(&format!("/jobs/{target}")).await;
    browser.wait_css(&dom::job_detail(target)).await;
    let attempts = wait_for("two attempts on the job page", timeout_secs(10), || async {
        let v = browser
            .client()
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid=\"attempt\"]'))\
                   .map(li => [li.textContent.trim(), getComputedStyle(li).listStyleType]);",
                vec![],
            )
            .await
            .ok()?;
        let v: Vec<(String, String)> = serde_json::from_value(v).ok()?;
        (v.len() == 2).then_some(v)
    })
    .await;
    println!("attempts: {attempts:?}");
    assert!(attempts[0].0.starts_with("Attempt 2"), "{attempts:?}");
    assert!(attempts[1].0.starts_with("Attempt 1"), "{attempts:?}");
    assert!(
        attempts.iter().all(|(_, style)| style == "none"),
        "{attempts:?}"
    );

    // A reload keeps the layout.
    stack.open("/jobs").await;
    click(browser, &testid("layout-compact")).await.unwrap();
    wait_list(&stack, "compact rows again", |v| {
        v["rows"].as_u64() > Some(0)
    })
    .await;
    let url = browser.current_url().await.unwrap();
    browser.open_fresh(&url).await.unwrap();
    browser.wait_css(dom::JOBS_PAGE).await;
    wait_list(&stack, "compact rows after a reload", |v| {
        v["rows"].as_u64() > Some(0) && v["cards"] == 0 && v["pressed"] == "layout-compact"
    })
    .await;

    // A deep link opens it, with a filter beside it.
    stack.open("/jobs?status=queued&view=compact").await;
    browser.wait_css(dom::JOBS_PAGE).await;
    let list = wait_list(&stack, "the deep link's compact, filtered list", |v| {
        v["rows"].as_u64() > Some(0) && v["cards"] == 0 && v["statuses"] == json!(["queued"])
    })
    .await;
    assert_eq!(list["pressed"], "layout-compact", "{list}");

    // Back to cards: the URL loses `view`.
    click(browser, &testid("layout-cards")).await.unwrap();
    wait_list(&stack, "cards again", |v| {
        v["cards"].as_u64() > Some(0) && v["rows"] == 0
    })
    .await;
    let h = hash(&stack).await;
    assert!(
        !h.contains("view="),
        "cards are the default and not written: {h}"
    );
    assert!(h.contains("status=queued"), "the filter stays: {h}");
    println!("test body: {:.1}s", t0.elapsed().as_secs_f64());
}
