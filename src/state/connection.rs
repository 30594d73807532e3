//! What the user is told about the link to the backend.

use serde_json::json;

use crate::state::bad_frame::LogEntry;
use crate::state::log_format::Level;

/// The transport's state, as shown by the connection indicator.
#[derive(Clone, Debug, PartialEq)]
pub enum Connection {
    /// First connection attempt since the page opened.
    Connecting,
    /// WebSocket up and in sync.
    Live,
    /// Lost; the next attempt is at `retry_at_ms` (epoch ms).
    Reconnecting {
        attempt: u32,
        retry_at_ms: i64,
        reason: String,
    },
    /// The WebSocket cannot be used; the page polls the HTTP API instead.
    Polling { reason: String },
    /// The browser reports no network.
    Offline { reason: String },
    /// The server refused the token even after one fresh token from the host; the transport
    /// waits for a new token (or a retry) instead of reconnecting. `reason` is the full sentence
    /// for the user (`state::auth::unauthorized_message`).
    Unauthorized { reason: String },
}

impl Connection {
    pub fn is_live(&self) -> bool {
        matches!(self, Connection::Live)
    }

    /// A short label: `live`, `reconnecting`, `polling`, `offline`, `connecting`, `unauthorised`.
    pub fn label(&self) -> &'static str {
        match self {
            Connection::Connecting => "connecting",
            Connection::Live => "live",
            Connection::Reconnecting { .. } => "reconnecting",
            Connection::Polling { .. } => "polling",
            Connection::Offline { .. } => "offline",
            Connection::Unauthorized { .. } => "unauthorised",
        }
    }

    /// A sentence for the indicator, e.g. "Reconnecting (attempt 3), next try in 4 s: ...".
    pub fn describe(&self, now_ms: i64) -> String {
        match self {
            Connection::Connecting => "Connecting to the server…".into(),
            Connection::Live => "Live: updates arrive as they happen.".into(),
            Connection::Reconnecting {
                attempt,
                retry_at_ms,
                reason,
            } => {
                let secs = ((retry_at_ms - now_ms).max(0) as f64 / 1000.0).ceil() as i64;
                format!("Reconnecting (attempt {attempt}), next try in {secs} s. {reason}")
            }
            Connection::Polling { reason } => {
                format!("Live updates unavailable; refreshing periodically. {reason}")
            }
            Connection::Offline { reason } => format!("Offline. {reason}"),
            Connection::Unauthorized { reason } => reason.clone(),
        }
    }

    /// The console line for a change to this state, with the reason and the backoff delay.
    pub fn log_entry(&self, delay_ms: Option<u64>) -> LogEntry {
        let (level, message, fields) = match self {
            Connection::Connecting => (Level::Info, "connecting", json!(null)),
            Connection::Live => (Level::Info, "live", json!(null)),
            Connection::Reconnecting {
                attempt, reason, ..
            } => (
                Level::Warn,
                "reconnecting",
                json!({"reason": reason, "attempt": attempt, "delay_ms": delay_ms}),
            ),
            Connection::Polling { reason } => (Level::Warn, "polling", json!({"reason": reason})),
            Connection::Offline { reason } => (
                Level::Warn,
                "offline",
                json!({"reason": reason, "delay_ms": delay_ms}),
            ),
            Connection::Unauthorized { reason } => {
                (Level::Error, "unauthorised", json!({"reason": reason}))
            }
        };
        LogEntry {
            level,
            area: "live",
            message,
            fields,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnecting_counts_down_in_whole_seconds() {
        let c = Connection::Reconnecting {
            attempt: 3,
            retry_at_ms: 10_500,
            reason: "connection closed".into(),
        };
        assert_eq!(
            c.describe(7_000),
            "Reconnecting (attempt 3), next try in 4 s. connection closed"
        );
        assert_eq!(c.label(), "reconnecting");
        assert!(!c.is_live());
        assert!(c.describe(20_000).contains("next try in 0 s"));
    }

    #[test]
    fn changes_are_logged_with_reason_and_delay() {
        let c = Connection::Reconnecting {
            attempt: 2,
            retry_at_ms: 0,
            reason: "connection closed".into(),
        };
        let e = c.log_entry(Some(1_500));
        assert_eq!(
            (e.level, e.area, e.message),
            (Level::Warn, "live", "reconnecting")
        );
        assert_eq!(
            e.fields,
            json!({"reason": "connection closed", "attempt": 2, "delay_ms": 1500})
        );
        let e = Connection::Live.log_entry(None);
        assert_eq!((e.level, e.message), (Level::Info, "live"));
        let e = Connection::Unauthorized {
            reason: "no".into(),
        }
        .log_entry(None);
        assert_eq!((e.level, e.message), (Level::Error, "unauthorised"));
        let e = Connection::Offline { reason: "x".into() }.log_entry(Some(3));
        assert_eq!(e.fields, json!({"reason": "x", "delay_ms": 3}));
    }

    #[test]
    fn unauthorised_says_so_in_words() {
        let c = Connection::Unauthorized {
            reason: crate::state::auth::unauthorized_message("token revoked"),
        };
        assert_eq!(c.label(), "unauthorised");
        assert!(!c.is_live());
        let text = c.describe(0);
        assert!(text.contains("not authorised"), "{text}");
        assert!(
            text.contains("Reload the platform page or sign in again"),
            "{text}"
        );
    }
}
