//! Submitting the Start Job form: validate, send (`POST /jobs` for one dataset,
//! `POST /jobs/bulk/start` for several), log the user action, and turn the answer into what the
//! dialog shows: field messages, a failure in words, or each dataset's outcome after a partial
//! bulk failure (keeping only the failed datasets selected, so starting again never duplicates a
//! job).

use std::cell::Cell;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::use_api;
use crate::services::api::{ApiClient, ApiError};
use crate::state::bulk_start::{bulk_outcome, StartResult};
use crate::state::job_form::{server_errors, FieldErrors, FormEdit, JobForm, DATASET};
use crate::types::error::Detail;
use crate::types::{Job, JobCreate};

/// What the dialog renders from the submit state, and the submit handler itself.
pub struct UseStartJobsHandle {
    /// Messages per field key (the form's rules or the server's 422); the dialog clears a
    /// field's message while the user changes it.
    pub errors: UseStateHandle<FieldErrors>,
    /// A refusal that names no field, in words.
    pub failure: UseStateHandle<Option<String>>,
    /// Each dataset's outcome after a partial bulk failure.
    pub results: UseStateHandle<Option<Vec<StartResult>>>,
    /// A request is on its way (the submit button is disabled).
    pub submitting: UseStateHandle<bool>,
    /// Grows after every refused submit: the dialog then focuses the first invalid field.
    pub focus_request: UseStateHandle<u32>,
    pub onsubmit: Callback<SubmitEvent>,
}

/// How a start request ended.
enum Outcome {
    Started(Vec<Job>),
    Partial {
        started: Vec<Job>,
        results: Vec<StartResult>,
        failed: Vec<String>,
    },
    Invalid(FieldErrors),
    Failed(String),
}

/// Submits `form`; `on_started` gets the jobs the server created (also after a partial bulk
/// failure), `on_close` is called when every job started and the dialog is still mounted.
#[hook]
pub fn use_start_jobs(
    form: UseReducerHandle<JobForm>,
    on_started: Callback<Vec<Job>>,
    on_close: Callback<()>,
) -> UseStartJobsHandle {
    let api = use_api();
    let errors = use_state(FieldErrors::new);
    let failure = use_state(|| None::<String>);
    let results = use_state(|| None::<Vec<StartResult>>);
    let submitting = use_state(|| false);
    // Guards the gap between a submit and the render that disables the button.
    let in_flight = use_memo((), |_| Rc::new(Cell::new(false)));
    let mounted = use_memo((), |_| Rc::new(Cell::new(true)));
    let focus_request = use_state(|| 0u32);

    {
        let mounted = (*mounted).clone();
        use_effect_with((), move |_| move || mounted.set(false));
    }

    let onsubmit = {
        let errors = errors.clone();
        let failure = failure.clone();
        let results = results.clone();
        let submitting = submitting.clone();
        let in_flight = (*in_flight).clone();
        let mounted = (*mounted).clone();
        let focus_request = focus_request.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if in_flight.get() {
                return;
            }
            failure.set(None);
            let requested = match form.validate() {
                Ok(requested) => requested,
                Err(invalid) => {
                    errors.set(invalid);
                    focus_request.set(*focus_request + 1);
                    return;
                }
            };
            errors.set(FieldErrors::new());
            results.set(None);
            in_flight.set(true);
            submitting.set(true);
            let (api, form, errors, failure, results, submitting, in_flight, mounted) = (
                api.clone(),
                form.clone(),
                errors.clone(),
                failure.clone(),
                results.clone(),
                submitting.clone(),
                in_flight.clone(),
                mounted.clone(),
            );
            let (on_started, on_close, focus_request) =
                (on_started.clone(), on_close.clone(), focus_request.clone());
            spawn_local(async move {
                let outcome = start(&api, requested).await;
                in_flight.set(false);
                submitting.set(false);
                match outcome {
                    Outcome::Started(created) => {
                        on_started.emit(created);
                        if mounted.get() {
                            on_close.emit(());
                        }
                    }
                    Outcome::Partial {
                        started,
                        results: rows,
                        failed,
                    } => {
                        if !started.is_empty() {
                            on_started.emit(started);
                        }
                        form.dispatch(FormEdit::KeepOnly(failed));
                        results.set(Some(rows));
                    }
                    Outcome::Invalid(invalid) => {
                        errors.set(invalid);
                        focus_request.set(*focus_request + 1);
                    }
                    Outcome::Failed(message) => failure.set(Some(message)),
                }
            });
        })
    };

    UseStartJobsHandle {
        errors,
        failure,
        results,
        submitting,
        focus_request,
        onsubmit,
    }
}

/// Sends the request and logs the user action with its result.
async fn start(api: &ApiClient, requested: Vec<JobCreate>) -> Outcome {
    use crate::services::logger::{log, Level};
    let scope = serde_json::json!({
        "type": "datasets",
        "datasets": requested.iter().map(|r| r.dataset_id.clone()).collect::<Vec<_>>(),
        "kind": requested.first().map(|r| r.kind.as_str()),
    });
    log(Level::Debug, "action", "start requested", scope.clone());
    let outcome = send(api, requested).await;
    let (level, result, started) = match &outcome {
        Outcome::Started(jobs) => (
            Level::Info,
            "ok",
            jobs.iter().map(|j| j.id.clone()).collect(),
        ),
        Outcome::Partial { started, .. } => (
            Level::Warn,
            "partial",
            started.iter().map(|j| j.id.clone()).collect(),
        ),
        Outcome::Invalid(_) => (Level::Warn, "invalid", Vec::new()),
        Outcome::Failed(_) => (Level::Warn, "failed", Vec::new()),
    };
    let error = match &outcome {
        Outcome::Failed(e) => Some(e.clone()),
        _ => None,
    };
    log(
        level,
        "action",
        "start done",
        serde_json::json!({"scope": scope, "result": result, "started": started, "error": error}),
    );
    outcome
}

/// Sends the request: one job alone, several in one bulk request.
async fn send(api: &ApiClient, requested: Vec<JobCreate>) -> Outcome {
    if let [one] = requested.as_slice() {
        return match api.create_job(one).await {
            Ok(job) => Outcome::Started(vec![job]),
            Err(e) => rejected(e),
        };
    }
    match api.bulk_start(&requested).await {
        Ok(response) => {
            let outcome = bulk_outcome(&requested, response);
            if outcome.all_ok() {
                Outcome::Started(outcome.started)
            } else {
                Outcome::Partial {
                    failed: outcome.failed_datasets(),
                    started: outcome.started,
                    results: outcome.results,
                }
            }
        }
        Err(e) => rejected(e),
    }
}

/// A refused request: field messages where the server named fields, else the error in words.
fn rejected(error: ApiError) -> Outcome {
    match error {
        ApiError::Server {
            status: 422,
            fields: Some(detail),
            ..
        } => Outcome::Invalid(server_errors(&detail)),
        // The contract's only 404 for a create: the dataset is unknown.
        ApiError::Server {
            status: 404,
            fields: Some(Detail::Message(message)),
            ..
        } => {
            let mut errors = FieldErrors::new();
            errors.add(DATASET, message);
            Outcome::Invalid(errors)
        }
        other => Outcome::Failed(other.to_string()),
    }
}
