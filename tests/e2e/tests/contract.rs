//! The contract test: the reference backend and the app's Rust types agree.
//!
//! Drives the reference backend (real Redis, real workers) through every state of the job state
//! machine, collects every kind of HTTP response and WebSocket frame it produces, and checks
//! that (1) the app's types in `src/types/` read each one and write it back unchanged (no field
//! lost, renamed or mistyped), and (2) the backend's OpenAPI document names the same fields as
//! the Rust types and every endpoint of `docs/api.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use jobs_e2e::{job_id, timeout_secs, Stack};
use jobs_page::types::{
    error::ErrorBody, BulkResponse, DatasetList, Job, JobList, LogPage, Metrics, QueueStatus,
    ServerMessage, Stats, StatsBucket,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// Reads `value` as `T` and writes it back; the two must be equal.
fn round_trip<T: DeserializeOwned + Serialize>(what: &str, value: &Value) -> T {
    let typed: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| {
        panic!("{what}: the app cannot read the backend's value: {e}\n{value:#}")
    });
    let back = serde_json::to_value(&typed).expect("serialize");
    assert_eq!(
        &back, value,
        "{what}: a field was lost or changed on the way through the app's type"
    );
    typed
}

/// Property names of an OpenAPI component schema.
fn schema_props(openapi: &Value, name: &str) -> BTreeSet<String> {
    let schema = &openapi["components"]["schemas"][name];
    let props = schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("OpenAPI has no schema {name}"));
    props.keys().cloned().collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

async fn wait_status(stack: &Stack, id: &str, want: &[&str]) -> Value {
    let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    stack
        .wait_job(id, &format!("reaches {want:?}"), timeout_secs(60), |j| {
            want.iter().any(|w| j["status"] == **w)
        })
        .await
}

