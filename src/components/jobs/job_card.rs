//! One job in the list: what it works on, where it is, how fast, when it should end, how it
//! failed, and what can be done with it.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::charts::sparkline::Sparkline;
use crate::components::jobs::job_entry::{
    act, cancel_or_retry, entry_name, logs_and_details, select, with_id,
};
use crate::components::jobs::job_timing::JobTimingView;
use crate::components::jobs::progress_bar::ProgressBar;
use crate::components::status_badge::StatusBadge;
use crate::components::untrusted_text::UntrustedText;
use crate::hooks::use_config;
use crate::services::host;
use crate::state::bidi::isolate_visible;
use crate::state::chart::downsample::Point;
use crate::state::eta::{describe, Eta};
use crate::state::format::thousands;
use crate::state::job_timing::timing;
use crate::types::{Job, JobStatus};

#[derive(Properties)]
pub struct JobCardProps {
    pub job: Rc<Job>,
    /// The status to show (the server's, or a pending action's optimistic one).
    #[prop_or_default]
    pub shown_status: Option<JobStatus>,
    /// The data may be out of date (the connection is not live).
    #[prop_or_default]
    pub stale: bool,
    /// Clock for elapsed time; frozen by the caller while not live.
    #[prop_or_default]
    pub now_ms: i64,
    /// The wall clock, for "finished 3 min ago": it moves on while the data is not live
    /// (`now_ms` when absent).
    #[prop_or_default]
    pub wall_ms: Option<i64>,
    #[prop_or(Eta::Unknown)]
    pub eta: Eta,
    #[prop_or_default]
    pub stalled: bool,
    #[prop_or_default]
    pub selected: bool,
    /// A cancel or retry of this job is in flight.
    #[prop_or_default]
    pub pending: bool,
    /// Why the last action on this job failed.
    #[prop_or_default]
    pub action_error: Option<String>,
    /// `(job id, shift held)`.
    #[prop_or_default]
    pub on_select: Callback<(String, bool)>,
    #[prop_or_default]
    pub on_cancel: Callback<Rc<Job>>,
    #[prop_or_default]
    pub on_retry: Callback<Rc<Job>>,
    #[prop_or_default]
    pub on_run_again: Callback<Rc<Job>>,
    #[prop_or_default]
    pub on_logs: Callback<Rc<Job>>,
    #[prop_or_default]
    pub on_dismiss_error: Callback<String>,
    /// The rate of the current attempt, normalised for a sparkline (running jobs only).
    #[prop_or_default]
    pub sparkline: Vec<Point>,
}

/// The job by identity: the store puts a new `Rc` in place whenever a job changes, so the same
/// pointer is the same content. Comparing the content (attempts, result, error) of every card
/// on screen on every frame of a live stream was the cards' largest cost.
impl PartialEq for JobCardProps {
    fn eq(&self, o: &Self) -> bool {
        // Destructured, so a new field cannot be left out of the comparison.
        let Self {
            job,
            shown_status,
            stale,
            now_ms,
            wall_ms,
            eta,
            stalled,
            selected,
            pending,
            action_error,
            on_select,
            on_cancel,
            on_retry,
            on_run_again,
            on_logs,
            on_dismiss_error,
            sparkline,
        } = self;
        Rc::ptr_eq(job, &o.job)
            && *shown_status == o.shown_status
            && *stale == o.stale
            && *now_ms == o.now_ms
            && *wall_ms == o.wall_ms
            && *eta == o.eta
            && *stalled == o.stalled
            && *selected == o.selected
            && *pending == o.pending
            && *action_error == o.action_error
            && *on_select == o.on_select
            && *on_cancel == o.on_cancel
            && *on_retry == o.on_retry
            && *on_run_again == o.on_run_again
            && *on_logs == o.on_logs
            && *on_dismiss_error == o.on_dismiss_error
            && *sparkline == o.sparkline
    }
}

/// The way to the job's dataset: the host's Dataset Explorer when embedded, else the
/// `dataset_url` link from `config.json`, else nothing.
fn dataset_link(job: &Job, config: &crate::state::config::Config) -> Html {
    let label = format!(
        "Open dataset {} in the Dataset Explorer",
        isolate_visible(&job.dataset_name)
    );
    if host::is_embedded() {
        let id = job.dataset_id.clone();
        html! {
            <button type="button" class="btn btn-small" data-testid="job-dataset-link"
                    data-dataset-id={job.dataset_id.clone()} aria-label={label}
                    onclick={Callback::from(move |_: MouseEvent| host::navigate_dataset(&id))}>{ "Dataset" }</button>
        }
    } else if let Some(href) = config.dataset_link(&job.dataset_id) {
        html! {
            <a class="job-link" href={href} data-testid="job-dataset-link"
               aria-label={format!("Open dataset {}", isolate_visible(&job.dataset_name))}>{ "Dataset" }</a>
        }
    } else {
        Html::default()
    }
}

