//! The live transport's decisions, sans I/O: events in, commands out (the shape of quinn-proto
//! or h2's state machines). `services::live` performs the commands and feeds back what happened;
//! everything it decides (when to resync, when to fall back to polling and when to try the
//! WebSocket again, when to reset the backoff, what to do with each frame, the sign-in path) is
//! here and tested natively.
//!
//! WebSocket first (resume with `after=<seq>`, replay, heartbeat deadline), exponential backoff
//! with equal jitter between attempts (`state::backoff`), a snapshot over HTTP when the event
//! chain breaks or the server asks for a resync (at most one without a pause per
//! [`RESYNC_GUARD_MS`]), and HTTP polling after [`WS_FAILURES_BEFORE_POLLING`] WebSocket failures
//! while HTTP works, trying the WebSocket again every [`WS_PROBE_INTERVAL_MS`].

pub mod frame;
pub mod io;
mod sign_in;
mod socket;
pub mod subs;
pub mod ws_error;

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
pub(crate) mod tests;

pub use io::{Command, Control, Env, Input, SnapshotError};
pub use ws_error::WsError;

use crate::state::auth::{refreshed, unauthorized_message, RefreshBudget};
use crate::state::backoff::Backoff;
use crate::state::connection::Connection;
use crate::state::heartbeat::Heartbeat;
use crate::state::sequence::SeqTracker;
use crate::types::ClientMessage;
use subs::LogSubs;

/// A connection live this long resets the backoff.
pub const STABLE_MS: f64 = 10_000.0;
/// Deadline for the server's hello after opening.
pub const HELLO_TIMEOUT_MS: u64 = 10_000;
/// Consecutive WebSocket failures (while HTTP answers) before falling back to polling.
pub const WS_FAILURES_BEFORE_POLLING: u32 = 3;
/// Polling: the minimum interval between two polls (after a success).
pub const POLL_INTERVAL_MS: u64 = 3_000;
/// Polling: how often the WebSocket is tried again.
pub const WS_PROBE_INTERVAL_MS: f64 = 15_000.0;
/// A second resync sooner than this after the last one waits out a backoff delay first: a
/// server that keeps asking for resyncs must not make the page spin.
pub const RESYNC_GUARD_MS: f64 = 5_000.0;
/// Polling pauses this long at most while the tab is hidden (a visible tab wakes it).
pub const HIDDEN_POLL_PAUSE_MS: u64 = 60_000;
/// The longest [`Command::Wait`] the core asks for.
pub const MAX_WAIT_MS: u64 = HIDDEN_POLL_PAUSE_MS;

/// What a load of the list is for.
#[derive(Clone, Debug, PartialEq)]
enum Load {
    /// No position in the chain yet: load, then open the socket.
    Start,
    /// One polling round.
    PollRound,
    /// The WebSocket failed repeatedly: if HTTP answers, poll instead.
    Fallback { reason: String },
}

/// Where to go once a wait is over.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Resume {
    /// The top of the loop: poll, load or connect.
    Top,
    /// After a polling round: poll again, or try the WebSocket when due.
    AfterPollRound,
}

/// An open socket.
#[derive(Clone, Debug, PartialEq)]
struct Session {
    hb: Heartbeat,
    /// When the hello came; `None` before it.
    live_since: Option<f64>,
    /// The token it was opened with.
    sent: Option<String>,
}

/// What the core awaits.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    Loading(Load),
    PollingLogs,
    Session(Session),
    Waiting(Resume),
    AwaitingToken(Resume),
    Refreshing {
        sent: Option<String>,
        reason: String,
    },
    Finished,
}

/// The transport core.
#[derive(Clone, Debug)]
pub struct Transport {
    backoff: Backoff,
    poll_backoff: Backoff,
    /// Position in the event chain; `None` until a snapshot is loaded.
    tracker: Option<SeqTracker>,
    /// The next snapshot replaces everything (the backend lost its history).
    reset_next: bool,
    subs: LogSubs,
    ws_failures: u32,
    /// One fresh token per refusal of the WebSocket's token (see `state::auth`).
    auth_budget: RefreshBudget,
    /// `Some(reason)` while in the polling fallback.
    polling: Option<String>,
    next_probe_at: f64,
    last_resync_at: f64,
    /// A snapshot was applied once (later ones are not shown page by page).
    loaded_once: bool,
    phase: Phase,
}

