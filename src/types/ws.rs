//! WebSocket frames, both directions, tagged by `type`.
//!
//! Server frames are decoded with [`ServerMessage::decode`], not the derived `Deserialize`: an
//! internally tagged enum makes serde buffer the whole frame into an intermediate tree before
//! it knows which variant to build, which doubled the cost of every `job.updated` frame (the
//! full job, about 1.5 KB). The backend writes `type` first, so `decode` reads it from the front
//! of the text and parses the rest straight into that variant's fields; a frame with `type`
//! elsewhere takes one cheap extra pass that skips everything but `type`. The derived impl stays
//! for the contract test, which checks both read the backend's frames alike.
//!
//! Frames are untrusted input: a frame over [`MAX_FRAME_BYTES`] is refused before any JSON is
//! parsed, and every refusal is a [`DecodeError`], never a panic (property tests in
//! `ws/fuzz_tests.rs`).

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::job::{Job, Millis};
use super::log::LogLine;
use super::metric::MetricSample;
use super::queue::QueueStatus;

/// A frame from the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ServerMessage {
    #[serde(rename = "hello")]
    Hello {
        seq: u64,
        server_time: Millis,
        heartbeat_ms: u64,
        resumed: bool,
    },
    #[serde(rename = "resync_required")]
    ResyncRequired { seq: u64, reason: String },
    #[serde(rename = "job.created")]
    JobCreated { seq: u64, prev_seq: u64, job: Job },
    #[serde(rename = "job.updated")]
    JobUpdated { seq: u64, prev_seq: u64, job: Job },
    #[serde(rename = "metric")]
    Metric {
        seq: u64,
        prev_seq: u64,
        job_id: String,
        sample: MetricSample,
    },
    #[serde(rename = "log")]
    Log { job_id: String, line: LogLine },
    #[serde(rename = "heartbeat")]
    Heartbeat { seq: u64, server_time: Millis },
    #[serde(rename = "queue")]
    Queue { queue: QueueStatus },
    #[serde(rename = "error")]
    Error { detail: String },
}

/// The largest text frame this page decodes: 1 MiB.
///
/// The backend's WebSocket frames hold one job (about 1.5 KB; tens of KB with every attempt's
/// traceback), one metric sample, one log line (a job's `note` is at most 2,000 characters), a
/// queue status or a short error: far below this. Snapshot pages (up to 5,000 jobs, several MB)
/// come over HTTP (`services::api`, with its own limit), never over the WebSocket, so this
/// limit does not have to fit them. Checked on the text's length before any parsing.
pub const MAX_FRAME_BYTES: usize = 1 << 20;

/// Why a frame could not be read.
#[derive(Debug)]
pub enum DecodeError {
    /// Not JSON, truncated, or a known type with missing or mistyped fields.
    Json(serde_json::Error),
    /// Well-formed, but of a type this page does not know.
    UnknownType(String),
    /// Longer than [`MAX_FRAME_BYTES`]; not parsed at all.
    TooLarge { bytes: usize },
}

impl DecodeError {
    /// A short stable name of the failure, for logs and counters.
    pub fn kind(&self) -> &'static str {
        match self {
            DecodeError::Json(_) => "malformed",
            DecodeError::UnknownType(_) => "unknown_type",
            DecodeError::TooLarge { .. } => "too_large",
        }
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Json(e) => write!(f, "{e}"),
            DecodeError::UnknownType(t) => write!(f, "unknown frame type {t:?}"),
            DecodeError::TooLarge { bytes } => write!(
                f,
                "frame of {bytes} bytes is over the {MAX_FRAME_BYTES}-byte limit"
            ),
        }
    }
}

impl From<serde_json::Error> for DecodeError {
    fn from(e: serde_json::Error) -> Self {
        DecodeError::Json(e)
    }
}

/// The `type` of a frame written as `{"type": "<name>", ...}` (whitespace allowed, no escapes
/// in the name); `None` for any other layout.
pub fn leading_type(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix('{')?.trim_start();
    let rest = rest.strip_prefix("\"type\"")?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find(['"', '\\'])?;
    (rest.as_bytes()[end] == b'"').then(|| &rest[..end])
}

/// Only the `type` of a frame, everything else skipped unparsed into values.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow)]
    ty: Cow<'a, str>,
}

