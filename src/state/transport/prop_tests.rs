//! Invariants of the transport core over any sequence of events: answers to what it awaits,
//! failures, frames of every kind, controls, the clock moving and the browser changing, and
//! stray inputs that answer nothing.
//!
//! After every input: at most one operation, and it comes last; an awaited operation is
//! replaced only when answered (or, in a session, when the core ends it); never two sockets,
//! and deliveries only on an open one; every wait in `[1, MAX_WAIT_MS]` ms; the backoffs stay
//! within their bounds; after a snapshot the position is the snapshot's; nothing after finish.

use proptest::prelude::*;
use serde_json::json;

use super::tests::FakeEnv;
use super::*;
use crate::state::jobs_store::tests::job;
use crate::types::JobStatus;

#[derive(Clone, Debug)]
enum Step {
    /// What the core awaits succeeds; a snapshot is `ahead` events past the last one.
    Succeed { ahead: u8 },
    /// It fails; `kind` picks how.
    Fail { kind: u8 },
    /// A frame; `kind` picks which.
    Frame { kind: u8 },
    /// A control from the page (stop is rare).
    Control { kind: u8 },
    /// The clock moves.
    Advance { ms: u32 },
    /// The browser changes.
    Flip {
        offline: bool,
        hidden: bool,
        token: u8,
    },
    /// Any input, whatever is awaited.
    Stray { kind: u8 },
    /// A new jitter value.
    Random { r: f64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => any::<u8>().prop_map(|ahead| Step::Succeed { ahead: ahead % 4 }),
        4 => any::<u8>().prop_map(|kind| Step::Fail { kind }),
        6 => any::<u8>().prop_map(|kind| Step::Frame { kind }),
        2 => any::<u8>().prop_map(|kind| Step::Control { kind }),
        3 => (0u32..40_000).prop_map(|ms| Step::Advance { ms }),
        1 => (any::<bool>(), any::<bool>(), any::<u8>())
            .prop_map(|(offline, hidden, token)| Step::Flip { offline, hidden, token }),
        2 => any::<u8>().prop_map(|kind| Step::Stray { kind }),
        1 => (0.0f64..1.0).prop_map(|r| Step::Random { r }),
    ]
}

/// The I/O loop's side, as the tests see it.
struct Harness {
    t: Transport,
    env: FakeEnv,
    /// The operation the core awaits.
    awaiting: Command,
    socket_open: bool,
    finished: bool,
    /// The server's position.
    server_seq: u64,
}

fn ws_error(kind: u8) -> WsError {
    match kind % 7 {
        0 => WsError::Ended,
        1 => WsError::Failed,
        2 => WsError::from_close(1011, "boom".into()),
        3 => WsError::from_close(4401, "refused".into()),
        4 => WsError::Open("blocked".into()),
        5 => WsError::Other("send failed".into()),
        _ => WsError::Silent { secs: 9 },
    }
}

impl Harness {
    fn new() -> Self {
        let mut h = Harness {
            t: Transport::default(),
            env: FakeEnv::default(),
            awaiting: Command::Finish,
            socket_open: false,
            finished: false,
            server_seq: 10,
        };
        let out = h.t.start(&h.env);
        h.check(&out, None, true).unwrap();
        h
    }

