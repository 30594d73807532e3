//! The metrics panel wired to the jobs page's filter: its window lives in the URL, "show this
//! failure group" narrows the list to exactly the group, "retry the group" plans a bulk retry.

use yew::prelude::*;

use crate::components::metrics::metrics_panel::MetricsPanel;
use crate::state::bulk::Plan;
use crate::state::chart::throughput::Window;
use crate::state::failures::FailureKey;
use crate::state::job_filter::JobFilter;
use crate::state::selection::Selection;

#[derive(Properties, PartialEq)]
pub struct JobsMetricsProps {
    pub window: Window,
    pub filter: JobFilter,
    pub set_filter: Callback<JobFilter>,
    /// Cleared when the list is narrowed to a failure group.
    pub selection: UseStateHandle<Selection>,
    pub now_ms: i64,
    /// A planned retry of a failure group, to confirm.
    pub on_plan: Callback<Plan>,
}

#[component]
pub fn JobsMetrics(props: &JobsMetricsProps) -> Html {
    let on_window = {
        let (f, set) = (props.filter.clone(), props.set_filter.clone());
        Callback::from(move |w: Window| {
            set.emit(JobFilter {
                metrics: Some(w),
                ..f.clone()
            })
        })
    };
    let on_show_group = {
        let (f, set, selection) = (
            props.filter.clone(),
            props.set_filter.clone(),
            props.selection.clone(),
        );
        Callback::from(move |(key, w): (FailureKey, Window)| {
            selection.set(Selection::default());
            // Exactly the group: the other filters would hide some of its jobs.
            set.emit(JobFilter {
                failure: Some(key),
                within_s: Some(w.seconds()),
                sort: f.sort,
                metrics: f.metrics,
                ..JobFilter::default()
            })
        })
    };
    let (window, now_ms, on_retry_group) = (props.window, props.now_ms, props.on_plan.clone());
    html! {
        <MetricsPanel {window} {on_window} {now_ms} {on_show_group} {on_retry_group} />
    }
}
