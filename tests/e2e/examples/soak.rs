//! Soak benchmark (prints figures; asserts nothing): hours of job traffic compressed into
//! minutes against the release build in headless Chromium, sampling the page's memory, to show
//! that it levels off instead of growing with the session. Run it with `scripts/soak.sh`.
//!
//! The synthetic backend (`jobs_e2e::flood`) serves a fixed set of jobs and, over the
//! WebSocket, updates of its running jobs plus *churn*: new jobs created, run and finished
//! continuously (`flood/churn.rs`), so the jobs the page ever sees far exceed what its
//! retention holds (by default 200,000 jobs over the run against the app's default bound of
//! 20,000 finished jobs). Every `SOAK_SAMPLE_S` seconds it collects garbage (CDP
//! `HeapProfiler.collectGarbage`, so the heap figure is what is retained), then reads the JS
//! heap (`Runtime.getHeapUsage`), the wasm memory and the jobs held (`window.__jobsPerf`,
//! published by `services/diagnostics.rs`). It prints a table and a verdict: the growth over
//! the last half against the value at the half-way mark.
//!
//! Settings (environment): `SOAK_DIST` (the app build, default `dist/`), `SOAK_MINUTES` (10),
//! `SOAK_JOBS` (churn jobs created over the run, 200000), `SOAK_RATE` (updates of running jobs
//! per second, 500), `SOAK_SAMPLE_S` (15), `SOAK_RETAIN` (the page's `retain_finished_jobs`;
//! unset: the app's default; a huge number turns the count bound off, and the age bound is
//! then off too), `SOAK_FIXED_JOBS` (2000), `SOAK_OUT` (output directory, default
//! `target/bench`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use jobs_e2e::bench_env::{env_str, env_u64, exit_on_error, require_build, serve_app};
use jobs_e2e::flood::{FloodConfig, FloodServer};
use jobs_e2e::lock::SerialGuard;
use jobs_e2e::{net, paths, Browser, Error, Result};
use serde_json::{json, Value};

#[derive(Debug, serde::Serialize)]
struct Settings {
    dist: PathBuf,
    minutes: f64,
    jobs: u64,
    rate: u64,
    sample_s: u64,
    retain: Option<u64>,
    fixed_jobs: usize,
    out: PathBuf,
}

#[derive(Clone, Debug, serde::Serialize)]
struct Sample {
    t_s: f64,
    jobs_seen: u64,
    jobs_held: u64,
    js_heap_mb: f64,
    wasm_mb: f64,
    dom_nodes: u64,
    applied: u64,
}

#[tokio::main]
async fn main() {
    let s = Settings {
        dist: env_str("SOAK_DIST")
            .map(PathBuf::from)
            .unwrap_or_else(|| paths::repo_root().join("dist")),
        minutes: env_str("SOAK_MINUTES")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10.0),
        jobs: env_u64("SOAK_JOBS", 200_000),
        rate: env_u64("SOAK_RATE", 500),
        sample_s: env_u64("SOAK_SAMPLE_S", 15).max(1),
        retain: env_str("SOAK_RETAIN").and_then(|v| v.replace('_', "").parse().ok()),
        fixed_jobs: env_u64("SOAK_FIXED_JOBS", 2_000) as usize,
        out: env_str("SOAK_OUT")
            .map(PathBuf::from)
            .unwrap_or_else(|| paths::target_dir().join("bench")),
    };
    exit_on_error("SOAK", run(&s).await);
}

async fn run(s: &Settings) -> Result<()> {
    require_build(&s.dist, "SOAK_DIST")?;
    let _lock = SerialGuard::acquire().await?;
    eprintln!("SOAK settings {}", json!(s));
    let server = FloodServer::start(FloodConfig {
        jobs: s.fixed_jobs,
        running: (s.fixed_jobs / 20).max(2),
        ..FloodConfig::default()
    })
    .await?;
    let tmp = tempfile::tempdir().map_err(|e| Error::msg(format!("temp dir: {e}")))?;
    let http = jobs_e2e::http::ApiClient::new(server.origin())?;
    let mut config = json!({"api_base": server.api_base(), "ws_url": server.ws_url()});
    if let Some(n) = s.retain {
        config["retain_finished_jobs"] = json!(n.min(u32::MAX as u64));
        config["retain_finished_hours"] = json!(0);
    }
    let site = serve_app(&s.dist, tmp.path(), &config, &http).await?;
    let browser = Browser::start_with_args(
        net::free_port()?,
        &tmp.path().join("profile"),
        &tmp.path().join("chromedriver.log"),
        &["--enable-precise-memory-info".to_string()],
    )
    .await?;
    let url = format!("{}index.html#/jobs", site.app_base_url());
    browser.goto(&url).await?;
    browser.wait_testid("job-card").await;

    let total = Duration::from_secs_f64(s.minutes * 60.0);
    let churn_per_s = ((s.jobs as f64 / total.as_secs_f64()).ceil() as u64).max(1);
    server.set_rate(s.rate);
    server.set_churn(churn_per_s);
    eprintln!(
        "SOAK {} churn jobs/s, {} running updates/s, for {:.1} min",
        churn_per_s, s.rate, s.minutes
    );
    let start = Instant::now();
    let mut samples: Vec<Sample> = Vec::new();
    let mut next = start;
    while start.elapsed() < total + Duration::from_millis(500) {
        tokio::time::sleep_until(next.into()).await;
        next += Duration::from_secs(s.sample_s);
        match sample(&browser, &server, start).await {
            Ok(x) => {
                eprintln!(
                    "SOAK t={:>6.0}s seen={:>7} held={:>6} heap={:>7.1} MB wasm={:>7.1} MB dom={}",
                    x.t_s, x.jobs_seen, x.jobs_held, x.js_heap_mb, x.wasm_mb, x.dom_nodes
                );
                samples.push(x);
            }
            Err(e) => eprintln!("SOAK sample failed: {e}"),
        }
    }
    server.set_churn(0);
    server.set_rate(0);
    let counters = server.counters();
    let report = render(s, &samples, churn_per_s, &counters);
    println!("{report}");
    std::fs::create_dir_all(&s.out).map_err(|e| Error::msg(format!("{}: {e}", s.out.display())))?;
    let tag = match s.retain {
        Some(n) => format!("retain-{n}"),
        None => "default".into(),
    };
    let md = s.out.join(format!("soak-{tag}.md"));
    let js = s.out.join(format!("soak-{tag}.json"));
    let data =
        json!({"settings": s, "churn_per_s": churn_per_s, "samples": samples, "server": counters});
    std::fs::write(&md, &report)
        .map_err(|e| Error::msg(format!("writing {}: {e}", md.display())))?;
    std::fs::write(&js, serde_json::to_string_pretty(&data).unwrap_or_default())
        .map_err(|e| Error::msg(format!("writing {}: {e}", js.display())))?;
    eprintln!("SOAK wrote {} and {}", md.display(), js.display());
    Ok(())
}

