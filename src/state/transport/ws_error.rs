//! Why a WebSocket session ended, typed: the I/O loop classifies what the browser reports, the
//! core decides on the kind (a refusal goes down the sign-in path, the rest count as a lost
//! connection), and the user reads it in words (`Display`).

use thiserror::Error;

use crate::state::auth::is_refusal_close;

/// How a socket failed or ended.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum WsError {
    /// The browser would not open it (a bad URL, a blocked port); its own message.
    #[error("cannot open the WebSocket: {0}")]
    Open(String),
    /// The `error` event: the connection failed.
    #[error("connection lost (WebSocket connection failed)")]
    Failed,
    /// Closed with a code other than a refusal.
    #[error("connection lost (WebSocket Closed: code: {code}, reason: {reason})")]
    Closed { code: u16, reason: String },
    /// The server refused the token (close code 4401); `reason` is its word.
    #[error("the server refused the sign-in token ({reason})")]
    Refused { reason: String },
    /// Any other failure the browser reported (a send that failed), in its words.
    #[error("connection lost ({0})")]
    Other(String),
    /// The stream ended without a close event.
    #[error("connection closed")]
    Ended,
    /// Nothing arrived before the heartbeat deadline.
    #[error("no message from the server for {secs} s")]
    Silent { secs: i64 },
}

impl WsError {
    /// A close event: a refusal (4401) or an ordinary close.
    pub fn from_close(code: u16, reason: String) -> Self {
        if is_refusal_close(code) {
            WsError::Refused { reason }
        } else {
            WsError::Closed { code, reason }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_are_classified() {
        assert_eq!(
            WsError::from_close(4401, "token revoked".into()),
            WsError::Refused {
                reason: "token revoked".into()
            }
        );
        assert_eq!(
            WsError::from_close(1011, "boom".into()),
            WsError::Closed {
                code: 1011,
                reason: "boom".into()
            }
        );
    }

    #[test]
    fn reasons_read_as_before() {
        // The words the page showed when these were strings (gloo's own wording inside).
        assert_eq!(
            WsError::Failed.to_string(),
            "connection lost (WebSocket connection failed)"
        );
        assert_eq!(
            WsError::Closed {
                code: 1006,
                reason: String::new()
            }
            .to_string(),
            "connection lost (WebSocket Closed: code: 1006, reason: )"
        );
        assert_eq!(WsError::Ended.to_string(), "connection closed");
        assert_eq!(
            WsError::Silent { secs: 30 }.to_string(),
            "no message from the server for 30 s"
        );
        assert_eq!(
            WsError::Open("SyntaxError".into()).to_string(),
            "cannot open the WebSocket: SyntaxError"
        );
        assert_eq!(
            WsError::Other("send failed".into()).to_string(),
            "connection lost (send failed)"
        );
    }
}