// One struct per variant: parsed directly from the frame's text (the `type` field is ignored
// as an unknown field).
#[derive(Deserialize)]
struct HelloFrame {
    seq: u64,
    server_time: Millis,
    heartbeat_ms: u64,
    resumed: bool,
}
#[derive(Deserialize)]
struct ResyncFrame {
    seq: u64,
    reason: String,
}
#[derive(Deserialize)]
struct JobFrame {
    seq: u64,
    prev_seq: u64,
    job: Job,
}
#[derive(Deserialize)]
struct MetricFrame {
    seq: u64,
    prev_seq: u64,
    job_id: String,
    sample: MetricSample,
}
#[derive(Deserialize)]
struct LogFrame {
    job_id: String,
    line: LogLine,
}
#[derive(Deserialize)]
struct HeartbeatFrame {
    seq: u64,
    server_time: Millis,
}
#[derive(Deserialize)]
struct QueueFrame {
    queue: QueueStatus,
}
#[derive(Deserialize)]
struct ErrorFrame {
    detail: String,
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    Ok(serde_json::from_str(text)?)
}

impl ServerMessage {
    /// Reads one text frame (see the module doc for why not `serde_json::from_str`).
    pub fn decode(text: &str) -> Result<ServerMessage, DecodeError> {
        if text.len() > MAX_FRAME_BYTES {
            return Err(DecodeError::TooLarge { bytes: text.len() });
        }
        let ty: Cow<'_, str> = match leading_type(text) {
            Some(t) => Cow::Borrowed(t),
            None => serde_json::from_str::<Head>(text)?.ty,
        };
        Ok(match &*ty {
            "job.updated" => {
                let f: JobFrame = parse(text)?;
                ServerMessage::JobUpdated {
                    seq: f.seq,
                    prev_seq: f.prev_seq,
                    job: f.job,
                }
            }
            "job.created" => {
                let f: JobFrame = parse(text)?;
                ServerMessage::JobCreated {
                    seq: f.seq,
                    prev_seq: f.prev_seq,
                    job: f.job,
                }
            }
            "metric" => {
                let f: MetricFrame = parse(text)?;
                ServerMessage::Metric {
                    seq: f.seq,
                    prev_seq: f.prev_seq,
                    job_id: f.job_id,
                    sample: f.sample,
                }
            }
            "log" => {
                let f: LogFrame = parse(text)?;
                ServerMessage::Log {
                    job_id: f.job_id,
                    line: f.line,
                }
            }
            "heartbeat" => {
                let f: HeartbeatFrame = parse(text)?;
                ServerMessage::Heartbeat {
                    seq: f.seq,
                    server_time: f.server_time,
                }
            }
            "hello" => {
                let f: HelloFrame = parse(text)?;
                ServerMessage::Hello {
                    seq: f.seq,
                    server_time: f.server_time,
                    heartbeat_ms: f.heartbeat_ms,
                    resumed: f.resumed,
                }
            }
            "resync_required" => {
                let f: ResyncFrame = parse(text)?;
                ServerMessage::ResyncRequired {
                    seq: f.seq,
                    reason: f.reason,
                }
            }
            "queue" => ServerMessage::Queue {
                queue: parse::<QueueFrame>(text)?.queue,
            },
            "error" => ServerMessage::Error {
                detail: parse::<ErrorFrame>(text)?.detail,
            },
            other => return Err(DecodeError::UnknownType(other.to_string())),
        })
    }
}

/// A frame to the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    SubscribeLogs { job_id: String, after_line: u64 },
    UnsubscribeLogs { job_id: String },
}

