//! With no jobs, the Jobs page shows an empty state whose "Start Processing" button opens the
//! start dialog (a real `role=dialog` listing the backend's datasets); a job started from it
//! appears as a card and exists in the backend. The form refuses `chunk_rows = 0` next to the
//! field without sending anything, and shows what the server refuses next to the field it
//! concerns: every parameter rule is checked client-side exactly as the server checks it (see
//! `src/state/job_form.rs`), so the server-side refusal used is the contract's other create
//! error, an unknown dataset (its CSV removed while the dialog is open): 404 next to the
//! dataset choice for one job, and per-dataset results with the server's detail for a bulk
//! start, where the dataset that worked is started and the failed one stays selected.

use std::collections::BTreeSet;

use jobs_e2e::jobs_ui::{
    self, attr_of, backend_jobs, click_testid, count, focused, install_recorders, recorded,
    text_of, texts_of, wait_card,
};
use jobs_e2e::{dom, job_id, testid, timeout_secs, wait_for, Stack};
use serde_json::Value;

/// Clicks an input and types `text` into it (after clearing it with select-all + Backspace).
async fn fill(stack: &Stack, id: &str, text: &str) {
    let browser = stack.browser();
    jobs_ui::click_testid(browser, id)
        .await
        .expect("focus field");
    browser
        .client()
        .execute(
            "document.querySelector(arguments[0]).select();",
            vec![Value::String(testid(id))],
        )
        .await
        .expect("select field text");
    jobs_ui::press_key(browser, jobs_e2e::fantoccini::key::Key::Backspace)
        .await
        .expect("clear field");
    if !text.is_empty() {
        jobs_ui::type_text(browser, text).await.expect("type");
    }
}

