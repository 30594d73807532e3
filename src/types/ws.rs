//! WebSocket frames, both directions, tagged by `type`.

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

/// A frame to the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    SubscribeLogs { job_id: String, after_line: u64 },
    UnsubscribeLogs { job_id: String },
}

#[cfg(test)]
mod tests {
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