#[cfg(test)]
mod fuzz_tests;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn hello_and_heartbeat_decode() {
        let m: ServerMessage = serde_json::from_str(
            r#"{"type":"hello","seq":7,"server_time":1,"heartbeat_ms":5000,"resumed":false}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            ServerMessage::Hello {
                seq: 7,
                server_time: 1,
                heartbeat_ms: 5000,
                resumed: false
            }
        );
        let m: ServerMessage =
            serde_json::from_str(r#"{"type":"heartbeat","seq":9,"server_time":2}"#).unwrap();
        assert!(matches!(m, ServerMessage::Heartbeat { seq: 9, .. }));
    }

    #[test]
    fn unknown_and_malformed_frames_are_errors_not_panics() {
        assert!(serde_json::from_str::<ServerMessage>(r#"{"type":"job.exploded"}"#).is_err());
        assert!(serde_json::from_str::<ServerMessage>(r#"{"type":"hello"}"#).is_err());
        assert!(serde_json::from_str::<ServerMessage>("not json").is_err());
    }

    pub(crate) fn sample_job() -> serde_json::Value {
        serde_json::to_value(crate::state::jobs_store::tests::job(
            "job_1",
            3,
            crate::types::JobStatus::Running,
            1,
            10,
        ))
        .unwrap()
    }

    /// Every variant, as the backend would write it.
    pub(crate) fn frames() -> Vec<serde_json::Value> {
        use serde_json::json;
        vec![
            json!({"type": "hello", "seq": 7, "server_time": 1, "heartbeat_ms": 5000, "resumed": true}),
            json!({"type": "resync_required", "seq": 3, "reason": "trimmed"}),
            json!({"type": "job.created", "seq": 8, "prev_seq": 7, "job": sample_job()}),
            json!({"type": "job.updated", "seq": 9, "prev_seq": 8, "job": sample_job()}),
            json!({"type": "metric", "seq": 10, "prev_seq": 9, "job_id": "job_1",
                   "sample": {"t": 5, "processed": 10, "total": 20, "rate": 1.5, "attempt": 1}}),
            json!({"type": "log", "job_id": "job_1",
                   "line": {"n": 4, "ts": 6, "level": "INFO", "attempt": 1, "text": "hi \"there\""}}),
            json!({"type": "heartbeat", "seq": 10, "server_time": 11}),
            json!({"type": "error", "detail": "bad frame"}),
        ]
    }

    #[test]
    fn decode_agrees_with_the_derived_reader_in_every_layout() {
        for v in frames() {
            let derived: ServerMessage = serde_json::from_value(v.clone()).unwrap();
            // Compact (type first), Python's default separators, and `type` last.
            let compact = serde_json::to_string(&v).unwrap();
            let spaced = compact.replacen("{\"type\":", "{ \"type\" :  ", 1);
            let mut obj = v.as_object().unwrap().clone();
            let ty = obj.remove("type").unwrap();
            obj.insert("type".into(), ty);
            let last = serde_json::to_string(&obj).unwrap();
            for text in [&compact, &spaced, &last] {
                let decoded = ServerMessage::decode(text).unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(decoded, derived, "{text}");
            }
        }
        // serde_json keeps insertion order, so the last layout really puts `type` last.
        assert!(leading_type(r#"{"seq": 1, "type": "hello"}"#).is_none());
    }

    #[test]
    fn leading_type_reads_only_a_plain_leading_name() {
        assert_eq!(
            leading_type(r#" { "type" : "job.updated", "x": 1}"#),
            Some("job.updated")
        );
        assert_eq!(leading_type(r#"{"type":"a\"b"}"#), None);
        assert_eq!(leading_type(r#"{"typed":"a"}"#), None);
        assert_eq!(leading_type(r#"{"type":"open"#), None);
        assert_eq!(leading_type("[1]"), None);
    }

    #[test]
    fn decode_refuses_unknown_and_malformed_frames() {
        assert!(matches!(
            ServerMessage::decode(r#"{"type":"job.exploded"}"#),
            Err(DecodeError::UnknownType(t)) if t == "job.exploded"
        ));
        assert!(ServerMessage::decode(r#"{"type":"hello"}"#).is_err());
        assert!(
            ServerMessage::decode(r#"{"type":"job.updated","seq":1,"prev_seq":0,"job":{}}"#)
                .is_err()
        );
        assert!(ServerMessage::decode("not json").is_err());
        assert!(ServerMessage::decode("").is_err());
        // A truncated frame is an error, even when its type reads fine.
        assert!(ServerMessage::decode(r#"{"type":"heartbeat","seq":1"#).is_err());
    }

    #[test]
    fn client_frames_use_contract_names() {
        let json = serde_json::to_value(ClientMessage::SubscribeLogs {
            job_id: "job_1".into(),
            after_line: 3,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "subscribe_logs", "job_id": "job_1", "after_line": 3})
        );
    }
}
