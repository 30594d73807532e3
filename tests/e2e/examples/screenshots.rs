//! Screenshots of the job page and the metrics panel, light and dark, for the docs:
//!
//! ```sh
//! cargo run -p jobs-e2e --example screenshots     # needs dist/ built, like the e2e tests
//! ```
//!
//! Starts a stack (6 workers), creates a realistic mix — succeeded jobs on three datasets,
//! failures of both exception types (`RuntimeError` from `fail_at`, `ValueError` from the
//! corrupt dataset), a cancelled job, and two long jobs that keep running — and writes, 1280 px
//! wide, into `docs/screenshots/`:
//!
//! - `job-page-light.png`, `job-page-dark.png`: the page of a running job whose chart has
//!   samples (opened with `?theme=light|dark`);
//! - `metrics-light.png`, `metrics-dark.png`: the Jobs page with the metrics panel open
//!   (`#/jobs?metrics=1h`), tiles, throughput and queue charts, failure groups;
//! - `compact-light.png`, `compact-dark.png`: the list in its compact view
//!   (`#/jobs?view=compact`) at 1280×900, after 36 more jobs were started.
//!
//! Each page is loaded fresh, shown live and fully drawn before its screenshot; the window is
//! made as tall as the content worth showing. Everything it starts stops when it ends (about a
//! minute).

use std::path::{Path, PathBuf};
use std::time::Instant;

use jobs_e2e::jobs_ui::bulk_start;
use jobs_e2e::live_view::{set_hash, wait_connection};
use jobs_e2e::{dom, job_id, paths, testid, timeout_secs, wait_for, Browser, Stack};
use serde_json::{json, Value};

const WIDTH: u32 = 1280;

fn spec(ds: &str, kind: &str, params: Value) -> Value {
    json!({"dataset_id": ds, "kind": kind, "params": params})
}

/// `(width, height)` of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Makes the viewport `WIDTH` × `height` CSS pixels (the window's outer size is adjusted for
/// whatever the browser adds around the viewport).
async fn set_viewport(browser: &Browser, height: u32) {
    let client = browser.client();
    client
        .set_window_size(WIDTH, height)
        .await
        .expect("resizing the window");
    let inner: Value = client
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .expect("reading the viewport");
    let (iw, ih) = (
        inner[0].as_u64().unwrap_or(WIDTH as u64) as u32,
        inner[1].as_u64().unwrap_or(height as u64) as u32,
    );
    if iw != WIDTH || ih != height {
        client
            .set_window_size(
                WIDTH + (WIDTH - iw.min(WIDTH)),
                height + (height - ih.min(height)),
            )
            .await
            .expect("resizing the window");
    }
}

/// The bottom (document px) of the last element matching `css`, plus `extra`.
async fn bottom_of(browser: &Browser, css: &str, extra: u32) -> u32 {
    let v: Value = browser
        .client()
        .execute(
            "const els = document.querySelectorAll(arguments[0]);
             if (!els.length) return 0;
             const r = els[els.length - 1].getBoundingClientRect();
             return Math.ceil(r.bottom + window.scrollY);",
            vec![json!(css)],
        )
        .await
        .expect("measuring the page");
    v.as_u64().unwrap_or(0) as u32 + extra
}

/// Waits until every chart canvas on the page is drawn (no pending redraw).
async fn wait_drawn(browser: &Browser, what: &str) {
    wait_for(what, timeout_secs(20), || async {
        let v: Value = browser
            .client()
            .execute(
                "return Array.from(document.querySelectorAll('canvas[data-chart-state]'))
                   .filter(c => !c.hidden).map(c => c.getAttribute('data-chart-state'));",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        let states: Vec<String> = serde_json::from_value(v).map_err(|e| e.to_string())?;
        if !states.is_empty() && states.iter().all(|s| s == "drawn") {
            Ok(())
        } else {
            Err(format!("{states:?}"))
        }
    })
    .await;
    // Two animation frames: the last draw is on screen.
    let _ = browser
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
            vec![],
        )
        .await;
}

