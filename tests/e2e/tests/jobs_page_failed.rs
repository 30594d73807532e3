//! A job that fails shows why: its card gives the exception type and the first line of the
//! message (`ValueError: row 7342: ...`); its detail page shows the exception and the backend's
//! full stack trace, verbatim, highlighted (exception type, file paths, line numbers), in a
//! collapsible block with a copy button. Retry from the detail page starts attempt 2 at once
//! (shown before the job even runs), the backend runs it again, and attempt 1 with its error
//! and trace stays reachable in the attempts list; the list's card shows "attempt 2" too.

use jobs_e2e::jobs_ui::{attr_of, card_css, click, count, text_of, texts_of, wait_card, wait_view};
use jobs_e2e::{dom, job_id, testid, timeout_secs, wait_for, Stack};
use serde_json::{json, Value};

const TRACEBACK_HEADER: &str = "Traceback (most recent call last)";

/// What a traceback block shows, read in one call.
async fn read_traceback(stack: &Stack, root: &str) -> Value {
    stack
        .browser()
        .client()
        .execute(
            r#"
const root = document.querySelector(arguments[0]);
if (!root) return null;
const tb = root.querySelector('[data-testid="traceback"]');
if (!tb) return {present: false};
const details = tb.querySelector('details');
const pre = tb.querySelector('pre.traceback');
const texts = cls => Array.from(tb.querySelectorAll('.' + cls)).map(s => s.textContent);
return {
  present: true,
  open: !!(details && details.open),
  summary: (tb.querySelector('summary') || {}).textContent || '',
  text: pre ? pre.textContent : '',
  // checkVisibility() also sees the content of a closed <details> as hidden.
  pre_visible: !!(pre && pre.checkVisibility() && pre.getBoundingClientRect().height > 0),
  exc: texts('tb-exc'),
  path: texts('tb-path'),
  lineno: texts('tb-lineno'),
  header: texts('tb-header'),
  copy: Array.from(tb.querySelectorAll('button')).map(b => b.textContent.trim()),
  // Highlighting is a colour of its own, not just markup.
  exc_color: (() => { const s = tb.querySelector('.tb-exc'); return s ? getComputedStyle(s).color : ''; })(),
  plain_color: pre ? getComputedStyle(pre).color : '',
};
"#,
            vec![json!(root)],
        )
        .await
        .expect("reading a traceback")
}

/// Waits (5 s) until the trace under `root` is open and shown (`open`) or closed and hidden.
async fn wait_trace_open(stack: &Stack, root: &str, open: bool, what: &str) {
    wait_for(what, timeout_secs(5), || async {
        let tb = read_traceback(stack, root).await;
        if tb["open"] == open && tb["pre_visible"] == open {
            Ok(())
        } else {
            Err(format!(
                "open {}, visible {}",
                tb["open"], tb["pre_visible"]
            ))
        }
    })
    .await;
}

