//! Everything on the Jobs page works from the keyboard alone — key presses sent to whatever has
//! focus, focus moved only with Tab / Shift+Tab from the top of the page, no clicks: Enter on
//! "Start Processing" opens the start dialog with focus inside it, Tab is trapped in the dialog,
//! Escape closes it and gives focus back to the opener; the form is filled (Space ticks a
//! dataset, digits typed into fields) and submitted with Enter; Space on a card's checkbox
//! selects the job; Enter on the card's Cancel opens a confirmation whose confirm button has
//! focus, Escape closes it (focus back on Cancel, nothing sent), and Enter, Enter cancels the
//! job, which the backend confirms.

use jobs_e2e::fantoccini::key::Key;
use jobs_e2e::jobs_ui::{
    backend_jobs, focused, press, press_key, press_shifted, tab_until, type_text, wait_card,
    wait_focus, Focused,
};
use jobs_e2e::{dom, job_id, testid, timeout_secs, wait_for, Stack};

const SPACE: char = ' ';

async fn is_checked(stack: &Stack, css: &str) -> bool {
    stack
        .browser()
        .client()
        .execute(
            "const el = document.querySelector(arguments[0]); return !!(el && el.checked);",
            vec![serde_json::json!(css)],
        )
        .await
        .expect("reading a checkbox")
        .as_bool()
        .unwrap_or(false)
}

