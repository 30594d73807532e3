//! Performance benchmark (prints figures; asserts nothing): the app's release build and a
//! hand-written JavaScript page (the *floor*, `tests/e2e/bench/floor/`) on the same input, in
//! headless Chromium, side by side. Run it with `scripts/bench.sh` (builds `dist/`, then this);
//! what each figure means and how it is measured: `docs/performance.md`.
//!
//! ```sh
//! scripts/bench.sh                           # full run, about 10 minutes
//! PERF_QUICK=1 scripts/bench.sh              # short phases, for development
//! PERF_DIST=/path/to/dist scripts/bench.sh   # another build of the app
//! ```
//!
//! Everything runs on loopback: an in-process synthetic backend (`jobs_e2e::flood`: 10,000
//! jobs, 1,000 running, a WebSocket whose event rate is switched per phase), the app under the
//! same static server and CSP as the e2e tests, the floor page on a second static server, and
//! one fresh Chromium session per page. Per page: start-up (bundle sizes, first card with a
//! cold and a warm cache), big list (first card, DOM size, scroll frames, filter/search/sort
//! times), the event flood (one phase per rate), idle CPU, and the log viewer. Writes
//! `target/bench/perf-<timestamp>.json` and `target/bench/perf-latest.md` and prints the table.
//!
//! Settings (environment): `PERF_DIST` (the app build, default `dist/`), `PERF_QUICK=1`,
//! `PERF_RATES` (`1000,5000,20000`), `PERF_SEARCH` (1: then double the rate while the page
//! keeps up, up to 160,000; 0: only the set rates), `PERF_FLOOD_S` (30; quick 6),
//! `PERF_IDLE_S` (20; quick 5), `PERF_JOBS` (10000), `PERF_RUNNING` (1000), `PERF_TARGETS`
//! (`app,floor`), `PERF_ONLY` (a subset of `startup,biglist,flood,idle,logs`),
//! `PERF_LOG_LINES` (200000; quick 50000), `PERF_LOG_RATE` (20000 lines/s), `PERF_OUT` (output
//! directory). `PERF_REPORT=<perf-….json>` prints the table of an earlier run instead.

#[path = "perf_bench/events.rs"]
mod events;
#[path = "perf_bench/list.rs"]
mod list;
#[path = "perf_bench/logs.rs"]
mod logs;
#[path = "perf_bench/page.rs"]
mod page;
#[path = "perf_bench/report.rs"]
mod report;

use std::path::{Path, PathBuf};

use jobs_e2e::bench_env::{env_str, env_u64, exit_on_error, require_build, serve_app};
use jobs_e2e::flood::{self, FloodConfig, FloodServer};
use jobs_e2e::lock::SerialGuard;
use jobs_e2e::static_site::{app_csp, write_header_file, StaticSite};
use jobs_e2e::{net, paths, Browser, Error, Result};
use report::{Report, Target};
use serde_json::json;

#[derive(Clone, Debug, serde::Serialize)]
struct Settings {
    dist: PathBuf,
    quick: bool,
    rates: Vec<u64>,
    /// After the set rates, double the rate while the page keeps up.
    search: bool,
    flood_s: u64,
    idle_s: u64,
    jobs: usize,
    running: usize,
    targets: Vec<String>,
    only: Vec<String>,
    scroll_steps: u32,
    scroll_px: u32,
    op_runs: usize,
    warm_runs: usize,
    log_lines: u64,
    log_rate: u64,
    heartbeat_ms: u64,
    out: PathBuf,
}