    fn input_for(&mut self, s: &Step) -> Option<Input> {
        let last = self.t.seq().unwrap_or(0);
        Some(match (s, &self.awaiting) {
            (Step::Succeed { ahead }, Command::LoadSnapshot { .. }) => {
                self.server_seq += u64::from(*ahead);
                Input::SnapshotLoaded {
                    seq: self.server_seq,
                }
            }
            (Step::Succeed { .. }, Command::PollLogs) => Input::LogsPolled,
            (Step::Succeed { .. }, Command::OpenSocket { .. }) => Input::Frame(
                json!({"type": "hello", "seq": 0, "server_time": 0, "heartbeat_ms": 5_000,
                       "resumed": true})
                .to_string(),
            ),
            (Step::Succeed { .. }, Command::Wait { .. }) => Input::TimerFired,
            (Step::Succeed { .. }, Command::AwaitToken) => Input::TokenArrived,
            (Step::Succeed { ahead }, Command::RefreshToken) => {
                let token = format!("fresh{ahead}");
                self.env.token = Some(token.clone());
                Input::TokenRefreshed(Some(token))
            }
            (Step::Fail { kind }, Command::LoadSnapshot { .. }) => {
                Input::SnapshotFailed(if kind % 3 == 0 {
                    SnapshotError::Unauthorized {
                        detail: "no".into(),
                    }
                } else {
                    SnapshotError::Failed {
                        message: "HTTP 502".into(),
                    }
                })
            }
            (Step::Fail { kind }, Command::OpenSocket { .. }) => {
                Input::SocketEnded(ws_error(*kind))
            }
            (Step::Fail { .. }, Command::RefreshToken) => Input::TokenRefreshed(None),
            (Step::Fail { .. }, _) => Input::Control(Control::Wake),
            (Step::Frame { kind }, _) => {
                let text = match kind % 9 {
                    0..=2 => json!({"type": "job.updated", "seq": last + 1, "prev_seq": last,
                                    "job": job("j1", last + 1, JobStatus::Queued, 1, 0)}),
                    3 => json!({"type": "metric", "seq": last, "prev_seq": last.saturating_sub(1),
                                "job_id": "j1", "sample": {"t": 1, "processed": 1, "total": 2,
                                                           "rate": 1.0, "attempt": 1}}),
                    4 => json!({"type": "job.created", "seq": last + 3, "prev_seq": last + 2,
                                "job": job("j2", 1, JobStatus::Queued, 1, 0)}),
                    5 => json!({"type": "heartbeat", "seq": last + u64::from(kind % 2),
                                "server_time": 0}),
                    6 => json!({"type": "resync_required", "seq": u64::from(*kind),
                                "reason": "x"}),
                    7 => json!({"type": "log", "job_id": "j1",
                                "line": {"n": kind, "ts": 0, "level": "info", "attempt": 1,
                                         "text": "x"}}),
                    _ => json!({"type": "nonsense"}),
                };
                Input::Frame(text.to_string())
            }
            (Step::Control { kind }, _) => Input::Control(match kind % 16 {
                0 => Control::Stop,
                1..=6 => Control::Wake,
                7..=11 => Control::Subscribe {
                    job_id: format!("j{}", kind % 3),
                    after_line: u64::from(*kind),
                },
                _ => Control::Unsubscribe {
                    job_id: format!("j{}", kind % 3),
                },
            }),
            (Step::Stray { kind }, _) => match kind % 8 {
                0 => Input::TimerFired,
                1 => Input::LogsPolled,
                2 => Input::TokenArrived,
                3 => Input::HeartbeatDue,
                4 => Input::BinaryFrame,
                5 => Input::TokenRefreshed(None),
                6 => Input::SocketEnded(ws_error(*kind)),
                _ => Input::SnapshotFailed(SnapshotError::Failed {
                    message: "late".into(),
                }),
            },
            (Step::Advance { ms }, _) => {
                self.env.now += f64::from(*ms);
                return None;
            }
            (
                Step::Flip {
                    offline,
                    hidden,
                    token,
                },
                _,
            ) => {
                self.env.offline = *offline;
                self.env.hidden = *hidden;
                self.env.token = (token % 4 != 0).then(|| format!("t{}", token % 4));
                return None;
            }
            (Step::Random { r }, _) => {
                self.env.random = *r;
                return None;
            }
            (Step::Succeed { .. }, _) => Input::TimerFired,
        })
    }

    fn answers(&self, input: &Input) -> bool {
        matches!(
            (&self.awaiting, input),
            (_, Input::Control(Control::Stop))
                | (
                    Command::LoadSnapshot { .. },
                    Input::SnapshotLoaded { .. } | Input::SnapshotFailed(_)
                )
                | (Command::PollLogs, Input::LogsPolled)
                | (
                    Command::Wait { .. },
                    Input::TimerFired | Input::Control(Control::Wake)
                )
                | (
                    Command::AwaitToken,
                    Input::TokenArrived | Input::Control(Control::Wake)
                )
                | (Command::RefreshToken, Input::TokenRefreshed(_))
                | (Command::OpenSocket { .. }, Input::SocketEnded(_))
        )
    }

    fn run(&mut self, s: &Step) -> Result<(), TestCaseError> {
        let Some(input) = self.input_for(s) else {
            return Ok(());
        };
        let answered = self.answers(&input);
        let loaded = match (&self.awaiting, &input) {
            (Command::LoadSnapshot { .. }, Input::SnapshotLoaded { seq }) => Some(*seq),
            _ => None,
        };
        let out = self.t.handle(input, &self.env);
        self.check(&out, loaded, answered)
    }

