//! The cancel confirmation for one job: names the job and how far it got, and, if the job
//! finished while the dialog was open, says there is nothing left to cancel instead.

use yew::prelude::*;

use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::modal::Modal;
use crate::components::untrusted_text::UntrustedText;
use crate::types::Job;

#[derive(Properties, PartialEq)]
pub struct CancelDialogProps {
    /// The job as the live store has it now.
    pub job: Job,
    pub on_confirm: Callback<()>,
    pub on_close: Callback<()>,
}

#[component]
pub fn CancelDialog(props: &CancelDialogProps) -> Html {
    let job = &props.job;
    if job.status.is_terminal() {
        return html! {
            <Modal title="Nothing to cancel" on_close={props.on_close.clone()} testid="confirm-cancel">
                <p>{ format!("The {} job on ", job.kind) }<UntrustedText text={job.dataset_name.clone()} />
                   { " (" }<UntrustedText text={job.id.clone()} />
                   { format!(") already {} while this dialog was open; there is nothing left to cancel.", job.status) }</p>
            </Modal>
        };
    }
    let pct = job
        .progress
        .fraction()
        .map(|f| format!(" at {:.0}%", f * 100.0))
        .unwrap_or_default();
    html! {
        <ConfirmDialog title="Cancel this job?" confirm_label="Cancel job" danger=true
                       testid="confirm-cancel" on_confirm={props.on_confirm.clone()}
                       on_cancel={props.on_close.clone()}
                       message={html! {
                           <>
                               <p>{ "Cancel the " }<strong>{ job.kind.as_str() }</strong>{ " job on " }
                                  <strong><UntrustedText text={job.dataset_name.clone()} testid="cancel-dataset" /></strong>
                                  { " (" }<UntrustedText text={job.id.clone()} />{ ")?" }</p>
                               <p>{ format!("It is {}{pct}. Work done so far is discarded; you can retry it later.", job.status) }</p>
                           </>
                       }} />
    }
}
