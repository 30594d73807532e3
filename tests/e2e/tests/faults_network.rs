//! Network faults between the page and the API, injected by the harness's fault proxy
//! (`src/fault_proxy.rs`), with the shared invariant after each (`src/invariant.rs`): the list
//! window equals the backend's jobs and the open log panel holds each line once, in order.
//!
//! - `websocket_cut_every_few_seconds_while_jobs_run`: every WebSocket through the proxy is
//!   cut every 5 s for 60 s (`FAULTS_LONG=1`: 5 minutes) while jobs run and the log streams.
//! - `stalled_socket_then_slow_link`: open WebSockets go silent mid-stream (sockets left open):
//!   the page must notice by its heartbeat deadline (3 × the server's 1 s heartbeat); then
//!   300 ms latency with 32 KB/s, then 1.5 s latency with 4 KB/s.
//! - `http_error_bursts_and_an_html_error_page`: every request (WebSocket upgrades too)
//!   answered 503 (JSON), then a reverse proxy's 502 HTML page (with CORS headers, then
//!   without), each phase until the pages' HTTP fallback got 2, 2 and 1 of those answers; then
//!   pass-through. No markup of the error page may reach the page's text.
//!
//! Each prints a `FAULT <scenario> …` line (collected in `docs/reliability.md`).

use std::time::{Duration, Instant};

use jobs_e2e::fault_proxy::{Action, Canned, Kind, Rule};
use jobs_e2e::fault_rig::{job, FaultRig, HEARTBEAT_MS};
use jobs_e2e::invariant::FaultFigures;
use jobs_e2e::live_view::{epoch_ms, read_connection};
use jobs_e2e::schedule::max_in_window;
use jobs_e2e::{timeout_secs, wait_for};

/// The page is live again within the backoff cap (30 s) and a handshake.
const RECOVER_BOUND_S: u64 = 40;
/// How long each slow link lasts.
const SLOW_FOR: Duration = Duration::from_secs(10);

fn long() -> bool {
    std::env::var("FAULTS_LONG").is_ok_and(|v| v == "1")
}

