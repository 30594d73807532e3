//! Validating a host message: the envelope, then each type's exact key set, bounded strings
//! and allowed characters. A failure names the rule ([`Rejection`]), never the values.

use serde_json::{Map, Value};

use super::{
    truncate, HostMessage, HostRoute, Rejection, Theme, MAX_ID_LEN, MAX_MESSAGE_BYTES,
    MAX_PATH_LEN, MAX_TOKEN_LEN, PROTOCOL, PROTOCOL_VERSION,
};

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
