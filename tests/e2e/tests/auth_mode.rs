//! The backend in auth mode (`StackBuilder::api_tokens`): the harness's own options work (its
//! private token, `api_as`, `revoke_token`), and a standalone page, which has no host to give it a
//! token, says in words that it is not authorised instead of retrying in a loop. The embedded
//! flow (host sends the token, a revoked token costs one refresh) is in `embedding.rs`.

use std::time::Duration;

use jobs_e2e::live_view::wait_connection;
use jobs_e2e::{timeout_secs, Stack};
use serde_json::json;

#[tokio::test]
async fn tokens_are_required_revocable_and_the_harness_keeps_its_own() {
    let stack = Stack::builder()
        .app(false)
        .browser(false)
        .workers(0)
        .api_tokens(&["t1", "t2"])
        .start()
        .await;
    assert_eq!(stack.api_tokens(), ["t1", "t2"]);
    // the harness's own client (used by every helper) is authorised
    assert!(!stack.datasets().await.is_empty());

    let (status, body) = stack.api_as(None).get("jobs").await.expect("GET /jobs");
    assert_eq!(status, 401, "{body}");
    assert!(body["detail"].is_string(), "{body}");
    let t1 = stack.api_as(Some("t1"));
    assert_eq!(t1.get("jobs").await.expect("GET /jobs").0, 200);

    stack.revoke_token("t1").await.expect("revoke t1");
    let (status, body) = t1.get("jobs").await.expect("GET /jobs");
    assert_eq!((status, &body["detail"]), (401, &json!("token revoked")));
    let t2 = stack.api_as(Some("t2"));
    assert_eq!(t2.get("jobs").await.expect("GET /jobs").0, 200);
    assert_eq!(
        stack.api_get("queue").await.0,
        200,
        "revoking t1 locked the harness out"
    );

    stack.restore_token("t1").await.expect("restore t1");
    assert_eq!(t1.get("jobs").await.expect("GET /jobs").0, 200);
}

#[tokio::test]
async fn a_standalone_page_against_an_auth_backend_says_it_is_not_authorised() {
    let stack = Stack::builder()
        .workers(0)
        .api_tokens(&["t1"])
        .start()
        .await;
    stack.open("/jobs").await;
    let browser = stack.browser();

    let shown = wait_connection(browser, &["unauthorised"], timeout_secs(15)).await;
    assert!(
        shown.detail.contains("not authorised")
            && shown
                .detail
                .contains("Reload the platform page or sign in again"),
        "{shown:?}"
    );
    let banner = browser
        .wait_text(
            "[data-testid=jobs-error]",
            "the load error to say so",
            |t| t.contains("not authorised"),
        )
        .await;
    assert!(banner.contains("authentication required"), "{banner}");

    // No reconnect loop: with nothing new to try, the page waits (and never opens a WebSocket
    // it knows will be refused).
    let before = stack.log_tail("api", 2000);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let after = stack.log_tail("api", 2000);
    let snapshot_requests = |log: &str| log.matches("GET /api/v1/jobs?limit=5000").count();
    assert!(
        snapshot_requests(&after) <= 2,
        "the page kept reloading: {}",
        snapshot_requests(&after)
    );
    assert_eq!(snapshot_requests(&before), snapshot_requests(&after));
    assert!(!after.contains("WebSocket /api/v1/ws"), "{after}");
    let state = wait_connection(browser, &["unauthorised"], timeout_secs(1)).await;
    assert_eq!(state.state, "unauthorised");
}
