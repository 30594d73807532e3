//! What to do when the backend refuses the bearer token (HTTP 401, WebSocket close 4401), the
//! token's place in the WebSocket URL, and the words the user is shown. No I/O: the HTTP funnel
//! (`services::api`) and the live loop (`services::live`) ask these functions and do the rest.

use crate::state::url::encode_component;

/// The close code the backend sends when it refuses a WebSocket's token (docs/api.md,
/// "Authentication"). A refused handshake would look like any network failure in a browser, so
/// the server accepts the socket and closes it with this code instead.
pub const WS_CLOSE_UNAUTHORIZED: u16 = 4401;

/// How long to wait for the host to answer a token request before giving up.
pub const REFRESH_TIMEOUT_MS: u32 = 5_000;

/// The next step after the server refused the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// The token changed since the refused request was sent (another request already got a
    /// fresh one): try again with the current token, without asking the host.
    RetryWithCurrent,
    /// Ask the host for a fresh token once, then try again with it.
    Refresh,
    /// The one retry is spent: stop and tell the user.
    GiveUp,
}

/// One retry per failure: a request (or a WebSocket that has not yet been accepted) gets one
/// more try after a refusal, never a loop of token requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefreshBudget {
    spent: bool,
}

impl RefreshBudget {
    /// The server refused `sent`; `current` is the token held now.
    pub fn on_refused(&mut self, sent: Option<&str>, current: Option<&str>) -> Next {
        if self.spent {
            return Next::GiveUp;
        }
        self.spent = true;
        if current.is_some() && current != sent {
            Next::RetryWithCurrent
        } else {
            Next::Refresh
        }
    }

    /// The server accepted the token (a WebSocket got its hello, or the host sent a new token
    /// after the page gave up): a later refusal may refresh again.
    pub fn reset(&mut self) {
        self.spent = false;
    }

    /// Whether the retry was used up.
    pub fn spent(&self) -> bool {
        self.spent
    }
}

/// A WebSocket refused after staying up this long counts as a new failure (its token was revoked
/// while it was live), worth a new refresh. One refused sooner, or before its hello, does not: a
/// server that accepts and at once refuses must not make the page ask the host in a loop.
pub const WS_ACCEPTED_AFTER_MS: f64 = 2_000.0;

/// Whether a WebSocket refusal restores the retry (see [`WS_ACCEPTED_AFTER_MS`]); `live_ms` is
/// how long the socket was live, `None` if it never got its hello.
pub fn ws_refusal_is_new(live_ms: Option<f64>) -> bool {
    live_ms.is_some_and(|ms| ms >= WS_ACCEPTED_AFTER_MS)
}

/// Whether a refresh produced something worth retrying with (no token: the host did not answer
/// in time, or there is no host).
pub fn refreshed(token: Option<&str>) -> bool {
    token.is_some_and(|t| !t.is_empty())
}

/// Whether a WebSocket close code means "your token was refused".
pub fn is_refusal_close(code: u16) -> bool {
    code == WS_CLOSE_UNAUTHORIZED
}

/// The sentence shown when the server keeps refusing the token; `detail` is the server's own word.
pub fn unauthorized_message(detail: &str) -> String {
    let detail = detail.trim();
    let why = if detail.is_empty() {
        String::new()
    } else {
        format!(" (the server said: {detail})")
    };
    format!(
        "This session is not authorised to see jobs{why}. Reload the platform page or sign in again."
    )
}

/// `url` with `token=<url-encoded>` appended, when there is a token. Browsers cannot set an
/// `Authorization` header on a WebSocket, so the token travels in the query.
pub fn with_token(url: &str, token: Option<&str>) -> String {
    match token {
        Some(t) if !t.is_empty() => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}token={}", encode_component(t))
        }
        _ => url.to_string(),
    }
}

