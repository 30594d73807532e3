//! The dialog's dataset choice: loading, a failure with a retry, "none yet", or one checkbox
//! per dataset (names are untrusted text).

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::error_banner::ErrorBanner;
use crate::components::untrusted_text::UntrustedText;
use crate::hooks::use_datasets::{DatasetList, UseDatasetListHandle};
use crate::state::format::{size_label, thousands};
use crate::state::job_form::JobForm;
use crate::types::Job;

use super::fields::RenderedError;

/// The dataset choice: loading, a failure with a retry, "none yet", or one checkbox per dataset.
pub(super) fn dataset_section(
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
