//! (a) The API process dies and comes back while jobs run, and the page recovers on its own.
//!
//! `api_killed_and_restarted_three_times_while_jobs_run` proves that, across three SIGKILLs
//! and restarts of the API on its port while four jobs keep running in the workers: the
//! indicator leaves `live` for `reconnecting` each time; the detail view and the list (open in
//! a second window) mark every unfinished job stale meanwhile; the page is `live` again soon
//! after the API answers (printed as `RECOVERY_MS`); a job's live log panel, left open on its
//! detail page the whole time, ends with exactly the backend's lines `1..=log_count`, each
//! once, same text, no gap marker; and the list, reached by a hash change (no reload), equals
//! the backend's jobs.
//!
//! `page_does_not_hammer_a_dead_backend` measures how many connections an open page makes to
//! a dead upstream (a listener that accepts and closes at once, like a proxy in front of a
//! dead API) over 30 s (`DOWN_REQUESTS`), bounds it, and proves the page is `live` again
//! after the API returns.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use jobs_e2e::fantoccini::wd::WindowHandle;
use jobs_e2e::live_view::{
    backend_jobs, backend_log, connection_history, describe_history, epoch_ms,
    first_change_after_install, first_change_to, install_connection_recorder, is_terminal,
    log_vs_backend, median, read_connection, read_detail, read_log_panel, read_page,
    restart_api_timed, set_hash, wait_connection, wait_list_equals, TERMINAL,
};
use jobs_e2e::netfault::ConnectionCounter;
use jobs_e2e::{dom, job_id, timeout_secs, wait_for, Browser, Stack};
use serde_json::{json, Value};

/// The app resets its reconnect backoff once a connection has been live this long
/// (`STABLE_MS` in `src/services/live.rs`); kills are spaced by more, so each recovery is
/// measured from a fresh backoff rather than one grown by the previous outage.
const STABLE_MS: i64 = 10_000;

/// Jobs of roughly 40–60 s each (4 workers, so all run at once, through all three outages);
/// the first is the one whose detail page stays open: the longest, with about 1,000 log lines
/// (the panel backfills the last 1,000 when opened, early, and renders up to 2,000).
fn job_specs() -> Vec<(&'static str, Value)> {
    vec![
        (
            "ds_customers",
            json!({"chunk_rows": 200, "chunk_delay_ms": 150, "passes": 13}),
        ),
        (
            "ds_customers",
            json!({"chunk_rows": 200, "chunk_delay_ms": 150, "passes": 10}),
        ),
        (
            "ds_sales",
            json!({"chunk_rows": 200, "chunk_delay_ms": 150, "passes": 3}),
        ),
        (
            "ds_sales",
            json!({"chunk_rows": 250, "chunk_delay_ms": 150, "passes": 3}),
        ),
    ]
}

async fn switch_to(browser: &Browser, window: &WindowHandle) {
    browser
        .client()
        .switch_to_window(window.clone())
        .await
        .expect("switching browser windows");
}

