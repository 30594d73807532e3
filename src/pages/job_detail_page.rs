//! `#/jobs/:id`: one job — status, progress and ETA, parameters, every attempt with its error
//! and highlighted stack trace, actions (cancel, retry, run again like this), and the live log.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::error_banner::ErrorBanner;
use crate::components::jobs::cancel_dialog::CancelDialog;
use crate::components::jobs::job_log_panel::JobLogPanel;
use crate::components::jobs::job_logs_modal::JobLogsModal;
use crate::components::jobs::job_progress_chart::JobProgressChart;
use crate::components::jobs::job_timing::JobTimingView;
use crate::components::jobs::progress_bar::ProgressBar;
use crate::components::jobs::start_job_modal::{confirm_started, StartJobModal};
use crate::components::jobs::traceback_view::TracebackView;
use crate::components::status_badge::StatusBadge;
use crate::components::untrusted_text::UntrustedText;
use crate::hooks::use_url_filter::list_href;
use crate::hooks::{use_clock, use_job, use_job_metrics, use_jobs};
use crate::state::duration::duration;
use crate::state::eta::{describe, estimate_recent, EtaConfig};
use crate::state::job_timing::timing;
use crate::state::jobs_store::{Action, UserAction};
use crate::types::{Attempt, Job, JobStatus};

#[derive(Properties, PartialEq)]
pub struct JobDetailPageProps {
    pub id: AttrValue,
    /// Open the log viewer at once (the `#/jobs/<id>/logs` route).
    #[prop_or_default]
    pub logs_open: bool,
    /// Line to reveal in the log viewer.
    #[prop_or_default]
    pub line: Option<u64>,
}

#[derive(Clone, Copy, PartialEq)]
enum Dialog {
    None,
    Cancel,
    RunAgain,
    Logs,
}

#[component]
pub fn JobDetailPage(props: &JobDetailPageProps) -> Html {
    let found = use_job(props.id.to_string());
    let jobs = use_jobs();
    let live = jobs.state().connection.is_live();
    let now_ms = use_clock(live);
    // Relative times ("finished 3 min ago") move on while the data is not live.
    let wall_ms = use_clock(true);
    // Backfilled and live samples: the ETA below and the chart read the same ones (the store's
    // own series holds only what arrived since the page loaded).
    let metrics = use_job_metrics(props.id.to_string());
    let dialog = use_state(|| {
        if props.logs_open {
            Dialog::Logs
        } else {
            Dialog::None
        }
    });
    let body = match (found.job, found.error) {
        (Some(job), _) => {
            let state = jobs.state();
            let shown = state.shown_status(&job);
            let samples: Vec<_> = metrics
                .samples
                .iter()
                .filter(|s| s.attempt == job.attempt)
                .cloned()
                .collect();
            let eta = estimate_recent(
                &samples,
                job.progress.processed,
                job.progress.total,
                &EtaConfig::default(),
            );
            let running = matches!(shown, JobStatus::Running | JobStatus::Cancelling);
            let pending = state.pending.contains_key(&job.id);
            let set = |d: Dialog| {
                let dialog = dialog.clone();
                Callback::from(move |_: MouseEvent| dialog.set(d))
            };
            let retry = {
                let (jobs, id) = (jobs.clone(), job.id.clone());
                Callback::from(move |_: MouseEvent| jobs.request(&id, UserAction::Retry))
            };
            let action_error = state.action_errors.get(&job.id).cloned().map(|e| {
                let (jobs, id) = (jobs.clone(), job.id.clone());
                let dismiss = Callback::from(move |_: MouseEvent| {
                    jobs.dispatch(Action::DismissActionError { id: id.clone() })
                });
                html! {
                    <p class="action-error" role="alert" data-testid="job-action-error">
                        { e }{ " " }<button type="button" class="btn btn-small" onclick={dismiss}>{ "Dismiss" }</button>
                    </p>
                }
            });
            let close = {
                let dialog = dialog.clone();
                Callback::from(move |_| dialog.set(Dialog::None))
            };
            let dialog_view = match *dialog {
                Dialog::None => html! {},
                Dialog::Cancel => {
                    let on_confirm = {
                        let (jobs, id, dialog) = (jobs.clone(), job.id.clone(), dialog.clone());
                        Callback::from(move |_| {
                            jobs.request(&id, UserAction::Cancel);
                            dialog.set(Dialog::None);
                        })
                    };
                    html! { <CancelDialog job={(*job).clone()} {on_confirm} on_close={close.clone()} /> }
                }
                Dialog::Logs => html! {
                    <JobLogsModal job_id={job.id.clone()} on_close={close.clone()} line={props.line} />
                },
                Dialog::RunAgain => {
                    let on_started = confirm_started(&jobs);
                    html! { <StartJobModal on_close={close.clone()} {on_started} prefill={(*job).clone()} /> }
                }
            };
            html! {
                <>
                    { view_job(&job, shown, live, (now_ms, wall_ms), running.then(|| describe(&eta))) }
                    { for action_error }
                    <div class="job-actions detail-actions">
                        if matches!(shown, JobStatus::Queued | JobStatus::Running) {
                            <button type="button" class="btn btn-danger" disabled={pending}
                                    data-testid="job-cancel" onclick={set(Dialog::Cancel)}>{ "Cancel job" }</button>
                        }
                        if matches!(shown, JobStatus::Failed | JobStatus::Cancelled) {
                            <button type="button" class="btn" disabled={pending}
                                    data-testid="job-retry" onclick={retry}>{ "Retry job" }</button>
                        }
                        <button type="button" class="btn" data-testid="job-run-again"
                                onclick={set(Dialog::RunAgain)}>{ "Run again like this" }</button>
                    </div>
                    <JobProgressChart job={job.clone()} {shown} {now_ms} metrics={metrics.clone()} />
                    <div class="log-head">
                        <h2>{ "Log" }</h2>
                        <button type="button" class="btn" data-testid="open-logs" onclick={set(Dialog::Logs)}>
                            { "Open full log viewer" }
                        </button>
                    </div>
                    <JobLogPanel job_id={job.id.clone()} />
                    { dialog_view }
                </>
            }
        }
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
            <nav><a href={list_href()}>{ "← All jobs" }</a></nav>
            { body }
        </section>
    }
}

