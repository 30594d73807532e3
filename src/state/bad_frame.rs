//! What the console says about a WebSocket frame the page could not read.
//!
//! Frames come from a server nobody vetted (or a proxy in between): each one that cannot be
//! read gets exactly one log line, decided here so the rule is tested natively, and written by
//! `services::live`. The line names why (`malformed`, `unknown_type`, `too_large`), the size,
//! and the first [`HEAD_CHARS`] characters of the frame, never more, so a hostile frame of a
//! megabyte cannot flood the console.

use serde_json::{json, Value};

use crate::state::log_format::Level;
use crate::types::ws::DecodeError;

/// Characters of a bad frame quoted in its log line.
pub const HEAD_CHARS: usize = 120;

/// One console line (`[jobs] WARN live: … {fields}`).
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    pub level: Level,
    pub area: &'static str,
    pub message: &'static str,
    pub fields: Value,
}

/// The line for a frame that [`ServerMessage::decode`](crate::types::ServerMessage::decode)
/// refused with `err`. The frame itself is skipped: nothing else changes.
pub fn bad_frame_log(text: &str, err: &DecodeError) -> LogEntry {
    let head: String = text.chars().take(HEAD_CHARS).collect();
    LogEntry {
        level: Level::Warn,
        area: "live",
        message: "skipping an unreadable frame",
        fields: json!({
            "reason": err.kind(),
            "error": err.to_string(),
            "bytes": text.len(),
            "head": head,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::log_format::format_line;
    use crate::types::ServerMessage;

    fn entry(text: &str) -> LogEntry {
        let err = ServerMessage::decode(text).unwrap_err();
        bad_frame_log(text, &err)
    }

    #[test]
    fn names_the_reason_and_quotes_the_start() {
        let e = entry(r#"{"type":"job.exploded","x":1}"#);
        assert_eq!(e.level, Level::Warn);
        assert_eq!(e.fields["reason"], "unknown_type");
        assert_eq!(e.fields["error"], "unknown frame type \"job.exploded\"");
        assert_eq!(e.fields["head"], r#"{"type":"job.exploded","x":1}"#);
        let line = format_line(e.level, e.area, e.message, &e.fields);
        assert!(
            line.starts_with("[jobs] WARN live: skipping an unreadable frame {"),
            "{line}"
        );
        let e = entry(r#"{"type":"heartbeat","seq":1"#);
        assert_eq!(e.fields["reason"], "malformed");
    }

    #[test]
    fn a_huge_frame_is_quoted_only_by_its_head() {
        let text = format!("{}{}", "é", "x".repeat(crate::types::ws::MAX_FRAME_BYTES));
        let e = entry(&text);
        assert_eq!(e.fields["reason"], "too_large");
        assert_eq!(e.fields["bytes"], text.len());
        let head = e.fields["head"].as_str().unwrap();
        assert_eq!(head.chars().count(), HEAD_CHARS);
        assert!(head.starts_with('é'), "cut on a character boundary");
        let line = format_line(e.level, e.area, e.message, &e.fields);
        assert!(line.len() < 400, "{}", line.len());
    }
}
