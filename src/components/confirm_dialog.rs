//! "Are you sure?" before an action: a [`Modal`] with a message, Cancel and a confirm button
//! named by the action. The confirm button has focus when it opens, so Enter confirms and
//! Escape cancels; while `busy` it is disabled and says "Working…", so a request in flight is
//! never sent twice.

use std::cell::Cell;
use std::rc::Rc;

use web_sys::HtmlElement;
use yew::prelude::*;

use crate::components::modal::Modal;

#[derive(Properties, PartialEq)]
pub struct ConfirmDialogProps {
    pub title: AttrValue,
    /// What will happen, e.g. which jobs are cancelled. Untrusted parts must be text nodes.
    pub message: Html,
    /// The action, e.g. "Cancel 3 jobs".
    pub confirm_label: AttrValue,
    /// The action destroys or stops something (red confirm button).
    #[prop_or_default]
    pub danger: bool,
    /// The confirmed request is in flight.
    #[prop_or_default]
    pub busy: bool,
    pub on_confirm: Callback<()>,
    /// Cancel, Close, Escape and the backdrop.
    pub on_cancel: Callback<()>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

#[component]
pub fn ConfirmDialog(props: &ConfirmDialogProps) -> Html {
    // Two clicks delivered before the parent re-renders with `busy` would both pass the
    // `disabled` check; this latch drops the second and is reset once a render happened.
    let latch = use_memo((), |_| Rc::new(Cell::new(false)));
    let rerender = use_force_update();
    let confirm_ref = use_node_ref();
    {
        let latch = (*latch).clone();
        use_effect(move || latch.set(false));
    }
    {
        // Disabling the focused button drops focus to <body>; bring it back when the request
        // failed and the dialog stays open, so Enter confirms again.
        let confirm_ref = confirm_ref.clone();
        use_effect_with(props.busy, move |busy| {
            if !*busy && focus_is_lost() {
                if let Some(button) = confirm_ref.cast::<HtmlElement>() {
                    let _ = button.focus();
                }
            }
        });
    }
    let confirm = {
        let on_confirm = props.on_confirm.clone();
        let busy = props.busy;
        let latch = (*latch).clone();
        Callback::from(move |_: MouseEvent| {
            if busy || latch.replace(true) {
                return;
            }
            rerender.force_update();
            on_confirm.emit(());
        })
    };
    let cancel = {
        let on_cancel = props.on_cancel.clone();
        Callback::from(move |_: MouseEvent| on_cancel.emit(()))
    };
    let label = if props.busy {
        AttrValue::from("Working…")
    } else {
        props.confirm_label.clone()
    };
    html! {
        <Modal title={props.title.clone()} on_close={props.on_cancel.clone()}
               testid={props.testid.clone()}>
            <div class="confirm-message">{ props.message.clone() }</div>
            <div class="modal-actions">
                <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                <button type="button"
                        class={classes!("btn", if props.danger { "btn-danger" } else { "btn-primary" })}
                        data-autofocus="" disabled={props.busy} aria-busy={props.busy.to_string()}
                        data-testid="confirm-button" ref={confirm_ref} onclick={confirm}>
                    { label }
                </button>
            </div>
        </Modal>
    }
}

/// Nothing in particular has focus (it is on `<body>` or nowhere).
fn focus_is_lost() -> bool {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    match (doc.active_element(), doc.body()) {
        (None, _) => true,
        (Some(active), Some(body)) => AsRef::<web_sys::Element>::as_ref(&body) == &active,
        (Some(_), None) => false,
    }
}