async fn rig(passes: u64) -> FaultRig {
    match FaultRig::start(
        3,
        &[
            job("ds_customers", passes),
            job("ds_sales", 3),
            job("ds_sales", 2),
        ],
    )
    .await
    {
        Ok(r) => r,
        Err(e) => panic!("fault rig: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_cut_every_few_seconds_while_jobs_run() {
    let run = Duration::from_secs(if long() { 300 } else { 60 });
    let r = rig(if long() { 70 } else { 14 }).await;
    let started = epoch_ms();
    let t0 = Instant::now();
    let (mut cuts, mut hits, mut last_cut) = (0, 0, started);
    while t0.elapsed() < run {
        // The fault schedule itself: a cut every 5 s, whatever the page is doing.
        tokio::time::sleep(Duration::from_secs(5)).await;
        last_cut = epoch_ms();
        cuts += 1;
        hits += r.proxy.cut(Some(Kind::Ws));
    }
    let end = epoch_ms();
    let (left, back) = r.left_and_back(last_cut).await.expect("histories");
    if let Err(e) = r.check(timeout_secs(RECOVER_BOUND_S)).await {
        panic!(
            "invariant after {cuts} cuts: {e}; {}",
            r.histories(started).await
        );
    }
    let recovered = epoch_ms();
    let ws = r.proxy.attempts_since(Kind::Ws, started);
    let http = r.proxy.attempts_since(Kind::Http, started);
    println!("{}", r.histories(started).await);
    println!(
        "{}",
        FaultFigures {
            scenario: "ws_cut_every_5s".into(),
            detect_ms: left.map(|l| l - last_cut),
            recover_ms: Some(back.unwrap_or(recovered) - last_cut),
            down_requests: ws.len() + http.len(),
            extra: format!(
                "run_s={} cuts={cuts} sockets_cut={hits} ws_attempts={} http_requests={} invariant_ms_after_run={}",
                run.as_secs(),
                ws.len(),
                http.len(),
                recovered - end
            ),
        }
    );
    assert!(
        hits >= cuts / 2,
        "only {hits} sockets were open at {cuts} cuts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_socket_then_slow_link() {
    let r = rig(12).await;
    let deadline = 3 * HEARTBEAT_MS as i64;

    // 1. Open WebSockets go silent, sockets open. New connections work.
    let frozen_at = epoch_ms();
    let frozen = r.proxy.freeze_open(Some(Kind::Ws));
    assert_eq!(frozen, 2, "one WebSocket per window");
    let detected = wait_for(
        "both windows to notice the silence",
        timeout_secs(20),
        || async {
            match r.left_and_back(frozen_at).await {
                Ok((Some(l), Some(b))) => Ok((l, b)),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
    let detect_ms = detected.0 - frozen_at;
    r.check(timeout_secs(RECOVER_BOUND_S))
        .await
        .expect("invariant after the stall");
    println!("{}", r.histories(frozen_at).await);
    println!(
        "{}",
        FaultFigures {
            scenario: "ws_silent_mid_stream".into(),
            detect_ms: Some(detect_ms),
            recover_ms: Some(detected.1 - detected.0),
            down_requests: r.proxy.attempts_since(Kind::Ws, frozen_at).len(),
            extra: format!("deadline_ms={deadline} frozen_sockets={frozen}"),
        }
    );
    // Silent since at most one heartbeat before the freeze: noticed at the deadline, not later.
    assert!(
        detect_ms >= deadline - HEARTBEAT_MS as i64 && detect_ms <= deadline + 1_500,
        "noticed after {detect_ms} ms, deadline {deadline} ms"
    );

    // 2. A slow link, then a very slow one: the page keeps going (live or back to live).
    for (name, latency_ms, rate) in [("slow_link", 300, 32_000), ("very_slow_link", 1_500, 4_000)] {
        let since = epoch_ms();
        r.proxy.set(|p| {
            p.latency = Duration::from_millis(latency_ms);
            p.bytes_per_sec = Some(rate);
        });
        // The fault's duration (jobs keep running and logging through it).
        tokio::time::sleep(SLOW_FOR).await;
        let (left, _) = r.left_and_back(since).await.expect("histories");
        r.proxy.pass_through();
        let restored = Instant::now();
        let after = r.check(timeout_secs(RECOVER_BOUND_S)).await;
        let recover_ms = restored.elapsed().as_millis() as i64;
        println!("{name}: {}", r.histories(since).await);
        after.unwrap_or_else(|e| panic!("{name}: invariant after it: {e}"));
        if latency_ms < 1_000 {
            assert!(
                left.is_none(),
                "{name}: a merely slow link made the page leave live"
            );
        }
        println!(
            "{}",
            FaultFigures {
                scenario: name.into(),
                detect_ms: left.map(|l| l - since),
                recover_ms: Some(recover_ms),
                down_requests: r.proxy.attempts_since(Kind::Ws, since).len(),
                extra: format!(
                    "latency_ms={latency_ms} bytes_per_s={rate} for_s={} left_live={}",
                    SLOW_FOR.as_secs(),
                    left.is_some()
                ),
            }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_error_bursts_and_an_html_error_page() {
    let r = rig(10).await;
    let started = epoch_ms();
    let phases = [
        (
            "503_json",
            Canned {
                status: 503,
                html: false,
                cors: true,
            },
            2,
        ),
        (
            "502_html_cors",
            Canned {
                status: 502,
                html: true,
                cors: true,
            },
            2,
        ),
        (
            "502_html_no_cors",
            Canned {
                status: 502,
                html: true,
                cors: false,
            },
            1,
        ),
    ];
    let mut texts = Vec::new();
    for (i, (name, canned, answers)) in phases.iter().enumerate() {
        let since = epoch_ms();
        r.proxy.set(|p| {
            p.http = Rule::Answer(canned.clone());
            p.ws = Rule::Answer(canned.clone());
        });
        if i == 0 {
            r.proxy.cut(None);
        }
        wait_for(
            &format!("{name}: {answers} HTTP requests answered so"),
            timeout_secs(40),
            || async {
                let n = r
                    .proxy
                    .attempts()
                    .iter()
                    .filter(|a| {
                        a.at_ms >= since
                            && a.kind == Kind::Http
                            && matches!(a.action, Action::Answered(_))
                    })
                    .count();
                (n >= *answers).then_some(())
            },
        )
        .await;
        let browser = r.list().await.expect("list window");
        let shown = read_connection(browser).await.expect("indicator");
        let body = jobs_e2e::jobs_ui::text_of(browser, "body")
            .await
            .expect("body")
            .unwrap_or_default();
        assert!(
            !body.contains("<html") && !body.contains("<center>") && !shown.detail.contains('<'),
            "{name}: the error page's markup reached the page: {:?}",
            shown.detail
        );
        assert_ne!(
            shown.state, "live",
            "{name}: still live while every request fails"
        );
        texts.push(format!("{name}: {} — {:?}", shown.state, shown.detail));
    }
    r.proxy.pass_through();
    let restored = epoch_ms();
    let (left, _) = r.left_and_back(started).await.expect("histories");
    r.check(timeout_secs(RECOVER_BOUND_S))
        .await
        .expect("invariant after the error bursts");
    let back = r.live_after(restored).await.expect("histories");
    let during: Vec<f64> = r
        .proxy
        .attempts()
        .iter()
        .filter(|a| a.at_ms >= started && a.at_ms < restored && a.kind != Kind::Silent)
        .map(|a| a.at_ms as f64)
        .collect();
    println!("{}", texts.join("\n"));
    println!("{}", r.histories(started).await);
    println!(
        "{}",
        FaultFigures {
            scenario: "http_5xx_and_html_error_page".into(),
            detect_ms: left.map(|l| l - started),
            recover_ms: back.map(|b| b - restored),
            down_requests: during.len(),
            extra: format!(
                "down_s={} max_per_min_two_pages={}",
                (restored - started) / 1000,
                max_in_window(&during, 60_000.0)
            ),
        }
    );
    // Two pages, each at most ~10 WebSocket and ~10 HTTP attempts in an outage's first minute.
    assert!(
        max_in_window(&during, 60_000.0) <= 50,
        "{} requests in a minute",
        during.len()
    );
}
