//! The Jobs page's view lives in the URL: every filter, the search and the sort rewrite the
//! hash query (`#/jobs?status=failed&dataset=...&kind=...&q=...&sort=...`) and narrow the list to
//! exactly the matching jobs; a link with such a query opens the page filtered, its controls
//! showing the filter (status chip pressed, selects and search filled); `?dataset=<id>` on the
//! page URL itself (before the hash, as the shell's dataset page opens it) pre-filters to that
//! dataset; and the per-status counts equal the backend's (of the dataset, when the list is
//! narrowed to one: a chip counts what its click would list).

use std::collections::{BTreeMap, BTreeSet};

use jobs_e2e::fantoccini::Locator;
use jobs_e2e::jobs_ui::{
    self, all_listed_ids, attr_of, backend_counts, backend_jobs, click_testid, hash, search,
    status_of, text_of, wait_summary,
};
use jobs_e2e::{dom, job_id, testid, timeout_secs, wait_for, Stack};
use serde_json::{json, Value};

const STATUSES: [&str; 6] = [
    "queued",
    "running",
    "cancelling",
    "succeeded",
    "failed",
    "cancelled",
];

fn ids_where(jobs: &BTreeMap<String, Value>, pred: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    jobs.iter()
        .filter(|(_, j)| pred(j))
        .map(|(id, _)| id.clone())
        .collect()
}

/// Waits until the list holds exactly `expected` (scrolling the virtual list to read it all).
async fn wait_listed(stack: &Stack, what: &str, expected: &BTreeSet<String>) {
    let browser = stack.browser();
    let summary = format!(
        "{} of {} jobs",
        expected.len(),
        backend_jobs(stack).await.len()
    );
    wait_summary(browser, &summary).await;
    let listed: BTreeSet<String> = all_listed_ids(browser).await.unwrap().into_iter().collect();
    assert_eq!(&listed, expected, "{what}: listed jobs");
}

/// Waits until the hash is `expected`.
async fn wait_hash(stack: &Stack, expected: &str) {
    wait_for(
        &format!("the URL hash to be {expected:?}"),
        timeout_secs(10),
        || async {
            let h = hash(stack.browser()).await.map_err(|e| e.to_string())?;
            if h == expected {
                Ok(())
            } else {
                Err(format!("hash is {h:?}"))
            }
        },
    )
    .await;
}

/// Chooses `value` in the `<select>` with test id `id`, as a user does (the option is clicked).
async fn choose(stack: &Stack, id: &str, value: &str) {
    let select = stack.browser().wait_testid(id).await;
    select
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choosing {value:?} in {id}: {e}"));
}

