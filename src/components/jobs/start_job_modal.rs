//! The "Start processing" dialog: choose datasets, a kind and parameters, and start one job per
//! dataset (`POST /jobs` for one, `POST /jobs/bulk/start` for several).
//!
//! This module is the view: the rules are checked before anything is sent (`state::job_form`),
//! sending and reading the answer is `hooks::use_start_jobs` (per-dataset outcomes:
//! `state::bulk_start`). The server's 422 messages land next to the fields they concern; a
//! partial bulk failure lists each dataset's outcome, reports the jobs that were created and
//! keeps only the failed datasets selected, so starting again never duplicates a job. What the
//! user typed survives every error.
//!
//! The parts of the view are submodules: the dataset choice (`datasets`), the parameter fields
//! and their error links (`fields`), the workers-and-queue line (`capacity`) and the per-dataset
//! outcomes (`results`).

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::components::modal::{unique_id, Modal};
use crate::hooks::use_datasets::{use_dataset_list, DatasetList};
use crate::hooks::use_start_jobs::use_start_jobs;
use crate::hooks::UseJobsHandle;
use crate::state::job_form::{
    submit_label, FieldErrors, FormEdit, JobForm, DATASET, GENERAL, KIND,
};
use crate::state::jobs_store::Action;
use crate::types::{Dataset, Job};

mod capacity;
mod datasets;
mod fields;
mod results;

use capacity::StartCapacity;
use datasets::dataset_section;
use fields::{field_error, kind_field, note_field, numeric_fields};
use results::results_view;

#[derive(Properties, PartialEq)]
pub struct StartJobModalProps {
    pub on_close: Callback<()>,
    /// The jobs the server created (also after a partial bulk failure).
    pub on_started: Callback<Vec<Job>>,
    /// Start filled in like this job ("Run again like this").
    #[prop_or_default]
    pub prefill: Option<Job>,
}

#[component]
pub fn StartJobModal(props: &StartJobModalProps) -> Html {
    let ids = use_memo((), |_| unique_id("start"));
    let form = {
        let prefill = props.prefill.clone();
        use_reducer(move || prefill.as_ref().map(JobForm::from_job).unwrap_or_default())
    };
    let datasets = use_dataset_list();
    let submit = use_start_jobs(
        form.clone(),
        props.on_started.clone(),
        props.on_close.clone(),
    );
    let form_ref = use_node_ref();

    use_focus_first_invalid(&form_ref, *submit.focus_request);

    let on_text = on_edit(
        &form,
        &submit.errors,
        |(field, value): (&'static str, String)| (FormEdit::Text { field, value }, field),
    );
    let on_select = on_edit(&form, &submit.errors, |(dataset_id, selected)| {
        let edit = FormEdit::Select {
            dataset_id,
            selected,
        };
        (edit, DATASET)
    });
    let on_kind = on_edit(&form, &submit.errors, |kind| (FormEdit::Kind(kind), KIND));
    let cancel = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };

    let ids = ids.as_str();
    let errors_now = &*submit.errors;
    let loaded: &[Dataset] = match &datasets.list {
        DatasetList::Loaded(list) => list,
        _ => &[],
    };
    let dataset_error = field_error(ids, DATASET, errors_now);
    let dataset_section = dataset_section(
        &datasets,
        &form,
        props.prefill.as_ref(),
        &dataset_error,
        &on_select,
    );
    let kind_field = kind_field(ids, &form, errors_now, on_kind);
    let numeric = numeric_fields(ids, &form, errors_now, &on_text);
    let note_field = note_field(ids, &form, errors_now, on_text);
    let general = errors_now
        .get(GENERAL)
        .map(str::to_string)
        .or_else(|| (*submit.failure).clone());
    let results_view = (*submit.results)
        .as_ref()
        .map(|rows| results_view(rows, loaded));
    let prefill_note = props.prefill.as_ref().map(|job| {
        html! {
            <p class="start-prefill" data-testid="start-prefill">
                { "Filled in like job " }<code>{ job.id.clone() }</code>
                { ". Change anything before starting." }
            </p>
        }
    });
    let submitting = *submit.submitting;

    html! {
        <Modal title="Start processing" on_close={props.on_close.clone()} testid="start-modal" wide=true>
            <form class="start-form" ref={form_ref} onsubmit={submit.onsubmit} novalidate=true>
                { for prefill_note }
                <fieldset class={classes!("start-datasets", dataset_error.is_some().then_some("has-error"))}
                          aria-describedby={dataset_error.as_ref().map(|e| e.id.clone())}>
                    <legend>{ "Datasets" }</legend>
                    { dataset_section }
                    { dataset_error.clone().map(|e| e.html).unwrap_or_default() }
                </fieldset>
                <div class="form-grid">
                    { kind_field }
                    { for numeric }
                    { note_field }
                </div>
                <StartCapacity />
                if let Some(message) = general {
                    <div class="form-error" role="alert" data-testid="start-error">{ message }</div>
                }
                { for results_view }
                <div class="modal-actions">
                    if submitting {
                        <span class="loading" role="status">{ "Starting…" }</span>
                    }
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary" data-testid="start-submit"
                            disabled={submitting} aria-busy={submitting.to_string()}>
                        { submit_label(form.datasets.len()) }
                    </button>
                </div>
            </form>
        </Modal>
    }
}

/// An `on_started` that puts the created jobs in the store (the server's answer is their
/// truth), for the hosts of the dialog.
pub fn confirm_started(jobs: &UseJobsHandle) -> Callback<Vec<Job>> {
    let jobs = jobs.clone();
    Callback::from(move |created: Vec<Job>| {
        for job in created {
            jobs.dispatch(Action::Confirmed {
                id: job.id.clone(),
                job: Box::new(job),
            });
        }
    })
}

/// After a failed submit (`request` grows), takes the user to the first field that needs a
/// change.
#[hook]
fn use_focus_first_invalid(form_ref: &NodeRef, request: u32) {
    let form_ref = form_ref.clone();
    use_effect_with(request, move |request| {
        if *request > 0 {
            let first = form_ref
                .cast::<HtmlElement>()
                .and_then(|f| f.query_selector("[aria-invalid=\"true\"]").ok().flatten())
                .and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(first) = first {
                let _ = first.focus();
            }
        }
    });
}

/// A field's input handler: applies the edit `to_edit` makes of the input, then clears the
/// message of the field it names (the user is changing it) and the general one.
fn on_edit<T: 'static>(
    form: &UseReducerHandle<JobForm>,
    errors: &UseStateHandle<FieldErrors>,
    to_edit: impl Fn(T) -> (FormEdit, &'static str) + 'static,
) -> Callback<T> {
    let (form, errors) = (form.clone(), errors.clone());
    Callback::from(move |input: T| {
        let (edit, field) = to_edit(input);
        form.dispatch(edit);
        clear_error(&errors, field);
    })
}

fn clear_error(errors: &UseStateHandle<FieldErrors>, field: &str) {
    if errors.get(field).is_some() || errors.get(GENERAL).is_some() {
        let mut next = (**errors).clone();
        next.remove(field);
        next.remove(GENERAL);
        errors.set(next);
    }
}
