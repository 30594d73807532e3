//! The core's sign-in path: a refused WebSocket token gets one fresh token from the host (or
//! the one another request already got); past that, the user is told in words and the core
//! waits for a token instead of reconnecting in a loop.

use super::{set, Command, Env, Phase, Resume, Transport};
use crate::state::auth::{unauthorized_message, Next};
use crate::state::connection::Connection;

impl Transport {
    /// The WebSocket's token was refused: reconnect with a token another request already got,
    /// or ask the host for one once; else tell the user and wait.
    pub(super) fn refused(
        &mut self,
        sent: Option<String>,
        reason: String,
        env: &impl Env,
        out: &mut Vec<Command>,
    ) {
        let current = env.token();
        match self
            .auth_budget
            .on_refused(sent.as_deref(), current.as_deref())
        {
            Next::RetryWithCurrent => self.top(env, out),
            Next::Refresh => {
                let connection = Connection::Reconnecting {
                    attempt: 1,
                    retry_at_ms: env.now_ms() as i64,
                    reason:
                        "The server refused the sign-in token; asking the platform for a new one."
                            .into(),
                };
                set(out, connection, Some(0));
                out.push(Command::RefreshToken);
                self.phase = Phase::Refreshing { sent, reason };
            }
            Next::GiveUp => {
                self.unauthorised(unauthorized_message(&reason), sent, Resume::Top, env, out)
            }
        }
    }

    /// Says in words that the session is not authorised, and waits for a new token from the host
    /// (or a wake-up: retry now, back online, tab visible) instead of reconnecting in a loop.
    /// `refused` is the token the server refused.
    pub(super) fn unauthorised(
        &mut self,
        message: String,
        refused: Option<String>,
        then: Resume,
        env: &impl Env,
        out: &mut Vec<Command>,
    ) {
        set(
            out,
            Connection::Unauthorized {
                reason: message.clone(),
            },
            None,
        );
        out.push(Command::LoadFailed(message));
        // Start again from a snapshot: it also clears the message once a token works.
        self.tracker = None;
        let current = env.token();
        if current.is_some() && current != refused {
            self.auth_budget.reset();
            return self.resume(then, env, out);
        }
        out.push(Command::AwaitToken);
        self.phase = Phase::AwaitingToken(then);
    }
}