async fn shoot(browser: &Browser, path: &Path) {
    let png = browser
        .client()
        .screenshot()
        .await
        .expect("taking a screenshot");
    std::fs::write(path, &png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    let (w, h) = png_size(&png);
    println!("wrote {} ({w}×{h})", path.display());
}

async fn job_page(stack: &Stack, id: &str, theme: &str, out: &Path) {
    // The list first, then the job by a hash change: the page is live before the job page
    // mounts, as when a user clicks through.
    stack.open_themed(theme, "/jobs").await;
    wait_connection(stack.browser(), &["live"], timeout_secs(20)).await;
    let browser = stack.browser();
    set_hash(browser, &format!("#/jobs/{id}")).await.unwrap();
    browser.wait_css(&dom::job_detail(id)).await;
    wait_for("the chart to have samples", timeout_secs(20), || async {
        let v: Value = browser
            .client()
            .execute(
                "const s = document.querySelector('[data-testid=\"job-chart\"]');
                 return s ? Number(s.getAttribute('data-samples')) : 0;",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        let n = v.as_u64().unwrap_or(0);
        if n >= 20 {
            Ok(())
        } else {
            Err(format!("{n} samples"))
        }
    })
    .await;
    let height = bottom_of(browser, &testid("job-chart"), 24).await.max(900);
    set_viewport(browser, height.min(2400)).await;
    wait_drawn(browser, "the job chart to be drawn").await;
    shoot(browser, &out.join(format!("job-page-{theme}.png"))).await;
}

async fn metrics_page(stack: &Stack, theme: &str, out: &Path) {
    stack.open_themed(theme, "/jobs?metrics=1h").await;
    wait_connection(stack.browser(), &["live"], timeout_secs(20)).await;
    let browser = stack.browser();
    browser.wait_testid("metric-tiles").await;
    browser.wait_testid("failure-group").await;
    // The queue chart holds this session's queue reports (one about every 2 s).
    wait_for("queue reports on the chart", timeout_secs(40), || async {
        let v: Value = browser
            .client()
            .execute(
                "const q = document.querySelector('[data-testid=\"queue-chart\"]');
                 return q ? Number(q.getAttribute('data-samples')) : 0;",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        let n = v.as_u64().unwrap_or(0);
        if n >= 6 {
            Ok(())
        } else {
            Err(format!("{n} samples"))
        }
    })
    .await;
    // The panel and the first few cards of the list below it.
    let panel = bottom_of(browser, &testid("metrics-panel"), 0).await;
    set_viewport(browser, (panel + 420).clamp(900, 2400)).await;
    wait_drawn(browser, "the metrics charts to be drawn").await;
    shoot(browser, &out.join(format!("metrics-{theme}.png"))).await;
}

async fn compact_page(stack: &Stack, theme: &str, out: &Path) {
    stack.open_themed(theme, "/jobs?view=compact").await;
    wait_connection(stack.browser(), &["live"], timeout_secs(20)).await;
    let browser = stack.browser();
    browser.wait_testid("job-row").await;
    set_viewport(browser, 900).await;
    shoot(browser, &out.join(format!("compact-{theme}.png"))).await;
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let out: PathBuf = paths::repo_root().join("docs").join("screenshots");
    std::fs::create_dir_all(&out).expect("creating docs/screenshots");
    let stack = Stack::builder().workers(6).start().await;

    // Finished ones first: three succeed, two fail with RuntimeError, three with ValueError.
    let quick = json!({"chunk_rows": 2000, "chunk_delay_ms": 60});
    let finished = bulk_start(
        &stack,
        vec![
            spec("ds_sales", "profile", quick.clone()),
            spec(
                "ds_customers",
                "profile",
                json!({"chunk_rows": 500, "chunk_delay_ms": 60}),
            ),
            spec(
                "ds_sensors",
                "validate",
                json!({"chunk_rows": 5000, "chunk_delay_ms": 60}),
            ),
            spec(
                "ds_customers",
                "profile",
                json!({"chunk_rows": 250, "chunk_delay_ms": 60, "fail_at": 0.4}),
            ),
            spec(
                "ds_sales",
                "profile",
                json!({"chunk_rows": 1000, "chunk_delay_ms": 60, "fail_at": 0.65}),
            ),
            spec("ds_sensors_corrupt", "validate", quick.clone()),
            spec(
                "ds_sensors_corrupt",
                "validate",
                json!({"chunk_rows": 1000, "chunk_delay_ms": 60}),
            ),
        ],
    )
    .await;
    for id in &finished {
        stack
            .wait_job(id, "to finish", timeout_secs(60), |j| {
                matches!(j["status"].as_str(), Some("succeeded" | "failed"))
            })
            .await;
    }
    let corrupt = bulk_start(
        &stack,
        vec![spec(
            "ds_sensors_corrupt",
            "validate",
            json!({"chunk_rows": 500, "chunk_delay_ms": 20}),
        )],
    )
    .await;
    // One cancelled part-way.
    let cancelled = stack
        .create_job(
            "ds_sensors",
            "profile",
            json!({"chunk_rows": 500, "chunk_delay_ms": 200}),
        )
        .await;
    let cancelled = job_id(&cancelled);
    stack
        .wait_job(&cancelled, "to make progress", timeout_secs(30), |j| {
            j["progress"]["processed"].as_u64().unwrap_or(0) >= 3000
        })
        .await;
    let (status, body) = stack
        .api_post(&format!("jobs/{cancelled}/cancel"), json!({}))
        .await;
    assert!(status < 300, "cancel: {status} {body}");
    // Two long ones that keep running through the screenshots.
    let running = bulk_start(
        &stack,
        vec![
            spec(
                "ds_sensors",
                "profile",
                json!({"chunk_rows": 400, "chunk_delay_ms": 250}),
            ),
            spec(
                "ds_customers",
                "profile",
                json!({"chunk_rows": 100, "chunk_delay_ms": 250, "passes": 20}),
            ),
        ],
    )
    .await;
    for id in corrupt.iter().chain([&cancelled]) {
        stack
            .wait_job(id, "to finish", timeout_secs(60), |j| {
                matches!(j["status"].as_str(), Some("failed" | "cancelled"))
            })
            .await;
    }
    let watched = running[0].clone();
    stack
        .wait_job(&watched, "to have 30 samples", timeout_secs(60), |j| {
            j["progress"]["processed"].as_u64().unwrap_or(0) >= 30 * 400
        })
        .await;

    for theme in ["light", "dark"] {
        job_page(&stack, &watched, theme, &out).await;
    }
    for theme in ["light", "dark"] {
        metrics_page(&stack, theme, &out).await;
    }
    // A fuller list for the compact view: 36 more jobs, some done, some running, some queued.
    let more: Vec<Value> = (0..36)
        .map(|i| {
            let ds = ["ds_sales", "ds_customers", "ds_sensors"][i % 3];
            let params = json!({"chunk_rows": 1000 + 500 * (i % 4), "chunk_delay_ms": 80});
            spec(ds, if i % 5 == 0 { "validate" } else { "profile" }, params)
        })
        .collect();
    let more = bulk_start(&stack, more).await;
    stack
        .wait_job(&more[11], "to finish", timeout_secs(120), |j| {
            j["status"] == "succeeded"
        })
        .await;
    for theme in ["light", "dark"] {
        compact_page(&stack, theme, &out).await;
    }
    let job = stack.job(&watched).await;
    println!(
        "watched job {watched}: {} at {}/{} rows; done in {:.0}s",
        job["status"],
        job["progress"]["processed"],
        job["progress"]["total"],
        started.elapsed().as_secs_f64()
    );
}
