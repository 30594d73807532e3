//! The "Start processing" dialog: choose datasets, a kind and parameters, and start one job per
//! dataset (`POST /jobs` for one, `POST /jobs/bulk/start` for several).
//!
//! The rules are checked before anything is sent (`state::job_form`); the server's 422 messages
//! land next to the fields they concern; a partial bulk failure lists each dataset's outcome,
//! reports the jobs that were created and keeps only the failed datasets selected, so starting
//! again never duplicates a job. What the user typed survives every error.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::error_banner::ErrorBanner;
use crate::components::modal::{unique_id, Modal};
use crate::components::untrusted_text::UntrustedText;
use crate::hooks::{use_api, use_jobs};
use crate::services::api::{ApiClient, ApiError};
use crate::state::bidi::isolate_visible;
use crate::state::format::thousands;
use crate::state::job_form::{
    bulk_outcome, capacity_summary, param_name, server_errors, submit_label, FieldErrors, FormEdit,
    JobForm, StartResult, CHUNK_DELAY_MS, CHUNK_ROWS, DATASET, FAIL_AT, GENERAL, KIND, NOTE,
    PASSES,
};
use crate::types::error::Detail;
use crate::types::{Dataset, Job, JobCreate, JobKind, QueueStatus};

#[derive(Properties, PartialEq)]
pub struct StartJobModalProps {
    pub on_close: Callback<()>,
    /// The jobs the server created (also after a partial bulk failure).
    pub on_started: Callback<Vec<Job>>,
    /// Start filled in like this job ("Run again like this").
    #[prop_or_default]
    pub prefill: Option<Job>,
}

/// The dataset list, as far as it has loaded.
#[derive(Clone, PartialEq)]
enum Datasets {
    Loading,
    Loaded(Rc<Vec<Dataset>>),
    Failed(String),
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

impl Reducible for JobForm {
    type Action = FormEdit;

    fn reduce(self: Rc<Self>, edit: FormEdit) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(edit);
        Rc::new(next)
    }
}

