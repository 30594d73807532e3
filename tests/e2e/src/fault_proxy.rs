//! [`FaultProxy`]: a TCP proxy between the browser and the API that a test steers at run time,
//! to inject the faults a real network and a real reverse proxy produce: pass-through, cut every
//! open connection, refuse new ones (close at once, or stop listening), stall (accept and send
//! nothing; or freeze connections already open, mid-stream, sockets left open), latency,
//! throttled bandwidth, and canned HTTP error answers (500/502/503, a JSON body or a reverse
//! proxy's HTML error page).
//!
//! It reads each connection's request head first, so it tells a WebSocket upgrade from a plain
//! HTTP request and applies a rule per kind. HTTP requests are forwarded with
//! `Connection: close` (the upstream closes after answering), so every HTTP request is a
//! connection of its own and is seen, recorded and ruled on one by one. Every connection is
//! recorded ([`Attempt`]: when, kind, method, target, what the proxy did), which gives a test
//! the page's reconnect schedule and request rate.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::live_view::epoch_ms;
use crate::netfault::bind_retrying;
use crate::server_tasks::{Conns, ServerTasks};
use crate::stack::Stack;

mod http_head;
mod policy;
mod relay;
use http_head::{canned_response, force_close, read_head, Request};
pub use policy::*;
use relay::{discard, pipe};

/// At most this many attempts are kept (later ones are counted in `dropped`, not stored).
const MAX_RECORDS: usize = 100_000;

/// Connections with an id below a mark are cut / frozen (per kind).
#[derive(Debug, Clone, Copy, Default)]
struct Marks {
    cut_ws: u64,
    cut_http: u64,
    freeze_ws: u64,
    freeze_http: u64,
}

impl Marks {
    fn cut(&self, kind: Option<Kind>, id: u64) -> bool {
        match kind {
            Some(Kind::Ws) => id < self.cut_ws,
            Some(_) => id < self.cut_http,
            None => id < self.cut_ws.max(self.cut_http),
        }
    }

    fn frozen(&self, kind: Kind, id: u64) -> bool {
        match kind {
            Kind::Ws => id < self.freeze_ws,
            _ => id < self.freeze_http,
        }
    }
}

struct Shared {
    target: u16,
    policy: Mutex<Policy>,
    records: Mutex<Vec<Attempt>>,
    dropped: AtomicU64,
    next_id: AtomicU64,
    /// Open connections and their kind (`None` until the head is read). Bounded by what is open.
    open: Mutex<HashMap<u64, Option<Kind>>>,
    marks: watch::Sender<Marks>,
    listening: watch::Sender<bool>,
}

impl Shared {
    fn policy(&self) -> Policy {
        self.policy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn record(&self, a: Attempt) {
        let mut r = self.records.lock().unwrap_or_else(|p| p.into_inner());
        if r.len() < MAX_RECORDS {
            r.push(a);
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn set_kind(&self, id: u64, kind: Kind) {
        if let Some(k) = self
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&id)
        {
            *k = Some(kind);
        }
    }
}

/// Removes a connection from `open` when its handler ends, however it ends.
struct OpenGuard(Arc<Shared>, u64);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.1);
    }
}

/// A running fault proxy on `127.0.0.1:<port>`, relaying to `127.0.0.1:<target>`. Dropping it
/// closes the listener and every connection.
pub struct FaultProxy {
    port: u16,
    shared: Arc<Shared>,
    _tasks: ServerTasks,
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("port", &self.port)
            .field("target", &self.shared.target)
            .finish_non_exhaustive()
    }
}