impl Default for Transport {
    fn default() -> Self {
        Self {
            backoff: Backoff::default(),
            poll_backoff: Backoff::new(POLL_INTERVAL_MS as f64, 2.0, 30_000.0),
            tracker: None,
            reset_next: false,
            subs: LogSubs::default(),
            ws_failures: 0,
            auth_budget: RefreshBudget::default(),
            polling: None,
            next_probe_at: 0.0,
            last_resync_at: f64::NEG_INFINITY,
            loaded_once: false,
            phase: Phase::Idle,
        }
    }
}

impl Transport {
    /// The first commands: load the list.
    pub fn start(&mut self, env: &impl Env) -> Vec<Command> {
        let mut out = Vec::new();
        self.top(env, &mut out);
        out
    }

    /// What to do about `input`.
    pub fn handle(&mut self, input: Input, env: &impl Env) -> Vec<Command> {
        let mut out = Vec::new();
        let phase = std::mem::replace(&mut self.phase, Phase::Idle);
        match (phase, input) {
            (Phase::Finished, _) => self.phase = Phase::Finished,
            (phase, Input::Control(c)) => self.control(phase, c, env, &mut out),
            (Phase::Loading(load), Input::SnapshotLoaded { seq }) => {
                self.loaded(load, seq, env, &mut out)
            }
            (Phase::Loading(load), Input::SnapshotFailed(e)) => {
                self.load_failed(load, e, env, &mut out)
            }
            (Phase::PollingLogs, Input::LogsPolled) => {
                self.poll_backoff.reset();
                let reason = self.polling.clone().unwrap_or_default();
                set(&mut out, Connection::Polling { reason }, None);
                self.wait(POLL_INTERVAL_MS, Resume::AfterPollRound, &mut out);
            }
            (Phase::Session(s), input) => self.session(s, input, env, &mut out),
            (Phase::Waiting(r), Input::TimerFired) => self.resume(r, env, &mut out),
            (Phase::AwaitingToken(r), Input::TokenArrived) => {
                self.auth_budget.reset();
                self.resume(r, env, &mut out);
            }
            (Phase::Refreshing { sent, reason }, Input::TokenRefreshed(token)) => {
                if refreshed(token.as_deref()) {
                    self.top(env, &mut out);
                } else {
                    self.unauthorised(
                        unauthorized_message(&reason),
                        sent,
                        Resume::Top,
                        env,
                        &mut out,
                    );
                }
            }
            // A late answer for an operation that is over: nothing to do.
            (phase, _) => self.phase = phase,
        }
        out
    }

    /// The position in the event chain, once a snapshot is loaded.
    pub fn seq(&self) -> Option<u64> {
        self.tracker.map(|t| t.last())
    }

    /// Whether the WebSocket is replaced by polling.
    pub fn polling(&self) -> Option<&str> {
        self.polling.as_deref()
    }

    /// The reconnect backoff (its attempt count and bounds).
    pub fn backoff(&self) -> &Backoff {
        &self.backoff
    }

    /// The polling backoff (for failed polls).
    pub fn poll_backoff(&self) -> &Backoff {
        &self.poll_backoff
    }

    /// Consecutive WebSocket failures before a hello.
    pub fn ws_failures(&self) -> u32 {
        self.ws_failures
    }

    /// The log subscriptions (the I/O loop polls them and reports what it got).
    pub fn subs(&self) -> &LogSubs {
        &self.subs
    }

    pub fn subs_mut(&mut self) -> &mut LogSubs {
        &mut self.subs
    }

    /// Whether a socket is open (or being opened).
    pub fn in_session(&self) -> bool {
        matches!(self.phase, Phase::Session(_))
    }

    /// Milliseconds until the open socket counts as dead; `None` without one.
    pub fn heartbeat_remaining_ms(&self, now_ms: f64) -> Option<i64> {
        match &self.phase {
            Phase::Session(s) => Some(s.hb.remaining_ms(now_ms as i64)),
            _ => None,
        }
    }

    /// The loop's top: poll while polling, load the list without a position, else connect.
    fn top(&mut self, env: &impl Env, out: &mut Vec<Command>) {
        if let Some(reason) = self.polling.clone() {
            if env.tab_hidden() {
                let reason = format!("{reason}. Paused while the tab is hidden.");
                set(out, Connection::Polling { reason }, None);
                // Woken by visibilitychange; the long timeout only bounds the wait.
                self.wait(HIDDEN_POLL_PAUSE_MS, Resume::AfterPollRound, out);
            } else {
                self.load(Load::PollRound, out);
            }
        } else if self.tracker.is_none() {
            self.load(Load::Start, out);
        } else {
            self.open(env, out);
        }
    }

