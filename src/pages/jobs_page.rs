//! `#/jobs`: every job, live, with loading, error and empty states.

use yew::prelude::*;

use crate::components::error_banner::ErrorBanner;
use crate::components::jobs::job_card::JobCard;
use crate::hooks::{use_clock, use_jobs};
use crate::types::JobStatus;

#[component]
pub fn JobsPage() -> Html {
    let jobs = use_jobs();
    let state = jobs.state();
    let live = state.connection.is_live();
    let now_ms = use_clock(live);
    let retry = {
        let jobs = jobs.clone();
        Callback::from(move |_| jobs.retry_now())
    };
    let body = if !state.loaded {
        match &state.load_error {
            Some(err) => html! {
                <ErrorBanner title="Could not load jobs" message={err.clone()}
                             on_retry={retry} testid="jobs-error" />
            },
            None => html! {
                <p class="loading" role="status" data-testid="jobs-loading">{ "Loading jobs…" }</p>
            },
        }
    } else if state.jobs.is_empty() {
        html! {
            <div class="empty" data-testid="jobs-empty">
                <h2>{ "No processing jobs yet" }</h2>
                <p>{ "Jobs profile and validate your uploaded datasets. Once one starts, its progress, logs and errors show up here live." }</p>
            </div>
        }
    } else {
        let mut counts = [0u64; 6];
        let mut list: Vec<_> = state.jobs.values().map(|e| e.job.clone()).collect();
        for job in &list {
            counts[JobStatus::ALL
                .iter()
                .position(|s| *s == job.status)
                .unwrap_or(0)] += 1;
        }
        list.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        let count_items = JobStatus::ALL.iter().zip(counts).map(|(s, n)| {
            html! {
                <li class={format!("count status-{s}")} data-testid={format!("count-{s}")}>
                    <span>{ s.as_str() }</span>{ " " }<strong>{ n }</strong>
                </li>
            }
        });
        html! {
            <>
                <ul class="status-counts" aria-label="Jobs per status">{ for count_items }</ul>
                <ul class="job-list" data-testid="job-list" aria-label="Jobs">
                    { for list.into_iter().map(|job| {
                        let shown = state.shown_status(&job);
                        let key = job.id.clone();
                        html! {
                            <JobCard {key} {job} shown_status={shown}
                                     stale={!live} now_ms={now_ms} />
                        }
                    }) }
                </ul>
            </>
        }
    };
    html! {
        <section class="jobs-page" data-testid="jobs-page" aria-labelledby="jobs-title">
            <header class="page-head">
                <h1 id="jobs-title">{ "Jobs" }</h1>
            </header>
            { body }
        </section>
    }
}
