//! The confirmation of a planned bulk action: its question, scope and exact count, or
//! "Nothing to do" when no job in the scope is eligible.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::modal::Modal;
use crate::state::bulk::{BulkKind, Plan};

#[derive(Properties, PartialEq)]
pub struct BulkConfirmProps {
    pub plan: Rc<Plan>,
    /// The scope in words (`Plan::scope_text`).
    pub scope: AttrValue,
    pub on_confirm: Callback<()>,
    pub on_close: Callback<()>,
}

#[component]
pub fn BulkConfirm(props: &BulkConfirmProps) -> Html {
    let plan = &props.plan;
    let scope = props.scope.clone();
    if plan.count() == 0 {
        html! {
            <Modal title="Nothing to do" on_close={props.on_close.clone()} testid="confirm-bulk">
                <p>{ format!("No {} jobs in this scope.", plan.kind.noun()) }</p>
                <p>{ scope }</p>
            </Modal>
        }
    } else {
        html! {
            <ConfirmDialog title={plan.question()} confirm_label={format!("{} {} jobs", plan.kind.verb(), plan.count())}
                           danger={plan.kind == BulkKind::Cancel} testid="confirm-bulk"
                           on_confirm={props.on_confirm.clone()} on_cancel={props.on_close.clone()}
                           message={html! { <p data-testid="bulk-scope">{ scope }</p> }} />
        }
    }
}
