//! What the log viewer says about the log above its lines: where loading stands (loading,
//! failed with a Retry, following, paused, complete or short of lines after the job ended),
//! lines the memory cap dropped, and gaps of lines that could not be received.

use yew::prelude::*;

use crate::hooks::use_job_logs::{LogStatus, MAX_LINES};
use crate::state::format::thousands;
use crate::state::log_buffer::Gap;

/// What the status line is worded from.
pub struct StatusFacts<'a> {
    pub status: &'a LogStatus,
    /// The job has ended.
    pub terminal: bool,
    /// The wait for late lines after it ended is over.
    pub complete: bool,
    /// The newest line held, and the lines the job logged.
    pub last_n: u64,
    pub log_count: u64,
    /// Following: where new lines come from (`state::log_poll::LineSource`); `None`: paused.
    pub source: Option<&'static str>,
    /// Received lines not shown yet.
    pub backlog: usize,
}

/// The status line.
pub fn status_text(f: &StatusFacts) -> String {
    match f.status {
        LogStatus::Loading => "Loading the last lines…".to_string(),
        LogStatus::Failed(e) => format!("Could not load the log: {e}"),
        LogStatus::Ready if f.complete && f.terminal && f.last_n >= f.log_count => {
            format!("Log complete · {} lines", thousands(f.last_n))
        }
        LogStatus::Ready if f.complete && f.terminal => format!(
            "The job ended; {} of {} lines received",
            thousands(f.last_n),
            thousands(f.log_count)
        ),
        LogStatus::Ready if f.terminal => {
            "The job ended; waiting briefly for late lines…".to_string()
        }
        LogStatus::Ready => format!(
            "{} lines · {}{}",
            thousands(f.last_n),
            f.source.unwrap_or("paused (scrolled up)"),
            match f.backlog {
                0 => String::new(),
                queued => format!(" · {} more received, being added", thousands(queued as u64)),
            }
        ),
    }
}

#[derive(Properties, PartialEq)]
pub struct LogNoticesProps {
    /// See [`status_text`].
    pub text: AttrValue,
    /// Older lines dropped from memory.
    pub dropped: u64,
    /// Bounded by the held lines (one at most per line, `state::log_buffer`).
    pub gaps: Vec<Gap>,
    /// Loading failed: offer a retry.
    pub failed: bool,
    pub on_retry: Callback<()>,
}

#[component]
pub fn LogNotices(props: &LogNoticesProps) -> Html {
    let gaps = props.gaps.iter().map(|g| {
        html! {
            <p class="log-gap" role="note" data-testid="log-gap">
                { format!("Lines {}–{} could not be received.", g.from, g.to) }
            </p>
        }
    });
    let retry = props.on_retry.reform(|_: MouseEvent| ());
    html! {
        <>
            <p class="log-status" role="status" data-testid="log-status">{ props.text.clone() }</p>
            if props.dropped > 0 {
                <p class="log-dropped" data-testid="log-dropped">
                    { format!("{} older lines were dropped from memory (this view keeps at most {}); scroll to the top to reload them.",
                              thousands(props.dropped), thousands(MAX_LINES as u64)) }
                </p>
            }
            { for gaps }
            if props.failed {
                <button type="button" class="btn" onclick={retry}>{ "Retry" }</button>
            }
        </>
    }
}
