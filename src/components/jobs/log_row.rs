//! One row of the log viewer: line number (a permalink), timestamp, level and highlighted text.
//! A component of its own with cheap props (the line is shared, not copied), so a render of
//! the viewer rebuilds only rows that are new or whose state changed, not every row in view.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::jobs::log_line::LogText;
use crate::state::format::clock_time;
use crate::state::url::log_permalink;
use crate::types::LogLine;

#[derive(Properties, PartialEq)]
pub struct LogRowProps {
    pub line: Rc<LogLine>,
    pub job_id: AttrValue,
    #[prop_or_default]
    pub wrap: bool,
    #[prop_or_default]
    pub timestamps: bool,
    /// The current search match.
    #[prop_or_default]
    pub current: bool,
    /// The permalinked line.
    #[prop_or_default]
    pub marked: bool,
    /// The search term to mark.
    #[prop_or_default]
    pub highlight: Option<AttrValue>,
    /// A plain click on the line number marks the line here instead of following the link
    /// (a modified or middle click still opens the permalink as a link does).
    #[prop_or_default]
    pub on_mark: Option<Callback<u64>>,
}

#[component]
pub fn LogRow(props: &LogRowProps) -> Html {
    let l = &props.line;
    let level = l.level.to_ascii_lowercase();
    let onclick = props.on_mark.clone().map(|on_mark| {
        let n = l.n;
        Callback::from(move |e: MouseEvent| {
            if e.button() == 0 && !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key()) {
                e.prevent_default();
                on_mark.emit(n);
            }
        })
    });
    html! {
        <div class={classes!("log-row", format!("level-{level}"), props.wrap.then_some("wrap"),
                             props.current.then_some("current-match"), props.marked.then_some("marked"))}
             data-n={l.n.to_string()} data-testid="log-row">
            <a class="log-n" href={log_permalink(&props.job_id, l.n)} {onclick}
               aria-label={format!("Link to line {}", l.n)}>{ l.n }</a>
            if props.timestamps {
                <span class="log-ts">{ clock_time(l.ts) }</span>
            }
            <span class={classes!("log-level", format!("level-{level}"))}>{ l.level.clone() }</span>
            <span class="log-text"><LogText text={AttrValue::from(l.text.clone())} highlight={props.highlight.clone()} /></span>
        </div>
    }
}
