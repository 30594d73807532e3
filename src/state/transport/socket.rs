//! The core's socket session: opening it, every frame (routed by `frame`), the heartbeat
//! deadline, and how a session ends: a resync (with its guard), a lost connection (counted
//! towards the polling fallback; a stable one resets the backoff), or a refused token.

use super::frame::{self, Resync, Route};
use super::{set, Env, Input, Load, Phase, Session, Transport, WsError};
use super::{Command, HELLO_TIMEOUT_MS, RESYNC_GUARD_MS, STABLE_MS, WS_FAILURES_BEFORE_POLLING};
use crate::state::auth::{redact, ws_refusal_is_new};
use crate::state::connection::Connection;
use crate::state::heartbeat::Heartbeat;
use crate::types::{ClientMessage, ServerMessage};

impl Transport {
    /// Opens the socket, resuming after the position held (0 without one), with the token held
    /// now; the server has [`HELLO_TIMEOUT_MS`] to greet it.
    pub(super) fn open(&mut self, env: &impl Env, out: &mut Vec<Command>) {
        let token = env.token();
        out.push(Command::OpenSocket {
            after: self.seq().unwrap_or(0),
            token: token.clone(),
        });
        self.phase = Phase::Session(Session {
            hb: Heartbeat::new(HELLO_TIMEOUT_MS / 3, env.now_ms() as i64),
            live_since: None,
            sent: token,
        });
    }

    /// An input while the socket is open.
    pub(super) fn session(
        &mut self,
        mut s: Session,
        input: Input,
        env: &impl Env,
        out: &mut Vec<Command>,
    ) {
        let now = env.now_ms();
        match input {
            Input::Frame(text) => {
                s.hb.frame(now as i64);
                match frame::read(&text) {
                    Ok(msg) => return self.frame(s, msg, env, out),
                    Err(entry) => out.push(Command::Log(entry)),
                }
            }
            Input::BinaryFrame => out.push(Command::Warn("live: ignoring a binary frame".into())),
            Input::HeartbeatDue if s.hb.is_dead(now as i64) => {
                let secs = s.hb.deadline_ms / 1000;
                return self.ended(s, WsError::Silent { secs }, env, out);
            }
            Input::SocketEnded(e) => return self.ended(s, e, env, out),
            // Not for a session (or a heartbeat timer that fired early): nothing changes.
            _ => {}
        }
        self.phase = Phase::Session(s);
    }

    /// A decoded frame, routed by [`frame::route`].
    pub(super) fn frame(
        &mut self,
        mut s: Session,
        msg: ServerMessage,
        env: &impl Env,
        out: &mut Vec<Command>,
    ) {
        let mut tracker = self.tracker.unwrap_or_default();
        let route = frame::route(&mut tracker, &mut self.subs, msg);
        // Without a loaded position (a probe right after a refusal) the chain is not kept.
        if self.tracker.is_some() {
            self.tracker = Some(tracker);
        }
        match route {
            Route::Hello { heartbeat_ms } => {
                let now = env.now_ms();
                s.hb = Heartbeat::new(heartbeat_ms, now as i64);
                s.live_since = Some(now);
                self.ws_failures = 0;
                self.polling = None;
                set(out, Connection::Live, None);
                for (job_id, after_line) in self.subs.positions() {
                    out.push(Command::Send(ClientMessage::SubscribeLogs {
                        job_id,
                        after_line,
                    }));
                }
            }
            Route::Apply(event) => out.push(Command::Apply(event)),
            Route::Queue(queue) => out.push(Command::Queue(queue)),
            Route::Log { job_id, line } => out.push(Command::LogLine { job_id, line }),
            Route::ServerError(detail) => {
                out.push(Command::Warn(format!("live: server reported: {detail}")))
            }
            Route::Duplicate | Route::Nothing => {}
            Route::Resync(why) => {
                out.push(Command::Warn(why.to_string()));
                if let Resync::Required { behind, .. } = why {
                    self.reset_next = behind;
                }
                out.push(Command::CloseSocket);
                return self.resync(env, out);
            }
        }
        self.phase = Phase::Session(s);
    }

    /// The event chain broke or the server asked: reload the list, then reconnect.
    pub(super) fn resync(&mut self, env: &impl Env, out: &mut Vec<Command>) {
        out.push(Command::Resynced);
        self.tracker = None;
        self.polling = None;
        let now = env.now_ms();
        let again = now - self.last_resync_at < RESYNC_GUARD_MS;
        self.last_resync_at = now;
        if again {
            self.wait_before_retry("resynchronising with the server".into(), env, out);
        } else {
            self.top(env, out);
        }
    }

    /// The socket ended (or failed to open): count it, then poll, reconnect or sign in again.
    pub(super) fn ended(&mut self, s: Session, e: WsError, env: &impl Env, out: &mut Vec<Command>) {
        out.push(Command::CloseSocket);
        let live_ms = s.live_since.map(|t| env.now_ms() - t);
        let reason = match e {
            WsError::Refused { reason } => {
                if ws_refusal_is_new(live_ms) {
                    self.auth_budget.reset();
                }
                return self.refused(s.sent, reason, env, out);
            }
            // The browser's message may quote the URL, token included.
            WsError::Open(_) => redact(&e.to_string(), s.sent.as_deref()),
            e => e.to_string(),
        };
        match live_ms {
            Some(ms) => {
                self.ws_failures = 0;
                if ms >= STABLE_MS {
                    self.backoff.reset();
                }
            }
            None => self.ws_failures += 1,
        }
        if self.polling.is_some() {
            self.top(env, out); // still polling; probe again later
        } else if self.ws_failures >= WS_FAILURES_BEFORE_POLLING {
            // Is it only the WebSocket? If HTTP answers, poll instead.
            self.load(Load::Fallback { reason }, out);
        } else {
            self.wait_before_retry(reason, env, out);
        }
    }
}
