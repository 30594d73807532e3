//! The log viewer: a modal over the page (focus trapped, Escape closes, full-screen toggle),
//! streaming a job's log live with highlighting. Only the lines in view are in the DOM, however
//! long the log (`hooks::use_log_scroller`, deciding with `state::log_scroll`); follow mode sticks to the
//! bottom until the reader scrolls up. Rows are components of their own (`log_row`), so a
//! render rebuilds only the rows that are new. The toolbars (`log_search_bar`,
//! `log_view_bar`) and the notes above the lines (`log_notices`) are components too.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::components::jobs::log_notices::{status_text, LogNotices, StatusFacts};
use crate::components::jobs::log_row::LogRow;
use crate::components::jobs::log_search_bar::{match_text, LogSearchBar};
use crate::components::jobs::log_view_bar::{LogViewBar, COPY_MAX};
use crate::components::modal::Modal;
use crate::hooks::use_job_logs::{use_job_logs, LogStatus, UseJobLogsHandle};
use crate::hooks::use_jobs;
use crate::hooks::use_log_scroller::use_log_scroller;
use crate::services::browser;
use crate::state::bidi::isolate_visible;
use crate::state::format::thousands;
use crate::state::log_poll::LineSource;
use crate::state::log_scroll::LINE_H;
use crate::state::url::{is_log_route, log_permalink};
use crate::types::{Job, LogLine};

/// How long after a job ends the viewer waits for late lines before calling the log complete.
const LATE_LINES_MS: u32 = 5_000;

#[derive(Properties, PartialEq)]
pub struct JobLogsModalProps {
    pub job_id: AttrValue,
    pub on_close: Callback<()>,
    /// Scroll to and mark this line (a permalink).
    #[prop_or_default]
    pub line: Option<u64>,
}

/// The marked line: the permalink's, then the one the reader clicked or stepped to. A
/// permalink opened while the viewer is open (back/forward, a pasted link) marks its line.
#[hook]
fn use_marked_line(line: Option<u64>) -> UseStateHandle<Option<u64>> {
    let marked = use_state(|| line);
    {
        let marked = marked.clone();
        use_effect_with(line, move |line| {
            if line.is_some() {
                marked.set(*line);
            }
        });
    }
    marked
}

/// Whether the wait for late lines is over: true `LATE_LINES_MS` after the job turned
/// `terminal`, false again if it runs once more.
#[hook]
fn use_late_lines_over(terminal: bool) -> bool {
    let complete = use_state(|| false);
    {
        let complete = complete.clone();
        use_effect_with(terminal, move |terminal| {
            complete.set(false);
            let t = terminal.then(|| Timeout::new(LATE_LINES_MS, move || complete.set(true)));
            move || drop(t)
        });
    }
    *complete
}

/// The dialog's title; untrusted names isolated, their bidi controls shown (`state::bidi`).
fn title(job: Option<&Job>, job_id: &str) -> String {
    match job {
        Some(j) => format!(
            "Log · {} · {} · {}",
            isolate_visible(&j.dataset_name),
            j.kind,
            isolate_visible(&j.id)
        ),
        None => format!("Log · {}", isolate_visible(job_id)),
    }
}

/// The newest `COPY_MAX` shown lines (shared, not copied).
fn copy_lines(logs: &UseJobLogsHandle) -> Callback<(), Vec<Rc<LogLine>>> {
    let logs = logs.clone();
    Callback::from(move |_| {
        let m = logs.model();
        let n = m.shown_len();
        (n.saturating_sub(COPY_MAX)..n)
            .filter_map(|i| m.shown_line(i).cloned())
            .collect()
    })
}

/// Flips a toggle.
fn flip(s: &UseStateHandle<bool>) -> Callback<()> {
    let s = s.clone();
    Callback::from(move |_| s.set(!*s))
}

