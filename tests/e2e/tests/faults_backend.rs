//! Backend faults behind the fault proxy, with the shared invariant after each.
//!
//! - `api_crash_behind_the_proxy_and_the_reconnect_schedule`: the API is killed (SIGKILL) and
//!   stays down until the open page has made 8 WebSocket attempts; the proxy's records of those
//!   attempts must form an exponential backoff with jitter and a cap (`src/schedule.rs`,
//!   `BackoffSpec::app()`), at a bounded request rate; then the API restarts and the page is
//!   live again, its log panel complete, its list (opened afresh) equal to the backend's.
//! - `redis_restart_behind_the_proxy`: Redis restarts empty; both windows resynchronise and the
//!   list equals the backend's new truth.

use jobs_e2e::fault_proxy::{Action, Kind};
use jobs_e2e::fault_rig::{job, FaultRig};
use jobs_e2e::invariant::{wait_jobs_agree, wait_log_complete, FaultFigures};
use jobs_e2e::live_view::{connection_history, epoch_ms, restart_api_timed};
use jobs_e2e::schedule::{check_schedule, max_in_window, BackoffSpec};
use jobs_e2e::{dom, timeout_secs, wait_for};

/// The app resets its backoff once a connection was live this long (`STABLE_MS`, live.rs).
const STABLE_MS: i64 = 10_000;
/// WebSocket attempts awaited while the API is down (7 intervals for the schedule check).
const DOWN_ATTEMPTS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_crash_behind_the_proxy_and_the_reconnect_schedule() {
    let mut r = FaultRig::start(2, &[job("ds_customers", 16), job("ds_sales", 3)])
        .await
        .unwrap_or_else(|e| panic!("fault rig: {e}"));
    // One page only, so every WebSocket attempt recorded is the detail window's.
    {
        let browser = r.list().await.expect("list window");
        browser
            .client()
            .close_window()
            .await
            .expect("closing the list window");
    }
    let browser = r.detail().await.expect("detail window");
    // A fresh backoff: live for longer than STABLE_MS.
    wait_for(
        "the page to be live past the backoff reset",
        timeout_secs(30),
        || async {
            let h = connection_history(browser)
                .await
                .map_err(|e| e.to_string())?;
            let last = h.last().ok_or("no history")?;
            let live_for = epoch_ms() - last.at_ms;
            if last.state == "live" && live_for > STABLE_MS + 500 {
                Ok(())
            } else {
                Err(format!("{} for {live_for} ms", last.state))
            }
        },
    )
    .await;

    let killed_at = epoch_ms();
    r.stack.kill_api();
    let ws = wait_for(
        &format!("{DOWN_ATTEMPTS} WebSocket attempts at the dead API"),
        timeout_secs(60),
        || async {
            let ws: Vec<_> = r
                .proxy
                .attempts_since(Kind::Ws, killed_at)
                .into_iter()
                .filter(|a| a.action == Action::UpstreamDown)
                .collect();
            (ws.len() >= DOWN_ATTEMPTS).then_some(ws)
        },
    )
    .await;
    let all_down: Vec<f64> = r
        .proxy
        .attempts()
        .iter()
        .filter(|a| a.at_ms >= killed_at && a.kind != Kind::Silent)
        .map(|a| a.at_ms as f64)
        .collect();
    let answered_at = restart_api_timed(&mut r.stack)
        .await
        .expect("the API starts again");
    let times: Vec<f64> = ws.iter().map(|a| a.at_ms as f64).collect();
    let report = check_schedule(&times, &BackoffSpec::app());
    let browser = r.detail().await.expect("detail window");
    let h = connection_history(browser).await.expect("history");
    let left = h
        .iter()
        .find(|c| c.at_ms >= killed_at && c.state != "live")
        .map(|c| c.at_ms);
    let live = wait_for("live after the restart", timeout_secs(40), || async {
        let h = connection_history(browser).await.ok()?;
        h.iter()
            .find(|c| c.at_ms >= answered_at && c.state == "live")
            .map(|c| c.at_ms)
    })
    .await;
    wait_log_complete(browser, r.stack.api(), r.watched(), timeout_secs(30))
        .await
        .expect("the log panel after the restart");
    // A fresh list page equals the backend.
    browser
        .goto(&r.stack.app_url("/jobs"))
        .await
        .expect("open the list");
    browser.wait_css(dom::JOBS_PAGE).await;
    wait_jobs_agree(browser, r.stack.api(), timeout_secs(20))
        .await
        .expect("the list after the restart");

    println!(
        "SCHEDULE first_ws_attempt_after_kill_ms={} {}",
        times[0] as i64 - killed_at,
        report.summary()
    );
    println!(
        "{}",
        FaultFigures {
            scenario: "api_crash_restart".into(),
            detect_ms: left.map(|l| l - killed_at),
            recover_ms: Some(live - answered_at),
            down_requests: all_down.len(),
            extra: format!(
                "down_ms={} ws_attempts={} max_per_min={} schedule={}",
                answered_at - killed_at,
                ws.len(),
                max_in_window(&all_down, 60_000.0),
                if report.ok() { "ok" } else { "FAILED" }
            ),
        }
    );
    assert!(
        report.ok(),
        "reconnect schedule: {:?} ({})",
        report.problems,
        report.summary()
    );
    // Backoff 250 ms × 2, ≥ half of each ceiling: ≤ 10 WebSocket attempts in the first minute,
    // and at most one HTTP snapshot try after each from the third on.
    assert!(
        max_in_window(&all_down, 60_000.0) <= 20,
        "{} requests in a minute",
        all_down.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restart_behind_the_proxy() {
    let mut r = FaultRig::start(2, &[job("ds_customers", 6), job("ds_sales", 2)])
        .await
        .unwrap_or_else(|e| panic!("fault rig: {e}"));
    let restarted_at = epoch_ms();
    r.stack.restart_redis().await.expect("Redis restarts");
    r.stack
        .wait_redis_ok()
        .await
        .expect("the API sees Redis again");
    let redis_back = epoch_ms();
    // The backend forgot every job: the list must say so, without a reload.
    let browser = r.list().await.expect("list window");
    let (waited, n) = wait_jobs_agree(browser, r.stack.api(), timeout_secs(40))
        .await
        .expect("the list equals the emptied backend");
    let agreed = epoch_ms();
    let (left, back) = r.left_and_back(restarted_at).await.expect("histories");
    // A job created now is followed in the list.
    let fresh = r
        .stack
        .create_job(
            "ds_sales",
            "profile",
            serde_json::json!({"chunk_rows": 500, "chunk_delay_ms": 50}),
        )
        .await;
    let id = fresh["id"].as_str().unwrap_or_default().to_string();
    r.stack
        .wait_job(
            &id,
            "to finish",
            timeout_secs(60),
            jobs_e2e::live_view::is_terminal,
        )
        .await;
    let browser = r.list().await.expect("list window");
    let (_, after) = wait_jobs_agree(browser, r.stack.api(), timeout_secs(20))
        .await
        .expect("the list follows a new job");
    println!("{}", r.histories(restarted_at).await);
    println!(
        "{}",
        FaultFigures {
            scenario: "redis_restart".into(),
            detect_ms: left.map(|l| l - restarted_at),
            recover_ms: Some(back.unwrap_or(agreed).max(agreed) - redis_back),
            down_requests: r
                .proxy
                .attempts()
                .iter()
                .filter(|a| a.at_ms >= restarted_at && a.at_ms < redis_back)
                .count(),
            extra: format!(
                "jobs_after_restart={n} list_agreed_after_ms={waited} new_job_listed={}",
                after == 1
            ),
        }
    );
    assert_eq!(n, 0, "the backend kept jobs across an empty Redis");
    assert_eq!(after, 1);
}
