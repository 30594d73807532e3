//! Bulk operations on the Jobs page, against 22 real workers:
//! (a) starting jobs for 3 datasets at once from the start dialog sends exactly one
//!     `POST /jobs/bulk/start` (counted by a spy on the page's `fetch`) and creates exactly 3
//!     jobs in the backend, shown as 3 new cards;
//! selection: a click and a shift-click select a range of 3 cards and "Cancel selected" asks to
//!     "Cancel 3 running or queued jobs?";
//! (b) with 22 long jobs running, "Cancel all active (22)" states that exact count again in its
//!     confirmation, sends one request, lists every job as done, the backend cancels all of
//!     them, and "Show only these jobs" narrows the list to exactly those 22;
//! (c) with the list filtered to failed jobs, "Retry all failed" retries exactly those: each
//!     gets attempt 2 in the backend, and no cancelled job is touched.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use jobs_e2e::jobs_ui::{
    self, all_listed_ids, backend_counts, backend_jobs, bulk_start, click, click_button_text,
    click_testid, confirm_button, install_recorders, read_card, recorded, rendered_ids,
    shift_click, status_of, text_of, wait_card, wait_summary,
};
use jobs_e2e::{dom, testid, timeout_secs, wait_for, Stack};
use serde_json::{json, Value};

/// Every `bulk-result` item: `(job id, ok, text)`.
async fn bulk_results(stack: &Stack) -> Vec<(String, bool, String)> {
    let v = stack
        .browser()
        .client()
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"bulk-result\"]')).map(li =>
               [li.getAttribute('data-job-id'), li.getAttribute('data-ok') === 'true', li.textContent.trim()]);",
            vec![],
        )
        .await
        .expect("reading bulk results");
    serde_json::from_value(v).expect("bulk result shape")
}

