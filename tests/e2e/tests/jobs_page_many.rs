//! More jobs than one page of `GET /jobs` holds (5,000): the page loads every one of them,
//! its counts are the backend's, and jobs changed or created while it is open keep them so.
//! Before, it loaded 5,000 and said "5,000 of 5,000 jobs" while the backend had more.

use jobs_e2e::jobs_ui::text_of;
use jobs_e2e::{testid, timeout_secs, wait_for, Stack};
use serde_json::{json, Value};

const JOBS: usize = 6_200;

/// The backend's per-status counts and total (`GET /jobs?limit=1`).
async fn backend(stack: &Stack) -> (u64, Value) {
    let (status, body) = stack.api_get("jobs?limit=1").await;
    assert_eq!(status, 200, "GET /jobs: {body}");
    (body["total"].as_u64().unwrap_or(0), body["counts"].clone())
}

/// Waits until the summary and every status count on the page equal the backend's.
async fn wait_counts_match(stack: &Stack, what: &str) {
    wait_for(what, timeout_secs(30), || async {
        let (total, counts) = backend(stack).await;
        let browser = stack.browser();
        let summary = text_of(browser, &testid("list-summary"))
            .await
            .map_err(|e| e.to_string())?;
        let want = format!(
            "{} of {} jobs",
            jobs_page::state::format::thousands(total),
            jobs_page::state::format::thousands(total)
        );
        if summary.as_deref() != Some(want.as_str()) {
            return Err(format!("summary {summary:?}, want {want:?}"));
        }
        for (status, n) in counts.as_object().into_iter().flatten() {
            let shown = text_of(browser, &testid(&format!("count-{status}")))
                .await
                .map_err(|e| e.to_string())?;
            let want = n.as_u64().unwrap_or(0).to_string();
            if shown.as_deref() != Some(want.as_str()) {
                return Err(format!("{status}: page {shown:?}, backend {want}"));
            }
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn every_job_is_loaded_and_counted_beyond_one_page() {
    // No workers: the jobs stay queued, so the counts are exact and stable.
    let stack = Stack::builder().workers(0).start().await;
    let datasets = stack.datasets().await;
    let ids: Vec<String> = datasets
        .iter()
        .filter_map(|d| d["id"].as_str().map(String::from))
        .collect();
    let mut created = Vec::new();
    while created.len() < JOBS {
        let n = (JOBS - created.len()).min(1000);
        let jobs: Vec<Value> = (0..n)
            .map(|i| json!({"dataset_id": ids[i % ids.len()], "kind": "profile"}))
            .collect();
        let (status, body) = stack
            .api_post("jobs/bulk/start", json!({ "jobs": jobs }))
            .await;
        assert_eq!(status, 200, "bulk start: {body}");
        assert_eq!(body["ok"].as_u64(), Some(n as u64), "bulk start: {body}");
        for r in body["results"].as_array().into_iter().flatten() {
            created.push(r["id"].as_str().unwrap_or_default().to_string());
        }
    }
    // Some finished ones too, so more than one count is non-zero.
    let (status, body) = stack
        .api_post("jobs/bulk/cancel", json!({ "ids": created[..300] }))
        .await;
    assert_eq!(status, 200, "bulk cancel: {body}");

    stack.open("/jobs").await;
    wait_counts_match(
        &stack,
        "all 6,200 jobs loaded, counted as the backend counts",
    )
    .await;

    // Changes while open: cancelled and created jobs arrive live and the counts follow.
    let (status, body) = stack
        .api_post("jobs/bulk/cancel", json!({ "ids": created[300..350] }))
        .await;
    assert_eq!(status, 200, "bulk cancel: {body}");
    for i in 0..5 {
        stack
            .create_job(ids[i % ids.len()].as_str(), "validate", json!({}))
            .await;
    }
    wait_counts_match(&stack, "live changes keep the counts the backend's").await;
}
