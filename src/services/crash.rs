//! The crash fallback: a panic must not leave a blank or frozen page.
//!
//! [`install`] (first thing in `main`) sets a panic hook. Release builds use `panic = "abort"`,
//! and the hook runs before the abort, so it does everything at once: logs the panic at error
//! level, replaces the page with a fallback built from plain DOM calls (no Yew: Yew's state may
//! be what broke), and tells every [`on_crash`] reporter (the host bridge posts `error` to the
//! host). The fallback goes into a new `<body>`, so whatever Yew still does afterwards lands in
//! the old, detached one and cannot overwrite it. The hook never panics: every DOM failure is
//! ignored, and it runs at most once.
//!
//! After the abort the wasm instance still answers calls (wasm-bindgen emits no termination
//! guard for `panic = "abort"` unless told to), which the fallback's two buttons rely on; the
//! details stay selectable text in any case.
//!
//! Test trigger: `?crash_test=1` on the page URL panics about 1.5 s after start (after the app
//! and the host bridge are up). It only crashes the page that asked for it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement, HtmlTextAreaElement};

use crate::services::{browser, logger};

/// Told the crash details in words.
pub type Reporter = Rc<dyn Fn(&str)>;

/// How long after start `?crash_test=1` panics.
const CRASH_TEST_DELAY_MS: u32 = 1_500;
/// The message of the deliberate panic (tests look for it in the details).
pub const CRASH_TEST_MESSAGE: &str = "crash test: the page was opened with ?crash_test=1";

thread_local! {
    /// One per `on_crash` call: the host bridge registers once per page load.
    static REPORTERS: RefCell<Vec<Reporter>> = const { RefCell::new(Vec::new()) };
    static CRASHED: Cell<bool> = const { Cell::new(false) };
}

/// Registers a function told about a crash (the host bridge posts `error` to the host).
pub fn on_crash(f: Reporter) {
    let _ = REPORTERS.try_with(|r| r.try_borrow_mut().map(|mut r| r.push(f)));
}

/// Whether the fallback has replaced the page.
pub fn crashed() -> bool {
    CRASHED.try_with(Cell::get).unwrap_or(false)
}

/// Sets the panic hook (through Yew, which otherwise replaces it with its own when the app
/// renders); arms the `?crash_test=1` trigger.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or("(no message)");
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "unknown".into());
        on_panic(message, &location);
    }));
    let asked = browser::query_pairs()
        .iter()
        .any(|(k, v)| k == "crash_test" && v == "1");
    if asked {
        logger::warn(
            "crash",
            "?crash_test=1: the page will panic on purpose shortly",
        );
        gloo_timers::callback::Timeout::new(CRASH_TEST_DELAY_MS, || {
            panic!("{CRASH_TEST_MESSAGE}");
        })
        .forget();
    }
}

/// The text a user copies into a bug report (`stack` may be empty).
pub fn details(message: &str, location: &str, version: &str, url: &str, stack: &str) -> String {
    let mut out = format!("Jobs page {version} panicked at {location}:\n{message}\n\nPage: {url}");
    if !stack.trim().is_empty() {
        out.push_str("\n\nStack:\n");
        out.push_str(stack.trim_end());
    }
    out
}

/// The JavaScript stack at this point (wasm frames included), or empty.
fn js_stack() -> String {
    js_sys::Reflect::get(&js_sys::Error::new(""), &JsValue::from_str("stack"))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

fn on_panic(message: &str, location: &str) {
    // Once: a second panic (from a reporter, or racing) must not rebuild the fallback.
    if CRASHED.try_with(|c| c.replace(true)).unwrap_or(true) {
        return;
    }
    logger::log(
        logger::Level::Error,
        "crash",
        "the page stopped because of an internal error",
        serde_json::json!({"message": message, "location": location}),
    );
    let url = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let text = details(
        message,
        location,
        env!("CARGO_PKG_VERSION"),
        &url,
        &js_stack(),
    );
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        show_fallback(&document, &text);
    }
    let reporters: Vec<Reporter> = REPORTERS
        .try_with(|r| r.try_borrow().map(|r| r.clone()).unwrap_or_default())
        .unwrap_or_default();
    for report in reporters {
        report(&text);
    }
}

