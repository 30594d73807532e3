//! Cancelling from the Jobs page: a dialog names the job (kind, dataset name, id) before
//! anything happens; once confirmed the card shows `cancelling` at once — measured in the
//! browser from the confirm click to the card's status change, and before the page even has
//! the server's answer to its cancel request — then `cancelled`; its progress stops and stays
//! where the backend stopped. A cancel confirmed after the job finished on its own is refused by
//! the server and the card says why while still showing the real status. An action that cannot
//! reach the API (API killed) is explained in words and undone on the card; once the API is
//! back the list matches the backend and nothing was retried behind the user's back.

use std::time::{Duration, Instant};

use jobs_e2e::jobs_ui::{
    self, backend_jobs, click, click_in_card, install_recorders, read_card, recorded, text_of,
    wait_card, JobView,
};
use jobs_e2e::{dom, testid, timeout_secs, wait_for, Stack};
use serde_json::{json, Value};

/// Statuses and attempts of every card that differ from the backend (empty when they agree).
async fn mismatches(stack: &Stack) -> Vec<String> {
    let jobs = backend_jobs(stack).await;
    let mut out = Vec::new();
    for (id, job) in &jobs {
        match read_card(stack.browser(), id).await {
            Ok(Some(card)) => {
                let attempt = format!("attempt {}", job["attempt"]);
                if card.status != jobs_ui::status_of(job)
                    || card.attempt.as_deref() != Some(&attempt)
                {
                    out.push(format!(
                        "{id}: page {} / {:?}, backend {} / {attempt}",
                        card.status,
                        card.attempt,
                        jobs_ui::status_of(job)
                    ));
                }
            }
            Ok(None) => out.push(format!("{id}: no card")),
            Err(e) => out.push(e.to_string()),
        }
    }
    out
}