/// `text` with every occurrence of the token (raw or URL-encoded) masked, for messages that might
/// quote a URL (a browser error about the WebSocket URL, for instance).
pub fn redact(text: &str, token: Option<&str>) -> String {
    match token {
        Some(t) if !t.is_empty() => text.replace(&encode_component(t), "***").replace(t, "***"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_refresh_then_give_up() {
        let mut b = RefreshBudget::default();
        assert_eq!(b.on_refused(Some("t1"), Some("t1")), Next::Refresh);
        assert!(b.spent());
        assert_eq!(b.on_refused(Some("t2"), Some("t2")), Next::GiveUp);
        assert_eq!(b.on_refused(Some("t2"), Some("t3")), Next::GiveUp);
    }

    #[test]
    fn a_token_that_changed_meanwhile_is_used_without_asking_the_host() {
        let mut b = RefreshBudget::default();
        assert_eq!(b.on_refused(Some("t1"), Some("t2")), Next::RetryWithCurrent);
        // ...and that was the one retry
        assert_eq!(b.on_refused(Some("t2"), Some("t2")), Next::GiveUp);
        let mut b = RefreshBudget::default();
        assert_eq!(b.on_refused(None, Some("t1")), Next::RetryWithCurrent);
        let mut b = RefreshBudget::default();
        // no token at all (standalone page, backend in auth mode): ask; a host may answer
        assert_eq!(b.on_refused(None, None), Next::Refresh);
        let mut b = RefreshBudget::default();
        // the token was cleared: nothing to retry with but a fresh one
        assert_eq!(b.on_refused(Some("t1"), None), Next::Refresh);
    }

    #[test]
    fn acceptance_restores_the_retry() {
        let mut b = RefreshBudget::default();
        assert_eq!(b.on_refused(Some("t1"), Some("t1")), Next::Refresh);
        b.reset();
        assert!(!b.spent());
        assert_eq!(b.on_refused(Some("t2"), Some("t2")), Next::Refresh);
    }

    #[test]
    fn a_socket_refused_at_once_does_not_earn_a_new_refresh() {
        assert!(!ws_refusal_is_new(None));
        assert!(!ws_refusal_is_new(Some(0.0)));
        assert!(!ws_refusal_is_new(Some(WS_ACCEPTED_AFTER_MS - 1.0)));
        assert!(ws_refusal_is_new(Some(WS_ACCEPTED_AFTER_MS)));
        assert!(ws_refusal_is_new(Some(60_000.0)));
    }

    #[test]
    fn only_a_real_token_is_worth_a_retry() {
        assert!(refreshed(Some("t2")));
        assert!(!refreshed(Some("")));
        assert!(!refreshed(None));
    }

    #[test]
    fn only_4401_is_a_refusal() {
        assert!(is_refusal_close(4401));
        for code in [1000, 1006, 1011, 4400, 4403, 4001] {
            assert!(!is_refusal_close(code), "{code}");
        }
    }

    #[test]
    fn the_message_says_what_to_do_in_words() {
        let m = unauthorized_message("token revoked");
        assert_eq!(
            m,
            "This session is not authorised to see jobs (the server said: token revoked). \
             Reload the platform page or sign in again."
        );
        assert_eq!(
            unauthorized_message("  "),
            "This session is not authorised to see jobs. Reload the platform page or sign in again."
        );
    }

    #[test]
    fn the_token_goes_into_the_query_url_encoded() {
        assert_eq!(
            with_token("ws://h/api/v1/ws?after=5", Some("a b&c=d/é")),
            "ws://h/api/v1/ws?after=5&token=a%20b%26c%3Dd%2F%C3%A9"
        );
        assert_eq!(with_token("ws://h/ws", Some("t")), "ws://h/ws?token=t");
        assert_eq!(with_token("ws://h/ws?after=1", None), "ws://h/ws?after=1");
        assert_eq!(
            with_token("ws://h/ws?after=1", Some("")),
            "ws://h/ws?after=1"
        );
    }

    #[test]
    fn redaction_masks_raw_and_encoded_tokens() {
        let url = with_token("ws://h/ws?after=1", Some("s e/cret"));
        let msg = format!("cannot open {url} (token s e/cret)");
        let red = redact(&msg, Some("s e/cret"));
        assert!(!red.contains("cret"), "{red}");
        assert_eq!(red, "cannot open ws://h/ws?after=1&token=*** (token ***)");
        assert_eq!(redact("no token here", None), "no token here");
    }
}