#[component]
pub fn JobCard(props: &JobCardProps) -> Html {
    let job = &props.job;
    let status = props.shown_status.unwrap_or(job.status);
    let name = entry_name(job);
    let error = job
        .error
        .as_ref()
        .filter(|_| status == JobStatus::Failed)
        .map(|e| {
            let first_line = e.message.lines().next().unwrap_or_default().to_string();
            html! {
                <p class="job-error" data-testid="job-error" title={e.message.clone()}>
                    <code><UntrustedText text={e.kind.clone()} /></code>{ ": " }<UntrustedText text={first_line} />
                </p>
            }
        });
    let stale = props.stale && !status.is_terminal();
    let running = matches!(status, JobStatus::Running | JobStatus::Cancelling);
    let timing = timing(job, status, props.now_ms);
    let rate = match props.eta {
        Eta::Range { rate, .. } if running => Some(format!(
            "{} {}/s",
            thousands(rate.round() as u64),
            job.progress.unit
        )),
        _ => None,
    };
    let eta_text = if running && !stale {
        describe(&props.eta)
    } else {
        "—".to_string()
    };
    let on_select = select(&props.on_select, job);
    let dismiss = with_id(&props.on_dismiss_error, job);
    let dataset_link = dataset_link(job, &use_config());
    let new_tab = host::is_embedded().then(|| {
        let id = job.id.clone();
        html! {
            <button type="button" class="btn btn-small" data-testid="job-new-tab"
                    aria-label={format!("Open {name} in a new tab")}
                    onclick={Callback::from(move |_: MouseEvent| host::navigate_job(&id))}>{ "New tab" }</button>
        }
    });
    html! {
        <li class={classes!("job-card", format!("job-{status}"), stale.then_some("stale"), props.selected.then_some("selected"))}
            data-testid="job-card" data-job-id={job.id.clone()} tabindex="-1"
            aria-label={name.clone()}
            data-status={status.as_str()} data-stale={stale.to_string()}>
            <div class="job-card-head">
                <input type="checkbox" class="job-select" checked={props.selected}
                       aria-label={format!("Select {name}")} data-testid="job-select" onclick={on_select} />
                <span class="job-dataset" data-testid="job-dataset"><UntrustedText text={job.dataset_name.clone()} /></span>
                <span class="job-kind" data-testid="job-kind">{ job.kind.as_str() }</span>
                <StatusBadge {status} />
                if stale {
                    <span class="stale-note" data-testid="job-stale">{ "possibly out of date" }</span>
                }
                if props.stalled && !stale {
                    <span class="stalled-note" data-testid="job-stalled"
                          title="No progress for longer than the stall threshold">{ "stalled" }</span>
                }
                <span class="job-attempt" data-testid="job-attempt">{ format!("attempt {}", job.attempt) }</span>
            </div>
            <ProgressBar progress={job.progress.clone()} />
            <div class="job-meta">
                if let Some(rate) = rate.clone() {
                    <span class="job-rate" data-testid="job-rate">{ rate }</span>
                }
                if running {
                    <Sparkline points={props.sparkline.clone()}
                               label={format!("Rate over time{}", rate.map(|r| format!(", now {r}")).unwrap_or_default())} />
                }
                // A finished job has no ETA: it says how long it took and when it ended.
                if !status.is_terminal() {
                    <span class="job-eta" data-testid="job-eta">{ format!("ETA {eta_text}") }</span>
                }
                <JobTimingView {timing} now_ms={props.wall_ms.unwrap_or(props.now_ms)} />
            </div>
            { for error }
            if let Some(err) = &props.action_error {
                <p class="action-error" role="alert" data-testid="job-action-error">
                    { err.clone() }{ " " }
                    <button type="button" class="btn btn-small" onclick={dismiss}>{ "Dismiss" }</button>
                </p>
            }
            <div class="job-actions">
                { cancel_or_retry(job, status, props.pending, &props.on_cancel, &props.on_retry) }
                <button type="button" class="btn btn-small" aria-label={format!("Run again like {name}")}
                        data-testid="job-run-again" onclick={act(&props.on_run_again, job)}>{ "Run again" }</button>
                { logs_and_details(job, &props.on_logs) }
                { for new_tab }
                { dataset_link }
            </div>
        </li>
    }
}
