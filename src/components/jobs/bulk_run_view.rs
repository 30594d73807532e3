//! A bulk action's run on the jobs page: its progress while requests are under way, then the
//! per-job results (capped, `state::bulk_report::SHOWN_RESULTS`) with "show only these jobs".

use yew::prelude::*;

use crate::components::modal::Modal;
use crate::components::untrusted_text::UntrustedText;
use crate::hooks::{use_jobs, BulkRun, UseBulkHandle};
use crate::state::bulk_report::{more_text, progress_text, results_title, tally, SHOWN_RESULTS};

#[derive(Properties, PartialEq)]
pub struct BulkRunViewProps {
    /// The run to show; closing the results dialog resets it (the run is forgotten).
    pub bulk: UseBulkHandle,
    /// "Show only these N jobs": narrow the list to the jobs the action touched.
    pub on_show_touched: Callback<MouseEvent>,
}

#[component]
pub fn BulkRunView(props: &BulkRunViewProps) -> Html {
    // The jobs' names for the result rows; a job the store no longer holds shows its id only.
    let jobs = use_jobs();
    match &props.bulk.run {
        BulkRun::Idle => html! {},
        BulkRun::Running { kind, done, total } => html! {
            <div class="bulk-progress" role="status" data-testid="bulk-progress">
                { progress_text(*kind, *done, *total) }
                <progress max={total.to_string()} value={done.to_string()}></progress>
            </div>
        },
        BulkRun::Done { kind, items, error } => {
            let (ok, failed) = tally(items.iter().map(|i| i.ok));
            let state = jobs.state();
            let names = |id: &str| {
                state
                    .job(id)
                    .map(|j| html! { <><UntrustedText text={j.dataset_name.clone()} />{ format!(" · {}", j.kind) }</> })
                    .unwrap_or_default()
            };
            html! {
                <Modal title={results_title(*kind, ok, failed)}
                       on_close={props.bulk.reset.clone()} testid="bulk-results" wide=true>
                    if let Some(e) = error {
                        <p role="alert" class="error-text">{ format!("The request failed: {e}") }</p>
                    }
                    <ul class="bulk-results" data-testid="bulk-result-list">
                        { for items.iter().take(SHOWN_RESULTS).map(|i| html! {
                            <li class={if i.ok { "ok" } else { "failed" }} data-testid="bulk-result" data-job-id={i.id.clone()} data-ok={i.ok.to_string()}>
                                <code><UntrustedText text={i.id.clone()} /></code>{ " " }<span>{ names(&i.id) }</span>{ " — " }
                                <strong>{ if i.ok { "done" } else { "failed" } }</strong>
                                if let Some(d) = &i.detail {
                                    { format!(": {d}") }
                                }
                            </li>
                        }) }
                    </ul>
                    if let Some(more) = more_text(items.len()) {
                        <p>{ more }</p>
                    }
                    if ok > 0 {
                        <button type="button" class="btn" data-testid="show-touched" onclick={props.on_show_touched.clone()}>
                            { format!("Show only these {ok} jobs") }
                        </button>
                    }
                </Modal>
            }
        }
    }
}
