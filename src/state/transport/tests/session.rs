//! The session: the start, the hello, every kind of frame (chain, duplicates, gaps, heartbeats,
//! resync requests, logs, unreadable ones), the resync guard, the heartbeat deadline, stopping.

use serde_json::json;

use super::*;

#[test]
fn starts_with_the_list_then_resumes_the_socket_after_its_position() {
    let mut r = Rig::new();
    assert_eq!(r.start(), vec![FIRST_LOAD]);
    assert_eq!(
        r.feed(Input::TimerFired),
        vec![],
        "a late answer changes nothing"
    );
    assert_eq!(r.feed(Input::SnapshotLoaded { seq: 7 }), vec![open(7)]);
    assert_eq!(r.t.seq(), Some(7));
    assert!(r.t.in_session());
}

#[test]
fn hello_goes_live_and_subscribes_the_open_logs() {
    let mut r = Rig::new();
    r.start();
    r.feed(Input::SnapshotLoaded { seq: 3 });
    let sub = Control::Subscribe {
        job_id: "j1".into(),
        after_line: 4,
    };
    assert_eq!(
        r.feed(Input::Control(sub)),
        vec![],
        "not live yet: sent with the hello"
    );
    let c = r.frame(hello(5_000));
    assert_eq!(
        c,
        vec![
            Command::SetConnection {
                connection: Connection::Live,
                delay_ms: None
            },
            Command::Send(ClientMessage::SubscribeLogs {
                job_id: "j1".into(),
                after_line: 4
            }),
        ]
    );
    let c = r.feed(Input::Control(Control::Unsubscribe {
        job_id: "j1".into(),
    }));
    assert_eq!(
        c,
        vec![Command::Send(ClientMessage::UnsubscribeLogs {
            job_id: "j1".into()
        })]
    );
    assert!(r.t.subs().is_empty());
}

#[test]
fn chained_events_apply_and_duplicates_are_ignored() {
    let mut r = Rig::live_at(10);
    let c = r.frame(job_frame(11, 10));
    assert!(
        matches!(&c[..], [Command::Apply(Event::Job { seq: 11, .. })]),
        "{c:?}"
    );
    assert_eq!(r.frame(job_frame(11, 10)), vec![], "a duplicate");
    assert_eq!(r.frame(job_frame(9, 8)), vec![], "an older one");
    assert_eq!(r.t.seq(), Some(11));
    let q = json!({"type": "queue", "queue": {"queued": 1, "running": 0, "workers": [],
                                               "redis": {"ok": true}}});
    let c = r.frame(q);
    assert!(
        matches!(&c[..], [Command::Queue(q)] if q.queued == 1),
        "{c:?}"
    );
    let c = r.frame(json!({"type": "error", "detail": "busy"}));
    assert_eq!(c, vec![Command::Warn("live: server reported: busy".into())]);
}

#[test]
fn a_gap_reloads_the_list_and_resumes_after_it() {
    let mut r = Rig::live_at(10);
    let c = r.frame(job_frame(13, 12));
    assert_eq!(
        c,
        vec![
            Command::Warn("live: event gap (have 10, server continued from 12): reloading".into()),
            Command::CloseSocket,
            Command::Resynced,
            RELOAD,
        ]
    );
    assert_eq!(r.t.seq(), None);
    assert!(!r.t.in_session());
    assert_eq!(r.feed(Input::SnapshotLoaded { seq: 13 }), vec![open(13)]);
    assert_eq!(
        r.t.seq(),
        Some(13),
        "after a snapshot the position is the snapshot's"
    );
}

#[test]
fn a_heartbeat_ahead_of_us_reloads() {
    let mut r = Rig::live_at(10);
    assert_eq!(
        r.frame(json!({"type": "heartbeat", "seq": 10, "server_time": 0})),
        vec![]
    );
    let c = r.frame(json!({"type": "heartbeat", "seq": 12, "server_time": 0}));
    assert_eq!(
        c[0],
        Command::Warn("live: server sent up to 12, we have 10: reloading".into())
    );
    assert_eq!(op(&c), Some(&RELOAD));
}

#[test]
fn a_server_behind_us_gets_a_reset_snapshot() {
    let mut r = Rig::live_at(10);
    let c = r.frame(json!({"type": "resync_required", "seq": 2, "reason": "redis reset"}));
    assert_eq!(
        c[0],
        Command::Warn("live: resync required: redis reset".into())
    );
    assert_eq!(
        op(&c),
        Some(&Command::LoadSnapshot {
            reset: true,
            early: false
        })
    );
    r.feed(Input::SnapshotLoaded { seq: 2 });
    // The reset was used up by that snapshot.
    r.after(10_000.0);
    let c = r.frame(json!({"type": "resync_required", "seq": 2, "reason": "again"}));
    assert_eq!(op(&c), Some(&RELOAD));
}