#[tokio::test]
async fn empty_state_offers_start_processing_and_opens_the_start_modal() {
    let stack = Stack::start().await;
    let test_start = std::time::Instant::now();
    let browser = stack.browser();
    assert!(
        backend_jobs(&stack).await.is_empty(),
        "a fresh backend has jobs"
    );

    stack.open("/jobs").await;
    browser.wait_css(dom::JOBS_EMPTY).await;
    assert_eq!(count(browser, dom::JOB_CARD).await.unwrap(), 0);
    let cta = text_of(
        browser,
        &format!("{} {}", dom::JOBS_EMPTY, testid("empty-start")),
    )
    .await
    .unwrap();
    assert_eq!(
        cta.as_deref(),
        Some("Start Processing"),
        "empty-state button"
    );
    let empty_text = text_of(browser, dom::JOBS_EMPTY).await.unwrap().unwrap();
    assert!(
        empty_text.contains("No processing jobs yet"),
        "empty state says there are no jobs: {empty_text:?}"
    );

    // The call to action opens the start dialog, listing every dataset of the backend.
    click_testid(browser, "empty-start").await.unwrap();
    browser.wait_testid("start-modal").await;
    let modal = testid("start-modal");
    assert_eq!(
        attr_of(browser, &modal, "role").await.unwrap().as_deref(),
        Some("dialog")
    );
    assert_eq!(
        attr_of(browser, &modal, "aria-modal")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    let datasets = stack.datasets().await;
    assert_eq!(
        datasets.len(),
        4,
        "the backend's sample datasets: {datasets:?}"
    );
    browser.wait_testid("start-datasets").await;
    let options = texts_of(
        browser,
        &format!("{} .dataset-option", testid("start-datasets")),
    )
    .await
    .unwrap();
    assert_eq!(
        options.len(),
        datasets.len(),
        "dataset options: {options:?}"
    );
    for ds in &datasets {
        let id = ds["id"].as_str().unwrap();
        let name = ds["name"].as_str().unwrap();
        let rows = ds["rows"].as_u64().unwrap();
        let rows_text = format!("{} rows", jobs_ui::thousands(rows));
        assert!(
            options
                .iter()
                .any(|o| o.contains(name) && o.contains(&rows_text)),
            "no option shows {name} with {rows_text}: {options:?}"
        );
        assert_eq!(
            count(browser, &testid(&format!("start-dataset-{id}")))
                .await
                .unwrap(),
            1,
            "checkbox of {id}"
        );
    }

    // A client-side rule: chunk_rows = 0 is refused next to its field, and nothing is sent.
    install_recorders(browser).await.unwrap();
    click_testid(browser, "start-dataset-ds_customers")
        .await
        .unwrap();
    fill(&stack, "start-param-chunk_rows", "0").await;
    click_testid(browser, "start-submit").await.unwrap();
    let message = browser
        .wait_text(
            &testid("field-error-params.chunk_rows"),
            "saying what chunk_rows accepts",
            |t| t.contains("1") && t.contains("100,000"),
        )
        .await;
    println!("client-side field error: {message:?}");
    assert_eq!(
        attr_of(browser, &testid("start-param-chunk_rows"), "aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    let f = focused(browser).await.unwrap();
    assert_eq!(
        f.testid,
        "start-param-chunk_rows",
        "focus goes to the field to fix: {}",
        f.describe()
    );
    let rec = recorded(browser).await.unwrap();
    let posts: Vec<_> = rec.fetches.iter().filter(|c| c.method == "POST").collect();
    assert!(posts.is_empty(), "a refused form sent requests: {posts:?}");
    assert!(
        backend_jobs(&stack).await.is_empty(),
        "the backend got a job from an invalid form"
    );
    assert_eq!(
        count(browser, &modal).await.unwrap(),
        1,
        "the dialog stays open"
    );

    // Fixed, it starts one job: one POST /jobs, the dialog closes, the card appears.
    fill(&stack, "start-param-chunk_rows", "500").await;
    assert_eq!(
        count(browser, &testid("field-error-params.chunk_rows"))
            .await
            .unwrap(),
        0,
        "the message goes once the field is edited"
    );
    fill(&stack, "start-param-chunk_delay_ms", "300").await;
    click_testid(browser, "start-submit").await.unwrap();
    browser.wait_gone(&modal).await;
    let jobs = wait_for("the backend to have the job", timeout_secs(10), || async {
        let jobs = backend_jobs(&stack).await;
        (jobs.len() == 1).then_some(jobs)
    })
    .await;
    let job = jobs.values().next().unwrap().clone();
    let id = job_id(&job);
    assert_eq!(job["dataset_id"], "ds_customers", "{job}");
    assert_eq!(job["kind"], "profile", "{job}");
    assert_eq!(job["params"]["chunk_rows"], 500, "{job}");
    assert_eq!(job["params"]["chunk_delay_ms"], 300, "{job}");
    let card = wait_card(browser, &id, "to show", |c| !c.status.is_empty())
        .await
        .unwrap();
    assert!(card.text.contains("customers.csv"), "card: {card:?}");
    let rec = recorded(browser).await.unwrap();
    assert_eq!(
        rec.fetches_to("POST", "/api/v1/jobs").len(),
        1,
        "one create request: {:?}",
        rec.fetches
    );
    assert!(rec.fetches_to("POST", "/jobs/bulk/start").is_empty());
    assert!(
        count(browser, dom::JOBS_EMPTY).await.unwrap() == 0,
        "the empty state is gone once a job exists"
    );

    // The server's refusal, shown where it belongs. ds_sales disappears while the dialog is
    // open (its CSV moved away), so the id the form sends is unknown to the server.
    click_testid(browser, "start-open").await.unwrap();
    browser.wait_testid("start-modal").await;
    click_testid(browser, "start-dataset-ds_sales")
        .await
        .unwrap();
    let data = stack.temp_dir().join("data");
    let parked = stack.temp_dir().join("sales.csv.parked");
    std::fs::rename(data.join("sales.csv"), &parked).expect("move sales.csv away");
    let before = backend_jobs(&stack).await.len();
    click_testid(browser, "start-submit").await.unwrap();
    let detail = browser
        .wait_text(
            &testid("field-error-dataset"),
            "with the server's 404 detail",
            |t| t.contains("ds_sales") && t.contains("not found"),
        )
        .await;
    println!("server refusal next to the dataset field: {detail:?}");
    assert_eq!(
        backend_jobs(&stack).await.len(),
        before,
        "nothing was created"
    );
    assert_eq!(
        count(browser, &modal).await.unwrap(),
        1,
        "the dialog stays open"
    );

    // Bulk: ds_customers works, ds_sales does not; each dataset's outcome is listed with the
    // server's detail, the started job shows up, and only the failed dataset stays selected.
    click_testid(browser, "start-dataset-ds_customers")
        .await
        .unwrap();
    click_testid(browser, "start-submit").await.unwrap();
    browser.wait_testid("start-results").await;
    let results = browser
        .client()
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"start-result\"]')).map(li => ({
               dataset: li.getAttribute('data-dataset-id'), ok: li.getAttribute('data-ok'),
               text: li.textContent.trim()}));",
            vec![],
        )
        .await
        .unwrap();
    println!("bulk start results: {results}");
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 2, "{results:?}");
    let sales = results.iter().find(|r| r["dataset"] == "ds_sales").unwrap();
    let customers = results
        .iter()
        .find(|r| r["dataset"] == "ds_customers")
        .unwrap();
    assert_eq!(sales["ok"], "false");
    let sales_text = sales["text"].as_str().unwrap();
    assert!(
        sales_text.contains("dataset ds_sales not found") && sales_text.contains("404"),
        "the server's detail for ds_sales: {sales_text:?}"
    );
    assert_eq!(customers["ok"], "true");
    let jobs = backend_jobs(&stack).await;
    assert_eq!(jobs.len(), before + 1, "exactly the good dataset's job");
    let new: Vec<&Value> = jobs.values().filter(|j| j["id"] != id.as_str()).collect();
    let new_id = new[0]["id"].as_str().unwrap().to_string();
    assert_eq!(new[0]["dataset_id"], "ds_customers");
    assert!(
        customers["text"].as_str().unwrap().contains(&new_id),
        "the result names the new job {new_id}: {customers}"
    );
    let still: BTreeSet<String> = browser
        .client()
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid^=\"start-dataset-\"]'))
               .filter(c => c.checked).map(c => c.getAttribute('data-testid'));",
            vec![],
        )
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        still,
        BTreeSet::from(["start-dataset-ds_sales".to_string()]),
        "only the failed dataset stays selected"
    );
    let rec = recorded(browser).await.unwrap();
    assert_eq!(rec.fetches_to("POST", "/jobs/bulk/start").len(), 1);

    // With the dataset back, starting again creates exactly the missing job.
    std::fs::rename(&parked, data.join("sales.csv")).expect("restore sales.csv");
    click_testid(browser, "start-submit").await.unwrap();
    browser.wait_gone(&modal).await;
    let jobs = backend_jobs(&stack).await;
    assert_eq!(jobs.len(), before + 2, "{:?}", jobs.keys());
    let by_dataset: Vec<&str> = jobs
        .values()
        .map(|j| j["dataset_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        by_dataset.iter().filter(|d| **d == "ds_customers").count(),
        2
    );
    assert_eq!(by_dataset.iter().filter(|d| **d == "ds_sales").count(), 1);
    for jid in jobs.keys() {
        wait_card(browser, jid, "to be listed", |_| true)
            .await
            .unwrap();
    }
    println!(
        "test body (after the stack was up): {:.1}s",
        test_start.elapsed().as_secs_f64()
    );
}