/// `clocks`: the data's clock (frozen while not live) and the wall clock.
fn view_job(
    job: &Rc<Job>,
    shown: JobStatus,
    live: bool,
    clocks: (i64, i64),
    eta: Option<String>,
) -> Html {
    let (now_ms, wall_ms) = clocks;
    let params = serde_json::to_string_pretty(&job.params).unwrap_or_default();
    let stale = !live && !shown.is_terminal();
    html! {
        <article class="job-detail" data-testid="job-detail" data-job-id={job.id.clone()}
                 data-status={shown.as_str()} data-stale={stale.to_string()} aria-labelledby="job-title">
            <header class="page-head">
                <h1 id="job-title">
                    <span data-testid="job-dataset"><UntrustedText text={job.dataset_name.clone()} /></span>
                    { " · " }<span data-testid="job-kind">{ job.kind.as_str() }</span>
                </h1>
                <StatusBadge status={shown} />
            </header>
            <p class="job-id">
                <code><UntrustedText text={job.id.clone()} /></code>
                { format!(" · attempt {} · ", job.attempt) }
                <JobTimingView timing={timing(job, shown, now_ms)} now_ms={wall_ms} />
                if let Some(eta) = eta {
                    <span data-testid="job-eta">{ format!(" · ETA {eta}") }</span>
                }
                if stale {
                    <span class="stale-note" data-testid="job-stale">{ " · possibly out of date" }</span>
                }
            </p>
            <ProgressBar progress={job.progress.clone()} />
            if let Some(e) = job.error.as_ref().filter(|_| shown == JobStatus::Failed) {
                <div class="current-error" data-testid="job-current-error">
                    <h2>{ "Error" }</h2>
                    <p class="job-error"><code><UntrustedText text={e.kind.clone()} /></code>{ ": " }<UntrustedText text={e.message.clone()} /></p>
                    <TracebackView error={e.clone()} open=true />
                </div>
            }
            <h2>{ "Parameters" }</h2>
            <pre class="params" data-testid="job-params"><UntrustedText text={params} /></pre>
            <h2>{ format!("Attempts ({})", job.attempts.len()) }</h2>
            // Newest first; each item names its attempt ("Attempt 2"), so no list numbering.
            <ol class="attempts" data-testid="job-attempts">
                { for job.attempts.iter().rev().map(view_attempt) }
            </ol>
        </article>
    }
}

fn view_attempt(a: &Attempt) -> Html {
    let took = match (a.started_at, a.finished_at) {
        (Some(s), Some(f)) => format!(" · took {}", duration(f - s)),
        _ => String::new(),
    };
    html! {
        <li class="attempt" data-testid="attempt" data-attempt={a.number.to_string()}>
            <span>{ format!("Attempt {}", a.number) }</span>{ " " }
            <StatusBadge status={a.status} />
            { a.worker.clone().map(|w| html! { <span class="worker">{ " on " }<UntrustedText text={w} /></span> }) }
            <span class="worker">{ took }</span>
            if let Some(e) = &a.error {
                <div class="attempt-error">
                    <p><code><UntrustedText text={e.kind.clone()} /></code>{ ": " }<UntrustedText text={e.message.clone()} /></p>
                    <TracebackView error={e.clone()} />
                </div>
            }
        </li>
    }
}
