//! Browser tests of components (headless Chromium via wasm-bindgen-test): what only a real DOM
//! shows — text vs markup, roles, attributes.
#![cfg(target_arch = "wasm32")]

mod support;

use jobs_page::components::error_banner::{ErrorBanner, ErrorBannerProps};
use jobs_page::components::jobs::job_card::{JobCard, JobCardProps};
use jobs_page::components::jobs::job_row::JobRow;
use jobs_page::fixtures::{job_error, JobBuilder};
use jobs_page::types::{Job, JobKind, JobStatus};
use std::rc::Rc;
use std::time::Duration;

use jobs_page::hooks::{ConfigContext, JobsProvider};
use jobs_page::services::live::running_loops;
use jobs_page::state::config::Config;
use support::{q, root};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The card tests' job: a validation of `dataset_name`, 1,500 of 6,000 rows done.
fn job(status: JobStatus, dataset_name: &str) -> Job {
    JobBuilder::new("job_0123456789ab")
        .kind(JobKind::Validate)
        .dataset("ds_x", dataset_name)
        .status(status)
        .chunk_delay_ms(0)
        .progress(1500, 6000)
        .phase("validating")
        .progress_at(1)
        .created_at(1)
        .updated_at(1)
        .version(3)
        .build()
}

#[wasm_bindgen_test]
async fn job_card_renders_untrusted_names_as_text() {
    let evil = r#"<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>"#;
    let el = support::mount::<JobCard>(yew::props!(JobCardProps {
        job: Rc::new(job(JobStatus::Running, evil)),
    }))
    .await;
    assert_eq!(
        q(&el, "[data-testid=job-dataset]").text_content().unwrap(),
        evil
    );
    assert!(
        el.query_selector("img").unwrap().is_none(),
        "markup was parsed"
    );
    assert!(
        el.query_selector("script").unwrap().is_none(),
        "markup was parsed"
    );
    let pwned = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__pwned".into()).unwrap();
    assert!(pwned.is_undefined());
}

#[wasm_bindgen_test]
async fn job_card_shows_status_progress_and_error_in_words() {
    let mut failed = job(JobStatus::Failed, "sensors_corrupt.csv");
    failed.error = Some(job_error(
        "ValueError",
        "row 1201: column 'value': could not convert 'n/a' to float\nsecond line",
        "Traceback (most recent call last):",
    ));
    let el = support::mount::<JobCard>(yew::props!(JobCardProps {
        job: Rc::new(failed),
        stale: true,
    }))
    .await;
    let card = q(&el, "[data-testid=job-card]");
    assert_eq!(card.get_attribute("data-status").as_deref(), Some("failed"));
    assert_eq!(
        q(&el, "[data-testid=job-status]").text_content().unwrap(),
        "failed"
    );
    assert_eq!(
        q(&el, "[data-testid=job-error]").text_content().unwrap(),
        "ValueError: row 1201: column 'value': could not convert 'n/a' to float"
    );
    assert_eq!(
        card.get_attribute("data-stale").as_deref(),
        Some("false"),
        "a finished job is never marked stale"
    );
    let bar = q(&el, "[role=progressbar]");
    assert_eq!(bar.get_attribute("aria-valuenow").as_deref(), Some("25"));
    assert_eq!(
        q(&el, "[data-testid=job-progress]").text_content().unwrap(),
        "1,500 / 6,000 rows (25%)"
    );
    let link = q(&el, "a.job-link")
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .unwrap();
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("#/jobs/job_0123456789ab")
    );
}

/// A failed job that ran 850 ms and finished 3 min 19 s before `NOW`.
const NOW: i64 = 1_800_000_000_000;

fn finished_job(dataset_name: &str) -> Job {
    let mut j = job(JobStatus::Failed, dataset_name);
    j.started_at = Some(NOW - 200_000);
    j.finished_at = Some(NOW - 199_150);
    j.error = Some(job_error("ValueError", "row 7: bad", "Traceback"));
    j
}

