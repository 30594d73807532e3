//! What to do with one WebSocket frame: read it ([`read`]), then route it by kind ([`route`]):
//! chained events go through the sequence check (apply, skip a duplicate, or resync on a gap),
//! a heartbeat ahead of us or `resync_required` means resync, log lines go to subscribed jobs
//! once each. The transport core and the hostile-frame tests both run exactly this.

use std::fmt;

use crate::state::bad_frame::{bad_frame_log, LogEntry};
use crate::state::jobs_store::Event;
use crate::state::sequence::{SeqTracker, Verdict};
use crate::state::transport::subs::LogSubs;
use crate::types::{LogLine, QueueStatus, ServerMessage};

/// Why the list must be reloaded; `Display` is the console line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resync {
    /// The server asked for it; `behind` when its position is behind ours (it lost its history,
    /// so the next snapshot replaces everything).
    Required { reason: String, behind: bool },
    /// Events between ours and this one are missing.
    Gap { expected_prev: u64, got_prev: u64 },
    /// A heartbeat says the server sent more than we have.
    HeartbeatAhead { server: u64, have: u64 },
}

impl fmt::Display for Resync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resync::Required { reason, .. } => write!(f, "live: resync required: {reason}"),
            Resync::Gap {
                expected_prev,
                got_prev,
            } => write!(
                f,
                "live: event gap (have {expected_prev}, server continued from {got_prev}): reloading"
            ),
            Resync::HeartbeatAhead { server, have } => {
                write!(f, "live: server sent up to {server}, we have {have}: reloading")
            }
        }
    }
}

/// Where a frame goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    /// The server's greeting: the session is live.
    Hello { heartbeat_ms: u64 },
    /// The next event in the chain: to the store.
    Apply(Event),
    /// Seen before (a replay overlapping what we have): skipped.
    Duplicate,
    /// Reload the snapshot.
    Resync(Resync),
    /// The queue's status: to the store.
    Queue(QueueStatus),
    /// A new line of a subscribed job's log.
    Log { job_id: String, line: LogLine },
    /// The server reported an error (logged, nothing else).
    ServerError(String),
    /// Nothing to do (a consistent heartbeat, a line nobody follows or already delivered).
    Nothing,
}

/// Decodes a text frame; an unreadable one gives its one console line (see `state::bad_frame`).
pub fn read(text: &str) -> Result<ServerMessage, LogEntry> {
    ServerMessage::decode(text).map_err(|e| bad_frame_log(text, &e))
}

/// Routes a decoded frame, moving the chain position and the log positions.
pub fn route(tracker: &mut SeqTracker, subs: &mut LogSubs, msg: ServerMessage) -> Route {
    match msg {
        ServerMessage::Hello { heartbeat_ms, .. } => Route::Hello { heartbeat_ms },
        ServerMessage::ResyncRequired { seq, reason } => Route::Resync(Resync::Required {
            reason,
            behind: seq < tracker.last(),
        }),
        ServerMessage::JobCreated { seq, prev_seq, job }
        | ServerMessage::JobUpdated { seq, prev_seq, job } => chain(
            tracker,
            seq,
            prev_seq,
            Event::Job {
                seq,
                job: Box::new(job),
            },
        ),
        ServerMessage::Metric {
            seq,
            prev_seq,
            job_id,
            sample,
        } => chain(
            tracker,
            seq,
            prev_seq,
            Event::Metric {
                seq,
                job_id,
                sample,
            },
        ),
        ServerMessage::Heartbeat { seq, .. } if !tracker.heartbeat_consistent(seq) => {
            Route::Resync(Resync::HeartbeatAhead {
                server: seq,
                have: tracker.last(),
            })
        }
        ServerMessage::Heartbeat { .. } => Route::Nothing,
        ServerMessage::Queue { queue } => Route::Queue(queue),
        ServerMessage::Log { job_id, line } if subs.accept(&job_id, &line) => {
            Route::Log { job_id, line }
        }
        ServerMessage::Log { .. } => Route::Nothing,
        ServerMessage::Error { detail } => Route::ServerError(detail),
    }
}

