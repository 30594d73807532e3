//! Embedding across origins (`docs/embedding.md`): the example host (`examples/host/`, on its
//! own origin) embeds the app (on the stack's static server, under its CSP), and everything the
//! protocol promises is checked through the host's own view of it: `ready` first, the iframe
//! sized from `height` (no inner scrollbar) as jobs are added, the badge equal to the
//! backend's counts, `navigate` requests with the ids, theme, filter and route from the host;
//! messages from a foreign origin or of a wrong shape change nothing. With the backend in auth
//! mode, the host's token is what lets the page read jobs, and a revoked token ends in the
//! page's message after exactly one `token_request`. Standalone, the dataset link comes from
//! `dataset_url`.

use std::time::Duration;

use jobs_e2e::dom::{self, read_job_cards};
use jobs_e2e::host_page::HostPage;
use jobs_e2e::jobs_ui::{backend_counts, click};
use jobs_e2e::{job_id, testid, timeout_secs, wait_for, Browser, Error, Stack};
use serde_json::{json, Value};

fn msg(kind: &str, fields: Value) -> Value {
    let mut v = json!({"protocol": "jobs-page", "version": 1, "type": kind});
    if let (Value::Object(m), Value::Object(f)) = (&mut v, fields) {
        m.extend(f);
    }
    v
}

/// The app's theme, its hash, how many cards and detail views it shows.
async fn app_view(browser: &Browser) -> jobs_e2e::Result<Value> {
    HostPage::eval_in_app(
        browser,
        "return {theme: document.documentElement.dataset.theme || '', hash: location.hash, \
         cards: document.querySelectorAll('[data-testid=\"job-card\"]').length, \
         detail: document.querySelectorAll('[data-testid=\"job-detail\"]').length};",
        vec![],
    )
    .await
}

/// The last `height` the host received, the iframe's height, and the app's own scroll
/// extent against its viewport (equal or less: no inner scrollbar).
async fn heights(browser: &Browser) -> jobs_e2e::Result<(u64, u64, u64, u64)> {
    let last = HostPage::received(browser, "height")
        .await?
        .last()
        .and_then(|m| m["px"].as_u64())
        .ok_or_else(|| Error::msg("no height message yet"))?;
    let frame = HostPage::eval(
        browser,
        "return document.getElementById('app').clientHeight;",
        vec![],
    )
    .await?;
    let inner = HostPage::eval_in_app(
        browser,
        "return [document.documentElement.scrollHeight, window.innerHeight];",
        vec![],
    )
    .await?;
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    Ok((last, n(&frame), n(&inner[0]), n(&inner[1])))
}

/// Waits until the iframe is exactly as tall as the last `height` and the app needs no
/// scrollbar of its own; returns that height.
async fn wait_sized(browser: &Browser, taller_than: u64) -> u64 {
    wait_for(
        &format!("the iframe sized from `height` (taller than {taller_than} px)"),
        timeout_secs(20),
        || async {
            let (last, frame, scroll, viewport) = heights(browser).await?;
            if last > taller_than && frame == last && scroll <= viewport {
                Ok(last)
            } else {
                Err(Error::msg(format!(
                    "last height {last}, iframe {frame}, app scroll height {scroll} in {viewport}"
                )))
            }
        },
    )
    .await
}

async fn wait_badge_equals_backend(stack: &Stack, browser: &Browser) -> (u64, u64) {
    wait_for(
        "the host's badge to equal the backend's counts",
        timeout_secs(20),
        || async {
            let counts = backend_counts(stack).await;
            let badge = HostPage::eval(
                browser,
                "const b = document.getElementById('badge'); \
                 return [b.dataset.running, b.dataset.failed];",
                vec![],
            )
            .await?;
            let want = (counts["running"], counts["failed"]);
            let shown = json!([want.0.to_string(), want.1.to_string()]);
            if badge == shown {
                Ok(want)
            } else {
                Err(Error::msg(format!("badge {badge}, backend {want:?}")))
            }
        },
    )
    .await
}

async fn wait_app<P>(browser: &Browser, what: &str, pred: P) -> Value
where
    P: Fn(&Value) -> bool,
{
    wait_for(what, timeout_secs(20), || async {
        let view = app_view(browser).await?;
        if pred(&view) {
            Ok(view)
        } else {
            Err(Error::msg(format!("app shows {view}")))
        }
    })
    .await
}

