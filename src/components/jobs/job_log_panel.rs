//! A job's live log on its detail page: backfilled, then streamed; lines are text, never HTML.
//! (The full viewer — highlighting, virtualisation, search — is the log modal.)

use yew::prelude::*;

use crate::components::jobs::log_line::LogText;
use crate::hooks::use_job_logs::{use_job_logs, LogStatus};
use crate::state::format::thousands;

/// Lines rendered at most; older ones stay in memory but off the page.
const RENDERED: usize = 2_000;

#[derive(Properties, PartialEq)]
pub struct JobLogPanelProps {
    pub job_id: AttrValue,
}

#[component]
pub fn JobLogPanel(props: &JobLogPanelProps) -> Html {
    let logs = use_job_logs(props.job_id.to_string());
    let model = logs.model();
    let buffer = &model.buffer;
    let skip = buffer.len().saturating_sub(RENDERED);
    let status = if let LogStatus::Failed(err) = &logs.status {
        html! { <p role="alert" class="log-error">{ format!("Could not load the log: {err}") }</p> }
    } else if logs.status == LogStatus::Loading {
        html! { <p role="status" class="loading">{ "Loading log…" }</p> }
    } else {
        let mut notes = vec![format!("{} lines", thousands(buffer.last_n()))];
        if skip > 0 {
            notes.push(format!("showing the last {}", thousands(RENDERED as u64)));
        }
        if buffer.dropped() > 0 {
            notes.push(format!(
                "{} older lines not in memory",
                thousands(buffer.dropped())
            ));
        }
        html! { <p class="log-status" data-testid="log-status">{ notes.join(" · ") }</p> }
    };
    let gaps = buffer.gaps().iter().map(|g| {
        html! {
            <li class="log-gap" role="note" data-testid="log-gap">
                { format!("Lines {}–{} could not be received", g.from, g.to) }
            </li>
        }
    });
    html! {
        <section class="log-panel" aria-label="Log">
            { status }
            <ul class="log-gaps">{ for gaps }</ul>
            // Focusable: it scrolls, so keyboard users must be able to reach it.
            <ol class="log-lines" data-testid="log-lines" tabindex="0">
                { for buffer.lines().iter().skip(skip).map(|l| html! {
                    <li key={l.n} class={format!("log-line level-{}", l.level.to_ascii_lowercase())}
                        data-n={l.n.to_string()}>
                        <span class="log-n">{ l.n }</span>
                        <span class="log-level">{ l.level.clone() }</span>
                        <span class="log-text"><LogText text={l.text.clone()} /></span>
                    </li>
                }) }
            </ol>
        </section>
    }
}
