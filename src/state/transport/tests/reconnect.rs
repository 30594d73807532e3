//! Reconnecting: the backoff growing and its reset, offline, wake-ups, and the polling fallback
//! with its return to the WebSocket.

use super::*;

#[test]
fn a_failed_first_load_says_why_and_retries_after_a_backoff() {
    let mut r = Rig::new();
    r.start();
    let c = r.feed(Input::SnapshotFailed(SnapshotError::Failed {
        message: "cannot reach the server".into(),
    }));
    assert_eq!(c[0], Command::LoadFailed("cannot reach the server".into()));
    assert_eq!(reconnecting(&c), (1, "cannot reach the server".into()));
    // Equal jitter at 0.5 of the first ceiling (250 ms): 188 ms.
    assert_eq!(c.last(), Some(&Command::Wait { ms: 188 }));
    assert_eq!(r.feed(Input::TimerFired), vec![FIRST_LOAD]);
}

#[test]
fn the_backoff_grows_while_connections_fail_and_resets_after_a_stable_one() {
    let mut r = Rig::live_at(1);
    let mut attempts = Vec::new();
    let mut waits = Vec::new();
    for _ in 0..4 {
        // Lost after a hello (so no polling fallback), but before it was stable.
        r.after(1_000.0);
        let c = r.feed(Input::SocketEnded(WsError::Ended));
        attempts.push(reconnecting(&c).0);
        waits.push(wait_ms(&c));
        r.feed(Input::TimerFired);
        r.frame(hello(5_000));
    }
    assert_eq!(attempts, vec![1, 2, 3, 4]);
    assert_eq!(waits, vec![188, 375, 750, 1_500]);
    assert_eq!(r.t.ws_failures(), 0, "each got its hello");
    // Up for 10 s: the next loss starts over.
    r.after(STABLE_MS);
    let c = r.feed(Input::SocketEnded(WsError::Failed));
    assert_eq!(
        reconnecting(&c),
        (1, "connection lost (WebSocket connection failed)".into())
    );
    assert_eq!(wait_ms(&c), 188);
}

#[test]
fn offline_says_so_with_the_backoff_delay() {
    let mut r = Rig::live_at(1);
    r.env.offline = true;
    let c = r.feed(Input::SocketEnded(WsError::Ended));
    assert_eq!(
        c[1],
        Command::SetConnection {
            connection: Connection::Offline {
                reason: "The browser reports no network connection.".into()
            },
            delay_ms: Some(188),
        }
    );
    // "Online" wakes it at once.
    assert_eq!(r.feed(Input::Control(Control::Wake)), vec![open(1)]);
}

#[test]
fn three_failures_before_a_hello_fall_back_to_polling_when_http_answers() {
    let mut r = Rig::new();
    r.start();
    r.feed(Input::SnapshotLoaded { seq: 5 });
    let c = r.fail_before_hello(2);
    assert_eq!(reconnecting(&c).0, 2, "two failures: still reconnecting");
    let c = r.feed(Input::SocketEnded(WsError::Ended));
    assert_eq!(
        c,
        vec![Command::CloseSocket, RELOAD],
        "is it only the WebSocket?"
    );
    // HTTP answers: poll at once.
    assert_eq!(r.feed(Input::SnapshotLoaded { seq: 6 }), vec![RELOAD]);
    assert_eq!(
        r.t.polling(),
        Some("WebSocket unavailable: connection closed")
    );
    assert_eq!(
        r.feed(Input::SnapshotLoaded { seq: 6 }),
        vec![Command::PollLogs]
    );
    let c = r.feed(Input::LogsPolled);
    assert_eq!(
        c,
        vec![
            Command::SetConnection {
                connection: Connection::Polling {
                    reason: "WebSocket unavailable: connection closed".into()
                },
                delay_ms: None,
            },
            Command::Wait {
                ms: POLL_INTERVAL_MS
            },
        ]
    );
    // Before the probe is due: another round.
    r.after(3_000.0);
    assert_eq!(r.feed(Input::TimerFired), vec![RELOAD]);
    r.feed(Input::SnapshotLoaded { seq: 6 });
    r.feed(Input::LogsPolled);
    // 15 s after falling back: try the WebSocket again.
    r.after(12_000.0);
    assert_eq!(r.feed(Input::TimerFired), vec![open(6)]);
    // It fails: straight back to polling, no backoff wait.
    let c = r.feed(Input::SocketEnded(WsError::Ended));
    assert_eq!(c, vec![Command::CloseSocket, RELOAD]);
    r.feed(Input::SnapshotLoaded { seq: 6 });
    r.feed(Input::LogsPolled);
    r.after(3_000.0);
    assert_eq!(
        r.feed(Input::TimerFired),
        vec![RELOAD],
        "next probe 15 s later"
    );
    r.feed(Input::SnapshotLoaded { seq: 6 });
    r.feed(Input::LogsPolled);
    r.after(12_000.0);
    assert_eq!(r.feed(Input::TimerFired), vec![open(6)]);
    // It works: live again, polling over.
    let c = r.frame(hello(5_000));
    assert_eq!(connection(&c), Some(&Connection::Live));
    assert_eq!(r.t.polling(), None);
    // A later loss reconnects with the backoff, it does not poll.
    let c = r.feed(Input::SocketEnded(WsError::Ended));
    assert_eq!(reconnecting(&c).1, "connection closed");
}

