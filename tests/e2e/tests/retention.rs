//! Bounded memory, end to end: with `retain_finished_jobs` set low in `config.json`, the page
//! lets the older finished jobs go, its summary says so, the status counts stay the backend's,
//! and a job it let go still opens on its job page (fetched again from `GET /jobs/{id}`).

use jobs_e2e::{dom, job_id, testid, timeout_secs, Stack};
use serde_json::json;

#[tokio::test]
async fn finished_jobs_beyond_the_retention_leave_memory_and_open_on_demand() {
    let stack = Stack::builder()
        .workers(1)
        .app_config("retain_finished_jobs", json!(1))
        .app_config("retain_finished_hours", json!(0))
        .start()
        .await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let id = job_id(&stack.quick_job("ds_sales", timeout_secs(60)).await);
        ids.push(id);
    }
    stack.open("/jobs").await;
    let browser = stack.browser();
    // The newest finished job is held; the two older ones are not, and the summary says so.
    let summary = browser
        .wait_text(&testid("list-summary"), "naming the jobs not held", |t| {
            t.contains("1 of 1 jobs") && t.contains("2 older finished jobs not held")
        })
        .await;
    assert!(
        summary.contains("the newest 1 finished jobs"),
        "the summary names the bound: {summary}"
    );
    let newest = ids.last().expect("three jobs");
    browser.wait_css(&dom::job_card(newest)).await;
    let cards = browser
        .find_all(dom::JOB_CARD)
        .await
        .expect("finding cards");
    assert_eq!(cards.len(), 1, "only the newest finished job is held");
    // The status filter still counts the backend's three succeeded jobs.
    browser
        .wait_text(
            &testid("count-succeeded"),
            "counting 3 succeeded jobs",
            |t| t.trim() == "3",
        )
        .await;

    // The oldest job, let go, opens on its page (in-app navigation, no reload).
    let oldest = &ids[0];
    browser
        .client()
        .execute(
            "location.hash = arguments[0]; return true;",
            vec![json!(format!("#/jobs/{oldest}"))],
        )
        .await
        .expect("navigating");
    browser.wait_css(&dom::job_detail(oldest)).await;
    browser
        .wait_text(
            &format!("{} {}", dom::job_detail(oldest), dom::JOB_STATUS),
            "naming \"succeeded\"",
            |t| dom::status_text_matches(t, "succeeded"),
        )
        .await;
}