    fn resume(&mut self, r: Resume, env: &impl Env, out: &mut Vec<Command>) {
        match r {
            Resume::Top => self.top(env, out),
            Resume::AfterPollRound if env.now_ms() < self.next_probe_at => self.top(env, out),
            Resume::AfterPollRound => {
                self.next_probe_at = env.now_ms() + WS_PROBE_INTERVAL_MS;
                self.open(env, out);
            }
        }
    }

    fn load(&mut self, load: Load, out: &mut Vec<Command>) {
        out.push(Command::LoadSnapshot {
            reset: self.reset_next,
            early: !self.loaded_once,
        });
        self.phase = Phase::Loading(load);
    }

    fn loaded(&mut self, load: Load, seq: u64, env: &impl Env, out: &mut Vec<Command>) {
        self.reset_next = false;
        self.loaded_once = true;
        self.tracker = Some(SeqTracker::at(seq));
        match load {
            Load::Start => self.open(env, out),
            Load::PollRound => {
                out.push(Command::PollLogs);
                self.phase = Phase::PollingLogs;
            }
            Load::Fallback { reason } => {
                self.polling = Some(format!("WebSocket unavailable: {reason}"));
                self.next_probe_at = env.now_ms() + WS_PROBE_INTERVAL_MS;
                self.poll_backoff.reset();
                self.top(env, out);
            }
        }
    }

    fn load_failed(
        &mut self,
        load: Load,
        e: SnapshotError,
        env: &impl Env,
        out: &mut Vec<Command>,
    ) {
        let resume = match load {
            Load::Fallback { reason } => return self.wait_before_retry(reason, env, out),
            Load::Start => Resume::Top,
            Load::PollRound => Resume::AfterPollRound,
        };
        match e {
            // The HTTP funnel already tried one fresh token.
            SnapshotError::Unauthorized { detail } => {
                let refused = env.token();
                self.unauthorised(unauthorized_message(&detail), refused, resume, env, out);
            }
            SnapshotError::Failed { message } => {
                out.push(Command::LoadFailed(message.clone()));
                if resume == Resume::Top {
                    return self.wait_before_retry(message, env, out);
                }
                let delay = self
                    .poll_backoff
                    .next_delay_ms(env.unit_random())
                    .max(POLL_INTERVAL_MS);
                let connection = Connection::Reconnecting {
                    attempt: self.poll_backoff.attempt(),
                    retry_at_ms: (env.now_ms() + delay as f64) as i64,
                    reason: message,
                };
                set(out, connection, Some(delay));
                self.wait(delay, Resume::AfterPollRound, out);
            }
        }
    }

    /// Shows "reconnecting" (or "offline") and waits out the next backoff delay.
    fn wait_before_retry(&mut self, reason: String, env: &impl Env, out: &mut Vec<Command>) {
        let delay = self.backoff.next_delay_ms(env.unit_random());
        let connection = if env.offline() {
            Connection::Offline {
                reason: "The browser reports no network connection.".into(),
            }
        } else {
            Connection::Reconnecting {
                attempt: self.backoff.attempt(),
                retry_at_ms: (env.now_ms() + delay as f64) as i64,
                reason,
            }
        };
        set(out, connection, Some(delay));
        self.wait(delay, Resume::Top, out);
    }

    fn wait(&mut self, ms: u64, then: Resume, out: &mut Vec<Command>) {
        out.push(Command::Wait { ms });
        self.phase = Phase::Waiting(then);
    }

    fn control(&mut self, phase: Phase, c: Control, env: &impl Env, out: &mut Vec<Command>) {
        let live = matches!(&phase, Phase::Session(s) if s.live_since.is_some());
        match c {
            Control::Stop => {
                if matches!(phase, Phase::Session(_)) {
                    out.push(Command::CloseSocket);
                }
                out.push(Command::Finish);
                self.phase = Phase::Finished;
                return;
            }
            Control::Wake => match phase {
                Phase::Waiting(r) | Phase::AwaitingToken(r) => return self.resume(r, env, out),
                // Busy (loading, refreshing) or already connected: nothing to retry.
                _ => {}
            },
            Control::Subscribe { job_id, after_line } => {
                self.subs.subscribe(job_id.clone(), after_line);
                if live {
                    out.push(Command::Send(ClientMessage::SubscribeLogs {
                        job_id,
                        after_line,
                    }));
                }
            }
            Control::Unsubscribe { job_id } => {
                self.subs.unsubscribe(&job_id);
                if live {
                    out.push(Command::Send(ClientMessage::UnsubscribeLogs { job_id }));
                }
            }
        }
        self.phase = phase;
    }
}

fn set(out: &mut Vec<Command>, connection: Connection, delay_ms: Option<u64>) {
    out.push(Command::SetConnection {
        connection,
        delay_ms,
    });
}
