//! The log viewer: a modal over the page (focus trapped, Escape closes, full-screen toggle),
//! streaming a job's log live with highlighting. Only the lines in view are in the DOM, however
//! long the log; follow mode sticks to the bottom until the reader scrolls up. Rows are
//! components of their own (`log_row`), so a render rebuilds only the rows that are new.

use std::rc::Rc;
use std::time::Duration;

use gloo_timers::callback::Timeout;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::jobs::log_row::LogRow;
use crate::components::modal::Modal;
use crate::hooks::use_job_logs::{use_job_logs, LogStatus, MAX_LINES};
use crate::hooks::{use_api, use_config, use_jobs};
use crate::services::{auth, browser, download};
use crate::state::format::thousands;
use crate::state::log_poll::LineSource;
use crate::state::log_tokens::strip_ansi;
use crate::state::log_view::{LogModel, LEVELS};
use crate::state::log_viewport::{rows_before, slice, wrap_cols, Slice, Viewport};
use crate::state::url::{is_log_route, log_permalink};
use crate::types::LogLine;

/// Height of one visual row (px); matches `.log-row` in styles/logs.css.
pub const LINE_H: u32 = 20;
/// Rows rendered beyond the viewport on each side.
const OVERSCAN: usize = 30;
/// How long after a job ends the viewer waits for late lines before calling the log complete.
const LATE_LINES_MS: u32 = 5_000;
/// Lines copied at most.
const COPY_MAX: usize = 50_000;
/// Lines of the copied text formatted per task (the rest after yielding to the page).
const COPY_SLICE: usize = 5_000;

#[derive(Properties, PartialEq)]
pub struct JobLogsModalProps {
    pub job_id: AttrValue,
    pub on_close: Callback<()>,
    /// Scroll to and mark this line (a permalink).
    #[prop_or_default]
    pub line: Option<u64>,
}

/// The slice of shown lines to render for `vp`.
fn slice_for(model: &LogModel, vp: Viewport) -> Slice {
    slice(
        model.shown_len(),
        model.rows(),
        LINE_H,
        vp,
        model.follow.following,
        OVERSCAN,
    )
}

/// The shown lines' text, as copied: `n LEVEL text` per line, escapes removed. Formats
/// `COPY_SLICE` lines per task so a long copy never blocks the page.
async fn copy_text(lines: Vec<Rc<LogLine>>) -> String {
    let mut out = String::new();
    for (i, chunk) in lines.chunks(COPY_SLICE).enumerate() {
        if i > 0 {
            yew::platform::time::sleep(Duration::ZERO).await;
        }
        for l in chunk {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{} {} {}", l.n, l.level, strip_ansi(&l.text)));
        }
    }
    out
}

