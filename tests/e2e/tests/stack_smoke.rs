//! The harness itself, against the real backend but without the real app: a job runs to
//! success, the API and Redis restart on their ports, a page served by the plain static server
//! reaches the API cross-origin, a failing test leaves artifacts, and no process outlives its
//! stack.

use std::time::{Duration, Instant};

use jobs_e2e::process::is_alive;
use jobs_e2e::{paths, timeout_secs, wait_for, Stack};
use serde_json::json;

/// Waits until none of `pids` is alive; panics naming the survivors.
fn assert_all_gone(pids: &[i32]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let alive: Vec<i32> = pids.iter().copied().filter(|&p| is_alive(p)).collect();
        if alive.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            let names: Vec<String> = alive
                .iter()
                .map(|p| {
                    let cmd = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
                    format!("{p}: {}", String::from_utf8_lossy(&cmd).replace('\0', " "))
                })
                .collect();
            panic!("processes outlived the stack:\n{}", names.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn job_runs_to_success_and_no_process_outlives_the_stack() {
    let stack = Stack::builder().app(false).browser(false).start().await;

    let datasets = stack.datasets().await;
    assert!(
        datasets.iter().any(|d| d["id"] == "ds_sales"),
        "ds_sales missing from {datasets:?}"
    );
    let (status, queue) = stack.api_get("/api/v1/queue").await;
    assert_eq!(status, 200);
    assert_eq!(
        queue["workers"].as_array().map(Vec::len),
        Some(2),
        "{queue}"
    );
    assert_eq!(queue["redis"]["ok"], json!(true), "{queue}");

    let done = stack.quick_job("ds_sales", timeout_secs(60)).await;
    assert!(done["result"].is_object(), "profile result missing: {done}");

    let pids = stack.process_ids();
    assert!(pids.len() >= 4, "expected redis, api, workers: {pids:?}");
    drop(stack);
    assert_all_gone(&pids);
}

#[tokio::test]
async fn api_and_redis_restart_on_the_same_ports() {
    let mut stack = Stack::builder()
        .app(false)
        .browser(false)
        .workers(1)
        .start()
        .await;
    let (api_port, redis_port) = (stack.api_port(), stack.redis_port());

    stack.kill_api();
    assert!(
        stack.api().get("queue").await.is_err(),
        "the API still answers after kill_api"
    );
    stack.start_api().await.expect("API restarts");
    assert_eq!(stack.api_port(), api_port);
    assert_eq!(stack.api_get("queue").await.0, 200);

    let before = stack.create_job("ds_sales", "profile", json!({})).await;
    stack.restart_redis().await.expect("Redis restarts");
    assert_eq!(stack.redis_port(), redis_port);
    stack
        .wait_redis_ok()
        .await
        .expect("the API reaches the new Redis");
    // Persistence is off: the restarted Redis is empty.
    let id = before["id"].as_str().expect("job id");
    wait_for(
        "the job to be gone after the Redis restart",
        timeout_secs(10),
        || async {
            stack
                .api()
                .get(&format!("jobs/{id}"))
                .await
                .map(|(s, _)| s == 404)
        },
    )
    .await;

    stack.stop_api();
    assert!(!stack.api_running());
    stack
        .restart_api()
        .await
        .expect("API starts after a graceful stop");
    assert_eq!(stack.api_get("queue").await.0, 200);
}

/// A stand-in for the built app: reads `config.json` and calls the API from the page. The
/// script is a file of its own: the static server sends the deploy CSP (`script-src 'self'`),
/// which blocks inline scripts, as it would for the real app.
const PROBE_INDEX: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>probe</title></head>
<body><p data-testid="probe">loading</p>
<script src="probe.js"></script></body></html>
"#;

const PROBE_JS: &str = r#"
console.log("probe started at " + location.pathname);
const out = document.querySelector('[data-testid="probe"]');
fetch("config.json")
  .then(r => r.json())
  .then(cfg => fetch(cfg.api_base + "/queue").then(r => r.json()))
  .then(q => { out.textContent = "redis ok: " + q.redis.ok; })
  .catch(e => { out.textContent = "error: " + e; console.error("probe failed", e); });
"#;

#[tokio::test]
async fn static_app_reaches_the_api_and_the_browser_is_cleaned_up() {
    let dist = tempfile::tempdir().expect("temp dist");
    std::fs::write(dist.path().join("index.html"), PROBE_INDEX).expect("write probe");
    std::fs::write(dist.path().join("probe.js"), PROBE_JS).expect("write probe script");
    let stack = Stack::builder()
        .workers(0)
        .dist_dir(dist.path())
        .start()
        .await;

    // The static server has no rewrites: only real files exist.
    let (status, _) = stack.api_get(&stack.app_index_url("/jobs")).await;
    assert_eq!(status, 200);
    let (status, _) = stack
        .api_get(&format!("{}jobs/job_123", stack.app_base_url()))
        .await;
    assert_eq!(status, 404, "the static server must not rewrite paths");
    let (status, config) = stack
        .api_get(&format!("{}config.json", stack.app_base_url()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(config["api_base"], json!(stack.api_base()));
    assert_eq!(config["ws_url"], json!(stack.ws_url()));

    stack.open("/jobs").await;
    let text = stack
        .browser()
        .wait_text("[data-testid=probe]", "\"redis ok: true\"", |t| {
            t != "loading"
        })
        .await;
    assert_eq!(
        text, "redis ok: true",
        "the page could not call the API cross-origin (CORS for the static origin?)"
    );
    let url = stack.browser().current_url().await.expect("url");
    assert_eq!(url, stack.app_url("/jobs"));
    let console = stack.browser().console_log().await.expect("console log");
    assert!(
        console.iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|m| m.contains("probe started at /apps/jobs/"))),
        "console: {console:?}"
    );

    let pids = stack.process_ids();
    assert!(
        pids.iter()
            .any(|&p| std::fs::read(format!("/proc/{p}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains("chromium"))),
        "no chromium among {pids:?}"
    );
    drop(stack);
    assert_all_gone(&pids);
}

#[test]
fn a_failing_test_leaves_screenshot_console_and_logs() {
    let label = "stack_smoke-deliberate_failure_probe";
    let dir = paths::artifacts_root().join(label);
    let _ = std::fs::remove_dir_all(&dir);
    let dist = tempfile::tempdir().expect("temp dist");
    std::fs::write(dist.path().join("index.html"), PROBE_INDEX).expect("write probe");
    std::fs::write(dist.path().join("probe.js"), PROBE_JS).expect("write probe script");
    let dist_path = dist.path().to_path_buf();

    let outcome = std::thread::Builder::new()
        .name("deliberate_failure_probe".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let stack = Stack::builder()
                    .workers(0)
                    .dist_dir(dist_path)
                    .start()
                    .await;
                stack.open("/jobs").await;
                stack.browser().wait_css("[data-testid=probe]").await;
                panic!("deliberate failure to check the artifacts (expected in this test)");
            })
        })
        .expect("spawn probe thread")
        .join();
    assert!(outcome.is_err(), "the probe should have panicked");
    for file in [
        "screenshot.png",
        "console.log",
        "page.html",
        "api.log",
        "redis.log",
    ] {
        let path = dir.join(file);
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(len > 0, "{} missing or empty", path.display());
    }
    let png = std::fs::read(dir.join("screenshot.png")).expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
}
