//! Hash routing under a sub-path on a plain static server: deep links to a job's detail load
//! directly, unknown routes show the not-found view whose link leads back to the list, and the
//! app also loads when the document is named (`.../index.html#/jobs`).

use jobs_e2e::{dom, job_id, timeout_secs, Stack};

/// A stack with one job that has finished.
async fn stack_with_a_finished_job() -> (Stack, String) {
    let stack = Stack::builder().workers(1).start().await;
    let id = job_id(&stack.quick_job("ds_sales", timeout_secs(60)).await);
    (stack, id)
}

#[tokio::test]
async fn deep_link_to_a_job_opens_its_detail() {
    let (stack, id) = stack_with_a_finished_job().await;
    let url = stack.app_url(&format!("/jobs/{id}"));
    assert!(url.contains("/apps/jobs/#/jobs/"), "{url}");

    stack.open(&format!("/jobs/{id}")).await;
    let browser = stack.browser();
    browser.wait_css(&dom::job_detail(&id)).await;
    browser
        .wait_text(
            &format!("{} {}", dom::job_detail(&id), dom::JOB_STATUS),
            "naming \"succeeded\"",
            |t| dom::status_text_matches(t, "succeeded"),
        )
        .await;
    assert!(browser
        .find_all(dom::NOT_FOUND)
        .await
        .expect("query")
        .is_empty());
}

#[tokio::test]
async fn unknown_route_shows_not_found_with_a_link_back_to_the_list() {
    let (stack, id) = stack_with_a_finished_job().await;
    stack.open("/nope").await;
    let browser = stack.browser();
    browser.wait_css(dom::NOT_FOUND).await;

    let back_css = format!("{} a[href=\"#/jobs\"]", dom::NOT_FOUND);
    let back = browser.wait_css(&back_css).await;
    let label = back.text().await.expect("link text");
    assert!(
        label.contains("Back to jobs"),
        "the not-found link reads {label:?}"
    );
    back.click().await.expect("click Back to jobs");

    browser.wait_css(dom::JOBS_PAGE).await;
    browser.wait_css(&dom::job_card(&id)).await;
    browser.wait_gone(dom::NOT_FOUND).await;
    let url = browser.current_url().await.expect("url");
    assert_eq!(url, stack.app_url("/jobs"), "after Back to jobs");
}

#[tokio::test]
async fn app_loads_when_the_document_is_named_index_html() {
    let (stack, id) = stack_with_a_finished_job().await;
    let browser = stack.browser();
    browser
        .open_fresh(&stack.app_index_url("/jobs"))
        .await
        .expect("open index.html#/jobs");
    browser.wait_css(dom::JOBS_PAGE).await;
    browser.wait_css(&dom::job_card(&id)).await;
    assert!(browser
        .find_all(dom::NOT_FOUND)
        .await
        .expect("query")
        .is_empty());
}
