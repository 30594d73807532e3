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
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::live_view::epoch_ms;
use crate::netfault::bind_retrying;
use crate::stack::Stack;

/// At most this many attempts are kept (later ones are counted in `dropped`, not stored).
const MAX_RECORDS: usize = 100_000;
/// A request head larger than this is not HTTP the app sends: the connection is closed.
const MAX_HEAD: usize = 64 * 1024;
/// Chunks in flight per direction of a relayed connection (16 KiB each at most).
const PIPE_CHUNKS: usize = 64;

/// What a connection turned out to be, from its request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `GET` with `Upgrade: websocket`.
    Ws,
    /// Any other HTTP request.
    Http,
    /// Closed (or cut) before sending a whole request head (e.g. a browser's preconnect).
    Silent,
}

/// What the proxy did with a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Forwarded,
    Closed,
    Stalled,
    Answered(u16),
    /// Forwarding was wanted but the upstream refused the connection; the client was closed.
    UpstreamDown,
}

/// One connection the proxy accepted.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Accept order, from 0.
    pub id: u64,
    /// When its request head was complete (or it closed without one).
    pub at: Instant,
    /// The same instant as epoch ms (the browser's `Date.now()` clock).
    pub at_ms: i64,
    pub kind: Kind,
    /// `GET`, `POST`, … (empty for [`Kind::Silent`]).
    pub method: String,
    /// The request target, query included (`/api/v1/ws?after=12`).
    pub target: String,
    pub action: Action,
}

/// An answer the proxy gives instead of the upstream's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canned {
    pub status: u16,
    /// A reverse proxy's HTML error page instead of a JSON `{"detail": …}` body.
    pub html: bool,
    /// Echo the request's `Origin` in `Access-Control-Allow-Origin` (a proxy that adds CORS
    /// headers to its own errors); without it the browser sees a network error, not the status.
    pub cors: bool,
}

/// What happens to a new connection of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Forward,
    /// Close it at once, after reading the request head.
    Close,
    /// Keep it open, forward nothing, send nothing, until the client closes it or it is cut.
    Stall,
    Answer(Canned),
}

/// The proxy's settings; [`Policy::default`] is pass-through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub http: Rule,
    pub ws: Rule,
    /// Added to every forwarded chunk, each direction.
    pub latency: Duration,
    /// Bytes per second per direction of each connection; `None`: unlimited.
    pub bytes_per_sec: Option<u64>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            http: Rule::Forward,
            ws: Rule::Forward,
            latency: Duration::ZERO,
            bytes_per_sec: None,
        }
    }
}

impl Policy {
    fn rule(&self, kind: Kind) -> &Rule {
        match kind {
            Kind::Ws => &self.ws,
            _ => &self.http,
        }
    }
}

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
    accept: JoinHandle<()>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
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
        let conns: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = tokio::spawn(accept_loop(listener, port, shared.clone(), conns.clone()));
        Ok(Self {
            port,
            shared,
            accept,
            conns,
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

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        for c in self
            .conns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            c.abort();
        }
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

async fn accept_loop(
    listener: TcpListener,
    port: u16,
    shared: Arc<Shared>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
) {
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
                let task = tokio::spawn(handle(shared.clone(), id, stream));
                let mut all = conns.lock().unwrap_or_else(|p| p.into_inner());
                all.retain(|h| !h.is_finished());
                all.push(task);
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

/// Reads until the end of the request head; `(head, bytes read past it)`, or `None` if the
/// client closed first or sent something too big to be a head.
async fn read_head(client: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some((buf, rest));
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
    }
}

/// What the proxy needs from a request head.
#[derive(Debug, Default, PartialEq, Eq)]
struct Request {
    method: String,
    target: String,
    websocket: bool,
    origin: Option<String>,
}

impl Request {
    fn parse(head: &[u8]) -> Self {
        let text = String::from_utf8_lossy(head);
        let mut lines = text.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split(' ');
        let mut req = Request {
            method: first.next().unwrap_or_default().to_string(),
            target: first.next().unwrap_or_default().to_string(),
            ..Request::default()
        };
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
            if name == "upgrade" && value.eq_ignore_ascii_case("websocket") {
                req.websocket = true;
            } else if name == "origin" {
                req.origin = Some(value.to_string());
            }
        }
        req
    }
}

/// The head with its `Connection`/`Keep-Alive` headers replaced by `Connection: close`.
fn force_close(head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut out = String::with_capacity(text.len() + 20);
    for line in text.trim_end_matches("\r\n").split("\r\n") {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("connection") || name.eq_ignore_ascii_case("keep-alive") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

fn reason(status: u16) -> &'static str {
    match status {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// A whole HTTP response for `canned`, closing the connection.
fn canned_response(canned: &Canned, origin: Option<&str>) -> Vec<u8> {
    let status = canned.status;
    let (ctype, body) = if canned.html {
        (
            "text/html",
            format!(
                "<html>\r\n<head><title>{status} {r}</title></head>\r\n<body>\r\n<center><h1>{status} {r}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                r = reason(status)
            ),
        )
    } else {
        (
            "application/json",
            format!("{{\"detail\":\"{}\"}}", reason(status)),
        )
    };
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    if let (true, Some(origin)) = (canned.cors, origin) {
        head.push_str(&format!(
            "Access-Control-Allow-Origin: {origin}\r\nVary: Origin\r\n"
        ));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// Reads and throws away until EOF or an error.
async fn discard<R: AsyncRead + Unpin>(r: &mut R) {
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = r.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

/// One direction of a relayed connection: a reader that stamps chunks and a writer that sends
/// each `latency` after it was read, paced to the bandwidth limit. Once the connection is
/// frozen, chunks are read and dropped (so a client's close is still seen).
async fn pipe<R, W>(mut r: R, mut w: W, shared: Arc<Shared>, kind: Kind, id: u64)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(PIPE_CHUNKS);
    let marks = shared.marks.subscribe();
    let frozen = move || marks.borrow().frozen(kind, id);
    let is_frozen = frozen.clone();
    let reader = async move {
        loop {
            let mut buf = vec![0u8; 16 * 1024];
            let n = match r.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if is_frozen() {
                continue;
            }
            buf.truncate(n);
            if tx.send((Instant::now(), buf)).await.is_err() {
                break;
            }
        }
    };
    let writer = async move {
        let mut next_free = Instant::now();
        while let Some((read_at, buf)) = rx.recv().await {
            let policy = shared.policy();
            tokio::time::sleep_until((read_at + policy.latency).into()).await;
            if frozen() {
                continue;
            }
            let Some(rate) = policy.bytes_per_sec.filter(|r| *r > 0) else {
                if w.write_all(&buf).await.is_err() {
                    return;
                }
                continue;
            };
            // 50 slices a second at most, so a throttled stream still trickles.
            for slice in buf.chunks(((rate / 50) as usize).max(256)) {
                next_free = next_free.max(Instant::now());
                tokio::time::sleep_until(next_free.into()).await;
                if w.write_all(slice).await.is_err() {
                    return;
                }
                next_free += Duration::from_secs_f64(slice.len() as f64 / rate as f64);
            }
        }
        let _ = w.shutdown().await;
    };
    tokio::join!(reader, writer);
}

#[cfg(test)]
mod tests;
