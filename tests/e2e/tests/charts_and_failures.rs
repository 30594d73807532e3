//! Charts and failure patterns against the reference backend.
//!
//! `failure_groups_match_the_backend_and_retry_exactly_one_group`: with 2 succeeded jobs, 2
//! failed with `RuntimeError` (`fail_at`), 2 with `ValueError` (the corrupt dataset) and one
//! cancelled, the metrics panel (`#/jobs?metrics=1h`) shows exactly the backend's `/stats`
//! figures in its tiles and exactly its `failures_by_type` as two type groups (and two pattern
//! groups); the list's "Retry all failed" counts the 4 failed jobs, not the cancelled one; "Show"
//! on the ValueError group lists exactly that group's jobs and puts the filter in the URL;
//! "Retry" on the RuntimeError group states the count and names the group, sends one
//! `POST /jobs/bulk/retry` whose body holds exactly those ids, and the backend then has exactly
//! those jobs at attempt 2 (every other at 1); the group leaves the panel while they run and
//! comes back when they fail again.
//!
//! `job_chart_matches_the_backend_and_marks_a_disconnect`: a job's chart, open while it runs,
//! grows, and ends with exactly the backend's samples (summary text, `data-samples`, the samples
//! figure), drawn (`data-chart-state=drawn`) with the progress and rate lines' colours on the
//! canvas, and no gap; a running card has a sparkline; a second job's page, loaded fresh
//! mid-run, states the same ETA in its header as in the chart's figures; the API is killed and
//! restarted while it runs: the chart then counts exactly one more gap (attribute and summary
//! text) and, after the job finished, still holds exactly the backend's samples, including those
//! written while the page was not live (the refetch after the reconnect added no duplicates).

use std::collections::BTreeSet;
use std::time::Instant;

use jobs_e2e::jobs_ui::{
    all_listed_ids, backend_jobs, bulk_start, click, confirm_button, hash, install_recorders,
    recorded, text_of, wait_summary,
};
use jobs_e2e::live_view::{epoch_ms, is_terminal, set_hash, wait_connection};
use jobs_e2e::{dom, testid, timeout_secs, wait_for, Browser, Stack};
use serde::Deserialize;
use serde_json::{json, Value};

// ---- reading the page ------------------------------------------------------------------------

/// One `[data-testid=failure-group]` item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
struct Group {
    key: String,
    kind: String,
    count: u64,
}

async fn read_groups(browser: &Browser) -> Vec<Group> {
    let v = browser
        .client()
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"failure-group\"]')).map(g => ({
               key: g.getAttribute('data-key') || '', kind: g.getAttribute('data-kind') || '',
               count: Number(g.getAttribute('data-count'))}));",
            vec![],
        )
        .await
        .expect("reading failure groups");
    serde_json::from_value(v).expect("failure group shape")
}

/// The tiles' `data-finished/succeeded/failed/cancelled` (`None` while not rendered).
async fn read_tiles(browser: &Browser) -> Option<[u64; 4]> {
    let v = browser
        .client()
        .execute(
            "const t = document.querySelector('[data-testid=\"metric-tiles\"]');
             if (!t) return null;
             return ['finished', 'succeeded', 'failed', 'cancelled'].map(k => Number(t.getAttribute('data-' + k)));",
            vec![],
        )
        .await
        .expect("reading the metric tiles");
    serde_json::from_value(v).expect("tile shape")
}

/// What the job page's chart shows.
#[derive(Debug, Clone, Deserialize)]
struct ChartView {
    /// `data-samples` / `data-gaps` of `[data-testid=job-chart]`.
    samples: u64,
    gaps: u64,
    /// `[data-testid=chart-summary]` text.
    summary: String,
    /// The canvas's `data-chart-state` and `data-draws`.
    state: String,
    draws: u64,
    /// `fig-samples` text.
    fig_samples: String,
}

impl ChartView {
    /// The summary's "N samples", summed over the attempts it describes.
    fn summary_samples(&self) -> Option<u64> {
        count_before(&self.summary, "samples")
    }

    /// The summary's "N gap(s)", summed over the attempts it describes.
    fn summary_gaps(&self) -> Option<u64> {
        match (
            count_before(&self.summary, "gap"),
            count_before(&self.summary, "gaps"),
        ) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        }
    }
}

