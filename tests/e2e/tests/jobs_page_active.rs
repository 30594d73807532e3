//! A running job is shown live, without reloads: its card's progress text moves on again and
//! again (never ahead of the backend, never backwards), a measured rate appears, and the ETA
//! becomes a time range (not "unknown") whose value changes as the job advances. Its detail
//! page, reached from the card, shows the same job running and advancing, with an ETA.

use std::time::{Duration, Instant};

use jobs_e2e::jobs_ui::{self, card_css, click, read_card, read_view, JobView};
use jobs_e2e::{dom, job_id, timeout_secs, Stack};
use serde_json::json;

/// An ETA text that gives a time: "ETA 43s – 45s" or "ETA about 40s" (the detail page
/// writes "· ETA 43s – 45s").
fn is_eta_range(text: &str) -> bool {
    let Some((_, value)) = text.split_once("ETA ") else {
        return false;
    };
    value != "unknown"
        && value != "—"
        && value.chars().any(|c| c.is_ascii_digit())
        && (value.contains(" – ") || value.starts_with("about "))
}

#[tokio::test]
async fn active_job_shows_live_progress_and_an_eta() {
    let stack = Stack::start().await;
    let test_start = std::time::Instant::now();
    let browser = stack.browser();
    // 20,000 rows in 200-row chunks with 200 ms pauses, read twice: about 40 s of steady work.
    let job = stack
        .create_job(
            "ds_sales",
            "profile",
            json!({"chunk_rows": 200, "chunk_delay_ms": 200, "passes": 2}),
        )
        .await;
    let id = job_id(&job);
    stack.open("/jobs").await;
    browser.wait_css(dom::JOBS_PAGE).await;

    // Watch the card: record every distinct progress and ETA text, check each against the
    // backend (the page is never ahead of it, and never goes backwards).
    let started = Instant::now();
    let deadline = started + timeout_secs(40);
    let mut progress_texts: Vec<String> = Vec::new();
    let mut eta_texts: Vec<String> = Vec::new();
    let mut eta_ranges: Vec<String> = Vec::new();
    let mut rate_seen: Option<(f64, String)> = None;
    let mut first_range_at: Option<f64> = None;
    let mut last_processed = 0u64;
    let mut running_seen: Option<JobView> = None;
    loop {
        let card = read_card(browser, &id).await.unwrap();
        if let Some(card) = card {
            if card.status == "running" {
                assert!(
                    card.status_text.as_deref() == Some("running"),
                    "status text of a running card: {card:?}"
                );
                running_seen.get_or_insert(card.clone());
            }
            let backend = stack.job(&id).await;
            let backend_processed = backend["progress"]["processed"].as_u64().unwrap();
            if let Some(p) = card.processed() {
                assert!(
                    p <= backend_processed,
                    "the page shows {p} rows, more than the backend's {backend_processed}"
                );
                assert!(
                    p >= last_processed,
                    "progress went backwards: {last_processed} → {p}"
                );
                last_processed = p;
            }
            if let Some(text) = &card.progress {
                if progress_texts.last() != Some(text) {
                    progress_texts.push(text.clone());
                }
            }
            if let Some(eta) = &card.eta {
                if eta_texts.last() != Some(eta) {
                    eta_texts.push(eta.clone());
                }
                if is_eta_range(eta) && eta_ranges.last() != Some(eta) {
                    first_range_at.get_or_insert(started.elapsed().as_secs_f64());
                    eta_ranges.push(eta.clone());
                }
            }
            if let Some(rate) = &card.rate {
                rate_seen.get_or_insert((started.elapsed().as_secs_f64(), rate.clone()));
            }
            assert_ne!(card.status, "failed", "the job failed: {card:?}");
        }
        let done = progress_texts.len() >= 5 && eta_ranges.len() >= 3 && rate_seen.is_some();
        if done || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    println!(
        "card: {} progress texts, ETA texts {:?}, first range after {:?}s, rate {:?}",
        progress_texts.len(),
        eta_texts,
        first_range_at,
        rate_seen
    );
    let running = running_seen.expect("the card never showed the job running");
    assert!(
        progress_texts.len() >= 4,
        "the progress text changed fewer than 3 times: {progress_texts:?}"
    );
    assert!(
        !eta_ranges.is_empty(),
        "the ETA never showed a time range: {eta_texts:?}"
    );
    assert!(
        eta_ranges.len() >= 2,
        "the ETA range never changed: {eta_ranges:?}"
    );
    let (_, rate) = rate_seen.expect("no rate shown while running");
    assert!(
        rate.ends_with("rows/s") && rate.chars().any(|c| c.is_ascii_digit()),
        "rate text: {rate:?}"
    );
    assert!(
        running
            .elapsed
            .as_deref()
            .is_some_and(|e| e.starts_with("elapsed ")),
        "elapsed time of a running job: {running:?}"
    );
    assert_eq!(running.attempt.as_deref(), Some("attempt 1"));
    assert!(
        running
            .progress
            .as_deref()
            .is_some_and(|p| p.contains("/ 40,000 rows")),
        "total of two passes over 20,000 rows: {running:?}"
    );

    // The detail page, reached from the card, shows the same job live.
    click(browser, &format!("{} a.job-link", card_css(&id)))
        .await
        .unwrap();
    let detail_css = dom::job_detail(&id);
    browser.wait_css(&detail_css).await;
    assert!(
        jobs_ui::hash(browser)
            .await
            .unwrap()
            .ends_with(&format!("/jobs/{id}")),
        "the card's link leads to the job's route"
    );
    let mut detail_progress: Vec<String> = Vec::new();
    let mut detail_eta: Vec<String> = Vec::new();
    let deadline = Instant::now() + timeout_secs(20);
    loop {
        if let Some(view) = read_view(browser, &detail_css).await.unwrap() {
            assert_eq!(view.status, "running", "detail of a running job: {view:?}");
            let backend = stack.job(&id).await;
            let p = view.processed().unwrap_or(0);
            assert!(
                p <= backend["progress"]["processed"].as_u64().unwrap(),
                "the detail is ahead of the backend"
            );
            assert!(p >= last_processed, "the detail shows older progress");
            last_processed = p;
            if let Some(text) = view.progress.clone() {
                if detail_progress.last() != Some(&text) {
                    detail_progress.push(text);
                }
            }
            if let Some(eta) = view.eta.clone() {
                if detail_eta.last() != Some(&eta) {
                    detail_eta.push(eta);
                }
            }
            assert!(
                view.actions.contains(&"job-cancel".to_string()),
                "a running job can be cancelled from its page: {view:?}"
            );
        }
        if (detail_progress.len() >= 4 && detail_eta.iter().any(|e| is_eta_range(e)))
            || Instant::now() >= deadline
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    println!("detail: progress {detail_progress:?}, ETA {detail_eta:?}");
    assert!(
        detail_progress.len() >= 4,
        "the detail page's progress changed fewer than 3 times: {detail_progress:?}"
    );
    assert!(
        detail_eta.iter().any(|e| is_eta_range(e)),
        "the detail page showed no ETA range: {detail_eta:?}"
    );
    let text = jobs_ui::text_of(browser, &detail_css)
        .await
        .unwrap()
        .unwrap();
    assert!(
        text.contains("sales.csv") && text.contains(&id) && text.contains("attempt 1"),
        "the detail names the job: {text:?}"
    );
    println!(
        "test body (after the stack was up): {:.1}s",
        test_start.elapsed().as_secs_f64()
    );
}
