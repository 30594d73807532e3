//! Each dataset's outcome after a partial bulk failure (names and reasons are untrusted text).

use yew::prelude::*;

use crate::components::untrusted_text::UntrustedText;
use crate::state::bidi::isolate_visible;
use crate::state::bulk_start::StartResult;
use crate::types::Dataset;

/// Each dataset's outcome after a partial bulk failure, named as the dataset list names it.
pub(super) fn results_view(rows: &[StartResult], loaded: &[Dataset]) -> Html {
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
