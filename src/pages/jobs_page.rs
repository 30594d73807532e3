//! `#/jobs`: every job, with loading, error and empty states.

use yew::prelude::*;

use crate::components::error_banner::ErrorBanner;
use crate::components::jobs::job_card::JobCard;
use crate::hooks::{use_job_list, Load};
use crate::types::JobStatus;

#[component]
pub fn JobsPage() -> Html {
    let jobs = use_job_list();
    let refresh = {
        let reload = jobs.reload.clone();
        Callback::from(move |_: MouseEvent| reload.emit(()))
    };
    let body = match &jobs.state {
        Load::Loading => html! {
            <p class="loading" role="status" data-testid="jobs-loading">{ "Loading jobs…" }</p>
        },
        Load::Failed(err) => html! {
            <ErrorBanner title="Could not load jobs" message={err.to_string()}
                         on_retry={jobs.reload.clone()} testid="jobs-error" />
        },
        Load::Ready(list) if list.items.is_empty() => html! {
            <div class="empty" data-testid="jobs-empty">
                <h2>{ "No processing jobs yet" }</h2>
                <p>{ "Jobs profile and validate your uploaded datasets. Once one starts, its progress, logs and errors show up here live." }</p>
            </div>
        },
        Load::Ready(list) => {
            let counts = JobStatus::ALL.iter().map(|s| {
                html! {
                    <li class={format!("count status-{s}")}>
                        <span>{ s.as_str() }</span>{ " " }<strong>{ list.counts.get(*s) }</strong>
                    </li>
                }
            });
            html! {
                <>
                    <ul class="status-counts" aria-label="Jobs per status">{ for counts }</ul>
                    <ul class="job-list" data-testid="job-list" aria-label="Jobs">
                        { for list.items.iter().map(|job| html! {
                            <JobCard key={job.id.clone()} job={job.clone()} />
                        }) }
                    </ul>
                </>
            }
        }
    };
    html! {
        <section class="jobs-page" data-testid="jobs-page" aria-labelledby="jobs-title">
            <header class="page-head">
                <h1 id="jobs-title">{ "Jobs" }</h1>
                <button type="button" class="btn" onclick={refresh}>{ "Refresh" }</button>
            </header>
            { body }
        </section>
    }
}
