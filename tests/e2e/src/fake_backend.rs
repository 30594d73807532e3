//! A scripted fake of the Jobs backend for hostile-input tests, in-process on a free loopback
//! port: `GET …/jobs` (the held jobs, one page), `GET …/jobs/{id}`, and a WebSocket (`…/ws`)
//! that says `hello` and then writes whatever frames the test pushes
//! ([`FakeBackend::push_frames`]) to every open socket, valid or not. Answers to `GET …/jobs`
//! can be replaced by scripted faults first ([`FakeBackend::fail_jobs_with`]), e.g. the HTML
//! 502 page a reverse proxy returns. Every request path is recorded, so a test can prove a
//! server (or a path prefix) got no request at all. The HTTP and WebSocket framing is the
//! flood server's (`flood::wire`), used read-only.
//!
//! Anything under any path prefix is served (`/api/v1/jobs`, `/other/api/v1/jobs`), so one
//! server can stand for "the configured backend" and "somewhere a link points at".

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::broadcast;

use crate::error::Result;
use crate::flood::{now_ms, wire};
use crate::server_tasks::{bind_free, ServerTasks};

/// A scripted answer to `GET …/jobs` (used once, in order, before the real list).
#[derive(Clone, Debug)]
pub struct Fault {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Fault {
    /// The page nginx returns when the backend behind it is down.
    pub fn proxy_502() -> Fault {
        Fault {
            status: 502,
            content_type: "text/html".into(),
            body: b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n".to_vec(),
        }
    }
}

struct Shared {
    jobs: Mutex<Vec<Value>>,
    /// The event position of the held jobs (the list's `seq`, the hello's `seq`).
    seq: AtomicU64,
    faults: Mutex<VecDeque<Fault>>,
    /// Request paths (`/api/v1/jobs`, `/api/v1/ws`, …), in arrival order. Bounded by the test's
    /// length (a few hundred requests at most).
    requests: Mutex<Vec<String>>,
    frames: broadcast::Sender<String>,
    ws_open: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running fake backend; stops (closing every connection) when dropped.
pub struct FakeBackend {
    port: u16,
    shared: Arc<Shared>,
    _tasks: ServerTasks,
}

impl std::fmt::Debug for FakeBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeBackend")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// A job in the contract's shape (`docs/api.md`), version `version`.
pub fn job_json(id: &str, dataset_name: &str, status: &str, processed: u64, version: u64) -> Value {
    let now = now_ms();
    json!({
        "id": id, "kind": "profile", "dataset_id": format!("ds_{id}"), "dataset_name": dataset_name,
        "status": status,
        "params": {"chunk_rows": 500, "chunk_delay_ms": 0, "fail_at": null, "passes": 1,
                   "note": null, "log_burst": 0},
        "progress": {"processed": processed, "total": 1000, "unit": "rows", "phase": "profiling",
                     "updated_at": now},
        "attempt": 1,
        "attempts": [{"number": 1, "status": status, "worker": null, "started_at": now,
                      "finished_at": null, "error": null}],
        "error": null, "result": null, "created_at": now - 1000, "started_at": now,
        "finished_at": null, "updated_at": now, "version": version, "log_count": 0,
    })
}

impl FakeBackend {
    /// Listens on a free loopback port (on the current tokio runtime), holding `jobs` at
    /// event position `seq`.
    pub async fn start(jobs: Vec<Value>, seq: u64) -> Result<Self> {
        let (listener, port) = bind_free("the fake backend").await?;
        let (frames, _) = broadcast::channel(1024);
        let shared = Arc::new(Shared {
            jobs: Mutex::new(jobs),
            seq: AtomicU64::new(seq),
            faults: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
            frames,
            ws_open: AtomicU64::new(0),
        });
        let tasks = {
            let shared = shared.clone();
            ServerTasks::accept_each(listener, move |stream| handle_conn(shared.clone(), stream))
        };
        Ok(Self {
            port,
            shared,
            _tasks: tasks,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:<port>/api/v1`.
    pub fn api_base(&self) -> String {
        format!("{}/api/v1", self.origin())
    }

    /// `ws://127.0.0.1:<port>/api/v1/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/api/v1/ws", self.port)
    }

    /// The next answers to `GET …/jobs` (then the list again).
    pub fn fail_jobs_with(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.shared.faults).extend(faults);
    }

    /// Scripted faults not yet used.
    pub fn faults_left(&self) -> usize {
        lock(&self.shared.faults).len()
    }

    /// Replaces the held jobs and their event position (what the next list and hello say).
    pub fn set_jobs(&self, jobs: Vec<Value>, seq: u64) {
        *lock(&self.shared.jobs) = jobs;
        self.shared.seq.store(seq, Ordering::SeqCst);
    }

    /// Writes `frames` (any text) to every open WebSocket, in order, as text frames.
    pub fn push_frames<I, S>(&self, frames: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for f in frames {
            // No socket open: nobody to tell (tests wait for `ws_open` first).
            let _ = self.shared.frames.send(f.into());
        }
    }

    /// WebSockets open now.
    pub fn ws_open(&self) -> u64 {
        self.shared.ws_open.load(Ordering::SeqCst)
    }

    /// Every request path so far.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.shared.requests).clone()
    }
}

/// The suffix after any prefix: `/other/api/v1/jobs/x` → `/jobs/x`.
fn route_of(path: &str) -> &str {
    path.find("/api/v1/")
        .map(|i| &path[i + "/api/v1".len()..])
        .unwrap_or(path)
}

async fn handle_conn(shared: Arc<Shared>, mut stream: TcpStream) {
    let mut buf = Vec::new();
    loop {
        let req = match wire::read_request(&mut stream, &mut buf).await {
            Ok(Some(r)) => r,
            _ => return,
        };
        if req.method != "OPTIONS" {
            lock(&shared.requests).push(req.path.clone());
        }
        let route = route_of(&req.path).to_string();
        if route == "/ws" && req.is_upgrade() {
            let Some(key) = req.header("sec-websocket-key").map(str::to_string) else {
                return;
            };
            if stream
                .write_all(&wire::upgrade_response(&key))
                .await
                .is_ok()
            {
                run_ws(shared, stream, buf).await;
            }
            return;
        }
        let answer = answer(&shared, &req.method, &route);
        if stream.write_all(&answer).await.is_err() {
            return;
        }
    }
}

fn answer(shared: &Shared, method: &str, route: &str) -> Vec<u8> {
    if method == "OPTIONS" {
        return wire::response(204, "text/plain", b"");
    }
    if method != "GET" {
        return wire::error(405, "the fake backend only reads");
    }
    if route == "/jobs" {
        if let Some(f) = lock(&shared.faults).pop_front() {
            return wire::response(f.status, &f.content_type, &f.body);
        }
        let jobs = lock(&shared.jobs).clone();
        let mut counts = json!({"queued": 0, "running": 0, "cancelling": 0, "succeeded": 0,
                                "failed": 0, "cancelled": 0});
        for j in &jobs {
            if let Some(s) = j["status"].as_str() {
                counts[s] = json!(counts[s].as_u64().unwrap_or(0) + 1);
            }
        }
        let body = json!({"items": jobs, "total": jobs.len(), "offset": 0, "limit": 5000,
                          "counts": counts, "seq": shared.seq.load(Ordering::SeqCst)});
        return wire::response(200, "application/json", body.to_string().as_bytes());
    }
    if let Some(id) = route.strip_prefix("/jobs/") {
        if let Some(j) = lock(&shared.jobs).iter().find(|j| j["id"] == id) {
            return wire::response(200, "application/json", j.to_string().as_bytes());
        }
    }
    wire::error(404, "not served by the fake backend")
}

/// `hello`, then every pushed frame, until the client leaves; client frames are read and
/// dropped (subscriptions), a close is answered by closing.
async fn run_ws(shared: Arc<Shared>, stream: TcpStream, mut buf: Vec<u8>) {
    let mut rx = shared.frames.subscribe();
    let (mut read, mut write) = stream.into_split();
    let hello = json!({"type": "hello", "seq": shared.seq.load(Ordering::SeqCst),
                       "server_time": now_ms(), "heartbeat_ms": 60_000, "resumed": true});
    let mut out = Vec::new();
    wire::push_text_frame(&mut out, hello.to_string().as_bytes());
    if write.write_all(&out).await.is_err() {
        return;
    }
    shared.ws_open.fetch_add(1, Ordering::SeqCst);
    loop {
        tokio::select! {
            frame = wire::read_frame(&mut read, &mut buf) => match frame {
                Ok(Some(f)) if f.opcode != wire::OP_CLOSE => {}
                _ => break,
            },
            text = rx.recv() => match text {
                Ok(text) => {
                    let mut out = Vec::new();
                    wire::push_text_frame(&mut out, text.as_bytes());
                    if write.write_all(&out).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    shared.ws_open.fetch_sub(1, Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_have_the_contract_shape() {
        let j = job_json("job_1", "sales.csv", "running", 10, 3);
        let job: jobs_page::types::Job = serde_json::from_value(j).unwrap();
        assert_eq!(job.version, 3);
    }

    #[tokio::test]
    async fn serves_the_list_then_faults_in_order_and_records_paths() {
        let b = FakeBackend::start(vec![job_json("a", "x.csv", "queued", 0, 1)], 5)
            .await
            .unwrap();
        b.fail_jobs_with([Fault::proxy_502()]);
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let first = http
            .get(format!("{}/jobs", b.api_base()))
            .send()
            .await
            .unwrap();
        assert_eq!(first.status().as_u16(), 502);
        assert!(first.text().await.unwrap().contains("502 Bad Gateway"));
        let list: jobs_page::types::JobList = http
            .get(format!("{}/other/api/v1/jobs", b.origin()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!((list.items.len(), list.seq), (1, 5));
        assert_eq!(b.requests(), vec!["/api/v1/jobs", "/other/api/v1/jobs"]);
    }
}