#[wasm_bindgen_test]
async fn a_compact_row_says_what_a_card_says_on_one_line() {
    let evil = "<b>sales</b>.csv";
    let el = support::mount::<JobRow>(yew::props!(JobCardProps {
        job: Rc::new(finished_job(evil)),
        now_ms: NOW,
    }))
    .await;
    let row = q(&el, "[data-testid=job-row]");
    assert_eq!(row.get_attribute("data-status").as_deref(), Some("failed"));
    assert_eq!(
        q(&el, "[data-testid=job-dataset]").text_content().unwrap(),
        evil
    );
    assert!(
        el.query_selector("b").unwrap().is_none(),
        "markup was parsed"
    );
    assert_eq!(
        q(&el, "[data-testid=job-progress]").text_content().unwrap(),
        "25%"
    );
    assert_eq!(
        q(&el, "[role=progressbar]")
            .get_attribute("aria-valuetext")
            .as_deref(),
        Some("1,500 / 6,000 rows (25%)")
    );
    // Finished: how long it took and when, no ETA; the exact time for hover and readers.
    assert_eq!(
        q(&el, "[data-testid=job-elapsed]").text_content().unwrap(),
        "took 850 ms"
    );
    let when = q(&el, "[data-testid=job-when]");
    assert_eq!(
        when.text_content().unwrap(),
        "finished 3 min ago (2027-01-15 07:56:40 UTC)"
    );
    assert_eq!(
        when.get_attribute("title").as_deref(),
        Some("2027-01-15 07:56:40 UTC")
    );
    assert_eq!(
        when.get_attribute("datetime").as_deref(),
        Some("2027-01-15T07:56:40Z")
    );
    assert!(el
        .query_selector("[data-testid=job-eta]")
        .unwrap()
        .is_none());
    assert_eq!(
        q(&el, "[data-testid=job-attempt]").text_content().unwrap(),
        "attempt 1"
    );
    // The same actions, under the same names, as the card.
    let retry = q(&el, "[data-testid=job-retry]");
    assert!(retry
        .get_attribute("aria-label")
        .is_some_and(|l| l.starts_with("Retry ") && l.contains("job_0123456789ab")));
    assert!(el
        .query_selector("[data-testid=job-cancel]")
        .unwrap()
        .is_none());
    assert!(el
        .query_selector("[data-testid=job-logs]")
        .unwrap()
        .is_some());
}