/// Sum of the numbers written right before each occurrence of the word `word` (followed by
/// punctuation or not): `"Attempt 1: 1,234 samples from …"` → 1234.
fn count_before(text: &str, word: &str) -> Option<u64> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut found = None;
    for pair in words.windows(2) {
        let w = pair[1].trim_end_matches([';', ',', '.', ':']);
        if w == word {
            if let Ok(n) = pair[0].replace(',', "").parse::<u64>() {
                *found.get_or_insert(0) += n;
            }
        }
    }
    found
}

async fn read_chart(browser: &Browser) -> Option<ChartView> {
    let v = browser
        .client()
        .execute(
            r#"
const s = document.querySelector('[data-testid="job-chart"]');
if (!s) return null;
const c = s.querySelector('[data-testid="job-chart-canvas"] canvas');
const t = id => { const el = s.querySelector(`[data-testid="${id}"]`); return el ? el.textContent.trim() : ''; };
return {
  samples: Number(s.getAttribute('data-samples')),
  gaps: Number(s.getAttribute('data-gaps')),
  summary: t('chart-summary'),
  state: c ? (c.getAttribute('data-chart-state') || '') : '',
  draws: c ? Number(c.getAttribute('data-draws') || 0) : 0,
  fig_samples: t('fig-samples'),
};
"#,
            vec![],
        )
        .await
        .expect("reading the job chart");
    serde_json::from_value(v).expect("chart shape")
}

/// What the chart canvas holds: its size; over its middle (the plot areas, axis labels aside)
/// how many pixels differ from the background (the top-left corner) and how many distinct
/// colours there are; and over the whole canvas how many pixels have (nearly) the progress
/// line's and the rate line's colour (the theme's `--chart-line` / `--chart-rate`).
async fn read_pixels(browser: &Browser) -> Value {
    browser
        .client()
        .execute(
            r#"
const c = document.querySelector('[data-testid="job-chart-canvas"] canvas');
if (!c || !c.width || !c.height) return {w: c ? c.width : 0, h: c ? c.height : 0, diff: 0, distinct: 0};
const ctx = c.getContext('2d');
const bg = ctx.getImageData(1, 1, 1, 1).data;
const x0 = Math.floor(c.width * 0.2), y0 = Math.floor(c.height * 0.1);
const w = Math.floor(c.width * 0.6), h = Math.floor(c.height * 0.8);
const d = ctx.getImageData(x0, y0, w, h).data;
let diff = 0;
const colours = new Set();
for (let i = 0; i < d.length; i += 4) {
  colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 40) diff++;
}
// A CSS colour as RGB, as the canvas itself resolves it.
const rgb = css => {
  const p = document.createElement('canvas').getContext('2d');
  p.fillStyle = css.trim() || '#000'; p.fillRect(0, 0, 1, 1);
  return Array.from(p.getImageData(0, 0, 1, 1).data).slice(0, 3);
};
const style = getComputedStyle(c);
const near = col => {
  const all = ctx.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < all.length; i += 4)
    if (Math.abs(all[i] - col[0]) + Math.abs(all[i + 1] - col[1]) + Math.abs(all[i + 2] - col[2]) < 60) n++;
  return n;
};
return {w: c.width, h: c.height, client_w: c.clientWidth, bg: Array.from(bg).slice(0, 3),
        diff, distinct: colours.size, area: w * h,
        line: near(rgb(style.getPropertyValue('--chart-line'))),
        rate: near(rgb(style.getPropertyValue('--chart-rate')))};
"#,
            vec![],
        )
        .await
        .expect("reading the canvas pixels")
}

/// The ETA the job page's header states (`job-eta`, without " · ETA ") and the chart's
/// `fig-eta`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Etas {
    header: Option<String>,
    chart: Option<String>,
}

async fn read_etas(browser: &Browser) -> Etas {
    let v = browser
        .client()
        .execute(
            "const t = css => { const el = document.querySelector(css); return el ? el.textContent.trim() : null; };
             const h = t('[data-testid=\"job-detail\"] [data-testid=\"job-eta\"]');
             return {header: h === null ? null : h.replace(/^·\\s*ETA\\s*/, ''),
                     chart: t('[data-testid=\"fig-eta\"]')};",
            vec![],
        )
        .await
        .expect("reading the ETAs");
    serde_json::from_value(v).expect("ETA shape")
}

fn is_known_eta(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
}

// ---- the backend's side ----------------------------------------------------------------------

