//! The sign-in path: refused tokens, one refresh, giving up in words, waiting for a token.

use super::*;

#[test]
fn a_refused_socket_asks_the_host_once_then_reconnects_with_the_new_token() {
    let mut r = Rig::live_at(4);
    let refused = WsError::from_close(4401, "token expired".into());
    let c = r.feed(Input::SocketEnded(refused.clone()));
    assert_eq!(c[0], Command::CloseSocket);
    assert_eq!(
        reconnecting(&c),
        (
            1,
            "The server refused the sign-in token; asking the platform for a new one.".into()
        )
    );
    assert_eq!(c.last(), Some(&Command::RefreshToken));
    assert_eq!(r.feed(Input::Control(Control::Wake)), vec![], "refreshing");
    r.env.token = Some("t2".into());
    let c = r.feed(Input::TokenRefreshed(Some("t2".into())));
    assert_eq!(
        c,
        vec![Command::OpenSocket {
            after: 4,
            token: Some("t2".into())
        }]
    );
    // Refused again at once: the retry is spent; tell the user and wait for a token.
    let c = r.feed(Input::SocketEnded(refused));
    let message = "This session is not authorised to see jobs (the server said: token expired). \
                   Reload the platform page or sign in again.";
    assert_eq!(
        connection(&c),
        Some(&Connection::Unauthorized {
            reason: message.into()
        })
    );
    assert!(c.contains(&Command::LoadFailed(message.into())));
    assert_eq!(c.last(), Some(&Command::AwaitToken));
    assert_eq!(r.t.seq(), None, "starts again from a snapshot");
    // The host sets a token: load the list again (which clears the message).
    assert_eq!(r.feed(Input::TokenArrived), vec![RELOAD]);
}

#[test]
fn a_refresh_that_brings_nothing_gives_up_in_words() {
    let mut r = Rig::live_at(4);
    r.feed(Input::SocketEnded(WsError::from_close(4401, String::new())));
    let c = r.feed(Input::TokenRefreshed(None));
    assert!(matches!(
        connection(&c),
        Some(Connection::Unauthorized { .. })
    ));
    assert_eq!(c.last(), Some(&Command::AwaitToken));
    // "Retry now" tries again without a new token.
    assert_eq!(r.feed(Input::Control(Control::Wake)), vec![RELOAD]);
}

#[test]
fn a_token_that_changed_meanwhile_is_used_at_once() {
    let mut r = Rig::live_at(4);
    r.env.token = Some("t2".into());
    let c = r.feed(Input::SocketEnded(WsError::from_close(4401, "old".into())));
    assert_eq!(
        c,
        vec![
            Command::CloseSocket,
            Command::OpenSocket {
                after: 4,
                token: Some("t2".into())
            }
        ]
    );
}

#[test]
fn a_socket_refused_after_being_live_a_while_may_refresh_again() {
    let mut r = Rig::live_at(4);
    let refused = WsError::from_close(4401, "revoked".into());
    r.feed(Input::SocketEnded(refused.clone()));
    r.env.token = Some("t2".into());
    r.feed(Input::TokenRefreshed(Some("t2".into())));
    r.frame(hello(5_000));
    r.after(crate::state::auth::WS_ACCEPTED_AFTER_MS);
    let c = r.feed(Input::SocketEnded(refused));
    assert_eq!(c.last(), Some(&Command::RefreshToken));
}

#[test]
fn a_refused_list_waits_for_a_token_unless_it_changed_meanwhile() {
    let mut r = Rig::new();
    r.start();
    let refused = || {
        Input::SnapshotFailed(SnapshotError::Unauthorized {
            detail: "bad token".into(),
        })
    };
    let c = r.feed(refused());
    assert!(matches!(
        connection(&c),
        Some(Connection::Unauthorized { .. })
    ));
    assert_eq!(c.last(), Some(&Command::AwaitToken));
    assert_eq!(r.feed(Input::TokenArrived), vec![FIRST_LOAD]);
    // While polling, a refused poll resumes the rounds once a token is there.
    let mut r = Rig::new();
    r.start();
    r.feed(Input::SnapshotLoaded { seq: 5 });
    r.fail_before_hello(3);
    r.feed(Input::SnapshotLoaded { seq: 5 });
    assert_eq!(r.feed(refused()).last(), Some(&Command::AwaitToken));
    assert_eq!(r.feed(Input::TokenArrived), vec![RELOAD]);
}

#[test]
fn the_token_is_masked_in_a_failure_to_open() {
    let mut r = Rig::new();
    r.env.token = Some("s3cret".into());
    r.start();
    r.feed(Input::SnapshotLoaded { seq: 1 });
    let c = r.feed(Input::SocketEnded(WsError::Open(
        "SyntaxError: bad URL ws://h/ws?token=s3cret".into(),
    )));
    assert_eq!(
        reconnecting(&c).1,
        "cannot open the WebSocket: SyntaxError: bad URL ws://h/ws?token=***"
    );
}
