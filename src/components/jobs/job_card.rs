//! One job in the list: what it works on, where it is, and how it failed.

use yew::prelude::*;

use crate::components::jobs::progress_bar::ProgressBar;
use crate::components::status_badge::StatusBadge;
use crate::types::{Job, JobStatus};

#[derive(Properties, PartialEq)]
pub struct JobCardProps {
    pub job: Job,
}

#[component]
pub fn JobCard(props: &JobCardProps) -> Html {
    let job = &props.job;
    let detail_href = format!("#/jobs/{}", job.id);
    let error = job
        .error
        .as_ref()
        .filter(|_| job.status == JobStatus::Failed)
        .map(|e| {
            let first_line = e.message.lines().next().unwrap_or_default().to_string();
            html! {
                <p class="job-error" data-testid="job-error">
                    <code>{ e.kind.clone() }</code>{ ": " }{ first_line }
                </p>
            }
        });
    html! {
        <li class={classes!("job-card", format!("job-{}", job.status))}
            data-testid="job-card" data-job-id={job.id.clone()}
            data-status={job.status.as_str()}>
            <div class="job-card-head">
                <span class="job-dataset" data-testid="job-dataset">{ job.dataset_name.clone() }</span>
                <span class="job-kind" data-testid="job-kind">{ job.kind.as_str() }</span>
                <StatusBadge status={job.status} />
                <span class="job-attempt" title="attempt">{ format!("attempt {}", job.attempt) }</span>
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