#[test]
fn the_resync_guard_pauses_a_second_resync_within_five_seconds() {
    let mut r = Rig::live_at(10);
    let resync = json!({"type": "resync_required", "seq": 10, "reason": "x"});
    assert_eq!(
        op(&r.frame(resync.clone())),
        Some(&RELOAD),
        "the first one at once"
    );
    r.feed(Input::SnapshotLoaded { seq: 10 });
    r.after(4_999.0).frame(hello(5_000));
    let c = r.frame(resync.clone());
    assert_eq!(
        reconnecting(&c),
        (1, "resynchronising with the server".into())
    );
    assert_eq!(wait_ms(&c), 188);
    assert_eq!(r.t.seq(), None);
    assert_eq!(r.feed(Input::TimerFired), vec![RELOAD]);
    r.feed(Input::SnapshotLoaded { seq: 10 });
    // The guard counts from the last resync: 5 s after it, at once again.
    r.after(5_000.0).frame(hello(5_000));
    assert_eq!(op(&r.frame(resync)), Some(&RELOAD));
}

#[test]
fn the_heartbeat_deadline_ends_a_silent_socket() {
    let mut r = Rig::new();
    r.start();
    r.feed(Input::SnapshotLoaded { seq: 1 });
    // Before the hello: three thirds of the hello timeout (integer thirds: 9,999 ms).
    assert_eq!(r.t.heartbeat_remaining_ms(r.env.now), Some(9_999));
    r.after(9_999.0);
    assert_eq!(r.feed(Input::HeartbeatDue), vec![], "due, not past");
    r.after(1.0);
    let c = r.feed(Input::HeartbeatDue);
    assert_eq!(c[0], Command::CloseSocket);
    assert_eq!(reconnecting(&c).1, "no message from the server for 9 s");
    assert_eq!(r.t.heartbeat_remaining_ms(r.env.now), None);
    // After the hello: three of the server's intervals, renewed by every frame.
    r.feed(Input::TimerFired);
    r.frame(hello(5_000));
    r.after(14_000.0).frame(json!("junk"));
    assert_eq!(r.t.heartbeat_remaining_ms(r.env.now), Some(15_000));
    r.after(15_001.0);
    let c = r.feed(Input::HeartbeatDue);
    assert_eq!(reconnecting(&c).1, "no message from the server for 15 s");
}

#[test]
fn stop_ends_every_phase_and_closes_an_open_socket() {
    let stop = Input::Control(Control::Stop);
    let mut r = Rig::new();
    r.start();
    assert_eq!(r.feed(stop.clone()), vec![Command::Finish]);
    assert_eq!(r.feed(Input::SnapshotLoaded { seq: 1 }), vec![], "finished");
    let mut r = Rig::live_at(1);
    assert_eq!(
        r.feed(stop.clone()),
        vec![Command::CloseSocket, Command::Finish]
    );
    assert_eq!(r.frame(job_frame(2, 1)), vec![]);
    let mut r = Rig::live_at(1);
    r.feed(Input::SocketEnded(WsError::Ended));
    assert_eq!(r.feed(stop), vec![Command::Finish], "waiting");
}

#[test]
fn unreadable_and_binary_frames_are_logged_and_change_nothing_else() {
    let mut r = Rig::live_at(1);
    r.after(9_000.0);
    let c = r.feed(Input::Frame("{\"type\":".into()));
    assert!(
        matches!(&c[..], [Command::Log(e)] if e.fields["reason"] == "malformed"),
        "{c:?}"
    );
    // ...but it was a sign of life.
    assert_eq!(r.t.heartbeat_remaining_ms(r.env.now), Some(15_000));
    assert_eq!(
        r.feed(Input::BinaryFrame),
        vec![Command::Warn("live: ignoring a binary frame".into())]
    );
    assert_eq!(r.t.seq(), Some(1));
}

#[test]
fn log_lines_reach_subscribers_once() {
    let mut r = Rig::live_at(1);
    assert_eq!(r.frame(log_frame("j1", 1)), vec![], "nobody follows j1");
    r.feed(Input::Control(Control::Subscribe {
        job_id: "j1".into(),
        after_line: 0,
    }));
    let c = r.frame(log_frame("j1", 1));
    assert!(matches!(&c[..], [Command::LogLine { job_id, line }] if job_id == "j1" && line.n == 1));
    assert_eq!(r.frame(log_frame("j1", 1)), vec![]);
}