/// `GET /stats?window_s=3600`.
async fn stats_1h(stack: &Stack) -> Value {
    let (status, body) = stack.api_get("stats?window_s=3600").await;
    assert_eq!(status, 200, "GET /stats: {body}");
    body
}

/// The backend's samples of `attempt` of job `id`.
async fn backend_samples(stack: &Stack, id: &str, attempt: u64) -> Vec<Value> {
    let (status, body) = stack.api_get(&format!("jobs/{id}/metrics")).await;
    assert_eq!(status, 200, "GET /jobs/{id}/metrics: {body}");
    body["samples"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s["attempt"].as_u64() == Some(attempt))
        .collect()
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The `failures_by_type` of a stats answer as the page's groups should show them.
fn expected_groups(stats: &Value) -> Vec<Group> {
    let mut out: Vec<Group> = stats["failures_by_type"]
        .as_array()
        .expect("failures_by_type")
        .iter()
        .map(|g| {
            let t = g["type"].as_str().unwrap_or_default().to_string();
            Group {
                key: format!("type:{t}"),
                kind: t,
                count: g["count"].as_u64().unwrap_or(0),
            }
        })
        .collect();
    out.sort();
    out
}

fn job_ids_of(stats: &Value, kind: &str) -> BTreeSet<String> {
    stats["failures_by_type"]
        .as_array()
        .and_then(|a| a.iter().find(|g| g["type"] == kind))
        .map(|g| strings(&g["job_ids"]))
        .unwrap_or_default()
}

fn group_css(key: &str, inner: &str) -> String {
    format!(
        "{}[data-key=\"{key}\"] {}",
        testid("failure-group"),
        testid(inner)
    )
}

// ---- (a) failure groups --------------------------------------------------------------------------

#[tokio::test]
async fn failure_groups_match_the_backend_and_retry_exactly_one_group() {
    let stack = Stack::builder().workers(4).start().await;
    let t0 = Instant::now();
    let browser = stack.browser();

    // 20,000 rows: 4 quick chunks; or 1,000-row chunks with 0.5 s pauses failing after 6 (about
    // 3 s a run, long enough to see the retried group leave the panel); the corrupt dataset
    // fails on row 7,342, in its fourth 2,000-row chunk.
    let ok = json!({"chunk_rows": 5000, "chunk_delay_ms": 50});
    let runtime = json!({"chunk_rows": 1000, "chunk_delay_ms": 500, "fail_at": 0.3});
    let value = json!({"chunk_rows": 2000, "chunk_delay_ms": 50});
    let spec =
        |ds: &str, kind: &str, p: &Value| json!({"dataset_id": ds, "kind": kind, "params": p});
    let ids = bulk_start(
        &stack,
        vec![
            spec("ds_sales", "profile", &ok),
            spec("ds_sales", "profile", &ok),
            spec("ds_sales", "profile", &runtime),
            spec("ds_sales", "profile", &runtime),
            spec("ds_sensors_corrupt", "validate", &value),
            spec("ds_sensors_corrupt", "validate", &value),
            // Cancelled once it runs: a cancelled job is neither a failure nor retried.
            spec(
                "ds_sensors",
                "profile",
                &json!({"chunk_rows": 500, "chunk_delay_ms": 1000}),
            ),
        ],
    )
    .await;
    let runtime_ids: BTreeSet<String> = ids[2..4].iter().cloned().collect();
    let value_ids: BTreeSet<String> = ids[4..6].iter().cloned().collect();
    let cancelled = ids[6].clone();
    stack
        .wait_status(&cancelled, "running", timeout_secs(20))
        .await;
    let (status, body) = stack
        .api_post(&format!("jobs/{cancelled}/cancel"), json!({}))
        .await;
    assert!(status < 300, "cancel: {status} {body}");
    let jobs = wait_for("all 7 jobs to finish", timeout_secs(40), || async {
        let jobs = backend_jobs(&stack).await;
        let open: Vec<String> = jobs
            .values()
            .filter(|j| !is_terminal(j))
            .map(|j| format!("{} {}", j["id"], j["status"]))
            .collect();
        if jobs.len() == 7 && open.is_empty() {
            Ok(jobs)
        } else {
            Err(format!("{} jobs, unfinished: {open:?}", jobs.len()))
        }
    })
    .await;
    for (i, id) in ids.iter().enumerate() {
        let (status, error) = match i {
            0 | 1 => ("succeeded", Value::Null),
            2 | 3 => ("failed", json!("RuntimeError")),
            4 | 5 => ("failed", json!("ValueError")),
            _ => ("cancelled", Value::Null),
        };
        assert_eq!(jobs[id]["status"], status, "job {i}: {}", jobs[id]);
        assert_eq!(jobs[id]["error"]["type"], error, "job {i}: {}", jobs[id]);
    }
    let stats = stats_1h(&stack).await;
    let expected = expected_groups(&stats);
    assert_eq!(expected.len(), 2, "backend groups: {stats}");
    assert_eq!(job_ids_of(&stats, "RuntimeError"), runtime_ids, "{stats}");
    assert_eq!(job_ids_of(&stats, "ValueError"), value_ids, "{stats}");
    let backend_tiles = ["finished", "succeeded", "failed", "cancelled"]
        .map(|k| stats[k].as_u64().unwrap_or(u64::MAX));
    assert_eq!(backend_tiles, [7, 2, 4, 1], "{stats}");

    // The panel, open from the URL: tiles and type groups equal the backend's.
    stack.open("/jobs?metrics=1h").await;
    browser
        .wait_css(&format!("{}[data-window=\"1h\"]", testid("metrics-panel")))
        .await;
    install_recorders(browser).await.unwrap();
    wait_for(
        "the tiles to show the backend's counts",
        timeout_secs(20),
        || async {
            match read_tiles(browser).await {
                Some(t) if t == backend_tiles => Ok(()),
                other => Err(format!("tiles {other:?}, backend {backend_tiles:?}")),
            }
        },
    )
    .await;
    let shown = wait_for(
        "the type groups of the backend",
        timeout_secs(20),
        || async {
            let mut groups = read_groups(browser).await;
            groups.sort();
            if groups == expected {
                Ok(groups)
            } else {
                Err(format!("page {groups:?}, backend {expected:?}"))
            }
        },
    )
    .await;
    println!("type groups: {shown:?}");
    let throughput = text_of(browser, &testid("throughput-summary"))
        .await
        .unwrap();
    println!("throughput: {throughput:?}");

    // By pattern: one fingerprint per exception here (same message, same frame).
    click(browser, &testid("group-by-pattern")).await.unwrap();
    let patterns = wait_for("two pattern groups", timeout_secs(10), || async {
        let groups = read_groups(browser).await;
        if groups.len() == 2 && groups.iter().all(|g| g.key.starts_with("fp:")) {
            Ok(groups)
        } else {
            Err(format!("{groups:?}"))
        }
    })
    .await;
    let mut by_kind: Vec<(String, u64)> =
        patterns.iter().map(|g| (g.kind.clone(), g.count)).collect();
    by_kind.sort();
    assert_eq!(
        by_kind,
        expected
            .iter()
            .map(|g| (g.kind.clone(), g.count))
            .collect::<Vec<_>>(),
        "pattern groups {patterns:?}"
    );
    click(browser, &testid("group-by-type")).await.unwrap();
    wait_for("the type groups again", timeout_secs(10), || async {
        let mut groups = read_groups(browser).await;
        groups.sort();
        (groups == expected).then_some(())
    })
    .await;

    // The list's quick retry counts what it would retry: the failed jobs, not the cancelled one.
    browser
        .wait_text(&testid("bulk-retry-all"), "Retry all failed (4)", |t| {
            t == "Retry all failed (4)"
        })
        .await;

    // "Show" on the ValueError group: exactly its jobs, the filter in the URL, a chip.
    click(browser, &group_css("type:ValueError", "group-show"))
        .await
        .unwrap();
    browser.wait_testid("failure-filter").await;
    wait_for(
        "the failure filter in the URL",
        timeout_secs(10),
        || async {
            let h = hash(browser).await.map_err(|e| e.to_string())?;
            if h.contains("failure=type%3AValueError") && h.contains("within=3600") {
                Ok(())
            } else {
                Err(h)
            }
        },
    )
    .await;
    wait_summary(browser, "2 of 7 jobs").await;
    let listed: BTreeSet<String> = all_listed_ids(browser).await.unwrap().into_iter().collect();
    assert_eq!(listed, value_ids, "the ValueError group's jobs are listed");
    println!(
        "failure chip: {:?}; URL #{}",
        text_of(browser, &testid("failure-filter")).await.unwrap(),
        hash(browser).await.unwrap()
    );

    // "Retry" on the RuntimeError group: the count, one request with exactly its ids.
    let before = recorded(browser).await.unwrap().fetches.len();
    click(browser, &group_css("type:RuntimeError", "group-retry"))
        .await
        .unwrap();
    browser.wait_testid("confirm-bulk").await;
    let title = text_of(browser, &format!("{} .modal-title", testid("confirm-bulk")))
        .await
        .unwrap()
        .unwrap_or_default();
    let scope = text_of(browser, &testid("bulk-scope"))
        .await
        .unwrap()
        .unwrap_or_default();
    let button = text_of(browser, &confirm_button("confirm-bulk"))
        .await
        .unwrap()
        .unwrap_or_default();
    println!("confirmation: {title:?} / {scope:?} / {button:?}");
    // Bidi isolates (U+2066..U+2069) around the group label aside.
    let plain = |t: &str| t.replace(['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'], "");
    let (title, scope) = (plain(&title), plain(&scope));
    assert!(
        title.contains("2 failed jobs") && title.contains("RuntimeError"),
        "the question states the count and names the group: {title:?}"
    );
    assert!(
        scope.contains("exactly the 2 failed jobs") && scope.contains("RuntimeError"),
        "scope: {scope:?}"
    );
    assert_eq!(button, "Retry 2 jobs");
    click(browser, &confirm_button("confirm-bulk"))
        .await
        .unwrap();
    browser.wait_testid("bulk-results").await;
    let results: Vec<(String, bool)> = serde_json::from_value(
        browser
            .client()
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid=\"bulk-result\"]'))
                   .map(li => [li.getAttribute('data-job-id'), li.getAttribute('data-ok') === 'true']);",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        results
            .iter()
            .map(|(id, _)| id.clone())
            .collect::<BTreeSet<_>>(),
        runtime_ids,
        "{results:?}"
    );
    assert!(results.iter().all(|(_, ok)| *ok), "{results:?}");
    let jobs = backend_jobs(&stack).await;
    for id in &ids {
        let want = if runtime_ids.contains(id) { 2 } else { 1 };
        assert_eq!(jobs[id]["attempt"], want, "{id}: {}", jobs[id]);
    }
    let post = wait_for("the retry request's body", timeout_secs(5), || async {
        let rec = recorded(browser).await.map_err(|e| e.to_string())?;
        let posts: Vec<_> = rec.fetches[before..]
            .iter()
            .filter(|f| f.method == "POST")
            .cloned()
            .collect();
        match posts.as_slice() {
            [one] if one.body.is_some() => Ok(one.clone()),
            [_] => Err("body not read yet".to_string()),
            other => Err(format!("POSTs: {other:?}")),
        }
    })
    .await;
    assert!(post.url.ends_with("/jobs/bulk/retry"), "{post:?}");
    let body: Value = serde_json::from_str(post.body.as_deref().unwrap()).expect("JSON body");
    assert_eq!(strings(&body["ids"]), runtime_ids, "request body {body}");
    assert_eq!(body["ids"].as_array().map(Vec::len), Some(2), "{body}");
    println!("one POST {} with {body}", post.url);

    // Live: the group leaves the panel while its jobs run again, and returns when they fail.
    click(browser, &format!("{} .modal-close", testid("bulk-results")))
        .await
        .unwrap();
    browser.wait_gone(&testid("bulk-results")).await;
    let seen_drop = wait_for(
        "the RuntimeError group to shrink",
        timeout_secs(10),
        || async {
            let g = read_groups(browser).await;
            match g.iter().find(|g| g.kind == "RuntimeError") {
                None => Ok("gone".to_string()),
                Some(g) if g.count < 2 => Ok(format!("count {}", g.count)),
                Some(g) => Err(format!("still {}", g.count)),
            }
        },
    )
    .await;
    println!("while retried: RuntimeError group {seen_drop}");
    for id in &runtime_ids {
        stack
            .wait_job(id, "to fail again", timeout_secs(30), |j| {
                j["attempt"] == 2 && j["status"] == "failed"
            })
            .await;
    }
    let stats = stats_1h(&stack).await;
    let expected = expected_groups(&stats);
    wait_for(
        "the groups to equal the backend's again",
        timeout_secs(20),
        || async {
            let mut groups = read_groups(browser).await;
            groups.sort();
            if groups == expected {
                Ok(())
            } else {
                Err(format!("page {groups:?}, backend {expected:?}"))
            }
        },
    )
    .await;
    println!("test body: {:.1}s", t0.elapsed().as_secs_f64());
}

// ---- (b, c) the job chart ------------------------------------------------------------------------

/// Waits until the chart holds exactly `want` samples (summary text, `data-samples` and the
/// samples figure agree) and is drawn; returns it.
async fn wait_chart_samples(browser: &Browser, want: u64, what: &str) -> ChartView {
    wait_for(what, timeout_secs(20), || async {
        let Some(c) = read_chart(browser).await else {
            return Err("no chart".to_string());
        };
        if c.samples == want
            && c.summary_samples() == Some(want)
            && c.fig_samples.replace(',', "") == want.to_string()
            && c.state == "drawn"
        {
            Ok(c)
        } else {
            Err(format!("want {want}: {c:?}"))
        }
    })
    .await
}

#[tokio::test]
async fn job_chart_matches_the_backend_and_marks_a_disconnect() {
    let mut stack = Stack::builder().workers(2).heartbeat_ms(1000).start().await;
    let t0 = Instant::now();

    // The page is live before the job starts, so nothing of the job's time is a not-live one.
    stack.open("/jobs").await;
    wait_connection(stack.browser(), &["live"], timeout_secs(20)).await;

    // (b) 25 chunks of 800 rows with 150 ms pauses: about 4 s, 25 samples.
    let id = stack
        .start_job(
            "ds_sales",
            "profile",
            json!({"chunk_rows": 800, "chunk_delay_ms": 150}),
        )
        .await;
    let browser = stack.browser();
    set_hash(browser, &format!("#/jobs/{id}")).await.unwrap();
    browser.wait_css(&dom::job_detail(&id)).await;
    browser.wait_testid("job-chart").await;
    // While it runs, the chart grows.
    let seen = std::cell::RefCell::new(BTreeSet::new());
    wait_for("the job to finish", timeout_secs(30), || async {
        if let Some(c) = read_chart(stack.browser()).await {
            if c.samples > 0 {
                seen.borrow_mut().insert(c.samples);
            }
        }
        let job = stack.job(&id).await;
        is_terminal(&job).then_some(())
    })
    .await;
    let seen = seen.into_inner();
    let job = stack.job(&id).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let backend = backend_samples(&stack, &id, 1).await;
    assert_eq!(backend.len(), 25, "one sample per chunk");
    let chart = wait_chart_samples(
        browser,
        backend.len() as u64,
        "the chart to hold the backend's samples",
    )
    .await;
    println!(
        "chart B: {} sample counts seen while running ({:?}); {chart:?}",
        seen.len(),
        seen
    );
    assert!(
        seen.len() >= 2,
        "the chart did not grow while the job ran: {seen:?}"
    );
    assert_eq!(chart.gaps, 0, "a run without outage has no gap: {chart:?}");
    assert_eq!(chart.summary_gaps(), Some(0), "{chart:?}");
    assert!(
        chart.summary.contains("20,000 of 20,000 rows (100 %)"),
        "{chart:?}"
    );
    assert!(chart.draws >= 1, "{chart:?}");
    let px = read_pixels(browser).await;
    println!("canvas B: {px}");
    let (w, diff, distinct) = (
        px["w"].as_u64().unwrap_or(0),
        px["diff"].as_u64().unwrap_or(0),
        px["distinct"].as_u64().unwrap_or(0),
    );
    assert!(w >= 300, "the canvas has no real width: {px}");
    assert!(
        diff >= 500 && distinct >= 3,
        "the plot area is (nearly) blank: {px}"
    );
    // 25 samples over the whole width, 2 px wide: hundreds of pixels each.
    assert!(
        px["line"].as_u64().unwrap_or(0) >= 300 && px["rate"].as_u64().unwrap_or(0) >= 300,
        "the progress and rate lines are not drawn: {px}"
    );

    // (c) A longer job (80 chunks, about 13 s): its running card has a sparkline.
    let id = stack
        .start_job(
            "ds_sales",
            "profile",
            json!({"chunk_rows": 250, "chunk_delay_ms": 150}),
        )
        .await;
    let browser = stack.browser();
    set_hash(browser, "#/jobs").await.unwrap();
    browser
        .wait_css(&format!(
            "{}[data-status=\"running\"] svg{}",
            dom::job_card(&id),
            testid("sparkline")
        ))
        .await;
    // A fresh load of its page mid-run: the header's ETA comes from the same (backfilled)
    // samples as the chart's, so it is known as soon as the chart's is, and the same.
    stack.open(&format!("/jobs/{id}")).await;
    let browser = stack.browser();
    browser.wait_css(&dom::job_detail(&id)).await;
    let first = wait_for(
        "a known ETA in the chart's figures",
        timeout_secs(20),
        || async {
            let etas = read_etas(browser).await;
            match &etas.chart {
                Some(e) if is_known_eta(e) => Ok(etas),
                _ => Err(format!("{etas:?}")),
            }
        },
    )
    .await;
    assert!(
        first.header.as_deref().is_some_and(is_known_eta),
        "the header states no ETA while the chart does: {first:?}"
    );
    wait_for(
        "header and chart to state the same ETA",
        timeout_secs(5),
        || async {
            let etas = read_etas(browser).await;
            (etas.header.is_some() && etas.header == etas.chart)
                .then_some(())
                .ok_or(format!("{etas:?}"))
        },
    )
    .await;
    wait_connection(browser, &["live"], timeout_secs(20)).await;
    let before = wait_for("some samples on the chart", timeout_secs(20), || async {
        match read_chart(browser).await {
            Some(c) if c.samples >= 5 && c.state == "drawn" => Ok(c),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    // Opened mid-run, the moments before the page was first live lie in the chart's range.
    let gaps_before = before.gaps;
    println!("chart C before the outage (opened mid-run): {before:?}; ETAs {first:?}");

    // The API dies; the page says so; the API comes back; the page is live again.
    let killed_at = epoch_ms();
    stack.kill_api();
    let shown = wait_connection(
        stack.browser(),
        &["reconnecting", "polling", "offline"],
        timeout_secs(10),
    )
    .await;
    let down_chart = read_chart(stack.browser()).await;
    stack.start_api().await.expect("the API starts again");
    wait_connection(stack.browser(), &["live"], timeout_secs(40)).await;
    let live_at = epoch_ms();
    println!(
        "outage: {shown:?}, live again after {} ms; chart while down: {down_chart:?}",
        live_at - killed_at
    );
    let browser = stack.browser();
    let chart = wait_for("the outage to count as a gap", timeout_secs(10), || async {
        match read_chart(browser).await {
            Some(c) if c.gaps > gaps_before && c.summary_gaps().unwrap_or(0) > gaps_before => Ok(c),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    println!("chart C after the outage: {chart:?}");

    let job = stack
        .wait_job(&id, "to finish", timeout_secs(60), is_terminal)
        .await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let backend = backend_samples(&stack, &id, 1).await;
    assert_eq!(backend.len(), 80, "one sample per chunk");
    let during = backend
        .iter()
        .filter(|s| {
            let t = s["t"].as_i64().unwrap_or(0);
            t > killed_at && t < live_at
        })
        .count();
    assert!(during >= 1, "no sample was written during the outage");
    let chart = wait_chart_samples(
        browser,
        backend.len() as u64,
        "the chart to hold exactly the backend's samples after the reconnect",
    )
    .await;
    println!(
        "chart C at the end ({during} samples written while the page was not live): {chart:?}"
    );
    assert_eq!(
        chart.gaps,
        gaps_before + 1,
        "the outage is one gap: {chart:?}"
    );
    assert_eq!(chart.summary_gaps(), Some(chart.gaps), "{chart:?}");
    let px = read_pixels(browser).await;
    assert!(
        px["diff"].as_u64().unwrap_or(0) >= 500
            && px["line"].as_u64().unwrap_or(0) >= 300
            && px["rate"].as_u64().unwrap_or(0) >= 300,
        "the plot area is (nearly) blank: {px}"
    );
    println!("test body: {:.1}s", t0.elapsed().as_secs_f64());
}

#[test]
fn summary_numbers_are_parsed() {
    let s = "Attempt 1: 1,237 samples from 08:01:02 to 08:02:10; 1 gap; 12,000 of 20,000 rows (60 %); peak rate 2,480/s; ETA 3s – 5s.";
    assert_eq!(count_before(s, "samples"), Some(1237));
    assert_eq!(count_before(s, "gap"), Some(1));
    let two = "Attempt 1: 3 samples; 0 gaps; x. Attempt 2: 4 samples from a to b; 2 gaps; y.";
    assert_eq!(count_before(two, "samples"), Some(7));
    assert_eq!(count_before(two, "gaps"), Some(2));
    assert_eq!(count_before(two, "gap"), None);
}
