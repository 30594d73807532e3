//! What a job's card and its compact row share: the name their labels use, their callbacks,
//! and the actions a job's status allows. One place, so both views always offer the same
//! actions under the same accessible names.

use std::rc::Rc;

use yew::prelude::*;

use crate::state::bidi::isolate_visible;
use crate::types::{Job, JobStatus};

/// "sales.csv (profile, job_1)": the name every label of the entry uses, with the untrusted
/// parts isolated so a bidi control in a dataset name cannot reorder the sentence.
pub fn entry_name(job: &Job) -> String {
    format!(
        "{} ({}, {})",
        isolate_visible(&job.dataset_name),
        job.kind,
        isolate_visible(&job.id)
    )
}

/// A click that hands the job to `cb`.
pub fn act(cb: &Callback<Rc<Job>>, job: &Rc<Job>) -> Callback<MouseEvent> {
    let (cb, job) = (cb.clone(), job.clone());
    Callback::from(move |_: MouseEvent| cb.emit(job.clone()))
}

/// The selection checkbox's click: `(job id, shift held)` for range selection.
pub fn select(cb: &Callback<(String, bool)>, job: &Job) -> Callback<MouseEvent> {
    let (cb, id) = (cb.clone(), job.id.clone());
    Callback::from(move |e: MouseEvent| cb.emit((id.clone(), e.shift_key())))
}

/// A click that hands the job's id to `cb` (dismissing its action error).
pub fn with_id(cb: &Callback<String>, job: &Job) -> Callback<MouseEvent> {
    let id = job.id.clone();
    cb.reform(move |_: MouseEvent| id.clone())
}

/// Cancel is offered while the job waits or runs; retry once it failed or was cancelled.
pub fn can_cancel(status: JobStatus) -> bool {
    matches!(status, JobStatus::Queued | JobStatus::Running)
}

pub fn can_retry(status: JobStatus) -> bool {
    matches!(status, JobStatus::Failed | JobStatus::Cancelled)
}

/// The entry's Cancel or Retry button (whichever the status allows), disabled while an
/// action on the job is in flight.
pub fn cancel_or_retry(
    job: &Rc<Job>,
    status: JobStatus,
    pending: bool,
    on_cancel: &Callback<Rc<Job>>,
    on_retry: &Callback<Rc<Job>>,
) -> Html {
    let name = entry_name(job);
    html! {
        <>
            if can_cancel(status) {
                <button type="button" class="btn btn-small btn-danger" disabled={pending}
                        aria-label={format!("Cancel {name}")} data-testid="job-cancel"
                        onclick={act(on_cancel, job)}>{ "Cancel" }</button>
            }
            if can_retry(status) {
                <button type="button" class="btn btn-small" disabled={pending}
                        aria-label={format!("Retry {name}")} data-testid="job-retry"
                        onclick={act(on_retry, job)}>{ "Retry" }</button>
            }
        </>
    }
}

/// The entry's "Logs" button and "Details" link.
pub fn logs_and_details(job: &Rc<Job>, on_logs: &Callback<Rc<Job>>) -> Html {
    let name = entry_name(job);
    html! {
        <>
            <button type="button" class="btn btn-small" aria-label={format!("Logs of {name}")}
                    data-testid="job-logs" onclick={act(on_logs, job)}>{ "Logs" }</button>
            <a class="job-link" href={format!("#/jobs/{}", job.id)}
               aria-label={format!("Details and logs of {name}")}>{ "Details" }</a>
        </>
    }
}
