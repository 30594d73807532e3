//! The "Start processing" dialog: choose datasets, a kind and parameters, and start one job per
//! dataset (`POST /jobs` for one, `POST /jobs/bulk/start` for several).
//!
//! This module is the view: the rules are checked before anything is sent (`state::job_form`),
//! sending and reading the answer is `hooks::use_start_jobs` (per-dataset outcomes:
//! `state::bulk_start`). The server's 422 messages land next to the fields they concern; a
//! partial bulk failure lists each dataset's outcome, reports the jobs that were created and
//! keeps only the failed datasets selected, so starting again never duplicates a job. What the
//! user typed survives every error.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::error_banner::ErrorBanner;
use crate::components::modal::{unique_id, Modal};
use crate::components::untrusted_text::UntrustedText;
use crate::hooks::use_datasets::{use_dataset_list, DatasetList, UseDatasetListHandle};
use crate::hooks::use_start_jobs::use_start_jobs;
use crate::hooks::{use_api, use_jobs};
use crate::state::bidi::isolate_visible;
use crate::state::bulk_start::StartResult;
use crate::state::format::{size_label, thousands};
use crate::state::job_form::{
    capacity_summary, param_name, submit_label, FieldErrors, FormEdit, JobForm, CHUNK_DELAY_MS,
    CHUNK_ROWS, DATASET, FAIL_AT, GENERAL, KIND, NOTE, PASSES,
};
use crate::types::{Dataset, Job, JobKind, QueueStatus};

#[derive(Properties, PartialEq)]
pub struct StartJobModalProps {
    pub on_close: Callback<()>,
    /// The jobs the server created (also after a partial bulk failure).
    pub on_started: Callback<Vec<Job>>,
    /// Start filled in like this job ("Run again like this").
    #[prop_or_default]
    pub prefill: Option<Job>,
}

/// One numeric parameter input.
struct ParamField {
    key: &'static str,
    label: &'static str,
    hint: &'static str,
    placeholder: &'static str,
    inputmode: &'static str,
}

const NUMERIC_FIELDS: [ParamField; 4] = [
    ParamField {
        key: CHUNK_ROWS,
        label: "Rows per chunk",
        hint: "1 to 100,000. Empty: 500.",
        placeholder: "500",
        inputmode: "numeric",
    },
    ParamField {
        key: CHUNK_DELAY_MS,
        label: "Pause after each chunk (ms)",
        hint: "0 to 60,000. Empty: 200.",
        placeholder: "200",
        inputmode: "numeric",
    },
    ParamField {
        key: FAIL_AT,
        label: "Fail on purpose at",
        hint: "A fraction of the work, greater than 0 and at most 1 (e.g. 0.5). Empty: never.",
        placeholder: "never",
        inputmode: "decimal",
    },
    ParamField {
        key: PASSES,
        label: "Passes",
        hint: "How many times the dataset is read, 1 to 1,000. Empty: 1.",
        placeholder: "1",
        inputmode: "numeric",
    },
];