impl FaultProxy {
    /// Listens on a free loopback port, passing everything through to `target`.
    pub async fn start(target: u16) -> Result<Self> {
        let port = crate::net::free_port()?;
        let listener = bind_retrying(port, Duration::from_secs(5)).await?;
        let shared = Arc::new(Shared {
            target,
            policy: Mutex::new(Policy::default()),
            records: Mutex::new(Vec::new()),
            dropped: AtomicU64::new(0),
            next_id: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
            marks: watch::channel(Marks::default()).0,
            listening: watch::channel(true).0,
        });
        let tasks = {
            let shared = shared.clone();
            ServerTasks::spawn(move |conns| accept_loop(listener, port, shared, conns))
        };
        Ok(Self {
            port,
            shared,
            _tasks: tasks,
        })
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Changes the policy (applies to new connections; latency and bandwidth also to chunks
    /// not yet forwarded on open ones).
    pub fn set(&self, change: impl FnOnce(&mut Policy)) {
        change(&mut self.shared.policy.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// Back to pass-through for new connections, listening (open frozen ones stay frozen).
    pub fn pass_through(&self) {
        self.set(|p| *p = Policy::default());
        self.set_listening(true);
    }

    /// Stops listening (new connections are refused by the kernel, and not recorded) or
    /// listens again on the same port.
    pub fn set_listening(&self, on: bool) {
        self.shared.listening.send_replace(on);
    }

    /// Cuts every connection open now (of `kind`, or all): both sockets are closed. Returns
    /// how many were open.
    pub fn cut(&self, kind: Option<Kind>) -> usize {
        let n = self.open_count(kind);
        let next = self.shared.next_id.load(Ordering::SeqCst);
        self.shared.marks.send_modify(|m| {
            if kind != Some(Kind::Http) {
                m.cut_ws = next;
            }
            if kind != Some(Kind::Ws) {
                m.cut_http = next;
            }
        });
        n
    }

    /// Freezes every connection open now (of `kind`, or all): from now on nothing is forwarded
    /// either way, but both sockets stay open (a silently dead path). Returns how many.
    pub fn freeze_open(&self, kind: Option<Kind>) -> usize {
        let n = self.open_count(kind);
        let next = self.shared.next_id.load(Ordering::SeqCst);
        self.shared.marks.send_modify(|m| {
            if kind != Some(Kind::Http) {
                m.freeze_ws = next;
            }
            if kind != Some(Kind::Ws) {
                m.freeze_http = next;
            }
        });
        n
    }

    /// Connections open now (of `kind`, or all).
    pub fn open_count(&self, kind: Option<Kind>) -> usize {
        let open = self.shared.open.lock().unwrap_or_else(|p| p.into_inner());
        open.values()
            .filter(|k| kind.is_none() || **k == kind)
            .count()
    }

    /// Every connection recorded so far, in accept order of their heads.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.shared
            .records
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Attempts of `kind` whose head arrived at or after `since_ms` (epoch ms).
    pub fn attempts_since(&self, kind: Kind, since_ms: i64) -> Vec<Attempt> {
        self.attempts()
            .into_iter()
            .filter(|a| a.kind == kind && a.at_ms >= since_ms)
            .collect()
    }

    /// Attempts not stored because [`MAX_RECORDS`] was reached.
    pub fn dropped_records(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }
}

/// Starts a [`FaultProxy`] in front of the stack's API and points the app's `config.json`
/// (`api_base`, `ws_url`) at it; pages opened afterwards talk to the API only through it.
pub async fn put_behind_proxy(stack: &mut Stack) -> Result<FaultProxy> {
    let proxy = FaultProxy::start(stack.api_port()).await?;
    let mut config = stack.app_config().clone();
    let map = config
        .as_object_mut()
        .ok_or_else(|| Error::msg("config.json is not an object"))?;
    let p = proxy.port();
    map.insert(
        "api_base".into(),
        Value::String(format!("http://127.0.0.1:{p}/api/v1")),
    );
    map.insert(
        "ws_url".into(),
        Value::String(format!("ws://127.0.0.1:{p}/api/v1/ws")),
    );
    stack.write_app_config(config)?;
    Ok(proxy)
}

async fn accept_loop(listener: TcpListener, port: u16, shared: Arc<Shared>, conns: Conns) {
    let mut listening = shared.listening.subscribe();
    let mut listener = Some(listener);
    loop {
        if !*listening.borrow_and_update() {
            listener = None;
            if listening.wait_for(|on| *on).await.is_err() {
                return;
            }
            continue;
        }
        let l = match &listener {
            Some(l) => l,
            None => match bind_retrying(port, Duration::from_secs(10)).await {
                Ok(l) => listener.insert(l),
                Err(e) => {
                    eprintln!("fault proxy: cannot listen again on {port}: {e}");
                    return;
                }
            },
        };
        tokio::select! {
            accepted = l.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
                shared.open.lock().unwrap_or_else(|p| p.into_inner()).insert(id, None);
                conns.spawn(handle(shared.clone(), id, stream));
            }
            _ = listening.changed() => {}
        }
    }
}

/// One accepted connection: read its head, apply the rule for its kind, record it.
async fn handle(shared: Arc<Shared>, id: u64, mut client: TcpStream) {
    let _open = OpenGuard(shared.clone(), id);
    let mut marks = shared.marks.subscribe();
    let head = tokio::select! {
        h = read_head(&mut client) => h,
        _ = marks.wait_for(|m| m.cut(None, id)) => None,
    };
    let attempt = |kind, method: &str, target: &str, action| Attempt {
        id,
        at: Instant::now(),
        at_ms: epoch_ms(),
        kind,
        method: method.to_string(),
        target: target.to_string(),
        action,
    };
    let Some((head, rest)) = head else {
        shared.record(attempt(Kind::Silent, "", "", Action::Closed));
        return;
    };
    let req = Request::parse(&head);
    let kind = if req.websocket { Kind::Ws } else { Kind::Http };
    shared.set_kind(id, kind);
    let record = |action| shared.record(attempt(kind, &req.method, &req.target, action));
    match shared.policy().rule(kind).clone() {
        Rule::Close => record(Action::Closed),
        Rule::Answer(canned) => {
            record(Action::Answered(canned.status));
            let _ = client
                .write_all(&canned_response(&canned, req.origin.as_deref()))
                .await;
            let _ = client.shutdown().await;
        }
        Rule::Stall => {
            record(Action::Stalled);
            let (mut r, _w) = client.into_split();
            tokio::select! {
                _ = discard(&mut r) => {},
                _ = marks.wait_for(|m| m.cut(Some(kind), id)) => {},
            }
        }
        Rule::Forward => {
            let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", shared.target)).await else {
                record(Action::UpstreamDown);
                return;
            };
            record(Action::Forwarded);
            let head = if kind == Kind::Http {
                force_close(&head)
            } else {
                head
            };
            // The head travels with the same one-way latency as every later chunk.
            tokio::time::sleep(shared.policy().latency).await;
            if upstream.write_all(&head).await.is_err() || upstream.write_all(&rest).await.is_err()
            {
                return;
            }
            let (cr, cw) = client.into_split();
            let (ur, uw) = upstream.into_split();
            let up = pipe(cr, uw, shared.clone(), kind, id);
            let down = pipe(ur, cw, shared.clone(), kind, id);
            tokio::select! {
                _ = async { tokio::join!(up, down) } => {},
                _ = marks.wait_for(|m| m.cut(Some(kind), id)) => {},
            }
        }
    }
}

#[cfg(test)]
mod tests;
