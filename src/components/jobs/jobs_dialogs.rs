//! The jobs page's dialogs, one at a time: start (or run again), cancel one job, confirm a
//! bulk action, a job's logs. The page decides which is open; this renders it and carries out
//! what it confirms.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::jobs::bulk_confirm::BulkConfirm;
use crate::components::jobs::cancel_dialog::CancelDialog;
use crate::components::jobs::job_logs_modal::JobLogsModal;
use crate::components::jobs::start_job_modal::{confirm_started, StartJobModal};
use crate::hooks::use_jobs;
use crate::state::bulk::Plan;
use crate::state::filter_text::describe_filter;
use crate::state::jobs_store::UserAction;
use crate::types::{Dataset, Job};

/// Which dialog is open.
#[derive(Clone, PartialEq)]
pub enum Dialog {
    None,
    /// Start a job, prefilled from an earlier one ("Run again").
    Start(Option<Rc<Job>>),
    Cancel(Rc<Job>),
    Bulk(Rc<Plan>),
    /// The logs of the job with this id.
    Logs(String),
}

#[derive(Properties, PartialEq)]
pub struct JobsDialogsProps {
    pub dialog: Dialog,
    /// For naming datasets in a bulk scope.
    pub datasets: Rc<Vec<Dataset>>,
    /// A bulk plan was confirmed.
    pub on_start_bulk: Callback<Plan>,
    /// The open dialog closes (dismissed or done).
    pub on_close: Callback<()>,
}

/// After the dialog closes, keyboard focus goes to the card or compact row (its Cancel button
/// is disabled or gone), so keyboard users continue where they were.
fn focus_card_later(id: &str) {
    let selector = format!(".job-list > li[data-job-id=\"{id}\"]");
    yew::platform::spawn_local(async move {
        // After the dialog's own unmount has tried (and failed) to restore focus.
        gloo_timers::future::TimeoutFuture::new(0).await;
        let el = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(&selector).ok().flatten());
        if let Some(el) =
            el.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = el.focus();
        }
    });
}

#[component]
pub fn JobsDialogs(props: &JobsDialogsProps) -> Html {
    let jobs = use_jobs();
    let close_dialog = props.on_close.clone();
    match &props.dialog {
        Dialog::None => html! {},
        Dialog::Logs(id) => html! {
            <JobLogsModal job_id={id.clone()} on_close={close_dialog} />
        },
        Dialog::Start(prefill) => {
            let on_started = confirm_started(&jobs);
            html! {
                <StartJobModal on_close={close_dialog} {on_started}
                               prefill={prefill.as_ref().map(|j| (**j).clone())} />
            }
        }
        Dialog::Cancel(job) => {
            let on_confirm = {
                let (jobs, close, id) = (jobs.clone(), close_dialog.clone(), job.id.clone());
                Callback::from(move |_| {
                    jobs.request(&id, UserAction::Cancel);
                    close.emit(());
                    focus_card_later(&id);
                })
            };
            let current = jobs
                .state()
                .job(&job.id)
                .cloned()
                .unwrap_or_else(|| job.clone());
            html! {
                <CancelDialog job={(*current).clone()} {on_confirm} on_close={close_dialog} />
            }
        }
        Dialog::Bulk(plan) => {
            let on_confirm = {
                let (plan, close, start) = (
                    plan.clone(),
                    close_dialog.clone(),
                    props.on_start_bulk.clone(),
                );
                Callback::from(move |_| {
                    start.emit((*plan).clone());
                    close.emit(());
                })
            };
            let scope = plan.scope_text(|f| describe_filter(f, &props.datasets));
            html! {
                <BulkConfirm plan={plan.clone()} scope={scope} {on_confirm} on_close={close_dialog} />
            }
        }
    }
}
