//! An accessible modal dialog: a backdrop and a `role="dialog"` box that takes focus when it
//! opens, keeps Tab and Shift+Tab inside, closes on Escape, the Close button or a click on the
//! backdrop, and gives focus back to whatever had it before it opened.
//!
//! The dialog renders where it is used (no portal); `position: fixed` and a high `z-index` in
//! `styles/main.css` put it above the page. The element to focus first can be chosen by giving
//! it a `data-autofocus` attribute; otherwise the first focusable element gets focus.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};
use yew::prelude::*;

/// What counts as focusable inside a dialog (disabled controls are skipped).
const FOCUSABLE: &str =
    "a[href], button:not([disabled]), input:not([disabled]):not([type=\"hidden\"]), \
     select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// Open dialogs, oldest first: only the last one answers keys, so Escape in a dialog opened
    /// from another closes just the inner one.
    static OPEN: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// A document-unique element id, `<prefix>-<n>`, for ARIA links between elements.
pub fn unique_id(prefix: &str) -> String {
    format!("{prefix}-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

/// Where focus must go when Tab (or Shift+Tab with `backwards`) is pressed on the element at
/// `current` of `len` focusable elements, if the browser's own move would leave the dialog.
/// `current` is `None` when focus is on the dialog itself or outside it.
pub fn tab_wrap(len: usize, current: Option<usize>, backwards: bool) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let last = len - 1;
    match (current, backwards) {
        (None, false) => Some(0),
        (None | Some(0), true) => Some(last),
        (Some(i), false) if i >= last => Some(0),
        _ => None,
    }
}

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    /// The dialog's heading and accessible name.
    pub title: AttrValue,
    /// Escape, the Close button and a click on the backdrop.
    pub on_close: Callback<()>,
    pub children: Html,
    /// `data-testid` of the dialog element.
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    /// A wider box, for forms.
    #[prop_or_default]
    pub wide: bool,
    /// Fill the whole window (the log viewer's full-screen mode).
    #[prop_or_default]
    pub fullscreen: bool,
    /// Extra class on the dialog box.
    #[prop_or_default]
    pub class: Classes,
}

#[component]
pub fn Modal(props: &ModalProps) -> Html {
    let title_id = use_memo((), |_| unique_id("modal-title"));
    let dialog_ref = use_node_ref();
    let backdrop_ref = use_node_ref();
    // A click that started inside the dialog (e.g. selecting text) and ended on the backdrop
    // must not close it: only a press that starts on the backdrop does.
    let pressed_on_backdrop = use_memo((), |_| Rc::new(Cell::new(false)));

    // The latest `on_close`, for the document listener registered once on mount.
    let on_close = use_mut_ref(|| props.on_close.clone());
    *on_close.borrow_mut() = props.on_close.clone();

    {
        let dialog_ref = dialog_ref.clone();
        let on_close = on_close.clone();
        use_effect_with((), move |_| {
            let instance = NEXT_ID.fetch_add(1, Ordering::Relaxed);
            OPEN.with(|open| open.borrow_mut().push(instance));
            let previous = active_element();
            if let Some(dialog) = dialog_ref.cast::<HtmlElement>() {
                let first = dialog
                    .query_selector("[data-autofocus]")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok())
                    .or_else(|| focusables(&dialog).into_iter().next());
                let _ = first.unwrap_or(dialog).focus();
            }
            // On the document, not the dialog: keys must work even when focus fell to <body>
            // (a focused button that becomes disabled loses focus).
            let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
                EventListener::new_with_options(
                    &doc,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        let topmost = OPEN.with(|open| open.borrow().last() == Some(&instance));
                        if let (true, Some(key)) = (topmost, event.dyn_ref::<KeyboardEvent>()) {
                            let on_close = on_close.borrow().clone();
                            on_key(key, &dialog_ref, &on_close);
                        }
                    },
                )
            });
            move || {
                drop(listener);
                OPEN.with(|open| open.borrow_mut().retain(|i| *i != instance));
                if let Some(previous) = previous.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                    if previous.is_connected() {
                        let _ = previous.focus();
                    }
                }
            }
        });
    }

    let onmousedown = {
        let backdrop_ref = backdrop_ref.clone();
        let pressed = (*pressed_on_backdrop).clone();
        Callback::from(move |e: MouseEvent| pressed.set(is_target(&e, &backdrop_ref)))
    };
    let onclick = {
        let on_close = props.on_close.clone();
        let backdrop_ref = backdrop_ref.clone();
        let pressed = (*pressed_on_backdrop).clone();
        Callback::from(move |e: MouseEvent| {
            if pressed.replace(false) && is_target(&e, &backdrop_ref) {
                on_close.emit(());
            }
        })
    };
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };

    html! {
        <div class="modal-backdrop" ref={backdrop_ref.clone()} {onmousedown} {onclick}>
            <div class={classes!("modal", props.wide.then_some("modal-wide"), props.fullscreen.then_some("modal-fullscreen"), props.class.clone())}
                 role="dialog" aria-modal="true" aria-labelledby={(*title_id).clone()}
                 tabindex="-1" ref={dialog_ref}
                 data-testid={props.testid.clone()}>
                <header class="modal-head">
                    <h2 class="modal-title" id={(*title_id).clone()}>{ props.title.clone() }</h2>
                    <button type="button" class="btn btn-small modal-close" onclick={close}>
                        { "Close" }
                    </button>
                </header>
                <div class="modal-body">{ props.children.clone() }</div>
            </div>
        </div>
    }
}