#[tokio::test]
async fn keyboard_only_use_works_for_every_action() {
    let stack = Stack::start().await;
    let test_start = std::time::Instant::now();
    let browser = stack.browser();
    stack.open("/jobs").await;
    browser.wait_css(dom::JOBS_EMPTY).await;
    let start = focused(browser).await.unwrap();
    assert_eq!(
        start.tag,
        "body",
        "nothing has focus on load: {}",
        start.describe()
    );

    // Tab from the top of the page to "Start Processing" (the header's button comes first).
    let (opener, presses) = tab_until(browser, "Start Processing", 10, false, |f| {
        f.text == "Start Processing"
    })
    .await
    .unwrap();
    println!(
        "Start Processing reached with {presses} Tab press(es): {}",
        opener.describe()
    );
    assert_eq!(opener.tag, "button");
    let opener_id = opener.testid.clone();

    // Enter opens the dialog with focus inside; Escape closes it and focus returns.
    press_key(browser, Key::Enter).await.unwrap();
    browser.wait_testid("start-modal").await;
    let inside = wait_focus(browser, "something in the start dialog", |f| {
        f.dialog == "start-modal"
    })
    .await
    .unwrap();
    println!("focus on opening the start dialog: {}", inside.describe());
    press_key(browser, Key::Escape).await.unwrap();
    browser.wait_gone(&testid("start-modal")).await;
    let back = wait_focus(browser, "the opener again", |f| f.testid == opener_id)
        .await
        .unwrap();
    assert_eq!(back.text, "Start Processing");

    // Open again; Tab and Shift+Tab stay inside the dialog.
    press_key(browser, Key::Enter).await.unwrap();
    browser.wait_testid("start-datasets").await;
    wait_focus(browser, "the start dialog", |f| f.dialog == "start-modal")
        .await
        .unwrap();
    press_shifted(browser, Key::Tab).await.unwrap();
    let wrapped = focused(browser).await.unwrap();
    assert_eq!(
        wrapped.dialog,
        "start-modal",
        "Shift+Tab from the first control left the dialog: {}",
        wrapped.describe()
    );
    println!(
        "Shift+Tab from the first control goes to {}",
        wrapped.describe()
    );

    // Fill the form: Space ticks the dataset, digits go into the fields, Enter submits.
    let in_dialog =
        |id: &'static str| move |f: &Focused| f.dialog == "start-modal" && f.testid == id;
    tab_until(
        browser,
        "the ds_sensors checkbox",
        30,
        false,
        in_dialog("start-dataset-ds_sensors"),
    )
    .await
    .unwrap();
    press(browser, SPACE).await.unwrap();
    wait_for("ds_sensors to be ticked", timeout_secs(5), || async {
        is_checked(&stack, &testid("start-dataset-ds_sensors")).await
    })
    .await;
    tab_until(
        browser,
        "rows per chunk",
        10,
        false,
        in_dialog("start-param-chunk_rows"),
    )
    .await
    .unwrap();
    type_text(browser, "100").await.unwrap();
    tab_until(
        browser,
        "pause per chunk",
        3,
        false,
        in_dialog("start-param-chunk_delay_ms"),
    )
    .await
    .unwrap();
    type_text(browser, "500").await.unwrap();
    let (submit, _) = tab_until(
        browser,
        "the submit button",
        10,
        false,
        in_dialog("start-submit"),
    )
    .await
    .unwrap();
    assert_eq!(submit.text, "Start 1 job");
    press_key(browser, Key::Enter).await.unwrap();
    browser.wait_gone(&testid("start-modal")).await;
    let job = wait_for("the job in the backend", timeout_secs(10), || async {
        let jobs = backend_jobs(&stack).await;
        (jobs.len() == 1).then(|| jobs.into_values().next().unwrap())
    })
    .await;
    assert_eq!(job["dataset_id"], "ds_sensors", "{job}");
    assert_eq!(job["params"]["chunk_rows"], 100, "{job}");
    assert_eq!(job["params"]["chunk_delay_ms"], 500, "{job}");
    let id = job_id(&job);
    let after_submit = wait_focus(browser, "the opener after submitting", |f| {
        f.testid == opener_id
    })
    .await
    .unwrap();
    println!("focus after submitting: {}", after_submit.describe());
    wait_card(browser, &id, "running", |c| c.status == "running")
        .await
        .unwrap();

    // Space on the card's checkbox selects the job.
    let card_has = |want: &'static str| {
        let id = id.clone();
        move |f: &Focused| f.card == id && f.testid == want
    };
    let (_, n) = tab_until(
        browser,
        "the card's checkbox",
        40,
        false,
        card_has("job-select"),
    )
    .await
    .unwrap();
    println!("card checkbox reached with {n} Tab presses from the opener");
    press(browser, SPACE).await.unwrap();
    browser
        .wait_text(&testid("selection-count"), "1 selected", |t| {
            t == "1 selected"
        })
        .await;
    let card = wait_card(browser, &id, "selected", |c| c.selected)
        .await
        .unwrap();
    assert!(card.selected);
    let still = focused(browser).await.unwrap();
    assert!(
        still.card == id && still.testid == "job-select",
        "selecting moved focus: {}",
        still.describe()
    );

    // Tab to Cancel; Enter opens the confirmation with focus on its confirm button.
    tab_until(
        browser,
        "the card's Cancel",
        5,
        false,
        card_has("job-cancel"),
    )
    .await
    .unwrap();
    press_key(browser, Key::Enter).await.unwrap();
    browser.wait_testid("confirm-cancel").await;
    let confirm = wait_focus(browser, "the confirm button", |f| {
        f.dialog == "confirm-cancel" && f.testid == "confirm-button"
    })
    .await
    .unwrap();
    assert_eq!(confirm.text, "Cancel job");

    // Escape closes it, nothing is cancelled, focus is back on Cancel.
    press_key(browser, Key::Escape).await.unwrap();
    browser.wait_gone(&testid("confirm-cancel")).await;
    wait_focus(browser, "the card's Cancel again", card_has("job-cancel"))
        .await
        .unwrap();
    assert_eq!(stack.job(&id).await["status"], "running");

    // Enter, Enter: confirmed and cancelled.
    press_key(browser, Key::Enter).await.unwrap();
    browser.wait_testid("confirm-cancel").await;
    wait_focus(browser, "the confirm button", |f| {
        f.dialog == "confirm-cancel" && f.testid == "confirm-button"
    })
    .await
    .unwrap();
    press_key(browser, Key::Enter).await.unwrap();
    browser.wait_gone(&testid("confirm-cancel")).await;
    wait_card(browser, &id, "cancelling or cancelled", |c| {
        matches!(c.status.as_str(), "cancelling" | "cancelled")
    })
    .await
    .unwrap();
    let backend = stack.wait_status(&id, "cancelled", timeout_secs(20)).await;
    assert_eq!(backend["attempt"], 1);
    wait_card(browser, &id, "cancelled", |c| c.status == "cancelled")
        .await
        .unwrap();
    let end = focused(browser).await.unwrap();
    println!("focus after the keyboard cancel: {}", end.describe());
    assert_eq!(
        end.testid,
        "job-card",
        "after the cancel, keyboard focus stays on the job's card, not the page: {}",
        end.describe()
    );
    println!(
        "test body (after the stack was up): {:.1}s",
        test_start.elapsed().as_secs_f64()
    );
}
