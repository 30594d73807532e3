//! The flood server's HTTP side: one keep-alive connection at a time, CORS on every answer
//! (the pages are served from other ports), the read endpoints a page needs, 404 for anything
//! else, and the hand-over to the WebSocket loop on `GET /api/v1/ws`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use jobs_page::state::url::parse_query;
use jobs_page::types::{JobKind, JobStatus};

use super::data::{ListQuery, ListSort};
use super::{generate, now_ms, wire, ws, Shared};

pub(super) async fn handle_conn(shared: Arc<Shared>, mut stream: TcpStream) {
    let mut buf = Vec::new();
    loop {
        let req = match wire::read_request(&mut stream, &mut buf).await {
            Ok(Some(r)) => r,
            _ => return,
        };
        shared
            .counters
            .http_requests
            .fetch_add(1, Ordering::Relaxed);
        if req.path == "/api/v1/ws" && req.is_upgrade() && req.method == "GET" {
            let after = parse_query(&req.query)
                .into_iter()
                .find(|(k, _)| k == "after")
                .map(|(_, v)| v.parse::<u64>());
            let after = match after {
                None => None,
                Some(Ok(a)) => Some(a),
                Some(Err(_)) => {
                    let _ = stream
                        .write_all(&wire::error(403, "after must be an integer"))
                        .await;
                    return;
                }
            };
            let Some(key) = req.header("sec-websocket-key") else {
                let _ = stream
                    .write_all(&wire::error(403, "not a WebSocket handshake"))
                    .await;
                return;
            };
            if stream
                .write_all(&wire::upgrade_response(key))
                .await
                .is_err()
            {
                return;
            }
            ws::run_ws(shared, stream, buf, after).await;
            return;
        }
        let answer = route(&shared, &req);
        if stream.write_all(&answer).await.is_err() {
            return;
        }
    }
}

fn json_ok(body: String) -> Vec<u8> {
    wire::response(200, "application/json", body.as_bytes())
}

fn route(shared: &Shared, req: &wire::Request) -> Vec<u8> {
    if req.method == "OPTIONS" {
        return wire::response(204, "text/plain", b"");
    }
    if req.method != "GET" {
        return wire::error(404, "not served by the flood server");
    }
    let params = parse_query(&req.query);
    let param = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(rest) = req.path.strip_prefix("/api/v1/") else {
        return wire::error(404, "Not Found");
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        ["jobs"] => match list_query(&params) {
            Ok(q) => {
                let live = shared.live();
                json_ok(shared.set.list_body(&q, &live.run, live.head))
            }
            Err(detail) => wire::error(422, &detail),
        },
        ["queue"] => json_ok(shared.queue_json.clone()),
        ["datasets"] => json_ok(shared.datasets_json.clone()),
        ["stats"] => {
            let window_s = param("window_s")
                .and_then(|v| v.parse().ok())
                .unwrap_or(3600u64)
                .clamp(1, 31_622_400);
            let bucket_s = param("bucket_s")
                .and_then(|v| v.parse().ok())
                .unwrap_or(60u64)
                .clamp(1, 86_400);
            json_ok(shared.set.stats_body(now_ms(), window_s, bucket_s))
        }
        ["jobs", id] => match shared.set.find(id) {
            Some(i) => {
                let live = shared.live();
                let mut out = String::new();
                shared.set.render(i, &live.run, &mut out);
                json_ok(out)
            }
            None => wire::error(404, &format!("job {id} not found")),
        },
        ["jobs", id, "metrics"] => match shared.set.find(id) {
            Some(_) => json_ok(serde_json::json!({"job_id": id, "samples": []}).to_string()),
            None => wire::error(404, &format!("job {id} not found")),
        },
        ["jobs", id, "logs"] => match shared.set.find(id) {
            Some(i) => {
                let total = shared.log_count(i, Instant::now());
                let num = |k: &str| param(k).and_then(|v| v.parse::<u64>().ok());
                let limit = num("limit").unwrap_or(1000).clamp(1, 10_000);
                let (from, to) = if let Some(tail) = num("tail") {
                    (total.saturating_sub(tail.clamp(1, 10_000)) + 1, total)
                } else if let Some(before) = num("before") {
                    let hi = before.saturating_sub(1).min(total);
                    let lo = num("after").map_or(hi.saturating_sub(limit) + 1, |a| a + 1);
                    (lo.max(1), hi)
                } else {
                    let after = num("after").unwrap_or(0);
                    (after + 1, (after + limit).min(total))
                };
                let mut out = format!("{{\"job_id\":\"{id}\",\"lines\":[");
                for n in from..=to {
                    if n > from {
                        out.push(',');
                    }
                    generate::push_log_line(&mut out, shared.started_ms, n);
                }
                out.push_str(&format!("],\"total\":{total}}}"));
                json_ok(out)
            }
            None => wire::error(404, &format!("job {id} not found")),
        },
        _ => wire::error(404, "Not Found"),
    }
}

fn list_query(params: &[(String, String)]) -> std::result::Result<ListQuery, String> {
    let mut q = ListQuery {
        limit: 500,
        ..ListQuery::default()
    };
    for (k, v) in params {
        match k.as_str() {
            "status" => {
                for s in v.split(',').filter(|s| !s.is_empty()) {
                    let st = JobStatus::ALL
                        .into_iter()
                        .find(|x| x.as_str() == s)
                        .ok_or(format!("unknown status {s}"))?;
                    q.status.push(st);
                }
            }
            "dataset" => q.dataset = Some(v.clone()),
            "kind" => {
                q.kind = Some(
                    JobKind::ALL
                        .into_iter()
                        .find(|x| x.as_str() == v)
                        .ok_or(format!("unknown kind {v}"))?,
                )
            }
            "q" => q.q = Some(v.clone()),
            "sort" => q.sort = ListSort::parse(v).ok_or(format!("unknown sort {v}"))?,
            "offset" => q.offset = v.parse().map_err(|_| format!("bad offset {v}"))?,
            "limit" => {
                q.limit = v
                    .parse()
                    .ok()
                    .filter(|l| (1..=5000).contains(l))
                    .ok_or(format!("limit must be 1..5000, not {v}"))?
            }
            _ => {}
        }
    }
    Ok(q)
}