#[component]
pub fn JobLogsModal(props: &JobLogsModalProps) -> Html {
    let logs = use_job_logs(props.job_id.to_string());
    let jobs = use_jobs();
    let wrap = use_state(|| false);
    let timestamps = use_state(|| true);
    let fullscreen = use_state(|| false);
    let search_text = use_state(String::new);
    let marked = use_marked_line(props.line);
    let job = jobs.state().job(&props.job_id).cloned();
    let terminal = job.as_ref().is_some_and(|j| j.status.is_terminal());
    let complete = use_late_lines_over(terminal);
    let scroller = use_log_scroller(&logs, *marked, *wrap, *fullscreen);

    // A click on a line number marks that line where it is (no scroll, no navigation); on the
    // log's own route the address becomes the line's permalink.
    let on_mark = {
        let (marked, job_id, logs) = (marked.clone(), props.job_id.clone(), logs.clone());
        let revealed = scroller.mark_in_place();
        Callback::from(move |n: u64| {
            revealed.emit(n);
            // Following would scroll the marked line away as new lines arrive.
            logs.update(|m| m.follow.following = false);
            marked.set(Some(n));
            if is_log_route(&browser::hash(), &job_id) {
                browser::replace_hash(&log_permalink(&job_id, n));
            }
        })
    };
    let on_search = {
        let (logs, search_text) = (logs.clone(), search_text.clone());
        Callback::from(move |q: String| {
            logs.update(|m| m.set_search(&q));
            search_text.set(q);
        })
    };
    let on_step = {
        let (logs, marked) = (logs.clone(), marked.clone());
        Callback::from(move |forward: bool| {
            let mut n = None;
            logs.update(|m| n = m.step_match(forward));
            marked.set(n);
        })
    };
    let on_toggle_only = {
        let logs = logs.clone();
        Callback::from(move |_| logs.update(|m| m.set_only_matching(!m.only_matching)))
    };
    let on_toggle_level = {
        let logs = logs.clone();
        Callback::from(move |i: usize| logs.update(|m| m.toggle_level(i)))
    };
    let jump = {
        let logs = logs.clone();
        Callback::from(move |_: MouseEvent| logs.update(|m| m.follow.jump()))
    };
    let on_retry = {
        let logs = logs.clone();
        Callback::from(move |_| logs.retry())
    };

    let model = logs.model();
    let slice = scroller.slice;
    let current = model.current_match();
    let highlight: Option<AttrValue> =
        (!model.search().is_empty()).then(|| search_text.to_string().into());
    let rows: Vec<Html> = (slice.start..slice.end)
        .filter_map(|i| model.shown_line(i))
        .map(|l| {
            html! {
                <LogRow key={l.n} line={l.clone()} job_id={props.job_id.clone()} wrap={*wrap}
                        timestamps={*timestamps} current={current == Some(l.n)}
                        marked={*marked == Some(l.n)} highlight={highlight.clone()}
                        on_mark={on_mark.clone()} />
            }
        })
        .collect();
    let following = model.follow.following;
    let status = status_text(&StatusFacts {
        status: &logs.status,
        terminal,
        complete,
        last_n: model.buffer.last_n(),
        log_count: job.as_ref().map_or(logs.server_total, |j| j.log_count),
        source: following.then(|| LineSource::of(&jobs.state().connection).describe()),
        backlog: model.backlog(),
    });
    let search_bar = html! {
        <LogSearchBar query={(*search_text).clone()} match_text={match_text(&model)}
                      only_matching={model.only_matching} levels={model.levels} counts={model.counts()}
                      {on_search} {on_step} {on_toggle_only} {on_toggle_level} />
    };
    let notices = html! {
        <LogNotices text={status} dropped={model.buffer.dropped()} gaps={model.buffer.gaps().to_vec()}
                    failed={matches!(logs.status, LogStatus::Failed(_))} {on_retry} />
    };
    let older_available = model.buffer.first_n().is_some_and(|n| n > 1);
    let unseen = model.follow.unseen;
    drop(model);

    html! {
        <Modal title={title(job.as_deref(), &props.job_id)} on_close={props.on_close.clone()}
               testid="log-modal" wide=true fullscreen={*fullscreen} class="log-modal">
            { search_bar }
            <LogViewBar job_id={props.job_id.clone()} wrap={*wrap} timestamps={*timestamps}
                        fullscreen={*fullscreen} on_wrap={flip(&wrap)} on_timestamps={flip(&timestamps)}
                        on_fullscreen={flip(&fullscreen)} copy_lines={copy_lines(&logs)} />
            { notices }
            <div class={classes!("log-viewport", wrap.then_some("wrap"))} ref={scroller.viewport.clone()}
                 onscroll={scroller.onscroll.clone()} data-testid="log-viewport" tabindex="0" aria-label="Log lines">
                if older_available && slice.start == 0 {
                    <p class="log-older" style={format!("height: {LINE_H}px")}>
                        { if logs.loading_older { "Loading older lines…" } else { "Scroll up for older lines" } }
                    </p>
                }
                <div class="log-lines-virtual" style={format!("padding-top: {}px; padding-bottom: {}px", slice.pad_top, slice.pad_bottom)}>
                    { for rows }
                </div>
            </div>
            if !following {
                <button type="button" class="btn btn-primary log-jump" data-testid="log-jump" onclick={jump}>
                    { if unseen > 0 { format!("Jump to latest ({} new lines)", thousands(unseen)) } else { "Jump to latest".to_string() } }
                </button>
            }
        </Modal>
    }
}
