//! The metrics panel on the Jobs page: completion and failure rates with the counts behind
//! them (from the backend, refreshed live), throughput and queue health charts, and the
//! failure patterns. Its window is chosen here and kept in the URL by the page.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use crate::components::metrics::failure_groups::FailureGroupsView;
use crate::components::metrics::queue_chart::QueueChart;
use crate::components::metrics::throughput_chart::ThroughputChart;
use crate::hooks::{use_jobs, use_stats};
use crate::state::bulk::{plan_group, Plan};
use crate::state::bulk_scope::group_retry_count;
use crate::state::chart::throughput::{finished_key, rate_text, Window};
use crate::state::failures::{group_failures, FailureGroup, FailureGroups, FailureKey};
use crate::state::format::thousands;

#[derive(Properties, PartialEq)]
pub struct MetricsPanelProps {
    pub window: Window,
    pub on_window: Callback<Window>,
    pub now_ms: i64,
    /// Filter the list to a group's jobs (the key, and the window it was counted in).
    pub on_show_group: Callback<(FailureKey, Window)>,
    /// Confirm and run a retry of exactly a group's jobs.
    pub on_retry_group: Callback<Plan>,
}

/// The groups by identity: they are a new `Rc` exactly when they were regrouped, and
/// comparing thousands of ids on every render would cost more than the count it saves.
#[derive(Clone)]
struct SameGroups(Rc<FailureGroups>);

impl PartialEq for SameGroups {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[component]
pub fn MetricsPanel(props: &MetricsPanelProps) -> Html {
    let jobs = use_jobs();
    let state = jobs.state();
    let since = props.now_ms - props.window.seconds() as i64 * 1000;
    // Both walk every job held: at most once a second (the clock's tick), not on every batch
    // of events, so a busy stream does not regroup thousands of jobs per frame. A second is
    // still live for a person; the clock also slides the window.
    let tick = props.now_ms / 1000;
    let groups: Rc<FailureGroups> = {
        let snapshot = state.jobs.clone();
        use_memo((tick, props.window), move |_| {
            group_failures(snapshot.values().map(|e| &*e.job), since)
        })
    };
    let key = {
        let snapshot = state.jobs.clone();
        use_memo(tick, move |_| {
            finished_key(snapshot.values().map(|e| &*e.job))
        })
    };
    let stats = use_stats(props.window, *key, true);
    // What each group's "Retry this group (N)" would retry: its jobs still shown as failed (a
    // retry in flight shows a job as queued). Recounted with the groups, and when an action
    // starts or settles.
    let retryable: Rc<BTreeMap<FailureKey, usize>> = {
        let key = (
            SameGroups(groups.clone()),
            state.pending.len(),
            state.action_errors.len(),
        );
        let jobs = jobs.clone();
        use_memo(key, move |(SameGroups(groups), _, _)| {
            let snapshot = jobs.state();
            let mut counts = BTreeMap::new();
            for g in groups.by_type.iter().chain(&groups.by_fingerprint) {
                let shown = g
                    .job_ids
                    .iter()
                    .filter_map(|id| snapshot.job(id))
                    .map(|j| (&**j, snapshot.shown_status(j)));
                counts.insert(g.key.clone(), group_retry_count(&g.job_ids, shown));
            }
            counts
        })
    };
    let on_show = {
        let (cb, window) = (props.on_show_group.clone(), props.window);
        Callback::from(move |key: FailureKey| cb.emit((key, window)))
    };
    let on_retry = {
        let (cb, jobs) = (props.on_retry_group.clone(), jobs.clone());
        Callback::from(move |g: FailureGroup| {
            let state = jobs.state();
            let shown = g
                .job_ids
                .iter()
                .filter_map(|id| state.job(id))
                .map(|j| (&**j, state.shown_status(j)));
            cb.emit(plan_group(&g.label, &g.job_ids, shown));
        })
    };
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
            <FailureGroupsView {groups} {retryable} window={props.window}
                               backend_failed={stats.stats.as_ref().map(|s| s.failed)}
                               {on_show} {on_retry} />
        </section>
    }
}
