//! A job's live log on its detail page: backfilled, then streamed; lines are text, never HTML.
//! (The full viewer — highlighting, virtualisation, search — is the log modal.) Rows are
//! components with shared lines, so a render builds only the rows that are new.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::jobs::log_line::LogText;
use crate::hooks::use_job_logs::{use_job_logs, LogStatus};
use crate::hooks::use_jobs;
use crate::state::format::thousands;
use crate::state::log_poll::LineSource;
use crate::state::log_viewport::tail_rows;
use crate::types::LogLine;

/// Lines rendered at most; older ones stay in memory but off the page.
const RENDERED: usize = 2_000;
/// Rows built per render at most (see `log_viewport::tail_rows`): a flood shows the newest
/// ones, and the panel fills back up over the next frames.
const GROW: usize = 250;

#[derive(Properties, PartialEq)]
struct PanelLineProps {
    line: Rc<LogLine>,
}

#[component]
fn PanelLine(props: &PanelLineProps) -> Html {
    let l = &props.line;
    html! {
        <li class={format!("log-line level-{}", l.level.to_ascii_lowercase())} data-n={l.n.to_string()}>
            <span class="log-n">{ l.n }</span>
            <span class="log-level">{ l.level.clone() }</span>
            <span class="log-text"><LogText text={AttrValue::from(l.text.clone())} /></span>
        </li>
    }
}

#[derive(Properties, PartialEq)]
pub struct JobLogPanelProps {
    pub job_id: AttrValue,
}

#[component]
pub fn JobLogPanel(props: &JobLogPanelProps) -> Html {
    let logs = use_job_logs(props.job_id.to_string());
    let jobs = use_jobs();
    let job_finished = jobs
        .state()
        .job(&props.job_id)
        .is_some_and(|j| j.status.is_terminal());
    // The first and last line numbers of the last render, and a frame that renders again
    // while the panel fills up.
    let last = use_mut_ref(|| None::<(u64, u64)>);
    let refill = use_mut_ref(|| None::<gloo_render::AnimationFrame>);
    let model = logs.model();
    let buffer = &model.buffer;
    let held = buffer.len();
    let (kept, new) = match *last.borrow() {
        Some((first, last)) => {
            let after = buffer.position_from(last + 1);
            (after - buffer.position_from(first).min(after), held - after)
        }
        None => (0, held),
    };
    let rows = tail_rows(kept, new, held, RENDERED, GROW);
    let skip = held - rows;
    *last.borrow_mut() = buffer
        .lines()
        .get(skip)
        .zip(buffer.lines().back())
        .map(|(a, b)| (a.n, b.n));
    {
        let (logs, refill) = (logs.clone(), refill.clone());
        let filling = rows < held.min(RENDERED);
        use_effect(move || {
            let frame =
                filling.then(|| gloo_render::request_animation_frame(move |_| logs.refresh()));
            *refill.borrow_mut() = frame;
        });
    }
    let status = if let LogStatus::Failed(err) = &logs.status {
        html! { <p role="alert" class="log-error">{ format!("Could not load the log: {err}") }</p> }
    } else if logs.status == LogStatus::Loading {
        html! { <p role="status" class="loading">{ "Loading log…" }</p> }
    } else {
        let mut notes = vec![format!("{} lines", thousands(buffer.last_n()))];
        let source = LineSource::of(&jobs.state().connection);
        if source != LineSource::Following && !job_finished {
            notes.push(source.describe().to_string());
        }
        if held > RENDERED {
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
                    <PanelLine key={l.n} line={l.clone()} />
                }) }
            </ol>
        </section>
    }
}
