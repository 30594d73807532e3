//! The log benchmark: the viewer open and following the log job (the app's from the job card's
//! "Logs" button, the floor's `logs.html`), then the flood server appends lines at a set rate;
//! measured: how fast the newest line number on screen (`[data-testid=log-row]`'s `data-n`, the
//! same attribute on both) follows, main-thread time per 1,000 lines, long tasks and frames.
//! The same idea as `examples/log_bench.rs`, but against the flood server (no Python, no Redis),
//! so the floor can be fed the very same lines.

use std::time::{Duration, Instant};

use jobs_e2e::flood::FloodServer;
use jobs_e2e::log_viewer as lv;
use jobs_e2e::{Browser, Error, Result};

use super::page;
use super::report::{Dist, Logs};

const NEWEST_ROW: &str = "let last = null;
  for (const r of document.querySelectorAll('[data-testid=\"log-row\"]')) {
    const n = Number(r.getAttribute('data-n'));
    if (last === null || n > last) last = n;
  }
  return last;";

async fn newest_row(browser: &Browser) -> Option<u64> {
    browser
        .client()
        .execute(NEWEST_ROW, vec![])
        .await
        .ok()
        .and_then(|v| v.as_u64())
}

/// Streams `lines` lines at `rate` per second into the open viewer of `name` (`app` or
/// `floor`) loaded from `url`.
pub async fn run(
    browser: &Browser,
    name: &str,
    url: &str,
    lines: u64,
    rate: u64,
    server: &FloodServer,
) -> Result<Logs> {
    let base = server.log_lines();
    if name == "app" {
        page::load(browser, url, Duration::from_secs(60)).await?;
        page::settle(browser, Duration::from_secs(1), Duration::from_secs(30)).await?;
        lv::click(browser, &lv::logs_button(server.log_job_id())).await?;
    } else {
        browser.open_fresh(url).await?;
    }
    // The tail is in (its last line shown) before the stream starts.
    let start = Instant::now();
    while newest_row(browser).await != Some(base) {
        if start.elapsed() > Duration::from_secs(30) {
            return Err(Error::msg(format!(
                "the viewer never showed line {base} (newest row {:?})",
                newest_row(browser).await
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    page::reset(browser).await?;
    let m0 = page::metrics(browser).await?;
    let target = base + lines;
    let limit = Duration::from_secs_f64(lines as f64 / rate.max(1) as f64 * 4.0 + 30.0);
    server.stream_log(lines, rate);
    let t0 = Instant::now();
    let (mut first, mut done, mut seen) = (None::<(f64, u64)>, None::<f64>, base);
    while t0.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let Some(n) = newest_row(browser).await else {
            continue;
        };
        let t = t0.elapsed().as_secs_f64();
        seen = seen.max(n);
        if first.is_none() && n > base {
            first = Some((t, n));
        }
        if n >= target {
            done = Some(t);
            break;
        }
    }
    let m1 = page::metrics(browser).await?;
    let w = page::window(browser).await?;
    let long = w.window_longtasks();
    let (dom, _) = page::size(browser).await?;
    let shown_per_s = match (first, done) {
        (Some((t1, n1)), Some(t2)) if t2 > t1 => Some((target - n1) as f64 / (t2 - t1)),
        _ => None,
    };
    let task = page::delta(&m0, &m1, "TaskDuration");
    Ok(Logs {
        lines,
        target_per_s: rate,
        shown_per_s,
        secs: done,
        longest_task_ms: long.iter().copied().reduce(f64::max),
        long_tasks: long.len(),
        frames: Dist::of(&w.frames),
        cpu_ms_per_1000_lines: Some(task * 1_000_000.0 / lines.max(1) as f64),
        dom_nodes: Some(dom),
        note: match done {
            Some(_) => format!("{lines} lines after line {base}, all shown"),
            None => format!(
                "only up to line {seen} of {target} shown within {:.0} s",
                limit.as_secs_f64()
            ),
        },
    })
}
