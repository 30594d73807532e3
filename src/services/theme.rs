//! The colour theme: `data-theme="light|dark"` on `<html>`, the single switch the stylesheets
//! and the charts read (charts redraw when the attribute changes).
//!
//! Precedence (decided in `state/theme.rs`): the host's theme ([`set_from_host`], or `?theme=`
//! on the page URL, for hosts that know their theme and for tests and screenshots); else the
//! user's choice from the theme control ([`choose`], remembered in `localStorage` under
//! [`STORAGE_KEY`]); else the system setting, followed live while the page is open.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;

use crate::services::{browser, logger};
use crate::state::theme::{from_query, Choice, Theme, ThemeState};

/// The `localStorage` key of the user's choice (`system`, `light` or `dark`).
pub const STORAGE_KEY: &str = "jobs-page.theme";

type Watcher = Rc<dyn Fn(ThemeState)>;

thread_local! {
    static STATE: Cell<ThemeState> = Cell::new(ThemeState::default());
    /// One per mounted watcher; each removes itself when dropped.
    static WATCHERS: RefCell<Vec<(u64, Watcher)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

/// The listeners that keep the theme current (the system setting; the choice made in another
/// tab). Dropping it stops following, so keep it for the page's lifetime.
pub struct Following {
    _listeners: Vec<EventListener>,
}

/// Applies the theme now and keeps it current. Call once, before the first render, so the
/// page never flashes the wrong theme.
pub fn apply() -> Following {
    let mut listeners = Vec::new();
    let query = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok())
        .flatten();
    let system = Theme::from_dark(query.as_ref().is_some_and(|q| q.matches()));
    update(|_| ThemeState {
        host: from_query(&browser::query_pairs()),
        choice: stored_choice(),
        system,
    });
    if let Some(query) = query {
        listeners.push(EventListener::new(&query, "change", |event| {
            let dark = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::MediaQueryList>().ok())
                .is_some_and(|q| q.matches());
            update(|s| ThemeState {
                system: Theme::from_dark(dark),
                ..s
            });
        }));
    }
    // Another tab of the page changed the choice: the same user, so follow it here too.
    if let Some(window) = web_sys::window() {
        listeners.push(EventListener::new(&window, "storage", |_| {
            let choice = stored_choice();
            update(|s| ThemeState { choice, ..s });
        }));
    }
    Following {
        _listeners: listeners,
    }
}

/// The host's theme (`"light"` or `"dark"`): wins over the user's choice and the system for
/// as long as the page is open. Any other value is ignored (and logged at debug level).
pub fn set_from_host(theme: &str) {
    match Theme::parse(theme) {
        Some(theme) => update(|s| ThemeState {
            host: Some(theme),
            ..s
        }),
        None => logger::debug(
            "theme",
            "ignored a host theme that is neither light nor dark",
        ),
    }
}

/// The user's choice from the theme control: remembered, and applied unless the host decides.
pub fn choose(choice: Choice) {
    if let Some(storage) = storage() {
        // Storage can be full or refused; the choice still holds for this visit.
        if storage.set_item(STORAGE_KEY, choice.as_str()).is_err() {
            logger::warn("theme", "could not remember the theme choice");
        }
    }
    update(|s| ThemeState { choice, ..s });
}

/// What the theme depends on now.
pub fn current() -> ThemeState {
    STATE.with(Cell::get)
}

/// Calls `f` with the new state after every change, until the returned [`Watch`] drops.
pub fn watch(f: impl Fn(ThemeState) + 'static) -> Watch {
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    WATCHERS.with(|w| w.borrow_mut().push((id, Rc::new(f))));
    Watch { id }
}

/// Stops a [`watch`] when dropped.
pub struct Watch {
    id: u64,
}

impl Drop for Watch {
    fn drop(&mut self) {
        WATCHERS.with(|w| w.borrow_mut().retain(|(id, _)| *id != self.id));
    }
}

fn update(f: impl FnOnce(ThemeState) -> ThemeState) {
    let before = current();
    let after = f(before);
    STATE.with(|s| s.set(after));
    write_attribute(after.shown());
    if after != before {
        // Cloned out first: a watcher may add or drop watches.
        let watchers: Vec<Watcher> =
            WATCHERS.with(|w| w.borrow().iter().map(|(_, f)| f.clone()).collect());
        for watcher in watchers {
            watcher(after);
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    // `localStorage` throws in some sandboxed frames and when storage is disabled.
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored_choice() -> Choice {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|v| Choice::parse(&v))
        .unwrap_or_default()
}

/// Sets `data-theme` on `<html>` (only when it differs, so the charts' observer is not woken
/// for nothing).
fn write_attribute(theme: Theme) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        if root.get_attribute("data-theme").as_deref() != Some(theme.as_str()) {
            let _ = root.set_attribute("data-theme", theme.as_str());
        }
    }
}
