//! The bearer token the host gives the page (never stored, never sent back to the host).

use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static REFRESHER: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Sets (or clears) the token; called when the host sends one.
pub fn set_token(token: Option<String>) {
    TOKEN.with(|t| *t.borrow_mut() = token);
}

/// The current token, if the host gave one.
pub fn token() -> Option<String> {
    TOKEN.with(|t| t.borrow().clone())
}

/// Registers how to ask the host for a fresh token (the host bridge posts `token_request`).
pub fn on_refresh_needed(f: Rc<dyn Fn()>) {
    REFRESHER.with(|r| *r.borrow_mut() = Some(f));
}
