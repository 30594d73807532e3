//! The jobs page's heading: the title, the queue's capacity line, the metrics toggle and
//! "Start Processing".

use yew::prelude::*;

use crate::hooks::use_jobs;
use crate::state::list_summary::capacity_text;

#[derive(Properties, PartialEq)]
pub struct JobsHeaderProps {
    pub metrics_open: bool,
    pub on_toggle_metrics: Callback<MouseEvent>,
    pub on_start: Callback<MouseEvent>,
}

#[component]
pub fn JobsHeader(props: &JobsHeaderProps) -> Html {
    let jobs = use_jobs();
    let capacity = jobs.state().queue.as_ref().map(|q| {
        html! { <p class="capacity" data-testid="capacity">{ capacity_text(q) }</p> }
    });
    let metrics_open = props.metrics_open;
    html! {
        <header class="page-head">
            <h1 id="jobs-title">{ "Jobs" }</h1>
            { for capacity }
            <button type="button" class="btn metrics-toggle" data-testid="metrics-toggle"
                    aria-expanded={metrics_open.to_string()} aria-controls="metrics-panel"
                    onclick={props.on_toggle_metrics.clone()}>
                { if metrics_open { "Hide metrics" } else { "Metrics" } }
            </button>
            <button type="button" class="btn btn-primary" data-testid="start-open" onclick={props.on_start.clone()}>
                { "Start Processing" }
            </button>
        </header>
    }
}
