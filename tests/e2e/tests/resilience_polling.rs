//! (b) The WebSocket endpoint refuses connections while HTTP works: the page falls back to
//! polling and still shows the truth, then returns to live once the WebSocket works again.
//!
//! The app's `ws_url` points at a loopback port where nothing listens (as if a proxy refused
//! WebSocket upgrades); `api_base` is the real API. The test proves that the indicator reaches
//! `polling` within 15 s (`POLLING_AFTER_MS`), that a running job's card keeps moving while
//! polling (its progress text changes at least twice, and it is marked stale since the page is
//! not live) and ends with the backend's final status, and that once a forwarder to the API
//! appears on that port the indicator is `live` again within 30 s (`BACK_TO_LIVE_MS`), with
//! new jobs arriving over the WebSocket. Meanwhile a job's log, open on its page while polling,
//! keeps growing (lines fetched with `logs?after=`), its status says it is polling, and it ends
//! with the backend's whole log, each line once and in order.

use std::cell::RefCell;
use std::collections::BTreeSet;

use jobs_e2e::live_view::{
    backend_jobs, connection_history, describe_history, epoch_ms, first_change_to,
    install_connection_recorder, is_terminal, read_connection, read_log_panel, read_page, set_hash,
    wait_connection, wait_list_equals, wait_log_panel_equals,
};
use jobs_e2e::log_viewer::backend_log;
use jobs_e2e::netfault::{assert_nothing_listens, Forwarder};
use jobs_e2e::{dom, net, timeout_secs, wait_for, Stack};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_refused_page_polls_then_returns_to_live() {
    let ws_port = net::free_port().expect("a free port");
    assert_nothing_listens(ws_port)
        .await
        .expect("the WebSocket port must be dead");
    let stack = Stack::builder()
        .workers(1)
        .heartbeat_ms(1000)
        .app_config(
            "ws_url",
            json!(format!("ws://127.0.0.1:{ws_port}/api/v1/ws")),
        )
        .start()
        .await;

    // About 30 s of work.
    let id = stack
        .start_job(
            "ds_sales",
            "profile",
            json!({"chunk_rows": 200, "chunk_delay_ms": 150, "passes": 2}),
        )
        .await;

    let opened_at = epoch_ms();
    stack.open("/jobs").await;
    let browser = stack.browser();
    install_connection_recorder(browser)
        .await
        .expect("recorder");
    browser.wait_css(&dom::job_card(&id)).await;
    wait_connection(browser, &["polling"], timeout_secs(15)).await;
    let history = connection_history(browser).await.expect("history");
    let polling_at = first_change_to(&history, "polling", opened_at).expect("polling");
    let polling_after = polling_at - opened_at;
    println!(
        "POLLING_AFTER_MS={polling_after} (from opening the page; {})",
        describe_history(&history, opened_at)
    );
    assert!(
        polling_after <= 15_000,
        "polling only after {polling_after} ms"
    );
    assert!(
        first_change_to(&history, "live", opened_at).is_none(),
        "live without a WebSocket? {}",
        describe_history(&history, opened_at)
    );

    // While polling, the running job's card moves: three different progress texts in a row,
    // each read while the indicator said polling, the card marked stale.
    let seen: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let progress = wait_for(
        "the card's progress to change twice while polling",
        timeout_secs(30),
        || {
            let (seen, id) = (&seen, &id);
            async move {
                let page = read_page(browser).await.map_err(|e| e.to_string())?;
                if page.connection.state != "polling" {
                    return Err(format!("indicator left polling: {:?}", page.connection));
                }
                let card = page.card(id).ok_or("card gone")?;
                if card.status == "running" && !card.stale {
                    return Err(format!("running card not stale while polling: {card:?}"));
                }
                let mut seen = seen.borrow_mut();
                if seen.last() != Some(&card.progress) {
                    seen.push(card.progress.clone());
                }
                if seen.len() >= 3 {
                    Ok(seen.clone())
                } else {
                    Err(format!("progress texts so far: {seen:?}"))
                }
            }
        },
    )
    .await;
    let distinct: BTreeSet<&String> = progress.iter().collect();
    assert_eq!(
        distinct.len(),
        progress.len(),
        "progress went back: {progress:?}"
    );
    println!("progress while polling: {progress:?}");

    // The job ends; the page shows the backend's final status, still polling.
    let done = stack
        .wait_job(&id, "to finish", timeout_secs(90), is_terminal)
        .await;
    let final_status = done["status"].as_str().expect("status").to_string();
    wait_for(
        "the card to show the backend's final status",
        timeout_secs(15),
        || async {
            let page = read_page(browser).await.map_err(|e| e.to_string())?;
            let card = page.card(&id).ok_or("card gone")?;
            if card.status == final_status && !card.stale {
                Ok(())
            } else {
                Err(format!("{card:?} ({})", page.connection.state))
            }
        },
    )
    .await;
    let history = connection_history(browser).await.expect("history");
    let after_polling: Vec<_> = history
        .iter()
        .filter(|c| c.at_ms >= polling_at)
        .map(|c| c.state.as_str())
        .collect();
    assert!(
        after_polling.iter().all(|s| *s == "polling"),
        "the indicator left polling while HTTP worked: {}",
        describe_history(&history, opened_at)
    );
    let page = read_page(browser).await.expect("page");
    assert_eq!(page.connection.state, "polling");
    assert!(page.connection.retry_button, "no Retry now while polling");

    // While polling, an open log keeps receiving lines (by polling `logs?after=`), says so,
    // and ends with the backend's whole log, each line once and in order.
    let logged_id = stack
        .start_job(
            "ds_sales",
            "profile",
            json!({"chunk_rows": 250, "chunk_delay_ms": 150, "passes": 2}),
        )
        .await;
    set_hash(browser, &format!("#/jobs/{logged_id}"))
        .await
        .expect("to the job page");
    let growth: RefCell<Vec<u64>> = RefCell::new(Vec::new());
    let growth = wait_for(
        "the open log to grow twice while polling",
        timeout_secs(40),
        || {
            let growth = &growth;
            async move {
                let page = read_connection(browser).await.map_err(|e| e.to_string())?;
                if page.state != "polling" {
                    return Err(format!("indicator left polling: {page:?}"));
                }
                let panel = read_log_panel(browser).await.map_err(|e| e.to_string())?;
                let status = browser
                    .client()
                    .execute(
                        "const s = document.querySelector('[data-testid=\"log-status\"]'); return s ? s.textContent : '';",
                        vec![],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                let status = status.as_str().unwrap_or_default().to_string();
                let mut growth = growth.borrow_mut();
                let last = panel.last_n();
                if last > 0 && growth.last() != Some(&last) {
                    if !status.contains("polling") {
                        return Err(format!("log status does not say polling: {status:?}"));
                    }
                    growth.push(last);
                }
                if growth.len() >= 3 {
                    Ok(growth.clone())
                } else {
                    Err(format!("last lines so far: {growth:?}; status {status:?}"))
                }
            }
        },
    )
    .await;
    assert!(
        growth.windows(2).all(|w| w[0] < w[1]),
        "the log went back: {growth:?}"
    );
    println!("log lines while polling: {growth:?}");
    stack
        .wait_job(&logged_id, "to finish", timeout_secs(90), is_terminal)
        .await;
    let backend_lines = backend_log(&stack, &logged_id).await;
    wait_log_panel_equals(
        browser,
        &backend_lines,
        "the polled log to equal the backend's",
        timeout_secs(20),
    )
    .await;
    println!(
        "polled log: {} lines, each once and in order",
        backend_lines.len()
    );
    set_hash(browser, "#/jobs").await.expect("back to the list");

    // The WebSocket works again: a forwarder to the API on the refused port.
    let forwarder = Forwarder::start(ws_port, stack.api_port())
        .await
        .expect("forwarder");
    let forwarding_at = epoch_ms();
    wait_connection(browser, &["live"], timeout_secs(30)).await;
    let history = connection_history(browser).await.expect("history");
    let live_at = first_change_to(&history, "live", forwarding_at).expect("live");
    println!(
        "BACK_TO_LIVE_MS={} (from the forwarder listening; {} connections through it)",
        live_at - forwarding_at,
        forwarder.accepted()
    );
    assert!(live_at - forwarding_at <= 30_000);

    // Live over the forwarded WebSocket: a new job appears and finishes on the page.
    let quick_id = stack
        .start_job(
            "ds_customers",
            "profile",
            json!({"chunk_rows": 1000, "chunk_delay_ms": 100}),
        )
        .await;
    stack
        .wait_job(&quick_id, "to finish", timeout_secs(60), is_terminal)
        .await;
    let jobs = backend_jobs(stack.api()).await.expect("jobs");
    wait_list_equals(
        browser,
        &jobs,
        "the list to equal the backend's jobs",
        timeout_secs(15),
        true,
    )
    .await;
}