#[component]
pub fn StartJobModal(props: &StartJobModalProps) -> Html {
    let api = use_api();
    let jobs = use_jobs();
    let ids = use_memo((), |_| unique_id("start"));
    let form = {
        let prefill = props.prefill.clone();
        use_reducer(move || prefill.as_ref().map(JobForm::from_job).unwrap_or_default())
    };
    let datasets = use_dataset_list();
    let fetched_queue = use_state(|| None::<Result<Rc<QueueStatus>, String>>);
    let submit = use_start_jobs(
        form.clone(),
        props.on_started.clone(),
        props.on_close.clone(),
    );
    let form_ref = use_node_ref();

    {
        // The live store refreshes the queue every few seconds; ask once only without it.
        let need = jobs.state().queue.is_none();
        let fetched_queue = fetched_queue.clone();
        use_effect_with((), move |_| {
            if need {
                spawn_local(async move {
                    let queue = api.queue().await.map(Rc::new).map_err(|e| e.to_string());
                    fetched_queue.set(Some(queue));
                });
            }
        });
    }
    {
        // After a failed submit, take the user to the first field that needs a change.
        let form_ref = form_ref.clone();
        use_effect_with(*submit.focus_request, move |request| {
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

    let on_text = {
        let form = form.clone();
        let errors = submit.errors.clone();
        Callback::from(move |(field, value): (&'static str, String)| {
            form.dispatch(FormEdit::Text { field, value });
            clear_error(&errors, field);
        })
    };
    let on_select = {
        let form = form.clone();
        let errors = submit.errors.clone();
        Callback::from(move |(dataset_id, selected): (String, bool)| {
            form.dispatch(FormEdit::Select {
                dataset_id,
                selected,
            });
            clear_error(&errors, DATASET);
        })
    };
    let on_kind = {
        let form = form.clone();
        let errors = submit.errors.clone();
        Callback::from(move |kind: JobKind| {
            form.dispatch(FormEdit::Kind(kind));
            clear_error(&errors, KIND);
        })
    };
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
    let capacity = capacity_text(jobs.state().queue.as_deref(), fetched_queue.as_ref());
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
                <p class="start-capacity" data-testid="start-capacity">{ capacity }</p>
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

/// The dataset choice: loading, a failure with a retry, "none yet", or one checkbox per dataset.
fn dataset_section(
    datasets: &UseDatasetListHandle,
    form: &JobForm,
    prefill: Option<&Job>,
    dataset_error: &Option<RenderedError>,
    on_select: &Callback<(String, bool)>,
) -> Html {
    match &datasets.list {
        DatasetList::Loading => html! {
            <p class="loading" role="status" data-testid="start-datasets-loading">
                { "Loading datasets…" }
            </p>
        },
        DatasetList::Failed(message) => html! {
            <ErrorBanner title="Could not load datasets" message={message.clone()}
                         on_retry={datasets.retry.clone()} testid="start-datasets-error" />
        },
        DatasetList::Loaded(list) if list.is_empty() && form.datasets.is_empty() => html! {
            <p class="start-empty" data-testid="start-datasets-empty">
                { "No datasets yet. Upload one in the Dataset Explorer, then start a job on it." }
            </p>
        },
        DatasetList::Loaded(list) => {
            // A prefilled dataset that is no longer listed stays visible, so it can be unticked.
            let missing = form
                .datasets
                .iter()
                .filter(|id| !list.iter().any(|d| &d.id == *id))
                .map(|id| {
                    let name = prefill
                        .filter(|j| &j.dataset_id == id)
                        .map(|j| j.dataset_name.clone())
                        .unwrap_or_else(|| id.clone());
                    dataset_option(
                        id,
                        &name,
                        "not in the dataset list".to_string(),
                        form,
                        dataset_error,
                        on_select,
                    )
                });
            let listed = list.iter().map(|d| {
                let meta = format!("{} rows · {}", thousands(d.rows), size_label(d.size_bytes));
                dataset_option(&d.id, &d.name, meta, form, dataset_error, on_select)
            });
            html! {
                <ul class="start-datasets-list" data-testid="start-datasets">
                    { for listed }
                    { for missing }
                </ul>
            }
        }
    }
}

/// The job kind's select.
fn kind_field(ids: &str, form: &JobForm, errors: &FieldErrors, on_kind: Callback<JobKind>) -> Html {
    let kind_error = field_error(ids, KIND, errors);
    let kind_id = format!("{ids}-kind");
    let onchange = Callback::from(move |e: Event| {
        let kind = match e
            .target_unchecked_into::<HtmlSelectElement>()
            .value()
            .as_str()
        {
            "validate" => JobKind::Validate,
            _ => JobKind::Profile,
        };
        on_kind.emit(kind);
    });
    html! {
        <div class={classes!("form-field", kind_error.is_some().then_some("has-error"))}>
            <label for={kind_id.clone()}>{ "Kind" }</label>
            <select id={kind_id} data-testid="start-kind" {onchange}
                    aria-invalid={kind_error.is_some().to_string()}
                    aria-describedby={kind_error.as_ref().map(|e| e.id.clone())}>
                { for JobKind::ALL.iter().map(|k| html! {
                    <option value={k.as_str()} selected={form.kind == *k}>{ k.as_str() }</option>
                }) }
            </select>
            { kind_error.map(|e| e.html).unwrap_or_default() }
        </div>
    }
}

/// One text input per numeric parameter, in [`NUMERIC_FIELDS`] order.
fn numeric_fields(
    ids: &str,
    form: &JobForm,
    errors: &FieldErrors,
    on_text: &Callback<(&'static str, String)>,
) -> Vec<Html> {
    NUMERIC_FIELDS
        .iter()
        .map(|f| {
            let on_text = on_text.clone();
            let key = f.key;
            let oninput = Callback::from(move |e: InputEvent| {
                on_text.emit((key, e.target_unchecked_into::<HtmlInputElement>().value()))
            });
            let error = field_error(ids, key, errors);
            let id = format!("{ids}-{}", param_name(key));
            let hint_id = format!("{id}-hint");
            let value = form.text(key).to_string();
            html! {
                <div class={classes!("form-field", error.is_some().then_some("has-error"))}>
                    <label for={id.clone()}>{ f.label }</label>
                    <input id={id} type="text" inputmode={f.inputmode} autocomplete="off"
                           placeholder={f.placeholder} value={value}
                           data-testid={format!("start-param-{}", param_name(key))}
                           aria-invalid={error.is_some().to_string()}
                           aria-describedby={described_by(&hint_id, &error)} {oninput} />
                    <p class="field-hint" id={hint_id}>{ f.hint }</p>
                    { error.map(|e| e.html).unwrap_or_default() }
                </div>
            }
        })
        .collect()
}

/// The note's text area.
fn note_field(
    ids: &str,
    form: &JobForm,
    errors: &FieldErrors,
    on_text: Callback<(&'static str, String)>,
) -> Html {
    let oninput = Callback::from(move |e: InputEvent| {
        on_text.emit((
            NOTE,
            e.target_unchecked_into::<HtmlTextAreaElement>().value(),
        ))
    });
    let error = field_error(ids, NOTE, errors);
    let id = format!("{ids}-note");
    let hint_id = format!("{id}-hint");
    html! {
        <div class={classes!("form-field", "form-field-wide", error.is_some().then_some("has-error"))}>
            <label for={id.clone()}>{ "Note" }</label>
            <textarea id={id} rows="2" value={form.note.clone()} data-testid="start-param-note"
                      aria-invalid={error.is_some().to_string()}
                      aria-describedby={described_by(&hint_id, &error)} {oninput} />
            <p class="field-hint" id={hint_id}>
                { "Written to the job's log when it starts. At most 2,000 characters." }
            </p>
            { error.map(|e| e.html).unwrap_or_default() }
        </div>
    }
}

/// Workers and queue, from the live store when it has them, else from the dialog's own ask.
fn capacity_text(
    live: Option<&QueueStatus>,
    fetched: Option<&Result<Rc<QueueStatus>, String>>,
) -> String {
    match (live, fetched) {
        (Some(q), _) => queue_summary(q),
        (None, Some(Ok(q))) => queue_summary(q),
        (None, Some(Err(e))) => format!("Queue status unavailable: {e}"),
        (None, None) => "Checking workers and queue…".to_string(),
    }
}

/// Each dataset's outcome after a partial bulk failure, named as the dataset list names it.
fn results_view(rows: &[StartResult], loaded: &[Dataset]) -> Html {
    let started = rows.iter().filter(|r| r.ok()).count();
    let items = rows.iter().map(|r| {
        let name = loaded
            .iter()
            .find(|d| d.id == r.dataset_id)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| r.dataset_id.clone());
        let outcome = match (&r.error, &r.job_id) {
            (Some(error), _) => format!("failed: {error}"),
            (None, Some(id)) => format!("started as {}", isolate_visible(id)),
            (None, None) => "started".to_string(),
        };
        html! {
            <li class={if r.ok() { "result-ok" } else { "result-failed" }}
                data-testid="start-result" data-dataset-id={r.dataset_id.clone()}
                data-ok={r.ok().to_string()}>
                <span class="result-name"><UntrustedText text={name} /></span>{ " — " }
                <span class="result-outcome">{ outcome }</span>
            </li>
        }
    });
    html! {
        <div class="start-results" role="status">
            <p>
                { format!("Started {started} of {} jobs. ", rows.len()) }
                { "The datasets that failed are still selected: change what is needed and start again." }
            </p>
            <ul data-testid="start-results">{ for items }</ul>
        </div>
    }
}

fn clear_error(errors: &UseStateHandle<FieldErrors>, field: &str) {
    if errors.get(field).is_some() || errors.get(GENERAL).is_some() {
        let mut next = (**errors).clone();
        next.remove(field);
        next.remove(GENERAL);
        errors.set(next);
    }
}

/// A field's error message, rendered, with the id that links it to its control.
#[derive(Clone)]
struct RenderedError {
    id: String,
    html: Html,
}

fn field_error(ids: &str, field: &str, errors: &FieldErrors) -> Option<RenderedError> {
    let message = errors.get(field)?;
    let id = format!("{ids}-{}-error", param_name(field));
    let html = html! {
        <p class="field-error" id={id.clone()} data-testid={format!("field-error-{field}")}>
            { message.to_string() }
        </p>
    };
    Some(RenderedError { id, html })
}

fn described_by(hint_id: &str, error: &Option<RenderedError>) -> String {
    match error {
        Some(e) => format!("{} {hint_id}", e.id),
        None => hint_id.to_string(),
    }
}

fn dataset_option(
    id: &str,
    name: &str,
    meta: String,
    form: &JobForm,
    error: &Option<RenderedError>,
    on_select: &Callback<(String, bool)>,
) -> Html {
    let onchange = {
        let on_select = on_select.clone();
        let id = id.to_string();
        Callback::from(move |e: Event| {
            let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
            on_select.emit((id.clone(), checked));
        })
    };
    html! {
        <li key={id.to_string()}>
            <label class="dataset-option">
                <input type="checkbox" checked={form.is_selected(id)} {onchange}
                       data-testid={format!("start-dataset-{id}")}
                       aria-invalid={error.is_some().to_string()}
                       aria-describedby={error.as_ref().map(|e| e.id.clone())} />
                <span class="dataset-name"><UntrustedText text={name.to_string()} /></span>
                <span class="dataset-meta">{ meta }</span>
            </label>
        </li>
    }
}

fn queue_summary(queue: &QueueStatus) -> String {
    if queue.redis.ok {
        capacity_summary(queue.workers.len(), queue.queued)
    } else {
        "Queue status unknown: the backend cannot reach Redis.".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_link_before_hints() {
        let mut errors = FieldErrors::new();
        errors.add(CHUNK_ROWS, "bad");
        let e = field_error("start-1", CHUNK_ROWS, &errors);
        assert_eq!(
            e.as_ref().map(|e| e.id.as_str()),
            Some("start-1-chunk_rows-error")
        );
        assert_eq!(described_by("h", &e), "start-1-chunk_rows-error h");
        assert_eq!(described_by("h", &None), "h");
        assert!(field_error("start-1", PASSES, &errors).is_none());
    }

    fn queue(queued: u64, workers: usize, redis_ok: bool) -> QueueStatus {
        QueueStatus {
            queued,
            running: 0,
            workers: (0..workers)
                .map(|i| crate::types::WorkerInfo {
                    name: format!("w{i}"),
                    state: "idle".into(),
                    current_job: None,
                })
                .collect(),
            redis: crate::types::RedisHealth {
                ok: redis_ok,
                version: None,
                latency_ms: None,
                used_memory_bytes: None,
            },
        }
    }

    #[test]
    fn capacity_prefers_the_live_queue_then_the_dialogs_own_ask() {
        let live = queue(3, 4, true);
        let fetched: Result<Rc<QueueStatus>, String> = Ok(Rc::new(queue(9, 1, true)));
        assert_eq!(
            capacity_text(Some(&live), Some(&fetched)),
            "4 workers available, 3 jobs queued"
        );
        assert_eq!(
            capacity_text(None, Some(&fetched)),
            "1 worker available, 9 jobs queued"
        );
        assert_eq!(
            capacity_text(None, Some(&Err("timed out".into()))),
            "Queue status unavailable: timed out"
        );
        assert_eq!(capacity_text(None, None), "Checking workers and queue…");
        assert_eq!(
            capacity_text(Some(&queue(0, 0, false)), None),
            "Queue status unknown: the backend cannot reach Redis."
        );
    }
}