#[tokio::test]
async fn backend_responses_and_frames_match_the_app_types_and_openapi() {
    let stack = Stack::builder()
        .app(false)
        .browser(false)
        .workers(2)
        .heartbeat_ms(500)
        .start()
        .await;

    // A WebSocket client that records every frame from the start.
    let (ws, _) = tokio_tungstenite::connect_async(stack.ws_url())
        .await
        .expect("WebSocket connects");
    let (mut ws_tx, mut ws_rx) = ws.split();
    let (frames_tx, mut frames_rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let reader = tokio::spawn(async move {
        while let Some(Ok(msg)) = ws_rx.next().await {
            if let Message::Text(text) = msg {
                let v: Value = serde_json::from_str(&text).expect("frames are JSON");
                if frames_tx.send(v).is_err() {
                    break;
                }
            }
        }
    });

    let fast = json!({"chunk_rows": 1000, "chunk_delay_ms": 10, "note": "<b>contract</b> \u{1b}[31mred\u{1b}[0m"});
    // succeeded
    let ok = stack
        .create_job("ds_customers", "profile", fast.clone())
        .await;
    let ok_id = job_id(&ok);
    ws_tx
        .send(Message::Text(
            json!({"type": "subscribe_logs", "job_id": ok_id, "after_line": 0}).to_string(),
        ))
        .await
        .expect("subscribe");
    // failed with a ValueError on bad data, then retried (attempt 2)
    let bad_id = stack
        .start_job(
            "ds_sensors_corrupt",
            "validate",
            json!({"chunk_rows": 5000, "chunk_delay_ms": 0}),
        )
        .await;
    // failed with an injected RuntimeError
    let inj_id = stack
        .start_job(
            "ds_customers",
            "profile",
            json!({"chunk_rows": 500, "chunk_delay_ms": 0, "fail_at": 0.5}),
        )
        .await;
    // running, then cancelled
    let long_id = stack
        .start_job(
            "ds_sales",
            "profile",
            json!({"chunk_rows": 100, "chunk_delay_ms": 200}),
        )
        .await;

    wait_status(&stack, &ok_id, &["succeeded"]).await;
    let failed = wait_status(&stack, &bad_id, &["failed"]).await;
    assert_eq!(failed["error"]["type"], "ValueError", "{failed:#}");
    wait_status(&stack, &inj_id, &["failed"]).await;
    stack
        .wait_status(&long_id, "running", timeout_secs(60))
        .await;
    let (code, cancelling) = stack
        .api_post(&format!("jobs/{long_id}/cancel"), json!({}))
        .await;
    assert_eq!(code, 200, "{cancelling}");
    wait_status(&stack, &long_id, &["cancelled"]).await;
    let (code, retried) = stack
        .api_post(&format!("jobs/{bad_id}/retry"), json!({}))
        .await;
    assert_eq!(code, 200, "{retried}");
    let retried = wait_status(&stack, &bad_id, &["failed"]).await;
    assert_eq!(retried["attempt"], 2);

    // Every HTTP shape.
    let mut checked: BTreeMap<&str, Value> = BTreeMap::new();
    let (code, list) = stack.api_get("jobs?limit=100").await;
    assert_eq!(code, 200);
    let typed_list: JobList = round_trip("GET /jobs", &list);
    assert_eq!(typed_list.items.len(), 4);
    checked.insert("JobList", list.clone());
    for job in list["items"].as_array().expect("items") {
        round_trip::<Job>("a listed job", job);
    }
    for id in [&ok_id, &bad_id, &inj_id, &long_id] {
        let (code, job) = stack.api_get(&format!("jobs/{id}")).await;
        assert_eq!(code, 200);
        round_trip::<Job>("GET /jobs/{id}", &job);
    }
    checked.insert("Job", retried.clone());
    checked.insert("Attempt", retried["attempts"][0].clone());
    checked.insert("ErrorInfo", retried["error"].clone());
    checked.insert("Progress", retried["progress"].clone());
    checked.insert("JobParams", retried["params"].clone());
    checked.insert("Counts", list["counts"].clone());

    let (code, logs) = stack.api_get(&format!("jobs/{ok_id}/logs?tail=50")).await;
    assert_eq!(code, 200);
    let typed_logs: LogPage = round_trip("GET /logs", &logs);
    assert!(!typed_logs.lines.is_empty());
    checked.insert("LogPage", logs.clone());
    checked.insert("LogLine", logs["lines"][0].clone());

    let (code, metrics) = stack.api_get(&format!("jobs/{ok_id}/metrics")).await;
    assert_eq!(code, 200);
    let typed_metrics: Metrics = round_trip("GET /metrics", &metrics);
    assert!(!typed_metrics.samples.is_empty());
    checked.insert("MetricList", metrics.clone());
    checked.insert("MetricSample", metrics["samples"][0].clone());

    let (code, stats) = stack.api_get("stats?window_s=3600&bucket_s=60").await;
    assert_eq!(code, 200);
    let typed_stats: Stats = round_trip("GET /stats", &stats);
    assert!(typed_stats
        .failures_by_type
        .iter()
        .any(|g| g.kind == "ValueError"));
    // The series: aligned one-minute buckets over the whole hour, summing to the totals.
    assert_eq!(typed_stats.bucket_s, 60);
    assert_eq!(
        typed_stats.series.len(),
        61,
        "an hour touches 61 aligned minutes"
    );
    assert!(typed_stats
        .series
        .windows(2)
        .all(|w| w[1].t - w[0].t == 60_000));
    assert!(typed_stats.series.iter().all(|b| b.t % 60_000 == 0));
    let first = typed_stats.series[0].t;
    assert!(first <= typed_stats.since && typed_stats.since < first + 60_000);
    let sum = |f: fn(&StatsBucket) -> u64| -> u64 { typed_stats.series.iter().map(f).sum() };
    assert_eq!(sum(|b| b.succeeded), typed_stats.succeeded, "{stats:#}");
    assert_eq!(sum(|b| b.failed), typed_stats.failed, "{stats:#}");
    assert_eq!(sum(|b| b.cancelled), typed_stats.cancelled, "{stats:#}");
    let busy = typed_stats
        .series
        .iter()
        .rposition(|b| b.succeeded + b.failed + b.cancelled > 0)
        .expect("the jobs above finished inside the window");
    checked.insert("Stats", stats.clone());
    checked.insert("FailureGroup", stats["failures_by_type"][0].clone());
    checked.insert("StatsBucket", stats["series"][busy].clone());
    // More buckets than the limit is a 422 on bucket_s.
    let (code, too_many) = stack.api_get("stats?window_s=604800&bucket_s=60").await;
    assert_eq!(code, 422, "{too_many}");
    let too_many: ErrorBody = serde_json::from_value(too_many).expect("422 body");
    assert!(
        too_many.detail.to_message().contains("bucket_s"),
        "the 422 names bucket_s: {too_many:?}"
    );

    let (code, queue) = stack.api_get("queue").await;
    assert_eq!(code, 200);
    let typed_queue: QueueStatus = round_trip("GET /queue", &queue);
    assert!(typed_queue.redis.ok && !typed_queue.workers.is_empty());
    checked.insert("QueueInfo", queue.clone());
    checked.insert("WorkerInfo", queue["workers"][0].clone());
    checked.insert("RedisHealth", queue["redis"].clone());

    let (code, datasets) = stack.api_get("datasets").await;
    assert_eq!(code, 200);
    round_trip::<DatasetList>("GET /datasets", &datasets);
    checked.insert("DatasetList", datasets.clone());
    checked.insert("Dataset", datasets["items"][0].clone());

    let (code, bulk) = stack
        .api_post(
            "jobs/bulk/start",
            json!({"jobs": [
                {"dataset_id": "ds_customers", "kind": "validate", "params": {"chunk_delay_ms": 0}},
                {"dataset_id": "ds_missing", "kind": "profile"}
            ]}),
        )
        .await;
    assert_eq!(code, 200, "{bulk}");
    let typed_bulk: BulkResponse = round_trip("bulk start", &bulk);
    assert_eq!((typed_bulk.ok, typed_bulk.failed), (1, 1));
    assert_eq!(typed_bulk.results[1].status_code, 404);
    checked.insert("BulkResponse", bulk.clone());
    checked.insert("BulkItemResult", bulk["results"][0].clone());

    // Errors: 404, 409, 422 all read as FastAPI error bodies with words in them.
    let (code, e404) = stack.api_get("jobs/job_000000000000").await;
    assert_eq!(code, 404);
    let (code, e409) = stack
        .api_post(&format!("jobs/{ok_id}/cancel"), json!({}))
        .await;
    assert_eq!(code, 409);
    let (code, e422) = stack
        .api_post(
            "jobs",
            json!({"dataset_id": "ds_sales", "kind": "profile", "params": {"chunk_rows": 0}}),
        )
        .await;
    assert_eq!(code, 422);
    // A malformed job id is a 422 too, before any lookup.
    let (code, e422_id) = stack.api_get("jobs/not%20an%20id").await;
    assert_eq!(code, 422, "{e422_id}");
    // A body over the backend's limit (1 MiB) is a 413 in the same error shape.
    let (code, e413) = stack
        .api_post(
            "jobs/bulk/start",
            json!({"jobs": [{"dataset_id": "x".repeat(1 << 20), "kind": "profile"}]}),
        )
        .await;
    assert_eq!(code, 413, "{e413}");
    // Error bodies only need to be read (FastAPI adds `ctx`, `input`, `url` the app ignores).
    for (what, body) in [
        ("404", &e404),
        ("409", &e409),
        ("422", &e422),
        ("422 (id)", &e422_id),
        ("413", &e413),
    ] {
        let typed: ErrorBody = serde_json::from_value(body.clone())
            .unwrap_or_else(|e| panic!("{what}: unreadable error body {body}: {e}"));
        assert!(
            !typed.detail.to_message().is_empty(),
            "{what} has no message"
        );
    }
    let e413: ErrorBody = serde_json::from_value(e413).expect("413 body");
    assert!(
        e413.detail.to_message().contains("too large"),
        "413 says why: {e413:?}"
    );
    let e422: ErrorBody = serde_json::from_value(e422).expect("422 body");
    assert!(
        e422.detail.to_message().contains("chunk_rows"),
        "422 names the field: {e422:?}"
    );

    // WebSocket: a bad frame gets an error frame; an impossible resume gets a resync.
    ws_tx
        .send(Message::Text("{\"type\": \"nonsense\"}".to_string()))
        .await
        .expect("send");
    let mut by_type: BTreeMap<String, Value> = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let needed = [
        "hello",
        "job.created",
        "job.updated",
        "metric",
        "log",
        "heartbeat",
        "queue",
        "error",
    ];
    while needed.iter().any(|t| !by_type.contains_key(*t)) {
        let frame = tokio::time::timeout_at(deadline, frames_rx.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "frame types seen: {:?}, still missing some of {needed:?}",
                    by_type.keys().collect::<Vec<_>>()
                )
            })
            .expect("socket open");
        round_trip::<ServerMessage>("a WebSocket frame", &frame);
        let t = frame["type"].as_str().expect("type").to_string();
        by_type.entry(t).or_insert(frame);
    }
    reader.abort();
    let (ws2, _) = tokio_tungstenite::connect_async(format!("{}?after=999999999", stack.ws_url()))
        .await
        .expect("connects");
    let (_, mut rx2) = ws2.split();
    let mut resync = None;
    while let Ok(Some(Ok(Message::Text(text)))) =
        tokio::time::timeout(Duration::from_secs(10), rx2.next()).await
    {
        let v: Value = serde_json::from_str(&text).expect("json");
        round_trip::<ServerMessage>("a WebSocket frame", &v);
        if v["type"] == "resync_required" {
            resync = Some(v);
            break;
        }
    }
    let resync = resync.expect("a resume from the future gets resync_required");
    by_type.insert("resync_required".into(), resync);

    // OpenAPI: the schemas name exactly the fields the Rust types carry.
    let (code, openapi) = stack.api_get("../../openapi.json").await;
    assert_eq!(code, 200, "openapi: {openapi}");
    for (schema, example) in &checked {
        assert_eq!(
            schema_props(&openapi, schema),
            keys(example),
            "OpenAPI schema {schema} vs the fields the app's type reads and writes"
        );
    }
    for (schema, frame_type) in [
        ("WsHello", "hello"),
        ("WsResyncRequired", "resync_required"),
        ("WsJobEvent", "job.updated"),
        ("WsMetric", "metric"),
        ("WsLog", "log"),
        ("WsHeartbeat", "heartbeat"),
        ("WsQueue", "queue"),
        ("WsError", "error"),
    ] {
        assert_eq!(
            schema_props(&openapi, schema),
            keys(&by_type[frame_type]),
            "OpenAPI schema {schema} vs the {frame_type} frame"
        );
    }
    let paths: BTreeSet<String> = keys(&openapi["paths"]);
    let contract_paths = [
        "/api/v1/jobs",
        "/api/v1/jobs/{job_id}",
        "/api/v1/jobs/{job_id}/cancel",
        "/api/v1/jobs/{job_id}/retry",
        "/api/v1/jobs/bulk/start",
        "/api/v1/jobs/bulk/cancel",
        "/api/v1/jobs/bulk/retry",
        "/api/v1/jobs/{job_id}/logs",
        "/api/v1/jobs/{job_id}/logs/download",
        "/api/v1/jobs/{job_id}/metrics",
        "/api/v1/stats",
        "/api/v1/queue",
        "/api/v1/datasets",
    ];
    for p in contract_paths {
        assert!(paths.contains(p), "OpenAPI lacks {p}; it has {paths:?}");
    }

    // The typed values the app relies on are the ones the backend meant.
    let typed: Job = serde_json::from_value(retried).expect("job");
    let err = typed.attempts[0].error.as_ref().expect("attempt 1 failed");
    assert_eq!(err.kind, "ValueError");
    assert!(err.traceback.contains("Traceback (most recent call last)"));
}
