//! What a [`FaultProxy`](super::FaultProxy) does with a connection: the kinds a request head
//! tells apart, the rule per kind (forward, close, stall, a canned answer), latency and
//! bandwidth, and the record kept of each connection.

use std::time::{Duration, Instant};

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
    pub(super) fn rule(&self, kind: Kind) -> &Rule {
        match kind {
            Kind::Ws => &self.ws,
            _ => &self.http,
        }
    }
}
