//! Hostile input against the live page, with a scripted fake backend (`fake_backend`) instead
//! of the reference one: malformed, truncated, oversized, unknown, mistyped, duplicated and
//! out-of-order WebSocket frames between valid ones; a reverse proxy's HTML 502 page instead of
//! the job list; and `?api=` links pointing the page at another backend.
//!
//! Each test asserts the page keeps working (later valid events show, the right jobs and counts),
//! never panics (the crash fallback of `services::crash` is absent) and says what it refused:
//! one console line per unreadable frame, the 502 in words, the refused override by name.

use std::time::Instant;

use jobs_e2e::browser::Browser;
use jobs_e2e::fake_backend::{job_json, FakeBackend, Fault};
use jobs_e2e::jobs_ui::{text_of, wait_card};
use jobs_e2e::lock::SerialGuard;
use jobs_e2e::static_site::StaticSite;
use jobs_e2e::{net, testid, timeout_secs, wait_for};
use serde_json::{json, Value};

/// The app on a static server configured for `backend`, and a browser.
struct Rig {
    site: StaticSite,
    browser: Browser,
    _tmp: tempfile::TempDir,
    _lock: Option<SerialGuard>,
}

impl Rig {
    /// `extra` is merged into `config.json` (`api_base`/`ws_url` point at `backend`).
    async fn start(backend: &FakeBackend, extra: Value) -> Rig {
        let lock = SerialGuard::acquire().await.expect("the e2e lock");
        let tmp = tempfile::tempdir().expect("a temp dir");
        let mut config = json!({"api_base": backend.api_base(), "ws_url": backend.ws_url(),
                                "allowed_parent_origins": []});
        if let (Value::Object(c), Value::Object(e)) = (&mut config, extra) {
            c.extend(e);
        }
        let http = jobs_e2e::http::ApiClient::new(backend.origin()).expect("an HTTP client");
        let site = StaticSite::start(
            &jobs_e2e::paths::default_dist_dir(),
            tmp.path().join("www"),
            net::free_port().expect("a port"),
            &config,
            &tmp.path().join("static.log"),
            &http,
        )
        .await
        .expect("the static site");
        let profile = tmp.path().join("profile");
        std::fs::create_dir_all(&profile).expect("a profile dir");
        let browser = Browser::start(
            net::free_port().expect("a port"),
            &profile,
            &tmp.path().join("chromedriver.log"),
        )
        .await
        .expect("the browser");
        Rig {
            site,
            browser,
            _tmp: tmp,
            _lock: lock,
        }
    }

    /// Opens `index.html<query>#/jobs`.
    async fn open(&self, query: &str) {
        let url = format!("{}index.html{query}#/jobs", self.site.app_base_url());
        self.browser
            .open_fresh(&url)
            .await
            .expect("opening the app");
    }

    /// Console lines that contain every one of `needles`.
    async fn console_lines(&self, needles: &[&str]) -> Vec<String> {
        let entries = self.browser.console_log().await.expect("the console");
        entries
            .iter()
            .filter_map(|e| e["message"].as_str())
            .filter(|m| needles.iter().all(|n| m.contains(n)))
            .map(str::to_string)
            .collect()
    }

    async fn assert_no_crash(&self) {
        let crashed = self
            .browser
            .find_all(&testid("crash-fallback"))
            .await
            .expect("looking for the crash fallback");
        assert!(crashed.is_empty(), "the page crashed");
        let panics = self.console_lines(&["[jobs] ERROR crash:"]).await;
        assert!(panics.is_empty(), "panic lines: {panics:?}");
    }

    async fn wait_count(&self, status: &str, n: u64) {
        let css = testid(&format!("count-{status}"));
        wait_for(&format!("{n} {status}"), timeout_secs(10), || async {
            let shown = text_of(&self.browser, &css)
                .await
                .map_err(|e| e.to_string())?;
            (shown.as_deref() == Some(n.to_string().as_str()))
                .then_some(())
                .ok_or(format!("shown: {shown:?}"))
        })
        .await;
    }
}

fn updated(seq: u64, prev: u64, job: &Value) -> String {
    json!({"type": "job.updated", "seq": seq, "prev_seq": prev, "job": job}).to_string()
}

async fn wait_sockets(backend: &FakeBackend, opened: usize) {
    wait_for(
        &format!("WebSocket number {opened} open"),
        timeout_secs(15),
        || async {
            let n = backend
                .requests()
                .iter()
                .filter(|p| p.ends_with("/ws"))
                .count();
            (n >= opened && backend.ws_open() >= 1)
                .then_some(())
                .ok_or(format!("{n} opened, {} open", backend.ws_open()))
        },
    )
    .await;
}

