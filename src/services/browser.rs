//! Facts about the page the app runs in: origin, query parameters, the framing parent.

use crate::state::url::{hash_query, parse_query};

/// The page's origin, e.g. `http://127.0.0.1:8080`.
pub fn origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}

/// The page's query parameters (before the `#`), in order.
pub fn query_pairs() -> Vec<(String, String)> {
    parse_query(&location_part(|l| l.search()))
}

/// The query of the location hash (`#/jobs?status=failed` → `status=failed`).
pub fn hash_query_string() -> String {
    hash_query(&location_part(|l| l.hash())).to_string()
}

/// The location hash, `#` included (empty when there is none).
pub fn hash() -> String {
    location_part(|l| l.hash())
}

/// Replaces the location hash without a navigation (no `hashchange`, no history entry).
pub fn replace_hash(hash: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        // A refused replacement (e.g. a sandboxed frame) only leaves the old address.
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
    }
}

fn location_part(
    f: impl Fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>,
) -> String {
    web_sys::window()
        .and_then(|w| f(&w.location()).ok())
        .unwrap_or_default()
}

/// The origin of the page framing this one, `None` when not framed. A framed page whose parent
/// cannot be identified reports `Some("null")`, which no allow-list matches.
pub fn parent_origin() -> Option<String> {
    let window = web_sys::window()?;
    let top_level = match window.parent() {
        Ok(Some(parent)) => js_sys::Object::is(&parent, &window),
        _ => true,
    };
    if top_level {
        return None;
    }
    // `location.ancestorOrigins` (Chromium, WebKit) names the parent even when the referrer
    // is withheld; web-sys has no binding for it, so read it reflectively.
    let first_ancestor = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into())
        .ok()
        .filter(|list| !list.is_undefined())
        .and_then(|list| js_sys::Reflect::get(&list, &0.into()).ok())
        .and_then(|v| v.as_string());
    if let Some(first) = first_ancestor {
        return Some(first);
    }
    let referrer = window.document().map(|d| d.referrer()).unwrap_or_default();
    Some(
        web_sys::Url::new(&referrer)
            .map(|u| u.origin())
            .unwrap_or_else(|_| "null".to_string()),
    )
}

/// Calls a function whenever an element changes size (and once soon after it starts);
/// dropping it stops watching.
pub struct ResizeWatch {
    observer: web_sys::ResizeObserver,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl ResizeWatch {
    pub fn new(el: &web_sys::Element, f: impl FnMut() + 'static) -> Option<Self> {
        use wasm_bindgen::JsCast;
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(f);
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(el);
        Some(Self {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for ResizeWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
