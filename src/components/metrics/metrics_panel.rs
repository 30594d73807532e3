//! The metrics panel on the Jobs page: completion and failure rates with the counts behind
//! them (from the backend, refreshed live), throughput and queue health charts, and the
//! failure patterns. Its window is chosen here and kept in the URL by the page.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::metrics::failure_groups::FailureGroupsView;
use crate::components::metrics::queue_chart::QueueChart;
use crate::components::metrics::throughput_chart::ThroughputChart;
use crate::hooks::use_stats;
use crate::state::chart::throughput::{rate_text, Window};
use crate::state::failures::{FailureGroup, FailureGroups, FailureKey};
use crate::state::format::thousands;

#[derive(Properties, PartialEq)]
pub struct MetricsPanelProps {
    pub window: Window,
    pub on_window: Callback<Window>,
    pub groups: Rc<FailureGroups>,
    /// Changes whenever a job finishes or a finished job is retried (refreshes the stats).
    pub finished_key: u64,
    pub now_ms: i64,
    pub on_show_group: Callback<FailureKey>,
    pub on_retry_group: Callback<FailureGroup>,
}

#[component]
pub fn MetricsPanel(props: &MetricsPanelProps) -> Html {
    let stats = use_stats(props.window, props.finished_key, true);
    let windows = Window::ALL.iter().map(|w| {
        let (cb, w) = (props.on_window.clone(), *w);
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(w));
        html! {
            <button type="button" class="btn btn-small" aria-pressed={(w == props.window).to_string()}
                    data-testid="metrics-window" data-window={w.as_str()} {onclick}>{ w.label() }</button>
        }
    });
    let tiles = match &stats.stats {
        Some(s) => html! {
            <div class="metric-tiles" data-testid="metric-tiles" data-finished={s.finished.to_string()}
                 data-succeeded={s.succeeded.to_string()} data-failed={s.failed.to_string()}
                 data-cancelled={s.cancelled.to_string()}>
                <div class="metric-tile" data-testid="completion-rate">
                    <div class="label">{ "Completion rate" }</div>
                    <div class="value">{ rate_text(s.succeeded, s.finished) }</div>
                    <div class="detail">{ format!("{} of {} finished jobs succeeded", thousands(s.succeeded), thousands(s.finished)) }</div>
                </div>
                <div class="metric-tile" data-testid="failure-rate">
                    <div class="label">{ "Failure rate" }</div>
                    <div class="value">{ rate_text(s.failed, s.finished) }</div>
                    <div class="detail">{ format!("{} failed · {} cancelled", thousands(s.failed), thousands(s.cancelled)) }</div>
                </div>
                <div class="metric-tile" data-testid="finished-count">
                    <div class="label">{ "Finished" }</div>
                    <div class="value">{ thousands(s.finished) }</div>
                    <div class="detail">{ format!("in the last {}", props.window.label()) }</div>
                </div>
            </div>
        },
        None if stats.error.is_none() => html! {
            <p class="loading" role="status">{ "Loading figures…" }</p>
        },
        None => html! {},
    };
    let error = stats.error.as_ref().map(|e| {
        html! {
            <p class="error-text" role="alert" data-testid="stats-error">
                { format!("The figures could not be refreshed: {e}") }
                if stats.stats.is_some() { { " (showing the last ones)." } }
            </p>
        }
    });
    html! {
        <section class="metrics-panel" id="metrics-panel" aria-label="Metrics" data-testid="metrics-panel"
                 data-window={props.window.as_str()}>
            <div class="chart-head">
                <h2>{ "Metrics" }</h2>
                <div class="segmented" role="group" aria-label="Time window">{ for windows }</div>
            </div>
            { for error }
            { tiles }
            <div class="metrics-charts">
                if let Some(s) = &stats.stats {
                    <ThroughputChart stats={s.clone()} window={props.window} />
                }
                <QueueChart window={props.window} now_ms={props.now_ms} />
            </div>
            <FailureGroupsView groups={props.groups.clone()} window={props.window}
                               backend_failed={stats.stats.as_ref().map(|s| s.failed)}
                               on_show={props.on_show_group.clone()} on_retry={props.on_retry_group.clone()} />
        </section>
    }
}
