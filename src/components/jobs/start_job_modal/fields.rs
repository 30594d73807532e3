//! The dialog's parameter fields (kind, the numeric parameters, the note) and the link between
//! a field and its error message (`aria-describedby`, so a screen reader reads the error first).

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::state::job_form::{
    param_name, FieldErrors, JobForm, CHUNK_DELAY_MS, CHUNK_ROWS, FAIL_AT, KIND, NOTE, PASSES,
};
use crate::types::JobKind;

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

/// The job kind's select.
pub(super) fn kind_field(
    ids: &str,
    form: &JobForm,
    errors: &FieldErrors,
    on_kind: Callback<JobKind>,
) -> Html {
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
pub(super) fn numeric_fields(
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
pub(super) fn note_field(
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

/// A field's error message, rendered, with the id that links it to its control.
#[derive(Clone)]
pub(super) struct RenderedError {
    pub(super) id: String,
    pub(super) html: Html,
}

pub(super) fn field_error(ids: &str, field: &str, errors: &FieldErrors) -> Option<RenderedError> {
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
}
