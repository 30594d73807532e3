//! The embedding protocol between the page and the shell that frames it (`docs/embedding.md`):
//! message shapes, their validation, and the decisions around them (whom to talk to, what the
//! badge counts, which URL a host request leads to). Pure: the browser side is
//! `services/host.rs`.
//!
//! Every message is a JSON object `{"protocol": "jobs-page", "version": 1, "type": …, …}`.
//! Host messages are checked field by field (exact key sets, bounded strings, known types,
//! version 1 only) because they come from another origin; anything else is rejected with a
//! [`Rejection`] that names the rule, never the rejected values (a token must not reach the
//! console).
//!
//! This module holds the messages themselves (shapes, the envelope, [`Rejection`]); the
//! decisions are submodules: validation (`parse`), whom to talk to (`origin`), what the page
//! reports (`reports`) and which URL a host request leads to (`navigation`).

use serde_json::{json, Map, Value};
use thiserror::Error;

/// The `protocol` field of every message.
pub const PROTOCOL: &str = "jobs-page";
/// The only version this build speaks; a change of any shape bumps it.
pub const PROTOCOL_VERSION: u64 = 1;
/// Larger host messages are not parsed at all (the longest legal one is a token).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Longest accepted bearer token.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;
/// Longest accepted dataset or job id.
pub const MAX_ID_LEN: usize = 128;
/// Longest `route.path`.
pub const MAX_PATH_LEN: usize = 6 + MAX_ID_LEN;
/// Longest `error.message` the page sends (the rest stays in the crash fallback's details).
pub const MAX_ERROR_LEN: usize = 2000;

/// Colour scheme the host asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// A screen the host may ask the page to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostRoute {
    /// `/jobs`: the list (with the list's current filters).
    Jobs,
    /// `/jobs/<id>`: one job.
    Job(String),
}

/// A validated message from the host.
#[derive(Clone, PartialEq, Eq)]
pub enum HostMessage {
    /// A bearer token (first one or a refresh).
    Auth {
        token: String,
    },
    Theme(Theme),
    /// Show the list filtered to one dataset, or to all datasets (`None`).
    Filter {
        dataset: Option<String>,
    },
    Route(HostRoute),
    /// Answer with a `diagnostics` message.
    DiagnosticsRequest,
}

// By hand, so a token never reaches a log line through `{:?}`.
impl std::fmt::Debug for HostMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostMessage::Auth { token } => write!(f, "Auth {{ token: <{} chars> }}", token.len()),
            HostMessage::Theme(t) => write!(f, "Theme({t:?})"),
            HostMessage::Filter { dataset } => write!(f, "Filter {{ dataset: {dataset:?} }}"),
            HostMessage::Route(r) => write!(f, "Route({r:?})"),
            HostMessage::DiagnosticsRequest => write!(f, "DiagnosticsRequest"),
        }
    }
}

impl HostMessage {
    /// The wire `type`, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            HostMessage::Auth { .. } => "auth",
            HostMessage::Theme(_) => "theme",
            HostMessage::Filter { .. } => "filter",
            HostMessage::Route(_) => "route",
            HostMessage::DiagnosticsRequest => "diagnostics_request",
        }
    }
}

/// A message from the page to the host. There is deliberately no variant that could carry the
/// token: the page cannot send it back by construction.
#[derive(Clone, Debug, PartialEq)]
pub enum PageMessage {
    /// Sent once, when the page listens for host messages.
    Ready { app_version: String },
    /// The document's content height, whenever it changes.
    Height { px: u32 },
    /// The counts for the host's badge, whenever they change.
    Summary(Summary),
    /// Open a dataset in the host's Dataset Explorer.
    NavigateDataset { dataset_id: String },
    /// Open a job's page in a new tab (the host knows its own URL for it).
    NavigateJob { job_id: String },
    /// The crash fallback is showing.
    Error { message: String },
    /// The token was refused or is missing: please send a fresh `auth`.
    TokenRequest,
    /// Answer to `diagnostics_request`.
    Diagnostics { snapshot: Value },
}

impl PageMessage {
    /// The wire `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            PageMessage::Ready { .. } => "ready",
            PageMessage::Height { .. } => "height",
            PageMessage::Summary(_) => "summary",
            PageMessage::NavigateDataset { .. } | PageMessage::NavigateJob { .. } => "navigate",
            PageMessage::Error { .. } => "error",
            PageMessage::TokenRequest => "token_request",
            PageMessage::Diagnostics { .. } => "diagnostics",
        }
    }

    /// The message as posted: the envelope plus the type's own fields.
    pub fn to_json(&self) -> Value {
        let fields = match self {
            PageMessage::Ready { app_version } => json!({
                "app_version": app_version,
                "protocol_version": PROTOCOL_VERSION,
            }),
            PageMessage::Height { px } => json!({ "px": px }),
            PageMessage::Summary(s) => json!({ "running": s.running, "failed": s.failed }),
            PageMessage::NavigateDataset { dataset_id } => {
                json!({ "target": "dataset", "dataset_id": dataset_id })
            }
            PageMessage::NavigateJob { job_id } => {
                json!({ "target": "job", "job_id": job_id, "new_tab": true })
            }
            PageMessage::Error { message } => {
                json!({ "message": truncate(message, MAX_ERROR_LEN) })
            }
            PageMessage::TokenRequest => json!({}),
            PageMessage::Diagnostics { snapshot } => json!({ "snapshot": snapshot }),
        };
        let mut out = Map::new();
        out.insert("protocol".into(), PROTOCOL.into());
        out.insert("version".into(), PROTOCOL_VERSION.into());
        out.insert("type".into(), self.kind().into());
        if let Value::Object(fields) = fields {
            out.extend(fields);
        }
        Value::Object(out)
    }
}

/// Why a host message was ignored. The text names the rule that failed, never the values.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Rejection {
    #[error("the page is not framed by an allowed parent")]
    NoParent,
    #[error("not sent by the parent window")]
    NotFromParent,
    #[error("origin {0} is not the validated parent origin")]
    Origin(String),
    #[error("{0} bytes, more than {MAX_MESSAGE_BYTES}")]
    TooLarge(usize),
    #[error("not a JSON object")]
    NotObject,
    #[error("`protocol` is not \"{PROTOCOL}\"")]
    NotProtocol,
    #[error("`version` is not {PROTOCOL_VERSION}")]
    Version,
    #[error("`type` is missing or not a string")]
    NoType,
    #[error("unknown type `{0}`")]
    UnknownType(String),
    #[error("`{kind}`: {reason}")]
    Shape { kind: &'static str, reason: String },
}

/// At most `max` bytes of `s`, cut at a character boundary.
pub(super) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

mod navigation;
mod origin;
mod parse;
mod reports;

pub use navigation::{filter_hash, is_list_hash, route_hash};
pub use origin::{accept_origin, post_target};
pub use parse::{is_id, parse_host_message, parse_host_value, parse_route};
pub use reports::{height_px, HeightTracker, Summary};

#[cfg(test)]
mod tests;