#[tokio::test]
async fn cancelling_a_running_job_confirms_updates_at_once_and_stops_progress() {
    let mut stack = Stack::start().await;
    let test_start = std::time::Instant::now();
    // A long job: 50,000 rows in 200-row chunks with 300 ms pauses (over a minute).
    let long_id = stack
        .start_job(
            "ds_sensors",
            "profile",
            json!({"chunk_rows": 200, "chunk_delay_ms": 300}),
        )
        .await;
    stack.open("/jobs").await;
    let browser = stack.browser();
    browser.wait_css(dom::JOBS_PAGE).await;
    wait_card(browser, &long_id, "running with progress", |c| {
        c.status == "running" && c.processed().unwrap_or(0) > 0
    })
    .await
    .unwrap();
    install_recorders(browser).await.unwrap();

    // The dialog names the job; nothing is sent before it is confirmed.
    click_in_card(browser, &long_id, "job-cancel")
        .await
        .unwrap();
    let dialog = testid("confirm-cancel");
    browser.wait_css(&dialog).await;
    let text = text_of(browser, &dialog).await.unwrap().unwrap();
    println!("cancel dialog: {text:?}");
    assert!(
        text.contains("sensors.csv") && text.contains(&long_id) && text.contains("profile"),
        "the dialog names the job: {text:?}"
    );
    let rec = recorded(browser).await.unwrap();
    assert!(
        rec.fetches_to("POST", "/cancel").is_empty(),
        "a cancel was sent before confirming: {:?}",
        rec.fetches
    );
    assert_eq!(stack.job(&long_id).await["status"], "running");

    // Confirm: the card changes at once.
    let clicked = Instant::now();
    click(browser, &format!("{dialog} {}", testid("confirm-button")))
        .await
        .unwrap();
    let first = wait_card(browser, &long_id, "to show cancelling or cancelled", |c| {
        matches!(c.status.as_str(), "cancelling" | "cancelled")
    })
    .await
    .unwrap();
    let seen_after = clicked.elapsed();
    let rec = wait_for(
        "the cancel request to be answered",
        timeout_secs(10),
        || async {
            let rec = recorded(browser).await.ok()?;
            let done = rec
                .fetches_to("POST", &format!("/jobs/{long_id}/cancel"))
                .first()
                .is_some_and(|f| f.settled.is_some());
            done.then_some(rec)
        },
    )
    .await;
    let click_t = rec
        .clicks
        .iter()
        .rev()
        .find(|c| c.testid == "confirm-button")
        .map(|c| c.t)
        .expect("the confirm click was not recorded");
    let change = rec
        .changes
        .iter()
        .find(|c| {
            c.id == long_id
                && c.testid == "job-card"
                && c.t >= click_t
                && matches!(c.status.as_str(), "cancelling" | "cancelled")
        })
        .expect("no recorded status change of the card")
        .clone();
    let post = rec.fetches_to("POST", &format!("/jobs/{long_id}/cancel"))[0].clone();
    let optimistic_ms = change.t - click_t;
    let answer_ms = post.settled.unwrap() - click_t;
    println!(
        "cancel: card showed {:?} {optimistic_ms:.1} ms after the confirm click (browser clock); \
         the server's answer came {answer_ms:.1} ms after the click (status {:?}); \
         the test saw it {} ms after issuing the click",
        change.status,
        post.status,
        seen_after.as_millis()
    );
    assert!(
        optimistic_ms < 1000.0,
        "the card took {optimistic_ms} ms to show the cancel"
    );
    assert!(
        change.t <= post.settled.unwrap(),
        "the card waited for the server: status at {:.1}, answer at {:.1}",
        change.t,
        post.settled.unwrap()
    );
    assert_eq!(post.status, Some(200), "cancel request: {post:?}");
    assert_eq!(
        rec.fetches_to("POST", "/cancel").len(),
        1,
        "exactly one cancel request: {:?}",
        rec.fetches
    );
    assert!(
        !first.actions.contains(&"job-cancel".to_string()),
        "a cancelling job offers no second cancel: {first:?}"
    );

    // Then cancelled, and the progress stays put (checked for 3 s), where the backend stopped.
    let cancelled = wait_card(browser, &long_id, "to show cancelled", |c| {
        c.status == "cancelled"
    })
    .await
    .unwrap();
    let settle_start = Instant::now();
    let mut samples = 0;
    while settle_start.elapsed() < Duration::from_secs(3) {
        let now = read_card(browser, &long_id).await.unwrap().unwrap();
        assert_eq!(now.status, "cancelled", "{now:?}");
        assert_eq!(
            now.progress, cancelled.progress,
            "progress moved after the cancel"
        );
        samples += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let backend = stack.job(&long_id).await;
    assert_eq!(backend["status"], "cancelled", "{backend}");
    let processed = backend["progress"]["processed"].as_u64().unwrap();
    assert_eq!(
        cancelled.processed(),
        Some(processed),
        "the page shows {:?}, the backend stopped at {processed}",
        cancelled.progress
    );
    assert!(
        processed < 50_000,
        "the job was not stopped early: {processed}"
    );
    // A finished job has no ETA: it says how long it ran and when it ended.
    assert_eq!(cancelled.eta, None, "{cancelled:?}");
    assert!(
        cancelled
            .elapsed
            .as_deref()
            .is_some_and(|t| t.starts_with("took ")),
        "a cancelled job says how long it ran: {cancelled:?}"
    );
    assert!(
        cancelled.text.contains("finished "),
        "a cancelled job says when it ended: {cancelled:?}"
    );
    assert!(
        cancelled.rate.is_none(),
        "no rate once cancelled: {cancelled:?}"
    );
    assert!(
        cancelled.actions.contains(&"job-retry".to_string()),
        "a cancelled job can be retried: {cancelled:?}"
    );
    println!(
        "cancelled at {processed} rows; progress text unchanged over {samples} samples in 3 s"
    );

    // The job finishes on its own while its cancel dialog is open: the dialog follows the live
    // state and explains there is nothing left to cancel instead of offering a doomed action.
    // 5,000 rows in 250-row chunks, 250 ms pauses: about 5 s.
    let short_id = stack
        .start_job(
            "ds_customers",
            "profile",
            json!({"chunk_rows": 250, "chunk_delay_ms": 250}),
        )
        .await;
    wait_card(browser, &short_id, "running", |c| c.status == "running")
        .await
        .unwrap();
    click_in_card(browser, &short_id, "job-cancel")
        .await
        .unwrap();
    browser.wait_css(&dialog).await;
    let dialog_text = text_of(browser, &dialog).await.unwrap().unwrap();
    assert!(dialog_text.contains(&short_id), "{dialog_text:?}");
    stack
        .wait_status(&short_id, "succeeded", timeout_secs(30))
        .await;
    let explained = browser
        .wait_text(&dialog, "the dialog to explain", |t| {
            t.contains("already succeeded") && t.contains("nothing left to cancel")
        })
        .await;
    println!("dialog once the job finished: {explained:?}");
    assert!(
        browser
            .find_all(&format!("{dialog} {}", testid("confirm-button")))
            .await
            .unwrap()
            .is_empty(),
        "no confirm button once there is nothing to cancel"
    );
    let (code, answer) = stack
        .api_post(&format!("jobs/{short_id}/cancel"), json!({}))
        .await;
    assert_eq!(
        code, 409,
        "the backend agrees there is nothing to cancel: {answer}"
    );
    browser
        .client()
        .execute(
            "document.activeElement.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))",
            vec![],
        )
        .await
        .unwrap();
    browser.wait_gone(&dialog).await;
    let card = wait_card(browser, &short_id, "succeeded", |c| c.status == "succeeded")
        .await
        .unwrap();
    assert!(card.action_error.is_none(), "{card:?}");
    assert!(
        mismatches(&stack).await.is_empty(),
        "{:?}",
        mismatches(&stack).await
    );

    // A network failure during an action: kill the API, retry a failed job.
    let bad_id = stack
        .start_job(
            "ds_sensors_corrupt",
            "validate",
            json!({"chunk_delay_ms": 0}),
        )
        .await;
    wait_card(browser, &bad_id, "failed", |c| c.status == "failed")
        .await
        .unwrap();
    let before: Value = stack.job(&bad_id).await;
    stack.kill_api();
    let browser = stack.browser();
    click_in_card(browser, &bad_id, "job-retry").await.unwrap();
    let explained: JobView = wait_card(browser, &bad_id, "to explain the failed retry", |c| {
        c.action_error.is_some()
    })
    .await
    .unwrap();
    let said = explained.action_error.clone().unwrap();
    println!(
        "retry with the API down: card says {said:?}, status {}",
        explained.status
    );
    assert!(
        said.to_lowercase().contains("cannot reach the server"),
        "the error in words: {said:?}"
    );
    let back = wait_card(browser, &bad_id, "to return to failed", |c| {
        c.status == "failed" && c.actions.contains(&"job-retry".to_string())
    })
    .await
    .unwrap();
    assert_eq!(back.attempt.as_deref(), Some("attempt 1"), "{back:?}");
    assert_eq!(back.status_text.as_deref(), Some("failed"));
    let alert_role = jobs_ui::attr_of(
        browser,
        &format!(
            "{} {}",
            jobs_ui::card_css(&bad_id),
            testid("job-action-error")
        ),
        "role",
    )
    .await
    .unwrap();
    assert_eq!(alert_role.as_deref(), Some("alert"));

    stack.start_api().await.expect("restarting the API");
    let after = stack.job(&bad_id).await;
    assert_eq!(
        after["attempt"], before["attempt"],
        "nothing was retried: {after}"
    );
    assert_eq!(after["status"], "failed");
    let left = wait_for_agreement(&stack).await;
    assert!(left.is_empty(), "{left:?}");
    println!(
        "test body (after the stack was up): {:.1}s",
        test_start.elapsed().as_secs_f64()
    );
}

/// Waits until every card agrees with the backend; returns the last disagreements.
async fn wait_for_agreement(stack: &Stack) -> Vec<String> {
    let result = jobs_e2e::try_wait_for(
        "the list to match the backend",
        timeout_secs(30),
        || async {
            let m = mismatches(stack).await;
            if m.is_empty() {
                Ok(())
            } else {
                Err(jobs_e2e::Error::msg(m.join("; ")))
            }
        },
    )
    .await;
    match result {
        Ok(()) => Vec::new(),
        Err(e) => vec![e.to_string()],
    }
}
