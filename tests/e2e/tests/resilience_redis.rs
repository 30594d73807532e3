//! (c) Redis restarts under a running backend and an open page: the page recovers and shows the
//! backend's new truth.
//!
//! The test Redis keeps nothing across a restart, so afterwards the backend has no jobs and its
//! event sequence starts over. The test proves that the page notices (it leaves `live`, or the
//! server's `resync_required` shows in its console), is `live` again, drops every job the backend
//! no longer has so that its list equals `GET /jobs` — without a reload — and then shows a job
//! created afterwards, following it to the backend's final status over the WebSocket.

use std::collections::BTreeSet;

use jobs_e2e::browser::format_console;
use jobs_e2e::live_view::{
    backend_jobs, cards_vs_backend, connection_history, describe_history, epoch_ms,
    install_connection_recorder, is_terminal, read_page, wait_connection, wait_list_equals,
};
use jobs_e2e::{dom, job_id, timeout_secs, try_wait_for, wait_for, Stack};
use serde_json::json;

/// Console lines saying the server asked the page to resynchronise.
fn resync_lines(console: &[serde_json::Value]) -> Vec<String> {
    console
        .iter()
        .filter_map(|e| e["message"].as_str())
        .filter(|m| m.contains("resync required") || m.contains("reloading"))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restart_page_recovers_and_shows_the_backends_new_truth() {
    let mut stack = Stack::builder().workers(2).heartbeat_ms(1000).start().await;

    // One finished job, two running (about 15 s each).
    let quick_id = job_id(&stack.quick_job("ds_customers", timeout_secs(30)).await);
    let mut old_ids = BTreeSet::from([quick_id]);
    for _ in 0..2 {
        let id = stack
            .start_job(
                "ds_sales",
                "profile",
                json!({"chunk_rows": 200, "chunk_delay_ms": 150}),
            )
            .await;
        stack.wait_status(&id, "running", timeout_secs(30)).await;
        old_ids.insert(id);
    }

    stack.open("/jobs").await;
    {
        let browser = stack.browser();
        browser.wait_css(dom::JOBS_PAGE).await;
        wait_connection(browser, &["live"], timeout_secs(20)).await;
        wait_for(
            "the page to list the three jobs",
            timeout_secs(20),
            || async {
                let page = read_page(browser).await.map_err(|e| e.to_string())?;
                let shown: BTreeSet<String> = page.cards.iter().map(|c| c.id.clone()).collect();
                if shown == old_ids {
                    Ok(())
                } else {
                    Err(format!("shown {shown:?}"))
                }
            },
        )
        .await;
        install_connection_recorder(browser)
            .await
            .expect("recorder");
    }
    let console_before = stack.browser().console_log().await.expect("console").len();

    let restarted_at = epoch_ms();
    stack.restart_redis().await.expect("Redis restarts");
    stack
        .wait_redis_ok()
        .await
        .expect("the API sees Redis again");

    // The page notices and is live again.
    let browser = stack.browser();
    let noticed = wait_for(
        "the page to leave live or be told to resync",
        timeout_secs(20),
        || async {
            let history = connection_history(browser)
                .await
                .map_err(|e| e.to_string())?;
            let left = history
                .iter()
                .find(|c| c.at_ms >= restarted_at && c.state != "live")
                .map(|c| c.state.clone());
            let console = browser.console_log().await.map_err(|e| e.to_string())?;
            let resync = resync_lines(&console[console_before.min(console.len())..]);
            if left.is_some() || !resync.is_empty() {
                Ok((left, resync))
            } else {
                Err(describe_history(&history, restarted_at))
            }
        },
    )
    .await;
    wait_connection(browser, &["live"], timeout_secs(30)).await;
    let history = connection_history(browser).await.expect("history");
    println!(
        "REDIS_RESTART page: left live as {:?}; resync console lines: {:?}; indicator: {}",
        noticed.0,
        noticed.1,
        describe_history(&history, restarted_at)
    );

    // Its list is the backend's: none of the jobs Redis forgot.
    let (status, body) = stack.api_get("jobs?limit=5000").await;
    assert_eq!(status, 200, "GET /jobs after the Redis restart: {body}");
    let backend_now = wait_for(
        "the list to equal the backend's jobs after the restart",
        timeout_secs(20),
        || async {
            let jobs = backend_jobs(stack.api()).await.map_err(|e| e.to_string())?;
            let page = read_page(browser).await.map_err(|e| e.to_string())?;
            let diff = cards_vs_backend(&page.cards, &jobs);
            if diff.is_empty() && page.connection.state == "live" {
                Ok(jobs)
            } else {
                Err(format!("{}: {diff:?}", page.connection.state))
            }
        },
    )
    .await;
    let leftover: Vec<&String> = backend_now
        .keys()
        .filter(|id| old_ids.contains(*id))
        .collect();
    assert!(
        leftover.is_empty(),
        "the backend still has jobs from before the restart: {leftover:?}"
    );
    if backend_now.is_empty() {
        browser.wait_css(dom::JOBS_EMPTY).await;
    }
    let recorder = connection_history(browser).await.expect("history");
    assert!(!recorder.is_empty(), "the page was reloaded");

    // Observed, not asserted (outside what this test proves): whether GET /queue lists the
    // two worker processes again, which are alive and keep taking jobs (checked below).
    let workers_back = try_wait_for(
        "GET /queue to list workers again",
        timeout_secs(10),
        || async {
            let (_, queue) = stack.api().get("/api/v1/queue").await?;
            match queue["workers"].as_array() {
                Some(w) if !w.is_empty() => Ok(w.len()),
                _ => Err(jobs_e2e::Error::msg(format!(
                    "workers={}",
                    queue["workers"]
                ))),
            }
        },
    )
    .await;
    let (_, queue) = stack.api_get("/api/v1/queue").await;
    println!(
        "REDIS_RESTART backend: GET /jobs {} jobs (seq {}); GET /queue redis.ok={} workers={} ({})",
        backend_now.len(),
        body["seq"],
        queue["redis"]["ok"],
        queue["workers"],
        match &workers_back {
            Ok(n) => format!("{n} listed again"),
            Err(e) => format!("not listed again: {e}"),
        }
    );

    // A job created now appears and is followed to its end over the WebSocket.
    let fresh_id = stack
        .start_job(
            "ds_customers",
            "profile",
            json!({"chunk_rows": 500, "chunk_delay_ms": 100}),
        )
        .await;
    browser
        .wait_css_within(&dom::job_card(&fresh_id), timeout_secs(10))
        .await;
    let done = stack
        .wait_job(&fresh_id, "to finish", timeout_secs(60), is_terminal)
        .await;
    let jobs = backend_jobs(stack.api()).await.expect("jobs");
    wait_list_equals(
        browser,
        &jobs,
        "the list to follow the new job to the end",
        timeout_secs(15),
        true,
    )
    .await;
    assert_eq!(done["status"], "succeeded", "the new job: {done}");

    let console = browser.console_log().await.expect("console");
    println!(
        "browser console since the restart:\n{}",
        format_console(&console[console_before.min(console.len())..])
    );
}
