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

use serde_json::{json, Map, Value};
use thiserror::Error;

use crate::state::job_filter::JobFilter;
use crate::state::url::hash_query;
use crate::types::JobStatus;

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

/// The origin the page posts to: the framing parent's, when the config allows it. `None` when
/// standalone, when the parent is not allowed, or when its origin is opaque (`"null"` cannot
/// be a `postMessage` target, and `*` is never used).
pub fn post_target(
    config: &crate::state::config::Config,
    own_origin: &str,
    parent_origin: Option<&str>,
) -> Option<String> {
    let parent = parent_origin?;
    let usable = !parent.is_empty() && parent != "null";
    (usable && config.embedding_allowed(own_origin, Some(parent))).then(|| parent.to_string())
}

/// Whether a message event may be read at all: it must come from the parent window, from the
/// origin validated by [`post_target`] (which applied `allowed_parent_origins`).
pub fn accept_origin(
    target: Option<&str>,
    origin: &str,
    from_parent: bool,
) -> Result<(), Rejection> {
    let Some(target) = target else {
        return Err(Rejection::NoParent);
    };
    if origin != target {
        return Err(Rejection::Origin(truncate(origin, 100)));
    }
    if !from_parent {
        return Err(Rejection::NotFromParent);
    }
    Ok(())
}

/// Parses a host message from its JSON text (the browser side serialises `event.data`).
pub fn parse_host_message(text: &str) -> Result<HostMessage, Rejection> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(Rejection::TooLarge(text.len()));
    }
    let value: Value = serde_json::from_str(text).map_err(|_| Rejection::NotObject)?;
    parse_host_value(&value)
}

/// Validates a parsed host message.
pub fn parse_host_value(value: &Value) -> Result<HostMessage, Rejection> {
    let obj = value.as_object().ok_or(Rejection::NotObject)?;
    if obj.get("protocol").and_then(Value::as_str) != Some(PROTOCOL) {
        return Err(Rejection::NotProtocol);
    }
    if obj.get("version").and_then(Value::as_u64) != Some(PROTOCOL_VERSION) {
        return Err(Rejection::Version);
    }
    let kind = obj
        .get("type")
        .and_then(Value::as_str)
        .ok_or(Rejection::NoType)?;
    let body = Body { obj };
    match kind {
        "auth" => {
            body.exactly("auth", &["token"])?;
            let token = body.string("auth", "token", MAX_TOKEN_LEN, is_token_char)?;
            Ok(HostMessage::Auth { token })
        }
        "theme" => {
            body.exactly("theme", &["theme"])?;
            match obj.get("theme").and_then(Value::as_str) {
                Some("light") => Ok(HostMessage::Theme(Theme::Light)),
                Some("dark") => Ok(HostMessage::Theme(Theme::Dark)),
                _ => Err(shape("theme", "`theme` is not \"light\" or \"dark\"")),
            }
        }
        "filter" => {
            body.exactly("filter", &["dataset"])?;
            let dataset = match obj.get("dataset") {
                Some(Value::Null) => None,
                _ => Some(body.string("filter", "dataset", MAX_ID_LEN, is_id_char)?),
            };
            Ok(HostMessage::Filter { dataset })
        }
        "route" => {
            body.exactly("route", &["path"])?;
            let path = body.string("route", "path", MAX_PATH_LEN, |c| c == '/' || is_id_char(c))?;
            parse_route(&path)
                .map(HostMessage::Route)
                .ok_or_else(|| shape("route", "`path` is not /jobs or /jobs/<id>"))
        }
        "diagnostics_request" => {
            body.exactly("diagnostics_request", &[])?;
            Ok(HostMessage::DiagnosticsRequest)
        }
        other => Err(Rejection::UnknownType(truncate(other, 40))),
    }
}

/// `/jobs` or `/jobs/<id>` (one id segment of id characters).
pub fn parse_route(path: &str) -> Option<HostRoute> {
    let rest = path.strip_prefix("/jobs")?;
    if rest.is_empty() {
        return Some(HostRoute::Jobs);
    }
    let id = rest.strip_prefix('/')?;
    is_id(id).then(|| HostRoute::Job(id.to_string()))
}

/// Dataset and job ids: 1 to [`MAX_ID_LEN`] of `A-Z a-z 0-9 _ - . : ~` (safe in a URL path
/// and query without encoding).
pub fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_ID_LEN && s.chars().all(is_id_char)
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '~')
}