async fn select_value(stack: &Stack, id: &str) -> String {
    stack
        .browser()
        .client()
        .execute(
            "return document.querySelector(arguments[0]).value;",
            vec![json!(testid(id))],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The six status chips' `aria-pressed` values.
async fn pressed_chips(stack: &Stack) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in STATUSES {
        let v = attr_of(
            stack.browser(),
            &testid(&format!("filter-status-{s}")),
            "aria-pressed",
        )
        .await
        .unwrap();
        if v.as_deref() == Some("true") {
            out.insert(s.to_string());
        }
    }
    out
}

/// Every `count-<status>` shown, against the backend's counts.
async fn assert_counts_match(stack: &Stack) {
    assert_chips_show(stack, backend_counts(stack).await, "the backend's counts").await;
}

/// Every `count-<status>` shown, against the backend's jobs of one dataset: with the list
/// narrowed to a dataset, each chip counts what its click would list.
async fn assert_dataset_counts_match(stack: &Stack, dataset_id: &str) {
    let mut want = BTreeMap::new();
    for job in backend_jobs(stack).await.values() {
        if job["dataset_id"] == dataset_id {
            *want.entry(status_of(job).to_string()).or_insert(0u64) += 1;
        }
    }
    assert_chips_show(stack, want, dataset_id).await;
}

async fn assert_chips_show(stack: &Stack, backend: BTreeMap<String, u64>, what: &str) {
    wait_for(
        &format!("the status counts to match {what}"),
        timeout_secs(10),
        || async {
            let mut diffs = Vec::new();
            for s in STATUSES {
                let shown = text_of(stack.browser(), &testid(&format!("count-{s}")))
                    .await
                    .map_err(|e| e.to_string())?;
                let want = backend.get(s).copied().unwrap_or(0).to_string();
                if shown.as_deref() != Some(want.as_str()) {
                    diffs.push(format!("{s}: page {shown:?}, backend {want}"));
                }
            }
            if diffs.is_empty() {
                Ok(())
            } else {
                Err(diffs.join(", "))
            }
        },
    )
    .await;
}

#[tokio::test]
async fn filters_search_and_sort_live_in_the_url() {
    let stack = Stack::start().await;
    let test_start = std::time::Instant::now();

    // Jobs in four statuses over three datasets and both kinds.
    let quick = json!({"chunk_rows": 100000, "chunk_delay_ms": 0});
    let mut quick_ids = Vec::new();
    for (ds, kind, params) in [
        (
            "ds_sensors_corrupt",
            "validate",
            json!({"chunk_delay_ms": 0}),
        ),
        (
            "ds_sensors_corrupt",
            "validate",
            json!({"chunk_delay_ms": 0}),
        ),
        ("ds_customers", "profile", quick.clone()),
        ("ds_sales", "validate", quick.clone()),
    ] {
        let job = stack.create_job(ds, kind, params).await;
        quick_ids.push(job_id(&job));
    }
    for id in &quick_ids {
        stack
            .wait_job(id, "to finish", timeout_secs(30), |j| {
                matches!(j["status"].as_str(), Some("failed" | "succeeded"))
            })
            .await;
    }
    let slow = json!({"chunk_rows": 100, "chunk_delay_ms": 1000});
    let running_id = stack.start_job("ds_sales", "profile", slow.clone()).await;
    let cancel_id = stack.start_job("ds_sensors", "profile", slow).await;
    stack
        .wait_status(&running_id, "running", timeout_secs(20))
        .await;
    let (code, body) = stack
        .api_post(&format!("jobs/{cancel_id}/cancel"), json!({}))
        .await;
    assert_eq!(code, 200, "{body}");
    stack
        .wait_status(&cancel_id, "cancelled", timeout_secs(20))
        .await;
    let jobs = backend_jobs(&stack).await;
    let all: BTreeSet<String> = jobs.keys().cloned().collect();
    let failed = ids_where(&jobs, |j| status_of(j) == "failed");
    let cancelled = ids_where(&jobs, |j| status_of(j) == "cancelled");
    assert_eq!(failed.len(), 2, "{jobs:?}");
    assert_eq!(cancelled, BTreeSet::from([cancel_id.clone()]));
    let sales = ids_where(&jobs, |j| j["dataset_id"] == "ds_sales");
    let sales_validate = ids_where(&jobs, |j| {
        j["dataset_id"] == "ds_sales" && j["kind"] == "validate"
    });
    assert_eq!(sales.len(), 2);
    assert_eq!(sales_validate.len(), 1);

    // The unfiltered page: every job, the backend's counts, no chip pressed, hash plain.
    stack.open("/jobs").await;
    let browser = stack.browser();
    browser.wait_css(dom::JOBS_PAGE).await;
    wait_listed(&stack, "no filter", &all).await;
    assert_counts_match(&stack).await;
    assert!(pressed_chips(&stack).await.is_empty());
    assert_eq!(hash(browser).await.unwrap(), "/jobs");

    // Status chips.
    click_testid(browser, "filter-status-failed").await.unwrap();
    wait_hash(&stack, "/jobs?status=failed").await;
    wait_listed(&stack, "status=failed", &failed).await;
    assert_eq!(
        pressed_chips(&stack).await,
        BTreeSet::from(["failed".to_string()])
    );
    click_testid(browser, "filter-status-cancelled")
        .await
        .unwrap();
    wait_hash(&stack, "/jobs?status=failed,cancelled").await;
    let failed_or_cancelled: BTreeSet<String> = failed.union(&cancelled).cloned().collect();
    wait_listed(&stack, "failed or cancelled", &failed_or_cancelled).await;
    click_testid(browser, "filter-status-failed").await.unwrap();
    click_testid(browser, "filter-status-cancelled")
        .await
        .unwrap();
    wait_hash(&stack, "/jobs").await;
    wait_listed(&stack, "chips released", &all).await;
    // Counts ignore filters.
    assert_counts_match(&stack).await;

    // Dataset and kind.
    choose(&stack, "filter-dataset", "ds_sales").await;
    wait_hash(&stack, "/jobs?dataset=ds_sales").await;
    wait_listed(&stack, "dataset=ds_sales", &sales).await;
    choose(&stack, "filter-kind", "validate").await;
    wait_hash(&stack, "/jobs?dataset=ds_sales&kind=validate").await;
    wait_listed(&stack, "ds_sales validate", &sales_validate).await;
    choose(&stack, "filter-dataset", "").await;
    choose(&stack, "filter-kind", "").await;
    wait_hash(&stack, "/jobs").await;

    // Search: by job id, and by error text with a space (encoded in the URL).
    let one = failed.iter().next().unwrap().clone();
    search(browser, &one).await.unwrap();
    wait_hash(&stack, &format!("/jobs?q={one}")).await;
    wait_listed(&stack, "search by id", &BTreeSet::from([one.clone()])).await;
    search(browser, "row 7342").await.unwrap();
    wait_hash(&stack, "/jobs?q=row%207342").await;
    wait_listed(&stack, "search by error text", &failed).await;
    search(browser, "").await.unwrap();
    wait_hash(&stack, "/jobs").await;

    // Sort.
    choose(&stack, "filter-sort", "eta").await;
    wait_hash(&stack, "/jobs?sort=eta").await;
    choose(&stack, "filter-sort", "progress").await;
    wait_hash(&stack, "/jobs?sort=progress").await;
    let order = all_listed_ids(browser).await.unwrap();
    let fraction = |id: &String| {
        let p = &jobs[id]["progress"];
        let total = p["total"].as_f64().unwrap_or(0.0);
        if total > 0.0 {
            p["processed"].as_f64().unwrap_or(0.0) / total
        } else {
            0.0
        }
    };
    let completed: Vec<String> = order
        .iter()
        .filter(|id| fraction(id) >= 1.0)
        .cloned()
        .collect();
    assert_eq!(
        &order[..completed.len()],
        completed.as_slice(),
        "most progress first: finished jobs lead ({order:?})"
    );
    choose(&stack, "filter-sort", "newest").await;
    wait_hash(&stack, "/jobs").await;

    // Deep link: #/jobs?status=failed opens filtered, chip pressed.
    stack.open("/jobs?status=failed").await;
    let browser = stack.browser();
    browser.wait_css(dom::JOBS_PAGE).await;
    wait_listed(&stack, "#/jobs?status=failed", &failed).await;
    assert_eq!(
        pressed_chips(&stack).await,
        BTreeSet::from(["failed".to_string()])
    );
    assert_counts_match(&stack).await;

    // A deep link with everything: each control shows it.
    let q = "7342";
    stack
        .open(&format!(
            "/jobs?status=failed&dataset=ds_sensors_corrupt&kind=validate&q={q}&sort=progress"
        ))
        .await;
    let browser = stack.browser();
    browser.wait_css(dom::JOBS_PAGE).await;
    wait_listed(&stack, "full deep link", &failed).await;
    assert_eq!(
        select_value(&stack, "filter-dataset").await,
        "ds_sensors_corrupt"
    );
    assert_eq!(select_value(&stack, "filter-kind").await, "validate");
    assert_eq!(select_value(&stack, "filter-sort").await, "progress");
    let search_value = browser
        .client()
        .find(Locator::Css(&testid("filter-search")))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(search_value.as_deref(), Some(q));

    // ?dataset= on the page URL (before the hash), as the shell's dataset page opens it.
    let url = format!("{}index.html?dataset=ds_sales#/jobs", stack.app_base_url());
    browser.open_fresh(&url).await.unwrap();
    browser.wait_css(dom::JOBS_PAGE).await;
    wait_listed(&stack, "?dataset=ds_sales on the page URL", &sales).await;
    assert_eq!(select_value(&stack, "filter-dataset").await, "ds_sales");
    assert_dataset_counts_match(&stack, "ds_sales").await;
    println!(
        "outer ?dataset=ds_sales: hash after load {:?}",
        hash(browser).await.unwrap()
    );
    println!(
        "test body (after the stack was up): {:.1}s",
        test_start.elapsed().as_secs_f64()
    );
}

/// The shell opens the page with `?dataset=<id>`; a user who then chooses "All datasets" keeps
/// that choice when they open a job and come back (browser Back or the "All jobs" link): the
/// hash then says no dataset, so the list must not be narrowed again.
#[tokio::test]
async fn clearing_the_shell_dataset_filter_survives_opening_a_job() {
    let stack = Stack::start().await;
    let quick = json!({"chunk_rows": 100000, "chunk_delay_ms": 0});
    let sales = stack.create_job("ds_sales", "profile", quick.clone()).await;
    stack.create_job("ds_customers", "profile", quick).await;
    let sales_id = job_id(&sales);
    let browser = stack.browser();
    let url = format!("{}index.html?dataset=ds_sales#/jobs", stack.app_base_url());
    browser.open_fresh(&url).await.unwrap();
    browser.wait_css(dom::JOBS_PAGE).await;
    wait_summary(browser, "1 of 2 jobs").await;
    choose(&stack, "filter-dataset", "").await;
    wait_hash(&stack, "/jobs").await;
    wait_summary(browser, "2 of 2 jobs").await;

    // Open the job's details, then come back with the browser's Back button.
    jobs_ui::click(
        browser,
        &format!("{} a.job-link", jobs_ui::card_css(&sales_id)),
    )
    .await
    .unwrap();
    browser.wait_css(&dom::job_detail(&sales_id)).await;
    browser.client().back().await.unwrap();
    browser.wait_css(dom::JOBS_PAGE).await;
    assert_eq!(hash(browser).await.unwrap(), "/jobs");
    // The page re-renders from its first frame on: a wrong filter shows at once.
    browser
        .wait_text(&testid("list-summary"), "2 of 2 jobs", |t| {
            t.ends_with(" jobs")
        })
        .await;
    let summary = text_of(browser, &testid("list-summary")).await.unwrap();
    let dataset = select_value(&stack, "filter-dataset").await;
    assert_eq!(
        (summary.as_deref(), dataset.as_str()),
        (Some("2 of 2 jobs"), ""),
        "after Back, the hash says no dataset filter but the list is filtered to {dataset:?}"
    );
}