/// Escape closes; Tab and Shift+Tab wrap around inside the dialog.
fn on_key(e: &KeyboardEvent, dialog_ref: &NodeRef, on_close: &Callback<()>) {
    // Already handled inside (e.g. a widget's own Escape), or part of an IME composition.
    if e.default_prevented() || e.is_composing() {
        return;
    }
    match e.key().as_str() {
        "Escape" => {
            e.prevent_default();
            on_close.emit(());
        }
        "Tab" => {
            let Some(dialog) = dialog_ref.cast::<HtmlElement>() else {
                return;
            };
            let items = focusables(&dialog);
            if items.is_empty() {
                e.prevent_default();
                let _ = dialog.focus();
                return;
            }
            let current = active_element()
                .and_then(|a| items.iter().position(|i| AsRef::<Element>::as_ref(i) == &a));
            if let Some(next) = tab_wrap(items.len(), current, e.shift_key()) {
                e.prevent_default();
                let _ = items[next].focus();
            }
        }
        _ => {}
    }
}

/// The event happened on `node` itself, not on something inside it.
fn is_target(e: &MouseEvent, node: &NodeRef) -> bool {
    match (e.target_dyn_into::<Element>(), node.cast::<Element>()) {
        (Some(target), Some(el)) => target == el,
        _ => false,
    }
}

fn active_element() -> Option<Element> {
    web_sys::window()?.document()?.active_element()
}

/// The dialog's focusable elements in document order.
fn focusables(root: &Element) -> Vec<HtmlElement> {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_wraps_only_at_the_ends() {
        // Forwards: from the last back to the first; elsewhere the browser moves focus.
        assert_eq!(tab_wrap(3, Some(2), false), Some(0));
        assert_eq!(tab_wrap(3, Some(0), false), None);
        assert_eq!(tab_wrap(3, Some(1), false), None);
        // Backwards: from the first to the last.
        assert_eq!(tab_wrap(3, Some(0), true), Some(2));
        assert_eq!(tab_wrap(3, Some(2), true), None);
        // Focus on the dialog itself (or lost): into the dialog, at the matching end.
        assert_eq!(tab_wrap(3, None, false), Some(0));
        assert_eq!(tab_wrap(3, None, true), Some(2));
        // A single element keeps focus.
        assert_eq!(tab_wrap(1, Some(0), false), Some(0));
        assert_eq!(tab_wrap(1, Some(0), true), Some(0));
        assert_eq!(tab_wrap(0, None, false), None);
    }

    #[test]
    fn ids_are_unique() {
        let a = unique_id("x");
        let b = unique_id("x");
        assert_ne!(a, b);
        assert!(a.starts_with("x-"));
    }
}
