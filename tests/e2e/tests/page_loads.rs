//! The jobs list shows what the backend has: exactly the jobs started through the API, with
//! their dataset names and kinds, and statuses that follow the backend's until all are done.

use std::collections::{BTreeMap, BTreeSet};

use jobs_e2e::dom::{self, read_job_cards, status_text_matches, JobCardView};
use jobs_e2e::{job_id, timeout_secs, wait_for, Stack};
use serde_json::{json, Value};

const TERMINAL: [&str; 3] = ["succeeded", "failed", "cancelled"];

/// Mismatches between the cards and the backend's jobs (empty when they agree).
fn disagreements(cards: &[JobCardView], jobs: &BTreeMap<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for card in cards {
        let Some(job) = jobs.get(&card.id) else {
            out.push(format!("unexpected card {}", card.id));
            continue;
        };
        let status = job["status"].as_str().unwrap_or_default();
        if card.status != status || !status_text_matches(&card.status_text, status) {
            out.push(format!(
                "{}: page shows {:?} / {:?}, backend says {status:?}",
                card.id, card.status, card.status_text
            ));
        }
    }
    out
}

#[tokio::test]
async fn jobs_page_lists_the_started_jobs_with_live_statuses() {
    let stack = Stack::start().await;

    let datasets = stack.datasets().await;
    assert!(!datasets.is_empty(), "the backend lists no datasets");
    let kinds = ["profile", "validate", "profile"];
    let mut expected: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (i, kind) in kinds.iter().enumerate() {
        let dataset = &datasets[i % datasets.len()];
        let dataset_id = dataset["id"].as_str().expect("dataset id");
        let job = stack
            .create_job(dataset_id, kind, json!({"chunk_delay_ms": 100}))
            .await;
        let id = job_id(&job);
        assert_eq!(job["dataset_name"], dataset["name"], "{job}");
        let name = dataset["name"].as_str().expect("dataset name").to_string();
        expected.insert(id, (name, kind.to_string()));
    }
    let ids: BTreeSet<String> = expected.keys().cloned().collect();

    stack.open("/jobs").await;
    let browser = stack.browser();
    browser.wait_css(dom::JOBS_PAGE).await;

    // Exactly the three jobs, with their dataset names and kinds.
    let cards = wait_for("three job cards", timeout_secs(20), || async {
        let cards = read_job_cards(browser).await?;
        let shown: BTreeSet<String> = cards.iter().map(|c| c.id.clone()).collect();
        if shown == ids {
            Ok(cards)
        } else {
            Err(jobs_e2e::Error::msg(format!(
                "cards shown: {shown:?}, expected {ids:?}"
            )))
        }
    })
    .await;
    assert_eq!(cards.len(), 3, "duplicate cards: {cards:?}");
    for card in &cards {
        let (dataset, kind) = &expected[&card.id];
        assert_eq!(&card.dataset, dataset, "dataset name of {}", card.id);
        assert!(
            card.kind.eq_ignore_ascii_case(kind),
            "kind of {}: shown {:?}, expected {kind}",
            card.id,
            card.kind
        );
        let detail = format!("#/jobs/{}", card.id);
        assert!(
            card.links.iter().any(|href| href.ends_with(&detail)),
            "card {} has no link to {detail}: {:?}",
            card.id,
            card.links
        );
    }

    // The statuses shown follow the backend's, through to the end, without a reload.
    let final_cards = wait_for(
        "every job to finish and the page to show the backend's statuses",
        timeout_secs(60),
        || async {
            let mut jobs = BTreeMap::new();
            for id in &ids {
                jobs.insert(id.clone(), stack.job(id).await);
            }
            let cards = read_job_cards(browser).await.map_err(|e| e.to_string())?;
            let unfinished: Vec<&str> = jobs
                .values()
                .filter(|j| !TERMINAL.contains(&j["status"].as_str().unwrap_or_default()))
                .filter_map(|j| j["id"].as_str())
                .collect();
            let mismatches = disagreements(&cards, &jobs);
            if cards.len() == 3 && unfinished.is_empty() && mismatches.is_empty() {
                Ok(cards)
            } else {
                Err(format!(
                    "unfinished: {unfinished:?}; mismatches: {mismatches:?}"
                ))
            }
        },
    )
    .await;
    assert_eq!(final_cards.len(), 3);
}
