//! The bearer token the host gives the page (never stored, never sent back to the host), and the
//! one way to ask for a fresh one: [`refresh`], shared by every request and the WebSocket, so a
//! burst of refusals asks the host once.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures::channel::oneshot;
use futures::{select, FutureExt};
use gloo_timers::future::sleep;

thread_local! {
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static REFRESHER: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
    /// Everyone waiting for the next [`set_token`].
    /// Bounded by the callers waiting now: cancelled ones are pruned at every new wait.
    static WAITERS: RefCell<Vec<oneshot::Sender<Option<String>>>> = const { RefCell::new(Vec::new()) };
    /// A token request is out and not yet answered (nor timed out): do not ask again.
    static ASKING: Cell<bool> = const { Cell::new(false) };
}

/// Sets (or clears) the token; called when the host sends one. Wakes [`refresh`] and
/// [`next_token`] waiters.
pub fn set_token(token: Option<String>) {
    TOKEN.with(|t| *t.borrow_mut() = token.clone());
    ASKING.with(|a| a.set(false));
    let waiters = WAITERS.with(|w| std::mem::take(&mut *w.borrow_mut()));
    for w in waiters {
        // A waiter that gave up (timed out, its loop stopped) dropped its receiver.
        let _ = w.send(token.clone());
    }
}

/// The current token, if the host gave one.
pub fn token() -> Option<String> {
    TOKEN.with(|t| t.borrow().clone())
}

/// Registers how to ask the host for a fresh token (the host bridge posts `token_request`).
pub fn on_refresh_needed(f: Rc<dyn Fn()>) {
    REFRESHER.with(|r| *r.borrow_mut() = Some(f));
}

/// Resolves with the token of the next [`set_token`] call (`None` if it cleared the token).
pub fn next_token() -> impl std::future::Future<Output = Option<String>> {
    let (tx, rx) = oneshot::channel();
    WAITERS.with(|w| {
        let mut w = w.borrow_mut();
        w.retain(|s| !s.is_canceled());
        w.push(tx);
    });
    // Senders are dropped unsent only once this receiver is gone; read "cancelled" as "no token".
    rx.map(|r| r.unwrap_or(None))
}

/// Asks the host for a fresh token (once, however many callers are waiting) and waits for the
/// next [`set_token`], at most `timeout_ms`. `None`: no host to ask (standalone), the host did not
/// answer in time, or it cleared the token.
pub async fn refresh(timeout_ms: u32) -> Option<String> {
    // No host to ask (standalone): nothing will come.
    let refresher = REFRESHER.with(|r| r.borrow().clone())?;
    // Registered before asking: a host bridge may answer synchronously.
    let mut next = next_token().fuse();
    if !ASKING.with(|a| a.replace(true)) {
        refresher();
    }
    let mut timer = sleep(Duration::from_millis(u64::from(timeout_ms))).fuse();
    select! {
        token = next => token,
        _ = timer => {
            // Unanswered: the next refusal may ask again.
            ASKING.with(|a| a.set(false));
            None
        }
    }
}
