//! The page's side of the embedding protocol (`docs/embedding.md`): the one parent origin the
//! page talks to, posting to it, and listening to it. What a message may look like and whom
//! to accept it from is decided in `state/embed_protocol.rs`; this module only moves them.
//!
//! Standalone (not framed) is detected at run time: [`connect`] finds no parent, nothing is
//! ever posted and no listener is installed.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;

use crate::services::browser::ResizeWatch;
use crate::services::{auth, browser, crash, diagnostics, logger};
use crate::state::config::Config;
use crate::state::embed_protocol::{
    accept_origin, is_id, parse_host_message, post_target, HeightTracker, HostMessage, PageMessage,
    Rejection,
};

thread_local! {
    /// The validated parent origin; `None` when standalone.
    static TARGET: RefCell<Option<String>> = const { RefCell::new(None) };
    static CONNECTED: Cell<bool> = const { Cell::new(false) };
}

/// Decides, once the configuration is known, whether the page talks to a host, and registers
/// the host as the answer to a crash (`error`) and to a refused token (`token_request`).
/// Called by the app root when it has accepted the parent; later calls change nothing.
pub fn connect(config: &Config) {
    if CONNECTED.with(|c| c.replace(true)) {
        return;
    }
    let own = browser::origin().unwrap_or_default();
    let target = post_target(config, &own, browser::parent_origin().as_deref());
    let Some(origin) = target.clone() else {
        return;
    };
    TARGET.with(|t| *t.borrow_mut() = target);
    logger::info("host", &format!("embedded; talking to {origin}"));
    // The stylesheets size vh-based areas in pixels when embedded: the iframe is sized from
    // the content, so content sized from the iframe would grow without end.
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-embedded", "true");
    }
    crash::on_crash(Rc::new(|message: &str| {
        post(&PageMessage::Error {
            message: message.to_string(),
        })
    }));
    auth::on_refresh_needed(Rc::new(|| post(&PageMessage::TokenRequest)));
}

/// The parent origin messages go to and come from. `try_*` because a crash report may run
/// while anything is borrowed.
fn target() -> Option<String> {
    TARGET
        .try_with(|t| t.try_borrow().ok().and_then(|t| t.clone()))
        .ok()
        .flatten()
}

/// Whether the page is framed by a host it talks to.
pub fn is_embedded() -> bool {
    target().is_some()
}

/// Posts a message to the validated parent origin (never `*`); does nothing when standalone.
pub fn post(msg: &PageMessage) {
    let Some(origin) = target() else {
        return;
    };
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    // A plain object, not a string, so hosts read `event.data.type` directly.
    let Ok(data) = js_sys::JSON::parse(&msg.to_json().to_string()) else {
        return;
    };
    if parent.post_message(&data, &origin).is_err() {
        logger::debug("host", &format!("could not post `{}`", msg.kind()));
    }
}

/// Asks the host to open a dataset in its Dataset Explorer.
pub fn navigate_dataset(dataset_id: &str) {
    if is_id(dataset_id) {
        post(&PageMessage::NavigateDataset {
            dataset_id: dataset_id.to_string(),
        });
    }
}

/// Asks the host to open a job's page in a new tab.
pub fn navigate_job(job_id: &str) {
    if is_id(job_id) {
        post(&PageMessage::NavigateJob {
            job_id: job_id.to_string(),
        });
    }
}

/// Answers `diagnostics_request` with the diagnostics panel's figures.
pub fn post_diagnostics() {
    match serde_json::to_value(diagnostics::snapshot()) {
        Ok(snapshot) => post(&PageMessage::Diagnostics { snapshot }),
        Err(e) => logger::warn("host", &format!("diagnostics not serialisable: {e}")),
    }
}

/// The host listener and the height observer; dropping it stops both.
pub struct Listening {
    _message: EventListener,
    _height: ResizeWatch,
}

/// Starts listening to the host (validated messages go to `on_message`, the rest is logged at
/// debug level), follows the content height, and says `ready`. `None` when standalone.
pub fn listen(on_message: Rc<dyn Fn(HostMessage)>) -> Option<Listening> {
    target()?;
    let window = web_sys::window()?;
    let root = window.document()?.document_element()?;
    let message = EventListener::new(&window, "message", move |event| {
        match event.dyn_ref::<web_sys::MessageEvent>().map(read) {
            Some(Ok(msg)) => {
                logger::debug("host", &format!("received `{}`", msg.kind()));
                on_message(msg)
            }
            Some(Err(why)) => logger::debug("host", &format!("ignored a message: {why}")),
            None => {}
        }
    });
    // The root element's box is the content's height whatever the iframe's size, so sizing
    // the iframe from it cannot feed back.
    let tracker = RefCell::new(HeightTracker::default());
    let measured = root.clone();
    let height = ResizeWatch::new(&root, move || {
        let height = measured.get_bounding_client_rect().height();
        if let Some(px) = tracker.borrow_mut().update(height) {
            post(&PageMessage::Height { px });
        }
    })?;
    post(&PageMessage::Ready {
        app_version: env!("CARGO_PKG_VERSION").to_string(),
    });
    Some(Listening {
        _message: message,
        _height: height,
    })
}

/// A message event as a host message, if it passes every rule.
fn read(event: &web_sys::MessageEvent) -> Result<HostMessage, Rejection> {
    let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
    let from_parent = match (event.source(), parent) {
        (Some(source), Some(parent)) => js_sys::Object::is(&source, &parent),
        _ => false,
    };
    accept_origin(target().as_deref(), &event.origin(), from_parent)?;
    // Structured-clone data back to JSON text, so the pure validator sees exactly what came.
    let text = js_sys::JSON::stringify(&event.data())
        .ok()
        .and_then(|s| s.as_string())
        .ok_or(Rejection::NotObject)?;
    parse_host_message(&text)
}