#[wasm_bindgen_test]
async fn a_finished_card_has_no_eta_and_a_running_one_does() {
    let el = support::mount::<JobCard>(yew::props!(JobCardProps {
        job: Rc::new(finished_job("sales.csv")),
        now_ms: NOW,
    }))
    .await;
    assert!(el
        .query_selector("[data-testid=job-eta]")
        .unwrap()
        .is_none());
    assert_eq!(
        q(&el, "[data-testid=job-elapsed]").text_content().unwrap(),
        "took 850 ms"
    );
    assert!(q(&el, "[data-testid=job-when]")
        .text_content()
        .unwrap()
        .starts_with("finished 3 min ago"));

    // While the data is not live its clock stops, but "finished … ago" follows the wall clock.
    let el = support::mount::<JobCard>(yew::props!(JobCardProps {
        job: Rc::new(finished_job("sales.csv")),
        now_ms: NOW,
        wall_ms: Some(NOW + 3_600_000),
        stale: true,
    }))
    .await;
    assert!(q(&el, "[data-testid=job-when]")
        .text_content()
        .unwrap()
        .starts_with("finished 1 h ago"));
    assert_eq!(
        q(&el, "[data-testid=job-elapsed]").text_content().unwrap(),
        "took 850 ms"
    );

    let mut running = job(JobStatus::Running, "sales.csv");
    running.started_at = Some(NOW - 650);
    let el = support::mount::<JobCard>(yew::props!(JobCardProps {
        job: Rc::new(running),
        now_ms: NOW,
    }))
    .await;
    assert_eq!(
        q(&el, "[data-testid=job-eta]").text_content().unwrap(),
        "ETA unknown"
    );
    assert_eq!(
        q(&el, "[data-testid=job-elapsed]").text_content().unwrap(),
        "elapsed 650 ms"
    );
    assert!(el
        .query_selector("[data-testid=job-when]")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn error_banner_is_an_alert_with_a_working_retry() {
    use std::cell::Cell;
    use std::rc::Rc;
    let el = root();
    let clicks = Rc::new(Cell::new(0));
    let counter = clicks.clone();
    yew::Renderer::<ErrorBanner>::with_root_and_props(
        el.clone(),
        ErrorBannerProps {
            title: "Could not load jobs".into(),
            message: "cannot reach the server: <b>down</b>".into(),
            on_retry: Some(yew::Callback::from(move |_| counter.set(counter.get() + 1))),
            testid: Some("jobs-error".into()),
        },
    )
    .render();
    yew::scheduler::flush().await;
    let alert = q(&el, "[role=alert]");
    assert!(alert
        .text_content()
        .unwrap()
        .contains("cannot reach the server: <b>down</b>"));
    let button = q(&el, "button").dyn_into::<web_sys::HtmlElement>().unwrap();
    assert_eq!(button.text_content().as_deref(), Some("Retry"));
    button.click();
    yew::scheduler::flush().await;
    assert_eq!(clicks.get(), 1);
}

#[wasm_bindgen_test]
async fn optimistic_status_and_staleness_show_on_the_card() {
    let el = support::mount::<JobCard>(yew::props!(JobCardProps {
        job: Rc::new(job(JobStatus::Running, "sales.csv")),
        shown_status: Some(JobStatus::Cancelling),
        stale: true,
    }))
    .await;
    let card = q(&el, "[data-testid=job-card]");
    assert_eq!(
        card.get_attribute("data-status").as_deref(),
        Some("cancelling")
    );
    assert_eq!(card.get_attribute("data-stale").as_deref(), Some("true"));
    assert_eq!(
        q(&el, "[data-testid=job-stale]").text_content().as_deref(),
        Some("possibly out of date")
    );
}

/// Waits (by polling a condition, with a deadline) for the live loop count to reach `want`.
async fn wait_loops(want: u32) {
    for _ in 0..200 {
        if running_loops() == want {
            return;
        }
        gloo_timers::future::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "expected {want} running live loops, found {}",
        running_loops()
    );
}

#[derive(yew::Properties, PartialEq)]
struct HostProps {
    config: ConfigContext,
}

#[yew::component]
fn Host(props: &HostProps) -> yew::Html {
    yew::html! {
        <yew::ContextProvider<ConfigContext> context={props.config.clone()}>
            <JobsProvider><p>{ "inside" }</p></JobsProvider>
        </yew::ContextProvider<ConfigContext>>
    }
}

#[wasm_bindgen_test]
async fn unmounting_the_provider_stops_the_live_loop() {
    assert_eq!(running_loops(), 0);
    // Nothing listens on port 9: the loop keeps failing and backing off until stopped.
    let config = Rc::new(Config {
        api_base: "http://127.0.0.1:9/api/v1".into(),
        ws_url: "ws://127.0.0.1:9/api/v1/ws".into(),
        allowed_parent_origins: vec![],
        stall_after_ms: 60_000,
        log_level: Default::default(),
        dataset_url: None,
        retention: Default::default(),
    });
    for _ in 0..3 {
        let el = root();
        let app = yew::Renderer::<Host>::with_root_and_props(
            el.clone(),
            HostProps {
                config: config.clone(),
            },
        )
        .render();
        yew::scheduler::flush().await;
        wait_loops(1).await;
        app.destroy();
        yew::scheduler::flush().await;
        wait_loops(0).await;
    }
}
