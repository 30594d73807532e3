//! What the user is told about the link to the backend.

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