impl Settings {
    fn from_env() -> Self {
        let quick = env_str("PERF_QUICK").is_some_and(|v| v != "0");
        let list = |name: &str, default: &str| -> Vec<String> {
            env_str(name)
                .unwrap_or_else(|| default.to_string())
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        Self {
            dist: env_str("PERF_DIST")
                .map(PathBuf::from)
                .unwrap_or_else(|| paths::repo_root().join("dist")),
            quick,
            rates: list("PERF_RATES", "1000,5000,20000")
                .iter()
                .filter_map(|r| r.replace('_', "").parse().ok())
                .collect(),
            search: env_str("PERF_SEARCH").is_none_or(|v| v != "0"),
            flood_s: env_u64("PERF_FLOOD_S", if quick { 6 } else { 30 }),
            idle_s: env_u64("PERF_IDLE_S", if quick { 5 } else { 20 }),
            jobs: env_u64("PERF_JOBS", 10_000) as usize,
            running: env_u64("PERF_RUNNING", 1_000) as usize,
            targets: list("PERF_TARGETS", "app,floor"),
            only: list("PERF_ONLY", "startup,biglist,flood,idle,logs"),
            scroll_steps: if quick { 120 } else { 300 },
            scroll_px: 100,
            op_runs: if quick { 1 } else { 3 },
            warm_runs: if quick { 1 } else { 3 },
            log_lines: env_u64("PERF_LOG_LINES", if quick { 50_000 } else { 200_000 }),
            log_rate: env_u64("PERF_LOG_RATE", 20_000),
            heartbeat_ms: 5_000,
            out: env_str("PERF_OUT")
                .map(PathBuf::from)
                .unwrap_or_else(|| paths::target_dir().join("bench")),
        }
    }

    fn runs(&self, part: &str) -> bool {
        self.only.iter().any(|p| p == part)
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn machine() -> report::Machine {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let chromium = std::process::Command::new(jobs_e2e::browser::CHROMIUM)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "chromium ?".into());
    report::Machine {
        nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu_model,
        chromium,
        load_start: loadavg(),
        load_end: String::new(),
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC` and `YYYYMMDD-HHMMSS` of epoch ms (civil-from-days, no date crate).
fn utc(ms: i64) -> (String, String) {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    (
        format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC"),
        format!("{y:04}{m:02}{d:02}-{h:02}{mi:02}{s:02}"),
    )
}

/// What differs between the two pages under test.
struct Subject {
    name: String,
    url: String,
    /// The files whose sizes are the bundle.
    dir: PathBuf,
    logs_url: Option<String>,
}

async fn run_target(subject: &Subject, s: &Settings, server: &FloodServer, tmp: &Path) -> Target {
    let mut t = Target {
        name: subject.name.clone(),
        url: subject.url.clone(),
        ..Target::default()
    };
    let profile = tmp.join(format!("profile-{}", subject.name));
    let log = tmp.join(format!("chromedriver-{}.log", subject.name));
    let browser = match net::free_port() {
        Ok(port) => {
            Browser::start_with_args(
                port,
                &profile,
                &log,
                &[
                    "--enable-precise-memory-info".to_string(),
                    "--disable-back-forward-cache".to_string(),
                ],
            )
            .await
        }
        Err(e) => Err(e),
    };
    let browser = match browser {
        Ok(b) => b,
        Err(e) => {
            t.errors.push(format!("starting the browser: {e}"));
            return t;
        }
    };
    if let Err(e) = page::install(&browser, server.marker_id()).await {
        t.errors.push(format!("installing the probe: {e}"));
        return t;
    }
    let url = subject.url.as_str();
    if s.runs("startup") {
        eprintln!("PERF {}: start-up", subject.name);
        match list::startup(&browser, url, &subject.dir, s).await {
            Ok(v) => t.startup = Some(v),
            Err(e) => t.errors.push(format!("start-up: {e}")),
        }
    }
    if s.runs("biglist") {
        eprintln!("PERF {}: big list", subject.name);
        match list::big_list(&browser, &subject.name, url, s).await {
            Ok(v) => t.big_list = Some(v),
            Err(e) => t.errors.push(format!("big list: {e}")),
        }
    }
    if s.runs("flood") {
        eprintln!("PERF {}: event flood", subject.name);
        match events::flood_phases(&browser, url, s, server).await {
            Ok(v) => t.flood = v,
            Err(e) => t.errors.push(format!("flood: {e}")),
        }
        server.set_rate(0);
        server.set_markers(false);
        t.highest_rate_kept_up = t
            .flood
            .iter()
            .filter(|p| p.keeps_up)
            .map(|p| p.target_per_s)
            .max();
    }
    if s.runs("idle") {
        eprintln!("PERF {}: idle", subject.name);
        match events::idle(&browser, url, s, server).await {
            Ok(v) => t.idle = Some(v),
            Err(e) => t.errors.push(format!("idle: {e}")),
        }
    }
    if s.runs("logs") {
        eprintln!("PERF {}: logs", subject.name);
        let logs_url = subject.logs_url.as_deref().unwrap_or(url);
        match logs::run(
            &browser,
            &subject.name,
            logs_url,
            s.log_lines,
            s.log_rate,
            server,
        )
        .await
        {
            Ok(v) => t.logs = Some(v),
            Err(e) => t.errors.push(format!("logs: {e}")),
        }
    }
    for e in &t.errors {
        eprintln!("PERF_ERROR {}: {e}", subject.name);
    }
    t
}

fn encode(s: &str) -> String {
    jobs_page::state::url::encode_component(s)
}

#[tokio::main]
async fn main() {
    // `PERF_REPORT=<perf-….json>`: print the table of an earlier run (nothing is measured).
    if let Some(path) = env_str("PERF_REPORT") {
        let report = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<Report>(&t).map_err(|e| e.to_string()));
        match report {
            Ok(r) => println!("{}", report::markdown(&r)),
            Err(e) => {
                eprintln!("PERF_FAILED reading {path}: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    let s = Settings::from_env();
    exit_on_error("PERF", run(&s).await);
}

async fn run(s: &Settings) -> Result<()> {
    require_build(&s.dist, "PERF_DIST")?;
    // No e2e stack at the same time: it would take the CPU these figures are about.
    let _lock = SerialGuard::acquire().await?;
    let mut machine = machine();
    let started = flood::now_ms();
    eprintln!("PERF settings {}", json!(s));

    let server = FloodServer::start(FloodConfig {
        jobs: s.jobs,
        running: s.running,
        heartbeat_ms: s.heartbeat_ms,
        ..FloodConfig::default()
    })
    .await?;
    // The server's own ceiling: paced at 20,000/s, and unpaced, to a Rust client.
    let ceiling = |rate: u64| {
        let ws = server.ws_url();
        server.set_rate(rate);
        async move {
            let c0 = page::self_cpu_secs();
            let read = flood::read_as_fast_as_possible(&ws, 3.0).await;
            let cpu = (page::self_cpu_secs() - c0) / 3.0 * 100.0;
            read.map(|r| (r, cpu))
        }
    };
    let (paced, paced_cpu) = ceiling(20_000).await?;
    let (unpaced, unpaced_cpu) = ceiling(10_000_000).await?;
    server.set_rate(0);
    eprintln!(
        "PERF_SERVER paced_20k={:.0}/s ({paced_cpu:.0}% CPU) ceiling={:.0}/s ({unpaced_cpu:.0}% CPU, \
         {:.0} MB/s) chain_ok={} decode_errors={}",
        paced.events_per_s,
        unpaced.events_per_s,
        unpaced.mb_per_s,
        paced.chain_ok && unpaced.chain_ok,
        paced.decode_errors + unpaced.decode_errors
    );
    let server_figs = json!({
        "paced_20k": paced, "paced_20k_cpu_pct": paced_cpu,
        "ceiling": unpaced, "ceiling_cpu_pct": unpaced_cpu,
        "note": "server and client share this process and its 2 tokio workers (debug build); \
                 CPU is the whole process",
        "jobs": server.job_count(), "counts": server.counts(),
        "marker_id": server.marker_id(), "log_job_id": server.log_job_id(),
    });

    let tmp = tempfile::tempdir().map_err(|e| Error::msg(format!("temp dir: {e}")))?;
    let http = jobs_e2e::http::ApiClient::new(server.origin())?;
    let config = json!({"api_base": server.api_base(), "ws_url": server.ws_url()});
    let app_site = serve_app(&s.dist, tmp.path(), &config, &http).await?;
    let floor_dir = paths::repo_root().join("tests/e2e/bench/floor");
    let headers = tmp.path().join("floor.headers.json");
    write_header_file(&headers, &[("Content-Security-Policy", &app_csp(&config))])?;
    let floor_site = StaticSite::serve_dir(
        &floor_dir,
        &headers,
        net::free_port()?,
        &tmp.path().join("static-floor.log"),
        &http,
        "/index.html",
    )
    .await?;
    let api = encode(&server.api_base());
    let subjects = [
        Subject {
            name: "app".into(),
            url: format!("{}index.html#/jobs", app_site.app_base_url()),
            dir: s.dist.clone(),
            logs_url: None,
        },
        Subject {
            name: "floor".into(),
            url: format!("{}/index.html?api={api}#/jobs", floor_site.origin()),
            dir: floor_dir.clone(),
            logs_url: Some(format!(
                "{}/logs.html?api={api}&job={}",
                floor_site.origin(),
                server.log_job_id()
            )),
        },
    ];
    let mut targets = Vec::new();
    for subject in subjects.iter().filter(|x| s.targets.contains(&x.name)) {
        targets.push(run_target(subject, s, &server, tmp.path()).await);
    }
    machine.load_end = loadavg();

    let (date, stamp) = utc(started);
    let report = Report {
        date,
        machine,
        settings: json!(s),
        server: server_figs,
        targets,
    };
    let md = report::markdown(&report);
    std::fs::create_dir_all(&s.out).map_err(|e| Error::msg(format!("{}: {e}", s.out.display())))?;
    let json_path = s.out.join(format!("perf-{stamp}.json"));
    let text = serde_json::to_string_pretty(&report).unwrap_or_default();
    std::fs::write(&json_path, text).map_err(|e| Error::msg(format!("writing JSON: {e}")))?;
    std::fs::write(s.out.join("perf-latest.md"), &md)
        .map_err(|e| Error::msg(format!("writing markdown: {e}")))?;
    println!("{md}");
    eprintln!(
        "PERF wrote {} and {}",
        json_path.display(),
        s.out.join("perf-latest.md").display()
    );
    Ok(())
}