#[component]
pub fn StartJobModal(props: &StartJobModalProps) -> Html {
    let api = use_api();
    let jobs = use_jobs();
    let ids = use_memo((), |_| unique_id("start"));
    let form = {
        let prefill = props.prefill.clone();
        use_reducer(move || prefill.as_ref().map(JobForm::from_job).unwrap_or_default())
    };
    let datasets = use_state(|| Datasets::Loading);
    let reload = use_state(|| 0u32);
    let fetched_queue = use_state(|| None::<Result<Rc<QueueStatus>, String>>);
    let errors = use_state(FieldErrors::new);
    let failure = use_state(|| None::<String>);
    let results = use_state(|| None::<Vec<StartResult>>);
    let submitting = use_state(|| false);
    // Guards the gap between a submit and the render that disables the button.
    let in_flight = use_memo((), |_| Rc::new(Cell::new(false)));
    let mounted = use_memo((), |_| Rc::new(Cell::new(true)));
    let focus_request = use_state(|| 0u32);
    let form_ref = use_node_ref();

    {
        let mounted = (*mounted).clone();
        use_effect_with((), move |_| move || mounted.set(false));
    }
    {
        let datasets = datasets.clone();
        let api = api.clone();
        use_effect_with(*reload, move |_| {
            datasets.set(Datasets::Loading);
            spawn_local(async move {
                datasets.set(match api.list_datasets().await {
                    Ok(list) => Datasets::Loaded(Rc::new(list.items)),
                    Err(e) => Datasets::Failed(e.to_string()),
                });
            });
        });
    }
    {
        // The live store refreshes the queue every few seconds; ask once only without it.
        let need = jobs.state().queue.is_none();
        let fetched_queue = fetched_queue.clone();
        let api = api.clone();
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
        use_effect_with(*focus_request, move |request| {
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

    let onsubmit = {
        let form = form.clone();
        let errors = errors.clone();
        let failure = failure.clone();
        let results = results.clone();
        let submitting = submitting.clone();
        let in_flight = (*in_flight).clone();
        let mounted = (*mounted).clone();
        let focus_request = focus_request.clone();
        let on_started = props.on_started.clone();
        let on_close = props.on_close.clone();
        let api = api.clone();
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

    let on_text = {
        let form = form.clone();
        let errors = errors.clone();
        move |field: &'static str, value: String| {
            form.dispatch(FormEdit::Text { field, value });
            clear_error(&errors, field);
        }
    };
    let on_select = {
        let form = form.clone();
        let errors = errors.clone();
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
        let errors = errors.clone();
        Callback::from(move |e: Event| {
            let kind = match e
                .target_unchecked_into::<HtmlSelectElement>()
                .value()
                .as_str()
            {
                "validate" => JobKind::Validate,
                _ => JobKind::Profile,
            };
            form.dispatch(FormEdit::Kind(kind));
            clear_error(&errors, KIND);
        })
    };
    let retry = {
        let reload = reload.clone();
        Callback::from(move |_| reload.set(*reload + 1))
    };
    let cancel = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };

    let ids = ids.as_str();
    let errors_now = &*errors;
    let loaded: &[Dataset] = match &*datasets {
        Datasets::Loaded(list) => list,
        _ => &[],
    };
    let dataset_error = field_error(ids, DATASET, errors_now);
    let dataset_section = match &*datasets {
        Datasets::Loading => html! {
            <p class="loading" role="status" data-testid="start-datasets-loading">
                { "Loading datasets…" }
            </p>
        },
        Datasets::Failed(message) => html! {
            <ErrorBanner title="Could not load datasets" message={message.clone()}
                         on_retry={retry} testid="start-datasets-error" />
        },
        Datasets::Loaded(list) if list.is_empty() && form.datasets.is_empty() => html! {
            <p class="start-empty" data-testid="start-datasets-empty">
                { "No datasets yet. Upload one in the Dataset Explorer, then start a job on it." }
            </p>
        },
        Datasets::Loaded(list) => {
            // A prefilled dataset that is no longer listed stays visible, so it can be unticked.
            let missing = form
                .datasets
                .iter()
                .filter(|id| !list.iter().any(|d| &d.id == *id))
                .map(|id| {
                    let name = props
                        .prefill
                        .as_ref()
                        .filter(|j| &j.dataset_id == id)
                        .map(|j| j.dataset_name.clone())
                        .unwrap_or_else(|| id.clone());
                    dataset_option(
                        id,
                        &name,
                        "not in the dataset list".to_string(),
                        &form,
                        &dataset_error,
                        &on_select,
                    )
                });
            let listed = list.iter().map(|d| {
                let meta = format!("{} rows · {}", thousands(d.rows), size_label(d.size_bytes));
                dataset_option(&d.id, &d.name, meta, &form, &dataset_error, &on_select)
            });
            html! {
                <ul class="start-datasets-list" data-testid="start-datasets">
                    { for listed }
                    { for missing }
                </ul>
            }
        }
    };

    let kind_error = field_error(ids, KIND, errors_now);
    let kind_id = format!("{ids}-kind");
    let numeric = NUMERIC_FIELDS.iter().map(|f| {
        let on_text = on_text.clone();
        let key = f.key;
        let oninput = Callback::from(move |e: InputEvent| {
            on_text(key, e.target_unchecked_into::<HtmlInputElement>().value())
        });
        let error = field_error(ids, key, errors_now);
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
    });
    let note_field = {
        let on_text = on_text.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            on_text(
                NOTE,
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            )
        });
        let error = field_error(ids, NOTE, errors_now);
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
    };

    let live_queue = jobs.state().queue.clone();
    let capacity = match (live_queue.as_ref(), &*fetched_queue) {
        (Some(q), _) | (None, Some(Ok(q))) => queue_summary(q),
        (None, Some(Err(e))) => format!("Queue status unavailable: {e}"),
        (None, None) => "Checking workers and queue…".to_string(),
    };
    let general = errors_now
        .get(GENERAL)
        .map(str::to_string)
        .or_else(|| (*failure).clone());
    let results_view = (*results).as_ref().map(|rows| {
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
    });
    let prefill_note = props.prefill.as_ref().map(|job| {
        html! {
            <p class="start-prefill" data-testid="start-prefill">
                { "Filled in like job " }<code>{ job.id.clone() }</code>
                { ". Change anything before starting." }
            </p>
        }
    });

    html! {
        <Modal title="Start processing" on_close={props.on_close.clone()} testid="start-modal" wide=true>
            <form class="start-form" ref={form_ref} {onsubmit} novalidate=true>
                { for prefill_note }
                <fieldset class={classes!("start-datasets", dataset_error.is_some().then_some("has-error"))}
                          aria-describedby={dataset_error.as_ref().map(|e| e.id.clone())}>
                    <legend>{ "Datasets" }</legend>
                    { dataset_section }
                    { dataset_error.clone().map(|e| e.html).unwrap_or_default() }
                </fieldset>
                <div class="form-grid">
                    <div class={classes!("form-field", kind_error.is_some().then_some("has-error"))}>
                        <label for={kind_id.clone()}>{ "Kind" }</label>
                        <select id={kind_id} data-testid="start-kind" onchange={on_kind}
                                aria-invalid={kind_error.is_some().to_string()}
                                aria-describedby={kind_error.as_ref().map(|e| e.id.clone())}>
                            { for JobKind::ALL.iter().map(|k| html! {
                                <option value={k.as_str()} selected={form.kind == *k}>{ k.as_str() }</option>
                            }) }
                        </select>
                        { kind_error.map(|e| e.html).unwrap_or_default() }
                    </div>
                    { for numeric }
                    { note_field }
                </div>
                <p class="start-capacity" data-testid="start-capacity">{ capacity }</p>
                if let Some(message) = general {
                    <div class="form-error" role="alert" data-testid="start-error">{ message }</div>
                }
                { for results_view }
                <div class="modal-actions">
                    if *submitting {
                        <span class="loading" role="status">{ "Starting…" }</span>
                    }
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary" data-testid="start-submit"
                            disabled={*submitting} aria-busy={submitting.to_string()}>
                        { submit_label(form.datasets.len()) }
                    </button>
                </div>
            </form>
        </Modal>
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

/// `612345` → `598 KB`; binary multiples, one decimal below 10.
fn size_label(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(size_label(0), "0 bytes");
        assert_eq!(size_label(1023), "1023 bytes");
        assert_eq!(size_label(1024), "1.0 KB");
        assert_eq!(size_label(612_345), "598 KB");
        assert_eq!(size_label(5 * 1024 * 1024 + 512 * 1024), "5.5 MB");
        assert_eq!(size_label(3 * 1024u64.pow(4)), "3.0 TB");
    }

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
}
