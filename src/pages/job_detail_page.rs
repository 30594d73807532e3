//! `#/jobs/:id`: one job's parameters, progress and every attempt with its error and traceback.

use yew::prelude::*;

use crate::components::error_banner::ErrorBanner;
use crate::components::jobs::job_log_panel::JobLogPanel;
use crate::components::jobs::progress_bar::ProgressBar;
use crate::components::status_badge::StatusBadge;
use crate::hooks::use_job;
use crate::types::{Attempt, Job};

#[derive(Properties, PartialEq)]
pub struct JobDetailPageProps {
    pub id: AttrValue,
}

#[component]
pub fn JobDetailPage(props: &JobDetailPageProps) -> Html {
    let (job, error) = use_job(props.id.to_string());
    let body = match (job, error) {
        (Some(job), _) => view_job(&job),
        (None, Some(err)) => html! {
            <ErrorBanner title="Could not load this job" message={err.to_string()}
                         testid="job-error-banner" />
        },
        (None, None) => html! {
            <p class="loading" role="status" data-testid="job-loading">{ "Loading job…" }</p>
        },
    };
    html! {
        <section class="job-detail-page">
            <nav><a href="#/jobs">{ "← All jobs" }</a></nav>
            { body }
        </section>
    }
}

fn view_job(job: &Job) -> Html {
    let params = serde_json::to_string_pretty(&job.params).unwrap_or_default();
    html! {
        <article class="job-detail" data-testid="job-detail" data-job-id={job.id.clone()}
                 aria-labelledby="job-title">
            <header class="page-head">
                <h1 id="job-title">
                    <span data-testid="job-dataset">{ job.dataset_name.clone() }</span>
                    { " · " }<span data-testid="job-kind">{ job.kind.as_str() }</span>
                </h1>
                <StatusBadge status={job.status} />
            </header>
            <p class="job-id"><code>{ job.id.clone() }</code></p>
            <ProgressBar progress={job.progress.clone()} />
            <h2>{ "Parameters" }</h2>
            <pre class="params" data-testid="job-params">{ params }</pre>
            <h2>{ "Attempts" }</h2>
            <ol class="attempts" data-testid="job-attempts">
                { for job.attempts.iter().rev().map(view_attempt) }
            </ol>
            <h2>{ "Log" }</h2>
            <JobLogPanel job_id={job.id.clone()} />
        </article>
    }
}

fn view_attempt(a: &Attempt) -> Html {
    let error = a.error.as_ref().map(|e| {
        html! {
            <div class="attempt-error">
                <p><code>{ e.kind.clone() }</code>{ ": " }{ e.message.clone() }</p>
                <details>
                    <summary>{ "Stack trace" }</summary>
                    <pre class="traceback">{ e.traceback.clone() }</pre>
                </details>
            </div>
        }
    });
    html! {
        <li class="attempt" data-testid="attempt">
            <span>{ format!("Attempt {}", a.number) }</span>{ " " }
            <StatusBadge status={a.status} />
            { a.worker.clone().map(|w| html! { <span class="worker">{ format!(" on {w}") }</span> }) }
            { for error }
        </li>
    }
}
