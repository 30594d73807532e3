//! One job in the list: what it works on, where it is, and how it failed.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::jobs::progress_bar::ProgressBar;
use crate::components::status_badge::StatusBadge;
use crate::state::format::duration;
use crate::types::{Job, JobStatus};

#[derive(Properties, PartialEq)]
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
}

/// Elapsed run time: start to finish, or start to `now_ms` while it runs.
pub fn elapsed_ms(job: &Job, now_ms: i64) -> Option<i64> {
    let start = job.started_at?;
    let end = job.finished_at.unwrap_or(now_ms);
    Some((end - start).max(0))
}

#[component]
pub fn JobCard(props: &JobCardProps) -> Html {
    let job = &props.job;
    let status = props.shown_status.unwrap_or(job.status);
    let detail_href = format!("#/jobs/{}", job.id);
    let error = job
        .error
        .as_ref()
        .filter(|_| status == JobStatus::Failed)
        .map(|e| {
            let first_line = e.message.lines().next().unwrap_or_default().to_string();
            html! {
                <p class="job-error" data-testid="job-error">
                    <code>{ e.kind.clone() }</code>{ ": " }{ first_line }
                </p>
            }
        });
    let stale = props.stale && !status.is_terminal();
    let elapsed = elapsed_ms(job, props.now_ms).map(|ms| {
        html! { <span class="job-elapsed" data-testid="job-elapsed">{ format!("elapsed {}", duration(ms)) }</span> }
    });
    html! {
        <li class={classes!("job-card", format!("job-{status}"), stale.then_some("stale"))}
            data-testid="job-card" data-job-id={job.id.clone()}
            data-status={status.as_str()} data-stale={stale.to_string()}>
            <div class="job-card-head">
                <span class="job-dataset" data-testid="job-dataset">{ job.dataset_name.clone() }</span>
                <span class="job-kind" data-testid="job-kind">{ job.kind.as_str() }</span>
                <StatusBadge {status} />
                if stale {
                    <span class="stale-note" data-testid="job-stale">{ "possibly out of date" }</span>
                }
                <span class="job-attempt">{ format!("attempt {}", job.attempt) }</span>
                { for elapsed }
            </div>
            <ProgressBar progress={job.progress.clone()} />
            { for error }
            <a class="job-link" href={detail_href}
               aria-label={format!("Details of job {} on {}", job.id, job.dataset_name)}>
                { "Details" }
            </a>
        </li>
    }
}