#[tokio::test]
async fn the_example_host_embeds_the_page_across_origins() {
    let mut stack = Stack::builder().workers(2).start().await;
    let host = HostPage::start(&mut stack).await;
    let browser = stack.browser();
    assert_ne!(host.origin(), host.app_origin(), "two origins");

    let datasets = stack.datasets().await;
    assert!(datasets.len() >= 2, "two datasets needed: {datasets:?}");
    let ds = |i: usize| datasets[i]["id"].as_str().expect("dataset id").to_string();
    // A running job and a failed one, so neither badge count is trivially zero.
    let slow = job_id(
        &stack
            .create_job(&ds(0), "profile", json!({"chunk_delay_ms": 3000}))
            .await,
    );
    let failing = job_id(
        &stack
            .create_job(
                &ds(1),
                "profile",
                json!({"chunk_delay_ms": 20, "fail_at": 0.2}),
            )
            .await,
    );
    for (id, status) in [(&failing, "failed"), (&slow, "running")] {
        stack
            .wait_job(id, status, timeout_secs(30), |j| j["status"] == status)
            .await;
    }

    // Debug logging on, to see the ignored messages in the console.
    let app_url = format!("{}index.html?debug=1#/jobs", stack.app_base_url());
    browser
        .open_fresh(&host.url(&app_url, None))
        .await
        .expect("opening the host");

    // `ready` comes first, with both versions.
    let first = wait_for("the page's `ready`", timeout_secs(20), || async {
        let msgs = HostPage::messages(browser).await?;
        msgs.into_iter()
            .find(|m| m.direction == "in")
            .ok_or_else(|| Error::msg("nothing received"))
    })
    .await;
    assert_eq!(first.kind(), "ready", "{first:?}");
    assert_eq!(first.msg["protocol_version"], json!(1));
    assert!(first.msg["app_version"]
        .as_str()
        .is_some_and(|v| !v.is_empty()));

    let (running, failed) = wait_badge_equals_backend(&stack, browser).await;
    assert!(
        running >= 1 && failed >= 1,
        "running {running}, failed {failed}"
    );

    // The iframe follows the content as jobs are added.
    let before = wait_sized(browser, 0).await;
    let mut more = Vec::new();
    for i in 0..4 {
        let job = stack
            .create_job(&ds(i % 2), "validate", json!({"chunk_delay_ms": 3000}))
            .await;
        more.push(job_id(&job));
    }
    wait_app(browser, "six cards", |v| v["cards"] == json!(6)).await;
    let after = wait_sized(browser, before).await;
    assert!(after > before, "{before} -> {after}");
    wait_badge_equals_backend(&stack, browser).await;

    // `navigate`: a dataset for the Dataset Explorer, a job for a new tab.
    HostPage::enter_app(browser)
        .await
        .expect("entering the app");
    click(
        browser,
        &format!("{} {}", dom::job_card(&failing), testid("job-dataset-link")),
    )
    .await
    .expect("clicking the dataset link");
    click(
        browser,
        &format!("{} {}", dom::job_card(&slow), testid("job-new-tab")),
    )
    .await
    .expect("clicking New tab");
    HostPage::leave_frames(browser)
        .await
        .expect("leaving the app");
    let navigations = wait_for("two `navigate` messages", timeout_secs(10), || async {
        let n = HostPage::received(browser, "navigate").await?;
        if n.len() >= 2 {
            Ok(n)
        } else {
            Err(Error::msg(format!("{n:?}")))
        }
    })
    .await;
    assert_eq!(
        navigations[0],
        msg(
            "navigate",
            json!({"target": "dataset", "dataset_id": ds(1)})
        )
    );
    assert_eq!(
        navigations[1],
        msg(
            "navigate",
            json!({"target": "job", "job_id": slow, "new_tab": true})
        )
    );
    let explorer = HostPage::eval(
        browser,
        "return document.getElementById('explorer').dataset.datasetId;",
        vec![],
    )
    .await
    .expect("reading the explorer");
    assert_eq!(explorer, json!(ds(1)));

    // Theme from the host.
    for theme in ["dark", "light"] {
        HostPage::click(browser, &format!("theme-{theme}"))
            .await
            .expect("clicking a theme button");
        wait_app(browser, &format!("the {theme} theme"), |v| {
            v["theme"] == json!(theme)
        })
        .await;
    }

    // The list's dataset filter from the host, through the URL; then routes.
    HostPage::fill(browser, "dataset", &ds(0))
        .await
        .expect("typing");
    HostPage::click(browser, "set-filter")
        .await
        .expect("clicking Filter");
    let want_hash = format!("#/jobs?dataset={}", ds(0));
    wait_app(browser, "the host's dataset filter", |v| {
        v["hash"] == json!(want_hash) && v["cards"] == json!(3)
    })
    .await;
    HostPage::enter_app(browser)
        .await
        .expect("entering the app");
    let cards = read_job_cards(browser).await.expect("reading cards");
    HostPage::leave_frames(browser)
        .await
        .expect("leaving the app");
    let name0 = datasets[0]["name"].as_str().unwrap_or_default();
    assert!(cards.iter().all(|c| c.dataset == name0), "{cards:?}");
    HostPage::fill(browser, "job", &failing)
        .await
        .expect("typing");
    HostPage::click(browser, "route-job")
        .await
        .expect("clicking Show job");
    let job_hash = format!("#/jobs/{failing}");
    wait_app(browser, "the job the host routed to", |v| {
        v["hash"] == json!(job_hash) && v["detail"] == json!(1)
    })
    .await;
    HostPage::click(browser, "route-list")
        .await
        .expect("clicking Show list");
    wait_app(browser, "the list, keeping its filter", |v| {
        v["hash"] == json!(want_hash) && v["cards"] == json!(3)
    })
    .await;
    HostPage::click(browser, "clear-filter")
        .await
        .expect("clicking All datasets");
    let settled = wait_app(browser, "the whole list", |v| {
        v["hash"] == json!("#/jobs") && v["cards"] == json!(6)
    })
    .await;

    // Wrong shapes from the allowed origin, and valid messages from a foreign one, change
    // nothing. A valid `diagnostics_request` afterwards shows that the page read past them.
    let mut bad = vec![
        msg("theme", json!({"theme": "blue"})),
        msg("theme", json!({"theme": "dark", "extra": 1})),
        msg("filter", json!({"dataset": "x".repeat(200)})),
        msg("filter", json!({"dataset": ds(1), "status": "failed"})),
        msg("route", json!({"path": "/jobs/../settings"})),
        msg(
            "route",
            json!({"path": format!("/jobs/{slow}"), "new_tab": true}),
        ),
        msg(
            "navigate",
            json!({"target": "dataset", "dataset_id": ds(1)}),
        ),
        json!({"protocol": "jobs-page", "type": "theme", "theme": "dark"}),
        json!({"protocol": "other", "version": 1, "type": "theme", "theme": "dark"}),
        json!(msg("theme", json!({"theme": "dark"})).to_string()),
        json!(null),
    ];
    let mut v2 = msg("theme", json!({"theme": "dark"}));
    v2["version"] = json!(2);
    bad.push(v2);
    for m in &bad {
        host.post_from_host(browser, m).await.expect("posting");
    }
    let foreign = [
        msg("theme", json!({"theme": "dark"})),
        msg("filter", json!({"dataset": ds(1)})),
        msg("route", json!({"path": format!("/jobs/{slow}")})),
        msg("auth", json!({"token": "foreign-token"})),
        msg("diagnostics_request", json!({})),
    ];
    host.post_from_foreign(browser, &foreign)
        .await
        .expect("posting from the foreign frame");
    tokio::time::sleep(Duration::from_millis(300)).await;
    host.post_from_host(browser, &msg("diagnostics_request", json!({})))
        .await
        .expect("posting");
    let replies = wait_for("the `diagnostics` reply", timeout_secs(10), || async {
        let r = HostPage::received(browser, "diagnostics").await?;
        if r.is_empty() {
            Err(Error::msg("none yet"))
        } else {
            Ok(r)
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let replies_now = HostPage::received(browser, "diagnostics")
        .await
        .expect("reading");
    assert_eq!(
        replies_now.len(),
        1,
        "only the host's request is answered: {replies_now:?}"
    );
    assert!(replies[0]["snapshot"].is_object(), "{}", replies[0]);
    let view = app_view(browser).await.expect("reading the app");
    assert_eq!(view, settled, "ignored messages changed the page");
    let navigations = HostPage::received(browser, "navigate")
        .await
        .expect("reading");
    assert_eq!(navigations.len(), 2, "{navigations:?}");
    let console = browser.console_log().await.expect("reading the console");
    let ignored = console
        .iter()
        .filter(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.contains("ignored a message"))
        })
        .count();
    assert!(
        ignored >= bad.len() + foreign.len(),
        "{ignored} debug lines for {} ignored messages",
        bad.len() + foreign.len()
    );

    // Standalone: no host, so the dataset link comes from `dataset_url`, or there is none.
    stack.open("/jobs").await;
    browser.wait_css(&dom::job_card(&failing)).await;
    assert!(browser
        .find_all(&testid("job-dataset-link"))
        .await
        .expect("finding links")
        .is_empty());
    assert!(browser
        .find_all(&testid("job-new-tab"))
        .await
        .expect("finding buttons")
        .is_empty());
    let mut config = stack.app_config().clone();
    config["dataset_url"] = json!("https://platform.example/datasets/{dataset_id}?tab=jobs");
    stack.write_app_config(config).expect("writing config.json");
    stack.open("/jobs").await;
    let browser = stack.browser();
    let link = browser
        .wait_css(&format!(
            "{} a{}",
            dom::job_card(&failing),
            testid("job-dataset-link")
        ))
        .await;
    assert_eq!(
        link.attr("href").await.expect("reading href"),
        Some(format!(
            "https://platform.example/datasets/{}?tab=jobs",
            ds(1)
        ))
    );
    drop(host);
}

#[tokio::test]
async fn the_hosts_token_reaches_the_backend_and_a_revoked_one_asks_once() {
    let token = "host-token-e2e";
    let mut stack = Stack::builder()
        .workers(1)
        .api_tokens(&[token])
        .start()
        .await;
    let host = HostPage::start(&mut stack).await;
    let browser = stack.browser();
    let datasets = stack.datasets().await;
    let ds = datasets[0]["id"].as_str().expect("dataset id");
    let job = job_id(
        &stack
            .create_job(ds, "profile", json!({"chunk_delay_ms": 50}))
            .await,
    );

    let (status, _) = stack
        .api()
        .with_token(None)
        .get("jobs")
        .await
        .expect("GET /jobs");
    assert_eq!(status, 401, "the backend is in auth mode");

    browser
        .open_fresh(&host.url(&stack.app_index_url("/jobs"), Some(token)))
        .await
        .expect("opening the host");
    // Only the host's token lets the page read the list and open the live stream.
    HostPage::enter_app(browser)
        .await
        .expect("entering the app");
    browser.wait_css(&dom::job_card(&job)).await;
    browser
        .wait_css(&format!("{}[data-state=\"live\"]", testid("connection")))
        .await;
    HostPage::leave_frames(browser)
        .await
        .expect("leaving the app");
    let sent = HostPage::messages(browser).await.expect("reading");
    assert!(
        sent.iter()
            .all(|m| m.direction == "out" || !m.msg.to_string().contains(token)),
        "the page sent the token back: {sent:?}"
    );
    let asked_before = HostPage::received(browser, "token_request")
        .await
        .expect("reading")
        .len();

    // Revoked: the page asks once, the host answers with the same (now refused) token, and the
    // page says so instead of asking again.
    stack.revoke_token(token).await.expect("revoking");
    HostPage::enter_app(browser)
        .await
        .expect("entering the app");
    browser
        .wait_css(&format!(
            "{}[data-state=\"unauthorised\"]",
            testid("connection")
        ))
        .await;
    browser
        .wait_text("body", "asking to sign in again", |t| {
            t.contains("sign in again")
        })
        .await;
    HostPage::leave_frames(browser)
        .await
        .expect("leaving the app");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let asked = HostPage::received(browser, "token_request")
        .await
        .expect("reading")
        .len();
    assert_eq!(
        asked,
        asked_before + 1,
        "token requests after the revocation"
    );
    drop(host);
}
