//! The colour theme: `data-theme="light|dark"` on `<html>`, which the stylesheets key on.
//!
//! `?theme=dark|light` on the page URL fixes it (for a host that knows its own theme, and for
//! tests and screenshots); otherwise it follows the system setting, also when that changes
//! while the page is open. Charts re-read their colours when the attribute changes.

use gloo_events::EventListener;
use wasm_bindgen::JsCast;

use crate::services::browser;

/// Applies the theme now and keeps following the system setting unless one was asked for.
/// The returned listener must live as long as the page (dropping it stops following).
pub fn apply() -> Option<EventListener> {
    let window = web_sys::window()?;
    let forced = browser::query_pairs()
        .into_iter()
        .find(|(k, v)| k == "theme" && (v == "dark" || v == "light"))
        .map(|(_, v)| v);
    if let Some(theme) = forced {
        set(&theme);
        return None;
    }
    let query = window
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()?;
    set(if query.matches() { "dark" } else { "light" });
    Some(EventListener::new(&query, "change", |event| {
        let dark = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::MediaQueryList>().ok())
            .is_some_and(|q| q.matches());
        set(if dark { "dark" } else { "light" });
    }))
}

/// Sets `data-theme` on `<html>`.
pub fn set(theme: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme);
    }
}
