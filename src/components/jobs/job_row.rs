//! One job as a compact row (the list's `view=compact`): status, dataset, kind, progress with
//! its percentage, ETA or when it finished, attempt, and the row's actions, on one line, so an
//! operator sees 25 or more jobs at once. Same props, names and actions as the card
//! (`job_entry`), so keyboard and screen-reader use are the same in both views.

use yew::prelude::*;

use crate::components::jobs::job_card::JobCardProps;
use crate::components::jobs::job_entry::{
    cancel_or_retry, entry_name, logs_and_details, select, with_id,
};
use crate::components::jobs::job_timing::JobTimingView;
use crate::components::status_badge::StatusBadge;
use crate::components::untrusted_text::UntrustedText;
use crate::state::eta::describe;
use crate::state::format::{progress_text, thousands};
use crate::state::job_timing::{timing, Timing};
use crate::types::JobStatus;

#[component]
pub fn JobRow(props: &JobCardProps) -> Html {
    let job = &props.job;
    let status = props.shown_status.unwrap_or(job.status);
    let name = entry_name(job);
    let stale = props.stale && !status.is_terminal();
    let p = &job.progress;
    let (progress_text, pct) = progress_text(p);
    let timing = timing(job, status, props.now_ms);
    // Running: the ETA (a dash while the data may be out of date); otherwise the time says
    // when it finished or since when it waits.
    let when = match timing {
        Timing::Running { .. } => html! {
            <span class="job-eta" data-testid="job-eta">
                { format!("ETA {}", if stale { "—".to_string() } else { describe(&props.eta) }) }
            </span>
        },
        _ => html! { <JobTimingView {timing} now_ms={props.wall_ms.unwrap_or(props.now_ms)} /> },
    };
    let dismiss = with_id(&props.on_dismiss_error, job);
    let failed = job.error.as_ref().filter(|_| status == JobStatus::Failed);
    html! {
        <li class={classes!("job-row", format!("job-{status}"), stale.then_some("stale"), props.selected.then_some("selected"))}
            data-testid="job-row" data-job-id={job.id.clone()} tabindex="-1" aria-label={name.clone()}
            data-status={status.as_str()} data-stale={stale.to_string()}
            title={failed.map(|e| format!("{}: {}", e.kind, e.message.lines().next().unwrap_or_default()))}>
            <input type="checkbox" class="job-select" checked={props.selected}
                   aria-label={format!("Select {name}")} data-testid="job-select"
                   onclick={select(&props.on_select, job)} />
            <StatusBadge {status} />
            <span class="job-dataset" data-testid="job-dataset"><UntrustedText text={job.dataset_name.clone()} /></span>
            <span class="job-kind" data-testid="job-kind">{ job.kind.as_str() }</span>
            <span class="row-progress">
                <span class="progress-track" role="progressbar" aria-label="Progress"
                      aria-valuemin="0" aria-valuemax="100"
                      aria-valuenow={pct.map(|v| v.to_string())} aria-valuetext={progress_text.clone()}>
                    <span class="progress-fill" style={format!("width: {}%", pct.unwrap_or(0))}></span>
                </span>
                <span class="row-pct" data-testid="job-progress" title={progress_text}>
                    // Without a total (not started yet) a count, or a dash before any.
                    { match pct {
                        Some(v) => format!("{v}%"),
                        None if p.processed > 0 => thousands(p.processed),
                        None => "—".to_string(),
                    } }
                </span>
            </span>
            <span class="row-when">
                { when }
                if stale {
                    <span class="stale-note" data-testid="job-stale">{ " possibly out of date" }</span>
                }
                if props.stalled && !stale {
                    <span class="stalled-note" data-testid="job-stalled"
                          title="No progress for longer than the stall threshold">{ " stalled" }</span>
                }
            </span>
            <span class="job-attempt" data-testid="job-attempt">{ format!("attempt {}", job.attempt) }</span>
            <span class="row-actions">
                if let Some(err) = &props.action_error {
                    <span class="action-error" role="alert" data-testid="job-action-error" title={err.clone()}>
                        { err.clone() }
                    </span>
                    <button type="button" class="btn btn-small" onclick={dismiss}>{ "Dismiss" }</button>
                }
                { cancel_or_retry(job, status, props.pending, &props.on_cancel, &props.on_retry) }
                { logs_and_details(job, &props.on_logs) }
            </span>
        </li>
    }
}