#[tokio::test]
async fn hostile_frames_between_valid_ones_change_nothing_and_are_logged_once() {
    let started = Instant::now();
    let a1 = job_json("job_a", "alpha.csv", "running", 100, 1);
    let b1 = job_json("job_b", "beta.csv", "queued", 0, 1);
    let backend = FakeBackend::start(vec![a1.clone(), b1.clone()], 10)
        .await
        .expect("the fake backend");
    let rig = Rig::start(&backend, json!({})).await;
    rig.open("").await;
    wait_card(&rig.browser, "job_a", "at 100", |v| {
        v.processed() == Some(100)
    })
    .await
    .expect("job a shown");
    wait_sockets(&backend, 1).await;

    // Seq 11 comes as a valid frame only after five unreadable ones; the oversized one *is*
    // seq 11 (valid JSON, job a succeeded): were the limit not enforced, the real seq 11 would
    // be skipped as a duplicate and the card would say succeeded.
    let mut a_done = job_json("job_a", "alpha.csv", "succeeded", 1000, 2);
    a_done["params"]["note"] = json!("x".repeat(1_100_000));
    // Written by hand: `json!` sorts keys, and the tag must be in the frame's quoted head.
    let oversized = format!(
        r#"{{"type":"job.updated","tag":"hostile-4","seq":11,"prev_seq":10,"job":{a_done}}}"#
    );
    let a2 = job_json("job_a", "alpha.csv", "running", 400, 2);
    let valid_11 = updated(11, 10, &a2);
    let truncated = format!(
        "{{\"tag\":\"hostile-2\",{}",
        &valid_11[1..valid_11.len() / 2]
    );
    let bad = [
        "hostile-1 this is not JSON".to_string(),
        truncated,
        json!({"type": "job.deleted", "tag": "hostile-3", "seq": 11, "prev_seq": 10}).to_string(),
        oversized,
        json!({"type": "job.updated", "seq": "hostile-5", "prev_seq": 10, "job": {}}).to_string(),
    ];
    let mut a_forged = job_json("job_a", "forged.csv", "running", 999, 3);
    a_forged["version"] = json!(3);
    backend.push_frames(bad.iter().cloned());
    backend.push_frames([valid_11, updated(11, 10, &a_forged)]);
    wait_card(&rig.browser, "job_a", "at 400 (seq 11)", |v| {
        v.processed() == Some(400)
    })
    .await
    .expect("the valid seq 11 applied");

    // Out of order: 13 before 12. The page sees the gap and reloads the list (the documented
    // resync path); the backend's list already has both.
    let b2 = job_json("job_b", "beta.csv", "running", 0, 2);
    let b3 = job_json("job_b", "beta.csv", "running", 300, 3);
    backend.set_jobs(vec![a2.clone(), b3.clone()], 13);
    backend.push_frames([updated(13, 12, &b3), updated(12, 11, &b2)]);
    wait_card(
        &rig.browser,
        "job_b",
        "running at 300 (from the reload)",
        |v| v.status == "running" && v.processed() == Some(300),
    )
    .await
    .expect("job b after the resync");
    wait_sockets(&backend, 2).await;

    // The page keeps working: a job created after all that shows up.
    let c = job_json("job_c", "gamma.csv", "queued", 0, 14);
    backend.set_jobs(vec![a2, b3, c.clone()], 14);
    backend.push_frames([
        json!({"type": "job.created", "seq": 14, "prev_seq": 13, "job": c}).to_string(),
    ]);
    wait_card(&rig.browser, "job_c", "shown", |v| v.status == "queued")
        .await
        .expect("job c, created after the hostile frames");
    rig.wait_count("running", 2).await;
    rig.wait_count("queued", 1).await;
    let a = wait_card(&rig.browser, "job_a", "still at 400", |_| true)
        .await
        .unwrap();
    assert_eq!(a.processed(), Some(400), "not the forged duplicate: {a:?}");
    assert_eq!(a.status, "running", "not the oversized frame: {a:?}");
    assert!(!a.text.contains("forged"), "{}", a.text);
    assert_eq!(
        rig.browser
            .find_all(&testid("job-card"))
            .await
            .unwrap()
            .len(),
        3
    );

    // One console line per unreadable frame, naming why.
    for (i, reason) in [
        "malformed",
        "malformed",
        "unknown_type",
        "too_large",
        "malformed",
    ]
    .iter()
    .enumerate()
    {
        let tag = format!("hostile-{}", i + 1);
        let lines = rig
            .console_lines(&["[jobs] WARN live: skipping an unreadable frame", &tag])
            .await;
        assert_eq!(lines.len(), 1, "{tag}: {lines:?}");
        assert!(lines[0].contains(reason), "{tag}: {}", lines[0]);
    }
    let all_bad = rig.console_lines(&["skipping an unreadable frame"]).await;
    assert_eq!(all_bad.len(), 5, "{all_bad:?}");
    let oversized_line = &rig.console_lines(&["hostile-4"]).await[0];
    assert!(oversized_line.len() < 1_000, "quoted by its head only");
    let gaps = rig.console_lines(&["event gap"]).await;
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    rig.assert_no_crash().await;
    println!(
        "HOSTILE_FRAMES ok in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test]
async fn a_proxy_html_502_reads_as_words_and_the_page_recovers() {
    let backend = FakeBackend::start(vec![job_json("job_a", "alpha.csv", "running", 100, 1)], 5)
        .await
        .expect("the fake backend");
    backend.fail_jobs_with([Fault::proxy_502(), Fault::proxy_502()]);
    let rig = Rig::start(&backend, json!({})).await;
    rig.open("").await;
    let banner = rig
        .browser
        .wait_text(&testid("jobs-error"), "about the 502", |t| {
            t.contains("HTTP 502")
        })
        .await;
    assert!(
        banner.contains("The server answered with an HTML page instead of data"),
        "{banner}"
    );
    assert!(banner.contains("backend is unavailable"), "{banner}");
    assert!(
        !banner.contains("<html") && !banner.contains("nginx"),
        "no raw HTML: {banner}"
    );
    // The loop retries on its own; once the proxy lets requests through, the jobs show.
    wait_card(&rig.browser, "job_a", "after the 502s", |v| {
        v.processed() == Some(100)
    })
    .await
    .expect("job a after recovery");
    rig.browser.wait_gone(&testid("jobs-error")).await;
    assert_eq!(backend.faults_left(), 0);
    rig.assert_no_crash().await;
}

#[tokio::test]
async fn query_overrides_need_permission_from_config_json() {
    let backend = FakeBackend::start(vec![job_json("job_a", "alpha.csv", "running", 100, 1)], 5)
        .await
        .expect("the fake backend");
    // Another backend on another port, with other jobs.
    let other = FakeBackend::start(vec![job_json("job_x", "other.csv", "running", 7, 1)], 5)
        .await
        .expect("the other backend");
    let encode = jobs_page::state::url::encode_component;
    let to_other = format!("?api={}", encode(&other.api_base()));
    // Same origin as the configured backend (so the CSP would let it through), another path:
    // only the app's own rule can stop this one.
    let to_prefix = format!(
        "?api={}&ws={}",
        encode(&format!("{}/evil/api/v1", backend.origin())),
        encode(&backend.ws_url().replace("/api/v1/ws", "/evil/api/v1/ws"))
    );

    // Default config.json: both overrides ignored, the configured backend used, and said why.
    {
        let rig = Rig::start(&backend, json!({})).await;
        let other_port = other.origin();
        for (query, needle, lines) in [
            (&to_other, other_port.as_str(), 1),
            (&to_prefix, "/evil/api/v1", 2),
        ] {
            rig.open(query).await;
            wait_card(&rig.browser, "job_a", "from the configured backend", |_| {
                true
            })
            .await
            .expect("job a");
            let refused = rig
                .console_lines(&["[jobs] WARN config: ignoring the query parameter", needle])
                .await;
            assert_eq!(refused.len(), lines, "the refusal is logged: {refused:?}");
        }
        wait_sockets(&backend, 2).await;
        assert!(other.requests().is_empty(), "{:?}", other.requests());
        let evil: Vec<String> = backend
            .requests()
            .into_iter()
            .filter(|p| p.starts_with("/evil"))
            .collect();
        assert!(evil.is_empty(), "{evil:?}");
        assert!(rig
            .browser
            .find_all(&jobs_e2e::jobs_ui::card_css("job_x"))
            .await
            .unwrap()
            .is_empty());
        rig.assert_no_crash().await;
    }

    // With the flag on, the override is obeyed.
    {
        let rig = Rig::start(&backend, json!({"allow_query_overrides": true})).await;
        rig.open(&to_prefix).await;
        wait_card(&rig.browser, "job_a", "through the override", |_| true)
            .await
            .expect("job a");
        wait_for("requests under /evil", timeout_secs(10), || async {
            let r = backend.requests();
            (r.iter().any(|p| p == "/evil/api/v1/jobs") && r.iter().any(|p| p == "/evil/api/v1/ws"))
                .then_some(())
                .ok_or(format!("{r:?}"))
        })
        .await;
        assert!(rig
            .console_lines(&["ignoring the query parameter"])
            .await
            .is_empty());
    }

    // With the other backend's origin listed, only that one is allowed (and the CSP lists it).
    {
        let rig = Rig::start(&backend, json!({"allowed_api_origins": [other.origin()]})).await;
        rig.open(&to_other).await;
        wait_card(&rig.browser, "job_x", "from the listed backend", |v| {
            v.processed() == Some(7)
        })
        .await
        .expect("job x");
        assert!(other.requests().iter().any(|p| p == "/api/v1/jobs"));
        rig.assert_no_crash().await;
    }
}
