//! Every transition of the transport core, one scenario each (a fake browser, [`FakeEnv`], and
//! a rig that feeds the core): the session and its frames (`tests/session.rs`), reconnecting and
//! the polling fallback (`tests/reconnect.rs`), the sign-in path (`tests/sign_in.rs`).

mod reconnect;
mod session;
mod sign_in;

use serde_json::json;

use super::*;
use crate::state::jobs_store::tests::job;
use crate::state::jobs_store::Event;
use crate::types::JobStatus;

/// Fixed surroundings; tests move the clock and flip the rest between calls.
#[derive(Clone, Debug)]
pub(crate) struct FakeEnv {
    pub now: f64,
    pub random: f64,
    pub offline: bool,
    pub hidden: bool,
    pub token: Option<String>,
}

impl Default for FakeEnv {
    fn default() -> Self {
        Self {
            now: 1_000_000.0,
            random: 0.5,
            offline: false,
            hidden: false,
            token: Some("t1".into()),
        }
    }
}

impl Env for FakeEnv {
    fn now_ms(&self) -> f64 {
        self.now
    }
    fn unit_random(&self) -> f64 {
        self.random
    }
    fn offline(&self) -> bool {
        self.offline
    }
    fn tab_hidden(&self) -> bool {
        self.hidden
    }
    fn token(&self) -> Option<String> {
        self.token.clone()
    }
}

/// A core and its clock.
struct Rig {
    t: Transport,
    env: FakeEnv,
}

impl Rig {
    fn new() -> Self {
        Rig {
            t: Transport::default(),
            env: FakeEnv::default(),
        }
    }

    fn start(&mut self) -> Vec<Command> {
        self.t.start(&self.env)
    }

    fn feed(&mut self, input: Input) -> Vec<Command> {
        self.t.handle(input, &self.env)
    }

    fn frame(&mut self, v: serde_json::Value) -> Vec<Command> {
        self.feed(Input::Frame(v.to_string()))
    }

    fn after(&mut self, ms: f64) -> &mut Self {
        self.env.now += ms;
        self
    }

    /// Started, the list loaded at `seq`, the socket opened and live.
    fn live_at(seq: u64) -> Self {
        let mut r = Rig::new();
        r.start();
        r.feed(Input::SnapshotLoaded { seq });
        r.frame(hello(5_000));
        r
    }

    /// Ends the socket before its hello `n` times (each followed by its backoff wait).
    fn fail_before_hello(&mut self, n: u32) -> Vec<Command> {
        let mut last = Vec::new();
        for _ in 0..n {
            last = self.feed(Input::SocketEnded(WsError::Ended));
            if matches!(last.last(), Some(Command::Wait { .. })) {
                self.feed(Input::TimerFired);
            }
        }
        last
    }
}

fn hello(heartbeat_ms: u64) -> serde_json::Value {
    json!({"type": "hello", "seq": 0, "server_time": 0, "heartbeat_ms": heartbeat_ms, "resumed": true})
}

fn job_frame(seq: u64, prev: u64) -> serde_json::Value {
    json!({"type": "job.updated", "seq": seq, "prev_seq": prev,
           "job": job("j1", seq, JobStatus::Running, 1, seq)})
}

fn log_frame(job_id: &str, n: u64) -> serde_json::Value {
    json!({"type": "log", "job_id": job_id,
           "line": {"n": n, "ts": 0, "level": "info", "attempt": 1, "text": "x"}})
}

fn wait_ms(c: &[Command]) -> u64 {
    match c.last() {
        Some(Command::Wait { ms }) => *ms,
        _ => u64::MAX,
    }
}

fn op(c: &[Command]) -> Option<&Command> {
    c.iter().find(|c| c.is_operation())
}

fn connection(c: &[Command]) -> Option<&Connection> {
    c.iter().rev().find_map(|c| match c {
        Command::SetConnection { connection, .. } => Some(connection),
        _ => None,
    })
}

fn reconnecting(c: &[Command]) -> (u32, String) {
    match connection(c) {
        Some(Connection::Reconnecting {
            attempt, reason, ..
        }) => (*attempt, reason.clone()),
        other => panic!("not reconnecting: {other:?} in {c:?}"),
    }
}

fn open(after: u64) -> Command {
    Command::OpenSocket {
        after,
        token: Some("t1".into()),
    }
}

const FIRST_LOAD: Command = Command::LoadSnapshot {
    reset: false,
    early: true,
};
const RELOAD: Command = Command::LoadSnapshot {
    reset: false,
    early: false,
};