    fn check(
        &mut self,
        out: &[Command],
        loaded: Option<u64>,
        answered: bool,
    ) -> Result<(), TestCaseError> {
        if self.finished {
            prop_assert!(out.is_empty(), "after finish: {:?}", out);
            return Ok(());
        }
        let ops: Vec<usize> = (0..out.len()).filter(|&i| out[i].is_operation()).collect();
        prop_assert!(ops.len() <= 1, "two operations: {:?}", out);
        if let Some(&i) = ops.first() {
            prop_assert_eq!(i, out.len() - 1, "the operation comes last: {:?}", out);
        }
        if answered && !self.finished {
            prop_assert_eq!(
                ops.len(),
                1,
                "an answer names the next operation: {:?}",
                out
            );
        } else if !self.socket_open {
            prop_assert!(
                ops.is_empty(),
                "replaced an unanswered operation: {:?}",
                out
            );
        }
        let mut reconnect_delay = None;
        for c in out {
            match c {
                Command::OpenSocket { .. } => {
                    prop_assert!(!self.socket_open, "a second socket: {:?}", out);
                    self.socket_open = true;
                }
                Command::CloseSocket => {
                    prop_assert!(self.socket_open, "closing no socket: {:?}", out);
                    self.socket_open = false;
                }
                Command::Apply(_)
                | Command::Queue(_)
                | Command::LogLine { .. }
                | Command::Send(_) => {
                    prop_assert!(self.socket_open, "delivery without a socket: {:?}", c);
                }
                Command::Wait { ms } => {
                    prop_assert!((1..=MAX_WAIT_MS).contains(ms), "wait of {} ms", ms);
                    if let Some(d) = reconnect_delay {
                        prop_assert_eq!(*ms, d, "waits the delay it shows");
                    }
                }
                Command::SetConnection {
                    connection,
                    delay_ms,
                } => {
                    if let Connection::Reconnecting { retry_at_ms, .. } = connection {
                        prop_assert!(*retry_at_ms >= self.env.now as i64 - 1);
                    }
                    if let Some(d) = delay_ms {
                        prop_assert!(*d <= 30_000, "delay {} over the cap", d);
                        reconnect_delay = (*d > 0).then_some(*d);
                    }
                }
                Command::Finish => self.finished = true,
                _ => {}
            }
            if c.is_operation() {
                self.awaiting = c.clone();
            }
        }
        prop_assert_eq!(self.socket_open, self.t.in_session());
        let b = self.t.backoff();
        prop_assert!(b.ceiling_ms() >= 250.0 && b.ceiling_ms() <= 30_000.0);
        let p = self.t.poll_backoff();
        prop_assert!(p.ceiling_ms() >= 3_000.0 && p.ceiling_ms() <= 30_000.0);
        if let Some(seq) = loaded {
            prop_assert_eq!(self.t.seq(), Some(seq), "the snapshot's position");
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_sequence_of_events_keeps_the_invariants(steps in prop::collection::vec(step(), 1..120)) {
        let mut h = Harness::new();
        for s in &steps {
            h.run(s)?;
        }
    }

    /// Connections that keep failing before their hello, with HTTP failing too, never wait
    /// longer than the cap nor shorter than the first floor.
    #[test]
    fn reconnect_delays_stay_within_floor_and_cap(
        randoms in prop::collection::vec(0.0f64..1.0, 1..60),
    ) {
        let mut env = FakeEnv::default();
        let mut t = Transport::default();
        t.start(&env);
        t.handle(Input::SnapshotLoaded { seq: 1 }, &env);
        for r in randoms {
            env.random = r;
            let mut out = t.handle(Input::SocketEnded(WsError::Ended), &env);
            if matches!(out.last(), Some(Command::LoadSnapshot { .. })) {
                let failed = SnapshotError::Failed { message: "down".into() };
                out = t.handle(Input::SnapshotFailed(failed), &env);
            }
            let Some(Command::Wait { ms }) = out.last() else {
                return Err(TestCaseError::fail(format!("no wait: {out:?}")));
            };
            prop_assert!((125..=30_000).contains(ms), "{}", ms);
            env.now += *ms as f64;
            prop_assert_eq!(t.handle(Input::TimerFired, &env).len(), 1);
        }
    }
}