#[tokio::test]
async fn failed_job_shows_error_details_and_retry_starts_a_new_attempt() {
    let stack = Stack::start().await;
    let test_start = std::time::Instant::now();
    let browser = stack.browser();
    let job = stack
        .create_job(
            "ds_sensors_corrupt",
            "validate",
            json!({"chunk_delay_ms": 50}),
        )
        .await;
    let id = job_id(&job);
    stack.open("/jobs").await;
    browser.wait_css(dom::JOBS_PAGE).await;

    // The card: failed, with the exception type and the message's first line.
    let card = wait_card(browser, &id, "to show the job failed", |c| {
        c.status == "failed"
    })
    .await
    .unwrap();
    let backend = stack.job(&id).await;
    assert_eq!(backend["status"], "failed");
    let error = &backend["error"];
    assert_eq!(error["type"], "ValueError", "{backend}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("row 7342"),
        "backend message: {message}"
    );
    let card_error = card.error.clone().expect("no error on the failed card");
    assert!(
        card_error.starts_with("ValueError: row 7342"),
        "card error: {card_error:?}"
    );
    assert_eq!(
        card_error,
        format!("ValueError: {}", message.lines().next().unwrap()),
        "the card shows type and first line of the message"
    );
    assert_eq!(card.status_text.as_deref(), Some("failed"));
    assert_eq!(card.attempt.as_deref(), Some("attempt 1"));
    assert!(card.actions.contains(&"job-retry".to_string()), "{card:?}");
    assert!(
        !card.actions.contains(&"job-cancel".to_string()),
        "{card:?}"
    );

    // The detail page: exception, verbatim highlighted stack trace, open, collapsible.
    click(browser, &format!("{} a.job-link", card_css(&id)))
        .await
        .unwrap();
    let detail = dom::job_detail(&id);
    let view = wait_view(browser, &detail, "the detail page of the failed job", |v| {
        v.status == "failed"
    })
    .await
    .unwrap();
    let current = format!("{detail} {}", testid("job-current-error"));
    let current_text = text_of(browser, &current).await.unwrap().unwrap();
    assert!(
        current_text.contains(&format!("ValueError: {}", message.lines().next().unwrap())),
        "current error block: {current_text:?}"
    );
    let tb = read_traceback(&stack, &current).await;
    let backend_tb = error["traceback"].as_str().unwrap();
    assert!(
        backend_tb.contains(TRACEBACK_HEADER),
        "backend traceback: {backend_tb}"
    );
    assert_eq!(tb["present"], true, "no traceback on the detail page");
    assert_eq!(
        tb["open"], true,
        "the current error's trace is open at first: {tb}"
    );
    assert_eq!(tb["pre_visible"], true, "{tb}");
    let shown: String = tb["text"].as_str().unwrap().to_string();
    let expected: String = backend_tb.lines().map(|l| format!("{l}\n")).collect();
    assert_eq!(shown, expected, "the trace is shown verbatim, line by line");
    assert!(shown.contains(TRACEBACK_HEADER));
    let exc: Vec<&str> = tb["exc"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        exc.contains(&"ValueError"),
        "exception type highlighted: {tb}"
    );
    let paths: Vec<&str> = tb["path"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !paths.is_empty() && paths.iter().all(|p| p.contains(".py")),
        "file paths highlighted: {paths:?}"
    );
    let linenos: Vec<&str> = tb["lineno"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        linenos.len(),
        paths.len(),
        "one line number per frame: {tb}"
    );
    assert!(
        linenos
            .iter()
            .all(|n| n.chars().any(|c| c.is_ascii_digit())),
        "{linenos:?}"
    );
    assert_ne!(
        tb["exc_color"], tb["plain_color"],
        "the exception is highlighted in a colour of its own: {tb}"
    );
    assert!(
        tb["summary"].as_str().unwrap().contains("Stack trace"),
        "{tb}"
    );
    assert!(
        tb["copy"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b == "Copy stack trace"),
        "{tb}"
    );

    // Collapsible: the summary closes and reopens it.
    let summary = format!("{current} [data-testid=\"traceback\"] summary");
    for (open, what) in [
        (false, "the trace to collapse"),
        (true, "the trace to open again"),
    ] {
        click(browser, &summary).await.unwrap();
        wait_trace_open(&stack, &current, open, what).await;
    }

    // Copy: the page says in words whether it worked.
    click(
        browser,
        &format!("{current} [data-testid=\"traceback\"] .traceback-tools button"),
    )
    .await
    .unwrap();
    let feedback = browser
        .wait_text(
            &format!("{current} .traceback-tools [role]"),
            "saying whether the copy worked",
            |t| t == "Copied" || t.starts_with("Could not copy"),
        )
        .await;
    println!("copy feedback: {feedback:?}");

    // Retry from the detail page: attempt 2 at once, then the backend runs it again.
    assert!(view.actions.contains(&"job-retry".to_string()), "{view:?}");
    let clicked = std::time::Instant::now();
    // The detail page's actions sit beside the article, in the page section.
    click(
        browser,
        &format!("section.job-detail-page {}", testid("job-retry")),
    )
    .await
    .unwrap();
    let retried = wait_view(browser, &detail, "the detail to show attempt 2", |v| {
        v.text.contains("attempt 2")
    })
    .await
    .unwrap();
    println!(
        "attempt 2 shown {} ms after the Retry click, status {:?}",
        clicked.elapsed().as_millis(),
        retried.status
    );
    assert!(
        !retried.actions.contains(&"job-retry".to_string()),
        "a retried job offers no second retry: {retried:?}"
    );
    let backend = stack
        .wait_job(&id, "to run attempt 2", timeout_secs(20), |j| {
            j["attempt"] == 2 && matches!(j["status"].as_str(), Some("running" | "failed"))
        })
        .await;
    println!(
        "backend after retry: attempt {}, status {}",
        backend["attempt"], backend["status"]
    );
    let attempts = backend["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["status"], "failed");
    assert_eq!(attempts[0]["error"]["type"], "ValueError");

    // Attempt 1 and its error stay reachable in the attempts list.
    let attempt1 = format!("{detail} {} [data-attempt=\"1\"]", testid("job-attempts"));
    let attempt2 = format!("{detail} {} [data-attempt=\"2\"]", testid("job-attempts"));
    browser.wait_css(&attempt2).await;
    let a1 = text_of(browser, &attempt1)
        .await
        .unwrap()
        .expect("attempt 1 listed");
    assert!(
        a1.contains("Attempt 1")
            && a1.to_lowercase().contains("failed")
            && a1.contains("ValueError: row 7342"),
        "attempt 1 entry: {a1:?}"
    );
    let tb1 = read_traceback(&stack, &attempt1).await;
    assert_eq!(tb1["present"], true, "attempt 1 keeps its trace: {tb1}");
    assert_eq!(
        tb1["text"].as_str().unwrap(),
        expected,
        "attempt 1's trace, verbatim"
    );
    if tb1["open"] == false {
        click(browser, &format!("{attempt1} summary"))
            .await
            .unwrap();
        wait_trace_open(&stack, &attempt1, true, "attempt 1's trace to open").await;
    }
    let heads = texts_of(
        browser,
        &format!(
            "{detail} {} > li > span:first-child",
            testid("job-attempts")
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        heads,
        vec!["Attempt 2", "Attempt 1"],
        "newest attempt first"
    );

    // Attempt 2 fails on the same row; the page follows, attempt 1 still listed.
    stack.wait_status(&id, "failed", timeout_secs(30)).await;
    let view = wait_view(
        browser,
        &detail,
        "the detail to show attempt 2 failed",
        |v| v.status == "failed",
    )
    .await
    .unwrap();
    assert!(view.text.contains("attempt 2"), "{view:?}");
    assert_eq!(count(browser, &attempt1).await.unwrap(), 1);
    assert_eq!(
        attr_of(browser, &detail, "data-status")
            .await
            .unwrap()
            .as_deref(),
        Some("failed")
    );

    // Back on the list, the card says attempt 2.
    click(browser, "a[href=\"#/jobs\"]").await.unwrap();
    let card = wait_card(browser, &id, "to show attempt 2", |c| {
        c.attempt.as_deref() == Some("attempt 2")
    })
    .await
    .unwrap();
    assert_eq!(card.status, "failed");
    println!(
        "test body (after the stack was up): {:.1}s",
        test_start.elapsed().as_secs_f64()
    );
}