async fn sample(browser: &Browser, server: &FloodServer, start: Instant) -> Result<Sample> {
    // What is retained, not what is waiting for the collector.
    browser
        .cdp("HeapProfiler.collectGarbage", json!({}))
        .await?;
    let heap = browser.cdp("Runtime.getHeapUsage", json!({})).await?;
    let v: Value = browser
        .client()
        .execute(
            "const p = window.__jobsPerf || {};
             return [p.held || 0, p.wasmBytes || 0, p.applied || 0,
                     document.getElementsByTagName('*').length];",
            vec![],
        )
        .await
        .map_err(|e| Error::msg(format!("reading the page's figures: {e}")))?;
    let (created, _) = server.churn_counts();
    Ok(Sample {
        t_s: start.elapsed().as_secs_f64(),
        jobs_seen: server.job_count() as u64 + created,
        jobs_held: v[0].as_f64().unwrap_or(0.0) as u64,
        js_heap_mb: heap["usedSize"].as_f64().unwrap_or(0.0) / 1e6,
        wasm_mb: v[1].as_f64().unwrap_or(0.0) / 1e6,
        dom_nodes: v[3].as_u64().unwrap_or(0),
        applied: v[2].as_f64().unwrap_or(0.0) as u64,
    })
}

/// Growth over the last half: the last sample against the one at the half-way mark.
fn growth(samples: &[Sample], f: impl Fn(&Sample) -> f64) -> Option<(f64, f64, f64)> {
    let last = samples.last()?;
    let mid = samples.get(samples.len() / 2)?;
    let first = samples.first()?;
    Some((f(first), f(mid), f(last)))
}

fn render(
    s: &Settings,
    samples: &[Sample],
    churn_per_s: u64,
    counters: &jobs_e2e::flood::FloodCounters,
) -> String {
    let mut out = String::new();
    let retain = match s.retain {
        Some(n) => format!("retain_finished_jobs = {n}, no age bound"),
        None => "the app's default retention".into(),
    };
    out.push_str(&format!(
        "## Soak: {:.1} min, {} churn jobs/s + {} updates/s, {retain}\n\n",
        s.minutes, churn_per_s, s.rate
    ));
    out.push_str(&format!(
        "Server: {} events sent, {} skipped (page behind), {} WebSocket connections, {} resyncs.\n\n",
        counters.events_sent, counters.skipped, counters.ws_connections, counters.resyncs_sent
    ));
    out.push_str("| time (s) | jobs seen | jobs held | JS heap (MB) | wasm (MB) | DOM nodes |\n");
    out.push_str("|---:|---:|---:|---:|---:|---:|\n");
    for x in samples {
        out.push_str(&format!(
            "| {:.0} | {} | {} | {:.1} | {:.1} | {} |\n",
            x.t_s, x.jobs_seen, x.jobs_held, x.js_heap_mb, x.wasm_mb, x.dom_nodes
        ));
    }
    out.push('\n');
    for (name, f) in [
        (
            "jobs held",
            (|x: &Sample| x.jobs_held as f64) as fn(&Sample) -> f64,
        ),
        ("JS heap MB", |x: &Sample| x.js_heap_mb),
        ("wasm MB", |x: &Sample| x.wasm_mb),
    ] {
        if let Some((first, mid, last)) = growth(samples, f) {
            let pct = if mid > 0.0 {
                (last - mid) / mid * 100.0
            } else {
                0.0
            };
            let verdict = if pct <= 10.0 { "levels off" } else { "GROWS" };
            out.push_str(&format!(
                "- {name}: {first:.1} at the start, {mid:.1} at half-way, {last:.1} at the end: \
                 {pct:+.1} % over the last half — {verdict}\n"
            ));
        }
    }
    out
}
