//! One row of the log viewer: line number (a permalink), timestamp, level and highlighted text.
//! A component of its own with cheap props (the line is shared, not copied), so a render of
//! the viewer rebuilds only rows that are new or whose state changed, not every row in view.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::jobs::log_line::LogText;
use crate::state::format::clock_time;
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
}

#[component]
pub fn LogRow(props: &LogRowProps) -> Html {
    let l = &props.line;
    let level = l.level.to_ascii_lowercase();
    html! {
        <div class={classes!("log-row", format!("level-{level}"), props.wrap.then_some("wrap"),
                             props.current.then_some("current-match"), props.marked.then_some("marked"))}
             data-n={l.n.to_string()} data-testid="log-row">
            <a class="log-n" href={format!("#/jobs/{}/logs?line={}", props.job_id, l.n)}
               aria-label={format!("Link to line {}", l.n)}>{ l.n }</a>
            if props.timestamps {
                <span class="log-ts">{ clock_time(l.ts) }</span>
            }
            <span class={classes!("log-level", format!("level-{level}"))}>{ l.level.clone() }</span>
            <span class="log-text"><LogText text={AttrValue::from(l.text.clone())} highlight={props.highlight.clone()} /></span>
        </div>
    }
}
