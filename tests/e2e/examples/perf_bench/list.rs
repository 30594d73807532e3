//! Start-up and big-list figures: bundle sizes, navigation → first card with a cold and a warm
//! cache, DOM size and memory with every job loaded, scroll frame times, and how long a
//! filter, a search and a sort take to show (set `location.hash`, wait for the changed list).

use std::path::Path;
use std::time::Duration;

use jobs_e2e::{paths, Browser, Error, Result};
use serde_json::json;

use super::page;
use super::report::{self, BigList, Dist, Op, Startup};
use super::Settings;

/// `scripts/bundle-size.sh <dir>`'s table, parsed.
pub fn bundle_sizes(dir: &Path) -> Result<report::Bundle> {
    let script = paths::repo_root().join("scripts").join("bundle-size.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .arg(dir)
        .output()
        .map_err(|e| Error::msg(format!("running {}: {e}", script.display())))?;
    if !out.status.success() {
        return Err(Error::msg(format!(
            "bundle-size.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let mut b = report::Bundle::default();
    for line in String::from_utf8_lossy(&out.stdout).lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let n = |i: usize| {
            f.get(i)
                .and_then(|s| s.replace(',', "").parse::<u64>().ok())
                .unwrap_or(0)
        };
        if f.len() == 4 {
            let v = [n(1), n(2), n(3)];
            if f[0] == "total" {
                b.total = v;
            } else {
                b.kinds.insert(f[0].to_string(), v);
            }
        }
    }
    Ok(b)
}

pub async fn startup(browser: &Browser, url: &str, dir: &Path, s: &Settings) -> Result<Startup> {
    let mut st = Startup {
        bundle: bundle_sizes(dir)
            .map_err(|e| eprintln!("PERF_WARN bundle sizes: {e}"))
            .ok(),
        ..Startup::default()
    };
    browser.cdp("Network.enable", json!({})).await?;
    browser
        .cdp("Network.setCacheDisabled", json!({"cacheDisabled": true}))
        .await?;
    st.cold_first_card_ms = Some(page::load(browser, url, Duration::from_secs(60)).await?);
    browser
        .cdp("Network.setCacheDisabled", json!({"cacheDisabled": false}))
        .await?;
    // One load fills the cache; the measured ones follow.
    page::load(browser, url, Duration::from_secs(60)).await?;
    for _ in 0..s.warm_runs {
        st.warm_runs
            .push(page::load(browser, url, Duration::from_secs(60)).await?);
    }
    browser.cdp("Network.disable", json!({})).await?;
    st.warm_first_card_ms = page::quantile(&st.warm_runs, 0.5);
    Ok(st)
}

/// The list operations timed on both pages (the app sorts by newest, progress or ETA; the
/// floor by newest, oldest or progress: progress is common).
fn list_ops() -> Vec<(&'static str, &'static str)> {
    vec![
        ("filter status=failed", "#/jobs?status=failed"),
        ("search \"inventory\"", "#/jobs?q=inventory"),
        ("sort by progress", "#/jobs?sort=progress"),
    ]
}

async fn set_hash(browser: &Browser, hash: &str) -> Result<()> {
    browser
        .client()
        .execute(
            &format!(
                "location.hash = {}; return true;",
                serde_json::to_string(hash).unwrap_or_default()
            ),
            vec![],
        )
        .await
        .map(|_| ())
        .map_err(|e| Error::msg(format!("setting the hash: {e}")))
}

pub async fn big_list(browser: &Browser, name: &str, url: &str, s: &Settings) -> Result<BigList> {
    let first = page::load(browser, url, Duration::from_secs(60)).await?;
    let state = page::settle(browser, Duration::from_secs(1), Duration::from_secs(30)).await?;
    // What was measured, to look at: `target/bench/perf-<page>-list.png`.
    let shot = s.out.join(format!("perf-{name}-list.png"));
    if let Err(e) = std::fs::create_dir_all(&s.out).map(|_| ()) {
        eprintln!("PERF_WARN {}: {e}", s.out.display());
    } else if let Err(e) = browser.screenshot_to(&shot).await {
        eprintln!("PERF_WARN screenshot: {e}");
    }
    let (dom, heap) = page::size(browser).await?;
    // The app keeps its state in WebAssembly memory, which the JS heap figure leaves out.
    let wasm = jobs_e2e::log_viewer::wasm_memory_bytes(browser)
        .await
        .ok()
        .flatten();
    let scroll = page::scroll_test(browser, s.scroll_steps, s.scroll_px).await?;
    let mut b = BigList {
        first_card_ms: Some(first),
        summary: state.summary.clone(),
        dom_nodes: Some(dom),
        cards_in_dom: Some(state.cards),
        js_heap_mb: heap.map(|h| h / 1_048_576.0),
        wasm_memory_mb: wasm.map(|b| b / 1_048_576.0),
        scroll_frames: Dist::of(scroll.as_ref().map_or(&[][..], |r| &r.intervals)),
        scroll_px_per_frame: s.scroll_px,
        scrolled_px: scroll.as_ref().map(|r| r.scroll_top),
        ops: Default::default(),
    };
    for (name, hash) in list_ops() {
        let mut op = Op {
            hash: hash.to_string(),
            ..Op::default()
        };
        for _ in 0..s.op_runs {
            set_hash(browser, "#/jobs").await?;
            page::settle(browser, Duration::from_millis(600), Duration::from_secs(20)).await?;
            op.runs.push(page::time_hash(browser, hash).await?);
        }
        let done: Vec<f64> = op.runs.iter().flatten().copied().collect();
        op.median_ms = page::quantile(&done, 0.5);
        b.ops.insert(name.to_string(), op);
    }
    set_hash(browser, "#/jobs").await?;
    Ok(b)
}