#[test]
fn no_polling_fallback_when_http_fails_too() {
    let mut r = Rig::new();
    r.start();
    r.feed(Input::SnapshotLoaded { seq: 5 });
    r.fail_before_hello(2);
    r.feed(Input::SocketEnded(WsError::Ended));
    let c = r.feed(Input::SnapshotFailed(SnapshotError::Failed {
        message: "HTTP down".into(),
    }));
    // The WebSocket's reason, not HTTP's: it is what the next attempt retries.
    assert_eq!(reconnecting(&c), (3, "connection closed".into()));
    assert!(!c.contains(&Command::LoadFailed("HTTP down".into())));
    assert_eq!(r.t.polling(), None);
}

#[test]
fn failed_polls_back_off_from_the_poll_interval_and_reset_on_success() {
    let mut r = Rig::new();
    r.start();
    r.feed(Input::SnapshotLoaded { seq: 5 });
    r.fail_before_hello(3);
    r.feed(Input::SnapshotLoaded { seq: 5 });
    let mut delays = Vec::new();
    for _ in 0..3 {
        let c = r.feed(Input::SnapshotFailed(SnapshotError::Failed {
            message: "HTTP 502".into(),
        }));
        assert_eq!(c[0], Command::LoadFailed("HTTP 502".into()));
        delays.push((reconnecting(&c).0, wait_ms(&c)));
        r.after(1.0);
        assert_eq!(r.feed(Input::TimerFired), vec![RELOAD]);
    }
    // 3 s × 2ⁿ with equal jitter at 0.5, never under the poll interval.
    assert_eq!(delays, vec![(1, 3_000), (2, 4_500), (3, 9_000)]);
    r.feed(Input::SnapshotLoaded { seq: 5 });
    r.feed(Input::LogsPolled);
    assert_eq!(r.t.poll_backoff().attempt(), 0);
}

#[test]
fn polling_pauses_while_the_tab_is_hidden_and_wakes_when_visible() {
    let mut r = Rig::new();
    r.start();
    r.feed(Input::SnapshotLoaded { seq: 5 });
    r.fail_before_hello(3);
    r.env.hidden = true;
    let c = r.feed(Input::SnapshotLoaded { seq: 5 });
    assert_eq!(
        connection(&c),
        Some(&Connection::Polling {
            reason: "WebSocket unavailable: connection closed. Paused while the tab is hidden."
                .into()
        })
    );
    assert_eq!(wait_ms(&c), HIDDEN_POLL_PAUSE_MS);
    r.env.hidden = false;
    assert_eq!(r.feed(Input::Control(Control::Wake)), vec![RELOAD]);
}

#[test]
fn wake_cuts_waits_short_but_not_loads_or_sessions() {
    let mut r = Rig::new();
    r.start();
    assert_eq!(r.feed(Input::Control(Control::Wake)), vec![], "loading");
    r.feed(Input::SnapshotLoaded { seq: 1 });
    assert_eq!(r.feed(Input::Control(Control::Wake)), vec![], "connected");
    r.feed(Input::SocketEnded(WsError::Ended));
    assert_eq!(
        r.feed(Input::Control(Control::Wake)),
        vec![open(1)],
        "retry now"
    );
}