/// `<tag class=…>` with text, or `None` if the DOM refused.
fn el(document: &Document, tag: &str, class: &str, text: &str) -> Option<Element> {
    let e = document.create_element(tag).ok()?;
    if !class.is_empty() {
        let _ = e.set_attribute("class", class);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    Some(e)
}

fn append(parent: &Element, child: &Option<Element>) {
    if let Some(c) = child {
        let _ = parent.append_child(c);
    }
}

fn on_click(target: &Option<Element>, f: impl FnMut() + 'static) {
    if let Some(t) = target {
        let cb = Closure::<dyn FnMut()>::new(f);
        let _ = t.add_event_listener_with_callback("click", cb.as_ref().unchecked_ref());
        cb.forget(); // lives as long as the fallback, i.e. the page
    }
}

fn show_fallback(document: &Document, text: &str) {
    let Some(main) = el(document, "main", "app crash-fallback", "") else {
        return;
    };
    let _ = main.set_attribute("data-testid", "crash-fallback");
    let banner = el(document, "div", "error-banner", "");
    if let Some(b) = &banner {
        let _ = b.set_attribute("role", "alert");
        append(b, &el(document, "h1", "", "The Jobs page stopped"));
        append(
            b,
            &el(
                document,
                "p",
                "",
                "The Jobs page stopped because of an internal error. Your jobs are not \
                 affected: they keep running on the server. Reload the page to continue; if \
                 this happens again, copy the details below into a bug report.",
            ),
        );
    }
    let reload = el(document, "button", "btn btn-primary", "Reload");
    if let Some(r) = &reload {
        let _ = r.set_attribute("type", "button");
        let _ = r.set_attribute("data-testid", "crash-reload");
    }
    on_click(&reload, || {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    if let Some(b) = &banner {
        append(b, &reload);
    }
    append(&main, &banner);

    let label = el(document, "label", "", "Details");
    if let Some(l) = &label {
        let _ = l.set_attribute("for", "crash-details");
    }
    let area = el(document, "textarea", "", "");
    let textarea = area
        .clone()
        .and_then(|a| a.dyn_into::<HtmlTextAreaElement>().ok());
    if let Some(t) = &textarea {
        t.set_read_only(true);
        t.set_rows(8);
        t.set_value(text);
        let _ = t.set_attribute("id", "crash-details");
        let _ = t.set_attribute("data-testid", "crash-details");
        let _ = t.set_attribute("spellcheck", "false");
        // CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline'.
        let style = t.style();
        let _ = style.set_property("display", "block");
        let _ = style.set_property("width", "100%");
        let _ = style.set_property("box-sizing", "border-box");
        let _ = style.set_property("font-family", "monospace");
        let _ = style.set_property("margin", "4px 0 8px");
    }
    append(&main, &label);
    append(&main, &area);
    let copy = el(document, "button", "btn", "Copy details");
    let status = el(document, "p", "", "");
    if let Some(c) = &copy {
        let _ = c.set_attribute("type", "button");
        let _ = c.set_attribute("data-testid", "crash-copy");
    }
    if let Some(s) = &status {
        let _ = s.set_attribute("role", "status");
        let _ = s.set_attribute("data-testid", "crash-copy-status");
    }
    {
        let (text, textarea, status) = (text.to_string(), textarea.clone(), status.clone());
        on_click(&copy, move || {
            copy_details(&text, textarea.as_ref(), status.as_ref())
        });
    }
    append(&main, &copy);
    append(&main, &status);

    // A new <body>: Yew keeps the old one, so nothing it still renders can cover the fallback.
    let replaced = document.create_element("body").ok().is_some_and(|body| {
        body.append_child(&main).is_ok()
            && js_sys::Reflect::set(document, &JsValue::from_str("body"), &body).unwrap_or(false)
    });
    if !replaced {
        if let Some(body) = document.body() {
            while let Some(child) = body.first_child() {
                if body.remove_child(&child).is_err() {
                    break;
                }
            }
            let _ = body.append_child(&main);
        }
    }
    if let Some(r) = reload.and_then(|r| r.dyn_into::<HtmlElement>().ok()) {
        let _ = r.focus();
    }
}

/// Selects the details and writes them to the clipboard, saying how it went.
fn copy_details(text: &str, textarea: Option<&HtmlTextAreaElement>, status: Option<&Element>) {
    if let Some(t) = textarea {
        t.select();
    }
    let say = |s: Option<Element>, msg: &'static str| {
        move |_: JsValue| {
            if let Some(s) = &s {
                s.set_text_content(Some(msg));
            }
        }
    };
    let manual = "Could not copy automatically: the details are selected, press Ctrl+C (⌘C).";
    let clipboard = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &JsValue::from_str("clipboard")).ok())
        .and_then(|c| c.dyn_into::<web_sys::Clipboard>().ok());
    let Some(clipboard) = clipboard else {
        say(status.cloned(), manual)(JsValue::UNDEFINED);
        return;
    };
    let ok = Closure::<dyn FnMut(JsValue)>::new(say(status.cloned(), "Details copied."));
    let failed = Closure::<dyn FnMut(JsValue)>::new(say(status.cloned(), manual));
    let _ = clipboard.write_text(text).then2(&ok, &failed);
    // Called once each at most; a click's worth of memory on a page that has already stopped.
    ok.forget();
    failed.forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_hold_message_location_and_version() {
        let d = details(
            "index out of bounds",
            "src/x.rs:3:9",
            "0.1.0",
            "http://h/#/jobs",
            "",
        );
        assert_eq!(
            d,
            "Jobs page 0.1.0 panicked at src/x.rs:3:9:\nindex out of bounds\n\nPage: http://h/#/jobs"
        );
        let d = details("m", "l", "v", "u", "Error\n  at f\n");
        assert!(d.ends_with("\n\nStack:\nError\n  at f"), "{d}");
    }
}