/// `processed` of a backend job, or `None` while the API cannot answer.
async fn processed(stack: &Stack, id: &str) -> Option<(u64, bool)> {
    let (status, job) = stack.api().get(&format!("jobs/{id}")).await.ok()?;
    (status == 200).then(|| {
        (
            job["progress"]["processed"].as_u64().unwrap_or(0),
            is_terminal(&job),
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_killed_and_restarted_three_times_while_jobs_run() {
    let mut stack = Stack::builder().workers(4).heartbeat_ms(1000).start().await;

    let mut ids = Vec::new();
    for (dataset, params) in job_specs() {
        let job = stack.create_job(dataset, "profile", params).await;
        ids.push(job_id(&job));
    }
    let watched = ids[0].clone();
    stack
        .wait_job(&watched, "to run and log", timeout_secs(30), |j| {
            j["status"] == "running" && j["log_count"].as_u64().unwrap_or(0) >= 5
        })
        .await;

    // Window A: the watched job's detail page with its live log. Window B: the list.
    stack.open(&format!("/jobs/{watched}")).await;
    let detail_window = {
        let browser = stack.browser();
        browser.wait_css(&dom::job_detail(&watched)).await;
        wait_connection(browser, &["live"], timeout_secs(20)).await;
        install_connection_recorder(browser)
            .await
            .expect("recorder");
        wait_for("log lines in the panel", timeout_secs(20), || async {
            let panel = read_log_panel(browser).await.map_err(|e| e.to_string())?;
            if panel.lines.len() >= 5 {
                Ok(())
            } else {
                Err(format!("{} lines", panel.lines.len()))
            }
        })
        .await;
        browser.client().window().await.expect("window handle")
    };
    let list_window = {
        let browser = stack.browser();
        let created = browser
            .client()
            .new_window(false)
            .await
            .expect("a second window");
        switch_to(browser, &created.handle).await;
        browser
            .goto(&stack.app_url("/jobs"))
            .await
            .expect("open the list");
        browser.wait_css(dom::JOBS_PAGE).await;
        wait_connection(browser, &["live"], timeout_secs(20)).await;
        install_connection_recorder(browser)
            .await
            .expect("recorder");
        switch_to(browser, &detail_window).await;
        created.handle
    };

    let mut recovery_detail = Vec::new();
    let mut recovery_list = Vec::new();
    for cycle in 1..=3 {
        let browser = stack.browser();
        switch_to(browser, &detail_window).await;
        wait_connection(browser, &["live"], timeout_secs(30)).await;
        let before_n = read_log_panel(browser).await.expect("panel").last_n();
        let (before_processed, _) = processed(&stack, &watched).await.expect("API up");

        let killed_at = epoch_ms();
        stack.kill_api();

        // Both windows say so; the detail view and the list mark every unfinished job stale.
        let browser = stack.browser();
        let shown = wait_connection(browser, &["reconnecting"], timeout_secs(10)).await;
        assert!(
            shown.retry_button,
            "cycle {cycle}: no Retry now button while reconnecting: {shown:?}"
        );
        let detail = read_detail(browser)
            .await
            .expect("detail")
            .expect("the detail view is still shown");
        assert_eq!(detail.id, watched);
        let detail_terminal = TERMINAL.contains(&detail.status.as_str());
        assert_eq!(
            detail.stale,
            Some(!detail_terminal),
            "cycle {cycle}: detail view of a {} job while reconnecting: {detail:?}",
            detail.status
        );
        switch_to(browser, &list_window).await;
        wait_connection(browser, &["reconnecting"], timeout_secs(10)).await;
        let page = read_page(browser).await.expect("list");
        let unfinished: Vec<_> = page
            .cards
            .iter()
            .filter(|c| !TERMINAL.contains(&c.status.as_str()))
            .collect();
        assert!(
            !unfinished.is_empty(),
            "cycle {cycle}: no running job left to show stale: {page:?}"
        );
        for card in &page.cards {
            let terminal = TERMINAL.contains(&card.status.as_str());
            assert_eq!(
                card.stale, !terminal,
                "cycle {cycle}: card {} ({}) stale={} while reconnecting",
                card.id, card.status, card.stale
            );
        }
        switch_to(browser, &detail_window).await;

        let answered_at = restart_api_timed(&mut stack)
            .await
            .expect("the API starts again");

        let browser = stack.browser();
        wait_connection(browser, &["live"], timeout_secs(40)).await;
        let history = connection_history(browser).await.expect("history");
        let live_at = first_change_to(&history, "live", killed_at).unwrap_or_else(|| {
            panic!(
                "no live after restart: {}",
                describe_history(&history, killed_at)
            )
        });
        let reconnecting_at = first_change_to(&history, "reconnecting", killed_at);
        assert!(
            reconnecting_at.is_some_and(|r| r < live_at),
            "cycle {cycle}: detail window did not show reconnecting between kill and live: {}",
            describe_history(&history, killed_at)
        );
        recovery_detail.push(live_at - answered_at);
        wait_for(
            "the detail view to drop its stale mark once live",
            timeout_secs(5),
            || async {
                match read_detail(browser).await {
                    Ok(Some(d)) if d.stale == Some(false) => Ok(()),
                    other => Err(format!("{other:?}")),
                }
            },
        )
        .await;

        switch_to(browser, &list_window).await;
        wait_connection(browser, &["live"], timeout_secs(40)).await;
        let history_list = connection_history(browser).await.expect("history");
        let list_live_at =
            first_change_to(&history_list, "live", killed_at).expect("list live after restart");
        recovery_list.push(list_live_at - answered_at);
        switch_to(browser, &detail_window).await;

        println!(
            "cycle {cycle}: API down {} ms (kill → answering); back to live after the API answered: detail {} ms, list {} ms; detail window: {}",
            answered_at - killed_at,
            live_at - answered_at,
            list_live_at - answered_at,
            describe_history(&history, killed_at)
        );

        // The workers kept going, and the open log streams again.
        let (after_processed, done) = processed(&stack, &watched).await.expect("API up");
        assert!(
            done || after_processed > before_processed,
            "cycle {cycle}: watched job made no progress while the API was down \
             ({before_processed} → {after_processed})"
        );
        wait_for(
            "the log panel to receive lines after the restart",
            timeout_secs(20),
            || async {
                let panel = read_log_panel(browser).await.map_err(|e| e.to_string())?;
                let (status, job) = stack
                    .api()
                    .get(&format!("jobs/{watched}"))
                    .await
                    .map_err(|e| e.to_string())?;
                let total = job["log_count"].as_u64().unwrap_or(0);
                if panel.last_n() > before_n
                    || (status == 200 && is_terminal(&job) && panel.last_n() == total)
                {
                    Ok(())
                } else {
                    Err(format!(
                        "panel at line {}, before the kill {before_n}, backend {total}",
                        panel.last_n()
                    ))
                }
            },
        )
        .await;

        if cycle < 3 {
            // Stay live past the backoff reset before the next outage.
            wait_for(
                "the detail window to stay live past the backoff reset",
                timeout_secs(30),
                || async {
                    let history = connection_history(browser)
                        .await
                        .map_err(|e| e.to_string())?;
                    let last = history.last().ok_or("empty history")?;
                    if last.state != "live" {
                        return Err(format!(
                            "left live again: {}",
                            describe_history(&history, killed_at)
                        ));
                    }
                    let live_for = epoch_ms() - last.at_ms;
                    if live_for > STABLE_MS + 500 {
                        Ok(())
                    } else {
                        Err(format!("live for {live_for} ms"))
                    }
                },
            )
            .await;
        }
    }

    // Everything finishes in the backend.
    let jobs: BTreeMap<String, Value> = wait_for(
        "every job to finish in the backend",
        timeout_secs(90),
        || async {
            let jobs = backend_jobs(stack.api()).await.map_err(|e| e.to_string())?;
            let open: Vec<_> = jobs
                .values()
                .filter(|j| !is_terminal(j))
                .map(|j| format!("{} {} {}", j["id"], j["status"], j["progress"]["processed"]))
                .collect();
            if open.is_empty() && jobs.len() == ids.len() {
                Ok(jobs)
            } else {
                Err(format!("{} jobs, unfinished: {open:?}", jobs.len()))
            }
        },
    )
    .await;

    // The open log panel holds exactly the backend's log.
    let browser = stack.browser();
    switch_to(browser, &detail_window).await;
    let full_log = backend_log(stack.api(), &watched).await.expect("log");
    assert_eq!(
        full_log.len() as u64,
        jobs[&watched]["log_count"].as_u64().unwrap_or(0),
        "the backend's log and log_count disagree"
    );
    assert!(
        full_log.len() < 2_000,
        "log too long for the panel: {}",
        full_log.len()
    );
    // Wait for the tail to arrive (or for a gap marker), then compare line by line.
    let panel = wait_for(
        "the log panel to reach the backend's last line",
        timeout_secs(20),
        || async {
            let panel = read_log_panel(browser).await.map_err(|e| e.to_string())?;
            if panel.last_n() >= full_log.len() as u64 || !panel.gaps.is_empty() {
                Ok(panel)
            } else {
                Err(format!(
                    "panel at line {} of {}",
                    panel.last_n(),
                    full_log.len()
                ))
            }
        },
    )
    .await;
    let diff = log_vs_backend(&panel, &full_log);
    assert!(diff.is_empty(), "log panel vs backend: {diff:?}");
    let ns: Vec<u64> = panel.lines.iter().map(|l| l.n).collect();
    let want: Vec<u64> = (1..=full_log.len() as u64).collect();
    assert_eq!(ns, want, "line numbers in the panel");
    println!(
        "log panel: lines 1..={} each once, same texts, no gap marker",
        full_log.len()
    );

    // Same document, list view: exactly the backend's jobs.
    set_hash(browser, "#/jobs").await.expect("hash change");
    browser.wait_css(dom::JOBS_PAGE).await;
    let cards = wait_list_equals(
        browser,
        &jobs,
        "the list to equal the backend's jobs",
        timeout_secs(20),
        false,
    )
    .await;
    assert_eq!(cards.len(), ids.len(), "{cards:?}");
    let history = connection_history(browser).await.expect("history");
    assert!(
        !history.is_empty(),
        "the recorder is gone: the hash change reloaded the page"
    );
    assert_eq!(
        read_connection(browser).await.expect("indicator").state,
        "live"
    );

    // The list window agrees too.
    switch_to(browser, &list_window).await;
    wait_list_equals(
        browser,
        &jobs,
        "the list window to equal the backend's jobs",
        timeout_secs(10),
        false,
    )
    .await;

    println!(
        "RECOVERY_MS median={} samples={:?} (list window: median={} samples={:?})",
        median(&recovery_detail),
        recovery_detail,
        median(&recovery_list),
        recovery_list
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_does_not_hammer_a_dead_backend() {
    const WINDOW: Duration = Duration::from_secs(30);
    let mut stack = Stack::builder().workers(1).heartbeat_ms(1000).start().await;
    let id = stack
        .start_job(
            "ds_customers",
            "profile",
            json!({"chunk_rows": 5000, "chunk_delay_ms": 0}),
        )
        .await;

    stack.open("/jobs").await;
    {
        let browser = stack.browser();
        browser.wait_css(&dom::job_card(&id)).await;
        wait_connection(browser, &["live"], timeout_secs(20)).await;
        install_connection_recorder(browser)
            .await
            .expect("recorder");
    }

    let port = stack.api_port();
    let killed_at = epoch_ms();
    stack.kill_api();
    let counter = ConnectionCounter::start(port)
        .await
        .expect("a counting listener on the API's port");
    let started = Instant::now();
    // A measurement window, not a wait for a condition: count what the page does meanwhile.
    tokio::time::sleep(WINDOW).await;
    let total = counter.count();
    let elapsed = started.elapsed().as_secs_f64();
    let per_s = total as f64 / elapsed;
    let mut buckets = vec![0u32; 6];
    for at in counter.accepted_at() {
        let i = (at.saturating_duration_since(started).as_secs() / 5) as usize;
        if let Some(b) = buckets.get_mut(i) {
            *b += 1;
        }
    }
    let browser = stack.browser();
    let shown = read_connection(browser).await.expect("indicator");
    let history = connection_history(browser).await.expect("history");
    println!(
        "DOWN_REQUESTS total={total} per_s={per_s:.2} (over {elapsed:.1} s; per 5 s: {buckets:?}); indicator: {} — {:?}; history: {}",
        shown.state,
        shown.detail,
        describe_history(&history, killed_at)
    );
    assert!(total >= 1, "the page never tried to reconnect");
    assert!(
        per_s < 3.0,
        "the page hammers a dead backend: {total} connections in {elapsed:.1} s"
    );
    assert!(
        ["reconnecting", "offline"].contains(&shown.state.as_str()),
        "indicator during the outage: {shown:?}"
    );
    assert!(
        first_change_after_install(&history, "live", killed_at).is_none(),
        "the page claimed live while nothing answered: {}",
        describe_history(&history, killed_at)
    );

    counter.stop().await;
    let answered_at = restart_api_timed(&mut stack)
        .await
        .expect("the API starts again");
    let browser = stack.browser();
    // The backoff may have reached its 30 s cap: allow one full delay and some.
    wait_connection(browser, &["live"], timeout_secs(45)).await;
    let history = connection_history(browser).await.expect("history");
    let live_at = first_change_to(&history, "live", killed_at).expect("live");
    println!(
        "DOWN_RETURN_TO_LIVE_MS={} (after the API answered again)",
        live_at - answered_at
    );
    let jobs = backend_jobs(stack.api()).await.expect("jobs");
    let cards = wait_list_equals(
        browser,
        &jobs,
        "the list to equal the backend's",
        timeout_secs(20),
        false,
    )
    .await;
    assert_eq!(cards.len(), 1);
}