#[component]
pub fn JobLogsModal(props: &JobLogsModalProps) -> Html {
    let logs = use_job_logs(props.job_id.to_string());
    let jobs = use_jobs();
    let config = use_config();
    let api = use_api();
    let viewport = use_node_ref();
    // Measured on scroll and when the box changes; a change only renders when it changes the
    // rendered slice.
    let scroll = use_mut_ref(Viewport::default);
    let wrap = use_state(|| false);
    let timestamps = use_state(|| true);
    let fullscreen = use_state(|| false);
    let search_text = use_state(String::new);
    let copied = use_state(|| None::<String>);
    let complete = use_state(|| false);
    let marked = use_state(|| props.line);
    {
        // A permalink opened while the viewer is open (back/forward, a pasted link).
        let marked = marked.clone();
        use_effect_with(props.line, move |line| {
            if line.is_some() {
                marked.set(*line);
            }
        });
    }
    // Keeps the line at the top of the viewport in place when older lines are prepended.
    let anchor = use_mut_ref(|| None::<(u64, f64)>);
    // The slice of the last render.
    let rendered = use_mut_ref(|| None::<Slice>);
    // The marked line the view last scrolled to (it scrolls to a mark once).
    let revealed = use_mut_ref(|| None::<u64>);
    // A click on a line number marks that line where it is (no scroll, no navigation); on the
    // log's own route the address becomes the line's permalink.
    let on_mark = {
        let (marked, revealed, job_id) = (marked.clone(), revealed.clone(), props.job_id.clone());
        let logs = logs.clone();
        Callback::from(move |n: u64| {
            *revealed.borrow_mut() = Some(n);
            // Following would scroll the marked line away as new lines arrive.
            logs.update(|m| m.follow.following = false);
            marked.set(Some(n));
            if is_log_route(&browser::hash(), &job_id) {
                browser::replace_hash(&log_permalink(&job_id, n));
            }
        })
    };

    let job = jobs.state().job(&props.job_id).cloned();
    let terminal = job.as_ref().is_some_and(|j| j.status.is_terminal());
    {
        let complete = complete.clone();
        use_effect_with(terminal, move |terminal| {
            complete.set(false);
            let t = terminal.then(|| Timeout::new(LATE_LINES_MS, move || complete.set(true)));
            move || drop(t)
        });
    }

    let vp = *scroll.borrow();
    logs.set_wrap(wrap.then(|| wrap_cols(vp.width)));
    let model = logs.model();
    let cut = slice_for(&model, vp);
    *rendered.borrow_mut() = Some(cut);
    let Slice {
        start,
        end,
        pad_top,
        pad_bottom,
    } = cut;
    let current = model.current_match();
    let search = model.search().to_string();
    let highlight: Option<AttrValue> = (!search.is_empty()).then(|| search_text.to_string().into());
    let rows: Vec<Html> = (start..end)
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

    // After every render: restore the anchor, reveal a permalinked line once it is loaded, or
    // follow the bottom (set without reading the layout back: the content's height is known).
    {
        let (viewport, anchor, revealed, logs2) = (
            viewport.clone(),
            anchor.clone(),
            revealed.clone(),
            logs.clone(),
        );
        let following = model.follow.following;
        let target = *marked;
        let px = |pos: usize| (rows_before(model.rows(), pos) * u64::from(LINE_H)) as f64;
        let marked_px = target.and_then(|n| model.shown_position(n)).map(px);
        let anchor_px = anchor
            .borrow()
            .and_then(|(n, off)| model.shown_position(n).map(|p| px(p) + off));
        let bottom_px = px(model.shown_len()) + f64::from(2 * LINE_H);
        let ready = logs.status == LogStatus::Ready;
        use_effect(move || {
            if let Some(el) = viewport.cast::<HtmlElement>() {
                let reveal = marked_px.filter(|_| ready && *revealed.borrow() != target);
                if let Some(top) = anchor_px {
                    el.set_scroll_top(top as i32);
                    anchor.borrow_mut().take();
                } else if let Some(pos_px) = reveal {
                    let target_px = pos_px - el.client_height() as f64 / 2.0;
                    el.set_scroll_top(target_px.max(0.0) as i32);
                    *revealed.borrow_mut() = target;
                    if following {
                        logs2.update(|m| m.follow.following = false);
                    }
                } else if following && ready && target.is_none_or(|t| *revealed.borrow() == Some(t))
                {
                    // Past the end: the browser stops at the bottom.
                    el.set_scroll_top(bottom_px.min(i32::MAX as f64) as i32);
                }
            }
        });
    }
    {
        // A permalink to a line older than what is loaded: load pages back until it is.
        let first = model.buffer.first_n();
        let (logs, target) = (logs.clone(), *marked);
        use_effect_with(
            (target, first, logs.loading_older),
            move |(target, first, loading)| {
                if let (Some(n), Some(first)) = (target, first) {
                    if n < first && *first > 1 && !*loading {
                        logs.load_older();
                    }
                }
            },
        );
    }
    let onscroll = {
        let (scroll, viewport, logs, anchor, rendered) = (
            scroll.clone(),
            viewport.clone(),
            logs.clone(),
            anchor.clone(),
            rendered.clone(),
        );
        Callback::from(move |_: Event| {
            let Some(el) = viewport.cast::<HtmlElement>() else {
                return;
            };
            let (top, h, sh) = (
                el.scroll_top() as f64,
                el.client_height() as f64,
                el.scroll_height() as f64,
            );
            let vp = Viewport {
                top,
                height: h,
                width: el.client_width() as f64,
            };
            let resized = scroll.borrow().width != vp.width;
            *scroll.borrow_mut() = vp;
            let at_bottom = top + h >= sh - (2 * LINE_H) as f64;
            let following = logs.model().follow.following;
            if following != at_bottom {
                logs.update(|m| m.follow.scrolled(at_bottom));
            } else if resized || *rendered.borrow() != Some(slice_for(&logs.model(), vp)) {
                logs.refresh();
            }
            if top < LINE_H as f64
                && logs.model().buffer.first_n().is_some_and(|n| n > 1)
                && !logs.loading_older
            {
                let first = logs.model().shown_line(0).map(|l| l.n);
                if let Some(n) = first {
                    *anchor.borrow_mut() = Some((n, top));
                }
                logs.load_older();
            }
        })
    };
    {
        // Measure once mounted and when toggling modes that change the box.
        let (scroll, viewport, logs) = (scroll.clone(), viewport.clone(), logs.clone());
        use_effect_with((*fullscreen, *wrap), move |_| {
            if let Some(el) = viewport.cast::<HtmlElement>() {
                *scroll.borrow_mut() = Viewport {
                    top: el.scroll_top() as f64,
                    height: el.client_height() as f64,
                    width: el.client_width() as f64,
                };
                logs.refresh();
            }
        });
    }

    let on_search = {
        let (logs, search_text) = (logs.clone(), search_text.clone());
        Callback::from(move |e: InputEvent| {
            let q = e.target_unchecked_into::<HtmlInputElement>().value();
            logs.update(|m| m.set_search(&q));
            search_text.set(q);
        })
    };
    let step = |forward: bool| {
        let (logs, marked) = (logs.clone(), marked.clone());
        Callback::from(move |_: MouseEvent| {
            let mut n = None;
            logs.update(|m| n = m.step_match(forward));
            marked.set(n);
        })
    };
    let on_search_key = {
        let (logs, marked) = (logs.clone(), marked.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                let mut n = None;
                logs.update(|m| n = m.step_match(!e.shift_key()));
                marked.set(n);
            }
        })
    };
    let toggle_only = {
        let logs = logs.clone();
        Callback::from(move |_: Event| {
            logs.update(|m| {
                let on = !m.only_matching;
                m.set_only_matching(on)
            })
        })
    };
    let (levels_on, level_counts) = (model.levels, model.counts());
    let level_chips: Vec<Html> = LEVELS.iter().enumerate().map(|(i, name)| {
        let on = levels_on[i];
        let onclick = {
            let logs = logs.clone();
            Callback::from(move |_: MouseEvent| logs.update(|m| m.toggle_level(i)))
        };
        html! {
            <button type="button" class={classes!("chip", format!("level-{}", name.to_ascii_lowercase()), on.then_some("active"))}
                    aria-pressed={on.to_string()} data-testid={format!("log-level-{name}")} {onclick}>
                { *name }{ " " }<strong>{ thousands(level_counts[i]) }</strong>
            </button>
        }
    }).collect();
    let flip = |s: &UseStateHandle<bool>| {
        let s = s.clone();
        Callback::from(move |_: MouseEvent| s.set(!*s))
    };
    let jump = {
        let logs = logs.clone();
        Callback::from(move |_: MouseEvent| logs.update(|m| m.follow.jump()))
    };
    let copy = {
        let (logs, copied) = (logs.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            // The lines themselves are shared: taking them is cheap, formatting is sliced.
            let lines: Vec<Rc<LogLine>> = {
                let m = logs.model();
                let n = m.shown_len();
                (n.saturating_sub(COPY_MAX)..n)
                    .filter_map(|i| m.shown_line(i).cloned())
                    .collect()
            };
            let copied = copied.clone();
            spawn_local(async move {
                let text = copy_text(lines).await;
                let result = match web_sys::window() {
                    Some(w) => wasm_bindgen_futures::JsFuture::from(
                        w.navigator().clipboard().write_text(&text),
                    )
                    .await
                    .map(|_| "Copied the shown lines".to_string())
                    .unwrap_or_else(|_| "The browser refused to copy".to_string()),
                    None => "Copy is not available".into(),
                };
                copied.set(Some(result));
            });
        })
    };

    // A plain link cannot send the bearer token: with one, fetch the file and save it.
    let download_authorised = {
        let (api, copied, job_id) = (api.clone(), copied.clone(), props.job_id.clone());
        Callback::from(move |e: MouseEvent| {
            if auth::token().is_none() {
                return; // the link's own download
            }
            e.prevent_default();
            let (api, copied, job_id) = (api.clone(), copied.clone(), job_id.clone());
            spawn_local(async move {
                let saved = match api.job_log_text(&job_id).await {
                    Ok(text) => download::save_text(&format!("{job_id}.log"), &text),
                    Err(e) => Err(e.to_string()),
                };
                if let Err(why) = saved {
                    copied.set(Some(format!("Download failed: {why}")));
                }
            });
        })
    };

    // Untrusted names isolated, their bidi controls shown (`state::bidi`).
    use crate::state::bidi::isolate_visible;
    let title = match &job {
        Some(j) => format!(
            "Log · {} · {} · {}",
            isolate_visible(&j.dataset_name),
            j.kind,
            isolate_visible(&j.id)
        ),
        None => format!("Log · {}", isolate_visible(&props.job_id)),
    };
    let log_count = job
        .as_ref()
        .map(|j| j.log_count)
        .unwrap_or(logs.server_total);
    let last_n = model.buffer.last_n();
    let status_text = match &logs.status {
        LogStatus::Loading => "Loading the last lines…".to_string(),
        LogStatus::Failed(e) => format!("Could not load the log: {e}"),
        LogStatus::Ready if *complete && terminal && last_n >= log_count => {
            format!("Log complete · {} lines", thousands(last_n))
        }
        LogStatus::Ready if *complete && terminal => format!(
            "The job ended; {} of {} lines received",
            thousands(last_n),
            thousands(log_count)
        ),
        LogStatus::Ready if terminal => {
            "The job ended; waiting briefly for late lines…".to_string()
        }
        LogStatus::Ready => format!(
            "{} lines · {}{}",
            thousands(last_n),
            if model.follow.following {
                LineSource::of(&jobs.state().connection).describe()
            } else {
                "paused (scrolled up)"
            },
            match model.backlog() {
                0 => String::new(),
                queued => format!(" · {} more received, being added", thousands(queued as u64)),
            }
        ),
    };
    let gaps: Vec<Html> = model
        .buffer
        .gaps()
        .iter()
        .map(|g| {
            html! {
                <p class="log-gap" role="note" data-testid="log-gap">
                    { format!("Lines {}–{} could not be received.", g.from, g.to) }
                </p>
            }
        })
        .collect();
    let download = format!(
        "{}/jobs/{}/logs/download",
        config.api_base,
        crate::state::url::encode_component(&props.job_id)
    );
    let unseen = model.follow.unseen;
    let following = model.follow.following;
    let match_text = if search.is_empty() {
        String::new()
    } else if let Some((done, of)) = model.scan_progress() {
        format!("searching… {}%", done * 100 / of.max(1))
    } else if model.match_count() == 0 {
        "no matches".into()
    } else {
        let pos = model.current.map(|c| c + 1).unwrap_or(0);
        format!("{pos} of {}", thousands(model.match_count() as u64))
    };
    let dropped = model.buffer.dropped();
    let older_available = model.buffer.first_n().is_some_and(|n| n > 1);
    let only_matching = model.only_matching;
    drop(model);

    html! {
        <Modal title={title} on_close={props.on_close.clone()} testid="log-modal" wide=true
               fullscreen={*fullscreen} class="log-modal">
            <div class="log-toolbar" role="toolbar" aria-label="Log tools">
                <label class="log-search">
                    <span class="visually-hidden">{ "Search the log" }</span>
                    <input type="search" placeholder="Search the log" data-testid="log-search"
                           value={(*search_text).clone()} oninput={on_search} onkeydown={on_search_key} />
                </label>
                <span class="log-match-count" data-testid="log-match-count" aria-live="polite">{ match_text }</span>
                <button type="button" class="btn btn-small" data-testid="log-prev" onclick={step(false)}
                        aria-label="Previous match">{ "↑" }</button>
                <button type="button" class="btn btn-small" data-testid="log-next" onclick={step(true)}
                        aria-label="Next match">{ "↓" }</button>
                <label class="toggle">
                    <input type="checkbox" data-testid="log-only-matching" checked={only_matching}
                           onchange={toggle_only} />{ " only matching" }
                </label>
                <span class="chips">{ for level_chips.into_iter() }</span>
            </div>
            <div class="log-toolbar" role="toolbar" aria-label="Log view">
                <button type="button" class="btn btn-small" aria-pressed={wrap.to_string()} data-testid="log-wrap"
                        onclick={flip(&wrap)}>{ "Wrap" }</button>
                <button type="button" class="btn btn-small" aria-pressed={timestamps.to_string()}
                        data-testid="log-timestamps" onclick={flip(&timestamps)}>{ "Timestamps" }</button>
                <a class="btn btn-small" href={download} download="" target="_blank" rel="noopener"
                   data-testid="log-download" onclick={download_authorised}>{ "Download full log" }</a>
                <button type="button" class="btn btn-small" data-testid="log-copy" onclick={copy}>{ "Copy" }</button>
                <button type="button" class="btn btn-small" aria-pressed={fullscreen.to_string()}
                        data-testid="log-fullscreen" onclick={flip(&fullscreen)}>
                    { if *fullscreen { "Exit full screen" } else { "Full screen" } }
                </button>
                if let Some(c) = &*copied {
                    <span role="status">{ c.clone() }</span>
                }
            </div>
            <p class="log-status" role="status" data-testid="log-status">{ status_text }</p>
            if dropped > 0 {
                <p class="log-dropped" data-testid="log-dropped">
                    { format!("{} older lines were dropped from memory (this view keeps at most {}); scroll to the top to reload them.",
                              thousands(dropped), thousands(MAX_LINES as u64)) }
                </p>
            }
            { for gaps.into_iter() }
            if let LogStatus::Failed(_) = logs.status {
                <button type="button" class="btn" onclick={{ let l = logs.clone(); Callback::from(move |_: MouseEvent| l.retry()) }}>{ "Retry" }</button>
            }
            <div class={classes!("log-viewport", wrap.then_some("wrap"))} ref={viewport} {onscroll}
                 data-testid="log-viewport" tabindex="0" aria-label="Log lines">
                if older_available && start == 0 {
                    <p class="log-older" style={format!("height: {LINE_H}px")}>
                        { if logs.loading_older { "Loading older lines…" } else { "Scroll up for older lines" } }
                    </p>
                }
                <div class="log-lines-virtual" style={format!("padding-top: {pad_top}px; padding-bottom: {pad_bottom}px")}>
                    { for rows.into_iter() }
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

/// Shared with tests: how many DOM rows a window renders at most.
pub fn max_rendered_rows(viewport_px: f64) -> usize {
    (viewport_px / LINE_H as f64).ceil() as usize + 1 + 2 * OVERSCAN
}