/// The title of the open dialog with test id `id`.
async fn dialog_title(stack: &Stack, id: &str) -> String {
    text_of(stack.browser(), &format!("{} .modal-title", testid(id)))
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Waits until the page's `count-<status>` chips show these numbers.
async fn wait_page_counts(stack: &Stack, expected: &[(&str, u64)]) {
    wait_for("the page's status counts", timeout_secs(20), || async {
        let mut diffs = Vec::new();
        for (status, n) in expected {
            let shown = text_of(stack.browser(), &testid(&format!("count-{status}")))
                .await
                .map_err(|e| e.to_string())?;
            if shown.as_deref() != Some(n.to_string().as_str()) {
                diffs.push(format!("{status}: {shown:?}, expected {n}"));
            }
        }
        if diffs.is_empty() {
            Ok(())
        } else {
            Err(diffs.join(", "))
        }
    })
    .await;
}

fn ids_with_status(jobs: &BTreeMap<String, Value>, statuses: &[&str]) -> BTreeSet<String> {
    jobs.iter()
        .filter(|(_, j)| statuses.contains(&status_of(j)))
        .map(|(id, _)| id.clone())
        .collect()
}

#[tokio::test]
async fn bulk_start_several_datasets_cancel_all_and_retry_all_failed() {
    let t0 = Instant::now();
    let stack = Stack::builder().workers(22).start().await;
    let test_start = std::time::Instant::now();
    println!(
        "stack with 22 workers up in {:.1}s (including any wait for the e2e lock)",
        t0.elapsed().as_secs_f64()
    );
    let browser = stack.browser();
    stack.open("/jobs").await;
    browser.wait_css(dom::JOBS_EMPTY).await;
    install_recorders(browser).await.unwrap();

    // (a) Three datasets from the dialog: one bulk request, three jobs, three cards.
    click_testid(browser, "empty-start").await.unwrap();
    browser.wait_testid("start-datasets").await;
    for ds in ["ds_customers", "ds_sales", "ds_sensors"] {
        click_testid(browser, &format!("start-dataset-{ds}"))
            .await
            .unwrap();
    }
    // One chunk each, no pauses: they finish within seconds.
    click_testid(browser, "start-param-chunk_rows")
        .await
        .unwrap();
    jobs_ui::type_text(browser, "100000").await.unwrap();
    click_testid(browser, "start-param-chunk_delay_ms")
        .await
        .unwrap();
    jobs_ui::type_text(browser, "0").await.unwrap();
    let submit = text_of(browser, &testid("start-submit")).await.unwrap();
    assert_eq!(submit.as_deref(), Some("Start 3 jobs"));
    click_testid(browser, "start-submit").await.unwrap();
    browser.wait_gone(&testid("start-modal")).await;
    let first = wait_for("3 jobs in the backend", timeout_secs(10), || async {
        let jobs = backend_jobs(&stack).await;
        (jobs.len() == 3).then_some(jobs)
    })
    .await;
    let rec = recorded(browser).await.unwrap();
    let bulk_posts = rec.fetches_to("POST", "/jobs/bulk/start");
    assert_eq!(
        bulk_posts.len(),
        1,
        "bulk start requests: {:?}",
        rec.fetches
    );
    assert_eq!(bulk_posts[0].status, Some(200));
    assert!(
        rec.fetches_to("POST", "/api/v1/jobs").is_empty(),
        "single creates were sent too: {:?}",
        rec.fetches
    );
    let datasets: BTreeSet<&str> = first
        .values()
        .map(|j| j["dataset_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        datasets,
        BTreeSet::from(["ds_customers", "ds_sales", "ds_sensors"])
    );
    let created: Vec<i64> = first
        .values()
        .map(|j| j["created_at"].as_i64().unwrap())
        .collect();
    let spread = created.iter().max().unwrap() - created.iter().min().unwrap();
    println!("bulk start: 1 request, 3 jobs created within {spread} ms");
    assert!(spread < 1000, "created_at spread {spread} ms: {created:?}");
    for id in first.keys() {
        wait_card(browser, id, "to be listed", |_| true)
            .await
            .unwrap();
    }
    wait_for("the 3 quick jobs to finish", timeout_secs(30), || async {
        let jobs = backend_jobs(&stack).await;
        jobs.values()
            .all(|j| status_of(j) == "succeeded")
            .then_some(())
    })
    .await;

    // (b) 22 long jobs through the API: 50,000 rows in 500-row chunks, 1 s pauses.
    let long_spec: Vec<Value> = (0..22)
        .map(|_| {
            json!({"dataset_id": "ds_sensors", "kind": "profile",
                   "params": {"chunk_rows": 500, "chunk_delay_ms": 1000}})
        })
        .collect();
    let long: BTreeSet<String> = bulk_start(&stack, long_spec).await.into_iter().collect();
    assert_eq!(long.len(), 22);
    let running_since = Instant::now();
    let running = wait_for("at least 20 of them running", timeout_secs(60), || async {
        let jobs = backend_jobs(&stack).await;
        let running = ids_with_status(&jobs, &["running"]);
        if running.len() >= 20 {
            Ok(running.len())
        } else {
            Err(format!("{} running", running.len()))
        }
    })
    .await;
    println!(
        "{running} of 22 running after {:.1}s",
        running_since.elapsed().as_secs_f64()
    );

    // Selection: click the first card, shift-click the third: three selected.
    wait_summary(browser, "25 of 25 jobs").await;
    let order = rendered_ids(browser).await.unwrap();
    assert!(order.len() >= 4, "too few cards rendered: {order:?}");
    assert!(
        order[..4].iter().all(|id| long.contains(id)),
        "newest first: the long jobs lead the list: {order:?}"
    );
    click(
        browser,
        &format!("{} {}", jobs_ui::card_css(&order[0]), testid("job-select")),
    )
    .await
    .unwrap();
    let third = browser
        .wait_css(&format!(
            "{} {}",
            jobs_ui::card_css(&order[2]),
            testid("job-select")
        ))
        .await;
    shift_click(browser, &third).await.unwrap();
    browser
        .wait_text(&testid("selection-count"), "3 selected", |t| {
            t == "3 selected"
        })
        .await;
    for (i, id) in order.iter().take(4).enumerate() {
        let card = read_card(browser, id).await.unwrap().unwrap();
        assert_eq!(
            card.selected,
            i < 3,
            "card {i} ({id}) selected: {}",
            card.selected
        );
    }
    click_testid(browser, "bulk-cancel-selected").await.unwrap();
    browser.wait_testid("confirm-bulk").await;
    let title = dialog_title(&stack, "confirm-bulk").await;
    assert_eq!(title, "Cancel 3 running or queued jobs?");
    let label = text_of(browser, &confirm_button("confirm-bulk"))
        .await
        .unwrap();
    assert_eq!(label.as_deref(), Some("Cancel 3 jobs"));
    let scope = text_of(browser, &testid("bulk-scope"))
        .await
        .unwrap()
        .unwrap();
    assert!(scope.contains("selected jobs"), "scope: {scope:?}");
    // Not this time: close the dialog and clear the selection.
    click_button_text(browser, "confirm-bulk", "Cancel")
        .await
        .unwrap();
    browser.wait_gone(&testid("confirm-bulk")).await;
    click_button_text(browser, "bulk-bar", "Clear selection")
        .await
        .unwrap();
    browser.wait_testid("bulk-cancel-all").await;
    assert!(
        ids_with_status(&backend_jobs(&stack).await, &["cancelling", "cancelled"]).is_empty(),
        "closing the dialog cancelled something"
    );

    // "Cancel all active (N)": N is exactly the backend's running + queued.
    let active = ids_with_status(&backend_jobs(&stack).await, &["queued", "running"]);
    assert_eq!(active, long, "the 22 long jobs are the active ones");
    let button = browser
        .wait_text(&testid("bulk-cancel-all"), "Cancel all active (22)", |t| {
            t == "Cancel all active (22)"
        })
        .await;
    println!("quick action: {button:?}");
    let before = recorded(browser).await.unwrap().fetches.len();
    click_testid(browser, "bulk-cancel-all").await.unwrap();
    browser.wait_testid("confirm-bulk").await;
    assert_eq!(
        dialog_title(&stack, "confirm-bulk").await,
        "Cancel 22 running or queued jobs?"
    );
    let label = text_of(browser, &confirm_button("confirm-bulk"))
        .await
        .unwrap();
    assert_eq!(label.as_deref(), Some("Cancel 22 jobs"));
    let scope = text_of(browser, &testid("bulk-scope"))
        .await
        .unwrap()
        .unwrap();
    println!("cancel-all scope: {scope:?}");
    assert!(scope.contains("(22 now)"), "scope: {scope:?}");
    let confirmed = Instant::now();
    click(browser, &confirm_button("confirm-bulk"))
        .await
        .unwrap();
    browser.wait_testid("bulk-results").await;
    println!(
        "cancel all: results shown {} ms after confirming",
        confirmed.elapsed().as_millis()
    );
    let results = bulk_results(&stack).await;
    let result_ids: BTreeSet<String> = results.iter().map(|(id, _, _)| id.clone()).collect();
    assert_eq!(results.len(), 22, "{results:?}");
    assert_eq!(result_ids, long, "the results list the 22 jobs");
    assert!(
        results.iter().all(|(_, ok, _)| *ok),
        "failed items: {results:?}"
    );
    assert_eq!(
        dialog_title(&stack, "bulk-results").await,
        "Cancel finished: 22 done, 0 failed"
    );
    let rec = recorded(browser).await.unwrap();
    let cancels: Vec<_> = rec.fetches[before..]
        .iter()
        .filter(|f| f.method == "POST")
        .collect();
    assert_eq!(cancels.len(), 1, "one bulk request: {cancels:?}");
    assert!(cancels[0].url.ends_with("/jobs/bulk/cancel"), "{cancels:?}");
    wait_for("the backend to cancel all 22", timeout_secs(30), || async {
        let jobs = backend_jobs(&stack).await;
        let cancelled = ids_with_status(&jobs, &["cancelled"]);
        if cancelled == long {
            Ok(())
        } else {
            Err(format!(
                "{} of 22 cancelled",
                cancelled.intersection(&long).count()
            ))
        }
    })
    .await;
    // The page's status counts catch up with the backend: nothing left shown as active.
    wait_page_counts(
        &stack,
        &[("running", 0), ("cancelling", 0), ("cancelled", 22)],
    )
    .await;

    // "Show only these jobs": exactly the 22.
    let show = text_of(browser, &testid("show-touched")).await.unwrap();
    assert_eq!(show.as_deref(), Some("Show only these 22 jobs"));
    click_testid(browser, "show-touched").await.unwrap();
    browser.wait_gone(&testid("bulk-results")).await;
    let chip = browser.wait_testid("touched-filter").await;
    let chip_text = chip.text().await.unwrap();
    assert!(chip_text.contains("22 jobs"), "chip: {chip_text:?}");
    wait_summary(browser, "22 of 25 jobs").await;
    let listed: BTreeSet<String> = all_listed_ids(browser).await.unwrap().into_iter().collect();
    assert_eq!(listed, long, "the list shows exactly the touched jobs");
    for id in rendered_ids(browser).await.unwrap() {
        wait_card(browser, &id, "cancelled", |c| c.status == "cancelled")
            .await
            .unwrap();
    }
    click_button_text(browser, "touched-filter", "Show all jobs")
        .await
        .unwrap();
    wait_summary(browser, "25 of 25 jobs").await;

    // (c) Several jobs fail; filtered to failed, "Retry all failed" retries exactly them.
    let failing_spec: Vec<Value> = (0..4)
        .map(|_| {
            json!({"dataset_id": "ds_customers", "kind": "profile",
                   "params": {"chunk_rows": 100, "chunk_delay_ms": 0, "fail_at": 0.1}})
        })
        .collect();
    let failing: BTreeSet<String> = bulk_start(&stack, failing_spec).await.into_iter().collect();
    wait_for("the 4 jobs to fail", timeout_secs(30), || async {
        let jobs = backend_jobs(&stack).await;
        let failed = ids_with_status(&jobs, &["failed"]);
        (failed == failing).then_some(())
    })
    .await;
    wait_page_counts(&stack, &[("failed", 4), ("cancelled", 22)]).await;
    let unfiltered = text_of(browser, &testid("bulk-retry-all"))
        .await
        .unwrap()
        .unwrap_or_default();
    let counts = backend_counts(&stack).await;
    println!(
        "unfiltered quick action reads {unfiltered:?} with {} failed and {} cancelled jobs",
        counts["failed"], counts["cancelled"]
    );
    click_testid(browser, "filter-status-failed").await.unwrap();
    wait_summary(browser, "4 of 29 jobs").await;
    browser
        .wait_text(&testid("bulk-retry-all"), "Retry all failed (4)", |t| {
            t == "Retry all failed (4)"
        })
        .await;
    let before = recorded(browser).await.unwrap().fetches.len();
    click_testid(browser, "bulk-retry-all").await.unwrap();
    browser.wait_testid("confirm-bulk").await;
    let title = dialog_title(&stack, "confirm-bulk").await;
    assert_eq!(title, "Retry 4 failed or cancelled jobs?");
    let scope = text_of(browser, &testid("bulk-scope"))
        .await
        .unwrap()
        .unwrap();
    println!("retry-all scope: {scope:?}");
    assert!(
        scope.contains("status failed") && scope.contains("(4 now)"),
        "scope: {scope:?}"
    );
    click(browser, &confirm_button("confirm-bulk"))
        .await
        .unwrap();
    browser.wait_testid("bulk-results").await;
    let results = bulk_results(&stack).await;
    let result_ids: BTreeSet<String> = results.iter().map(|(id, _, _)| id.clone()).collect();
    assert_eq!(result_ids, failing, "{results:?}");
    assert!(results.iter().all(|(_, ok, _)| *ok), "{results:?}");
    let rec = recorded(browser).await.unwrap();
    let posts: Vec<_> = rec.fetches[before..]
        .iter()
        .filter(|f| f.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert!(posts[0].url.ends_with("/jobs/bulk/retry"), "{posts:?}");
    let jobs = backend_jobs(&stack).await;
    for id in &failing {
        assert_eq!(jobs[id]["attempt"], 2, "{id} after retry all: {}", jobs[id]);
    }
    for id in &long {
        assert_eq!(
            jobs[id]["attempt"], 1,
            "a cancelled job was retried: {}",
            jobs[id]
        );
        assert_eq!(jobs[id]["status"], "cancelled");
    }
    click_button_text(browser, "bulk-results", "Close")
        .await
        .unwrap();
    browser.wait_gone(&testid("bulk-results")).await;
    for id in &failing {
        // Each is on its second attempt (failing again at 10 %), also on the page.
        stack
            .wait_job(id, "attempt 2 to end", timeout_secs(30), |j| {
                j["attempt"] == 2 && j["status"] == "failed"
            })
            .await;
    }
    let shown = all_listed_ids(browser).await.unwrap();
    assert_eq!(
        shown.iter().cloned().collect::<BTreeSet<_>>(),
        failing,
        "the failed filter lists the four"
    );
    for id in &failing {
        wait_card(browser, id, "attempt 2", |c| {
            c.attempt.as_deref() == Some("attempt 2") && c.status == "failed"
        })
        .await
        .unwrap();
    }

    println!(
        "test body (after the stack was up): {:.1}s",
        test_start.elapsed().as_secs_f64()
    );
}