fn chain(tracker: &mut SeqTracker, seq: u64, prev_seq: u64, event: Event) -> Route {
    match tracker.check(seq, prev_seq) {
        Verdict::Apply => Route::Apply(event),
        Verdict::Duplicate => Route::Duplicate,
        Verdict::Gap {
            expected_prev,
            got_prev,
        } => Route::Resync(Resync::Gap {
            expected_prev,
            got_prev,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn frame(v: serde_json::Value) -> ServerMessage {
        read(&v.to_string()).unwrap()
    }

    fn metric(seq: u64, prev: u64) -> ServerMessage {
        frame(
            json!({"type": "metric", "seq": seq, "prev_seq": prev, "job_id": "j1",
                     "sample": {"t": 1, "processed": 1, "total": 2, "rate": 1.0, "attempt": 1}}),
        )
    }

    #[test]
    fn chained_events_apply_skip_or_resync() {
        let (mut t, mut s) = (SeqTracker::at(10), LogSubs::default());
        assert!(matches!(
            route(&mut t, &mut s, metric(11, 10)),
            Route::Apply(Event::Metric { seq: 11, .. })
        ));
        assert_eq!(route(&mut t, &mut s, metric(11, 10)), Route::Duplicate);
        assert_eq!(
            route(&mut t, &mut s, metric(15, 13)),
            Route::Resync(Resync::Gap {
                expected_prev: 11,
                got_prev: 13
            })
        );
        assert_eq!(t.last(), 11);
    }

    #[test]
    fn heartbeats_and_resync_requests() {
        let (mut t, mut s) = (SeqTracker::at(10), LogSubs::default());
        let hb = |seq| frame(json!({"type": "heartbeat", "seq": seq, "server_time": 0}));
        assert_eq!(route(&mut t, &mut s, hb(10)), Route::Nothing);
        let ahead = route(&mut t, &mut s, hb(12));
        assert_eq!(
            ahead,
            Route::Resync(Resync::HeartbeatAhead {
                server: 12,
                have: 10
            })
        );
        let rq = |seq| frame(json!({"type": "resync_required", "seq": seq, "reason": "trimmed"}));
        assert_eq!(
            route(&mut t, &mut s, rq(3)),
            Route::Resync(Resync::Required {
                reason: "trimmed".into(),
                behind: true
            })
        );
        assert_eq!(
            route(&mut t, &mut s, rq(10)),
            Route::Resync(Resync::Required {
                reason: "trimmed".into(),
                behind: false
            })
        );
    }

    #[test]
    fn console_lines_name_the_cause() {
        let gap = Resync::Gap {
            expected_prev: 4,
            got_prev: 7,
        };
        assert_eq!(
            gap.to_string(),
            "live: event gap (have 4, server continued from 7): reloading"
        );
        let req = Resync::Required {
            reason: "x".into(),
            behind: false,
        };
        assert_eq!(req.to_string(), "live: resync required: x");
        let hb = Resync::HeartbeatAhead { server: 9, have: 3 };
        assert_eq!(
            hb.to_string(),
            "live: server sent up to 9, we have 3: reloading"
        );
    }

    #[test]
    fn log_lines_go_to_subscribers_once() {
        let (mut t, mut s) = (SeqTracker::at(0), LogSubs::default());
        let log = |n| {
            frame(json!({"type": "log", "job_id": "j1",
                         "line": {"n": n, "ts": 0, "level": "info", "attempt": 1, "text": "x"}}))
        };
        assert_eq!(
            route(&mut t, &mut s, log(1)),
            Route::Nothing,
            "not followed"
        );
        s.subscribe("j1".into(), 0);
        assert!(matches!(route(&mut t, &mut s, log(1)), Route::Log { .. }));
        assert_eq!(route(&mut t, &mut s, log(1)), Route::Nothing, "a duplicate");
        let err = frame(json!({"type": "error", "detail": "nope"}));
        assert_eq!(
            route(&mut t, &mut s, err),
            Route::ServerError("nope".into())
        );
        assert!(read("not json").is_err());
    }
}