/// Visible ASCII: what an `Authorization: Bearer` value may hold without breaking the header.
fn is_token_char(c: char) -> bool {
    c.is_ascii_graphic()
}

/// The fields of a host message besides the envelope.
struct Body<'a> {
    obj: &'a Map<String, Value>,
}

impl Body<'_> {
    /// The message holds exactly `fields` besides `protocol`, `version` and `type`.
    fn exactly(&self, kind: &'static str, fields: &[&str]) -> Result<(), Rejection> {
        let envelope = ["protocol", "version", "type"];
        if let Some(extra) = self
            .obj
            .keys()
            .find(|k| !envelope.contains(&k.as_str()) && !fields.contains(&k.as_str()))
        {
            return Err(shape(
                kind,
                &format!("unknown field `{}`", truncate(extra, 40)),
            ));
        }
        match fields.iter().find(|f| !self.obj.contains_key(**f)) {
            Some(missing) => Err(shape(kind, &format!("`{missing}` is missing"))),
            None => Ok(()),
        }
    }

    /// A string field of 1 to `max` bytes, every character passing `ok`.
    fn string(
        &self,
        kind: &'static str,
        field: &str,
        max: usize,
        ok: impl Fn(char) -> bool,
    ) -> Result<String, Rejection> {
        let Some(s) = self.obj.get(field).and_then(Value::as_str) else {
            return Err(shape(kind, &format!("`{field}` is not a string")));
        };
        if s.is_empty() || s.len() > max {
            return Err(shape(
                kind,
                &format!("`{field}` is empty or longer than {max}"),
            ));
        }
        if !s.chars().all(ok) {
            return Err(shape(
                kind,
                &format!("`{field}` holds characters it may not"),
            ));
        }
        Ok(s.to_string())
    }
}

fn shape(kind: &'static str, reason: &str) -> Rejection {
    Rejection::Shape {
        kind,
        reason: reason.to_string(),
    }
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// The host's badge: jobs running and failed, by the server's status (what `GET /jobs`
/// counts), not by a pending action's optimistic one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub running: u64,
    pub failed: u64,
}

impl Summary {
    pub fn of(statuses: impl IntoIterator<Item = JobStatus>) -> Self {
        statuses
            .into_iter()
            .fold(Summary::default(), |mut s, status| {
                match status {
                    JobStatus::Running => s.running += 1,
                    JobStatus::Failed => s.failed += 1,
                    _ => {}
                }
                s
            })
    }
}

/// Content height in whole pixels (rounded up, so the host's iframe never needs a scrollbar).
pub fn height_px(measured: f64) -> u32 {
    if measured.is_finite() && measured > 0.0 {
        measured.ceil().min(u32::MAX as f64) as u32
    } else {
        0
    }
}

/// Remembers the last height sent, so only changes are posted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeightTracker {
    last: Option<u32>,
}

impl HeightTracker {
    /// The height to post for a new measurement, `None` when the host already has it.
    pub fn update(&mut self, measured: f64) -> Option<u32> {
        let px = height_px(measured);
        (self.last != Some(px)).then(|| {
            self.last = Some(px);
            px
        })
    }
}

/// The hash that shows the list with the host's dataset filter, keeping the list's other
/// filters (`list_href` is the list's last `#/jobs?…`). The filter lives in the URL like every
/// list filter, so the page reads it the same way.
pub fn filter_hash(list_href: &str, dataset: Option<&str>) -> String {
    let mut filter = JobFilter::from_query(hash_query(list_href));
    filter.dataset = dataset.map(str::to_string);
    let query = filter.to_query();
    if query.is_empty() {
        "#/jobs".to_string()
    } else {
        format!("#/jobs?{query}")
    }
}

/// The hash a host `route` leads to; the list keeps its last filters (`list_href`).
pub fn route_hash(route: &HostRoute, list_href: &str) -> String {
    match route {
        HostRoute::Jobs if is_list_hash(list_href) => list_href.to_string(),
        HostRoute::Jobs => "#/jobs".to_string(),
        HostRoute::Job(id) => format!("#/jobs/{id}"),
    }
}

/// Whether a location hash shows the list (`#/jobs`, with or without a query): only then does
/// the list re-read its filters from the URL.
pub fn is_list_hash(hash: &str) -> bool {
    let path = hash.split_once('?').map_or(hash, |(p, _)| p);
    matches!(path, "#/jobs" | "#/jobs/")
}

#[cfg(test)]
mod tests;
