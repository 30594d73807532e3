//! The log viewer's search toolbar: the search box (Enter and Shift+Enter step through the
//! matches), the match count, previous/next, "only matching" and the level chips with their
//! counts. It holds no state: what it shows and what it does come from the viewer.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::format::thousands;
use crate::state::log_filter::LEVELS;
use crate::state::log_view::LogModel;

#[derive(Properties, PartialEq)]
pub struct LogSearchBarProps {
    /// The search box's text, as typed.
    pub query: AttrValue,
    /// `n of m`, `no matches`, the progress of a search over a long log, or nothing.
    pub match_text: AttrValue,
    pub only_matching: bool,
    /// Which level buckets are shown, and how many held lines each has ([`LEVELS`] order).
    pub levels: [bool; 5],
    pub counts: [u64; 5],
    /// The search text changed.
    pub on_search: Callback<String>,
    /// Step to the next (`true`) or previous match.
    pub on_step: Callback<bool>,
    pub on_toggle_only: Callback<()>,
    /// Show or hide the level bucket at this index.
    pub on_toggle_level: Callback<usize>,
}

/// The match count as the toolbar words it.
pub fn match_text(model: &LogModel) -> String {
    if model.search().is_empty() {
        String::new()
    } else if let Some((done, of)) = model.scan_progress() {
        format!("searching… {}%", done * 100 / of.max(1))
    } else if model.match_count() == 0 {
        "no matches".into()
    } else {
        let pos = model.current.map(|c| c + 1).unwrap_or(0);
        format!("{pos} of {}", thousands(model.match_count() as u64))
    }
}

#[component]
pub fn LogSearchBar(props: &LogSearchBarProps) -> Html {
    let on_search = props
        .on_search
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let on_search_key = {
        let on_step = props.on_step.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                on_step.emit(!e.shift_key());
            }
        })
    };
    let step = |forward: bool| props.on_step.reform(move |_: MouseEvent| forward);
    let toggle_only = props.on_toggle_only.reform(|_: Event| ());
    let level_chips = LEVELS.iter().enumerate().map(|(i, name)| {
        let on = props.levels[i];
        let onclick = props.on_toggle_level.reform(move |_: MouseEvent| i);
        html! {
            <button type="button" class={classes!("chip", format!("level-{}", name.to_ascii_lowercase()), on.then_some("active"))}
                    aria-pressed={on.to_string()} data-testid={format!("log-level-{name}")} {onclick}>
                { *name }{ " " }<strong>{ thousands(props.counts[i]) }</strong>
            </button>
        }
    });
    html! {
        <div class="log-toolbar" role="toolbar" aria-label="Log tools">
            <label class="log-search">
                <span class="visually-hidden">{ "Search the log" }</span>
                <input type="search" placeholder="Search the log" data-testid="log-search"
                       value={props.query.clone()} oninput={on_search} onkeydown={on_search_key} />
            </label>
            <span class="log-match-count" data-testid="log-match-count" aria-live="polite">{ props.match_text.clone() }</span>
            <button type="button" class="btn btn-small" data-testid="log-prev" onclick={step(false)}
                    aria-label="Previous match">{ "↑" }</button>
            <button type="button" class="btn btn-small" data-testid="log-next" onclick={step(true)}
                    aria-label="Next match">{ "↓" }</button>
            <label class="toggle">
                <input type="checkbox" data-testid="log-only-matching" checked={props.only_matching}
                       onchange={toggle_only} />{ " only matching" }
            </label>
            <span class="chips">{ for level_chips }</span>
        </div>
    }
}
