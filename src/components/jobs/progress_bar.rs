//! An accessible progress bar with processed/total and phase.

use yew::prelude::*;

use crate::state::format::progress_text;
use crate::types::Progress;

#[derive(Properties, PartialEq)]
pub struct ProgressBarProps {
    pub progress: Progress,
}

#[component]
pub fn ProgressBar(props: &ProgressBarProps) -> Html {
    let p = &props.progress;
    let (label, pct) = progress_text(p);
    let width = format!("width: {}%", pct.unwrap_or(0));
    html! {
        <div class="progress">
            <div class="progress-track" role="progressbar" aria-label="Progress"
                 aria-valuemin="0" aria-valuemax="100"
                 aria-valuenow={pct.map(|v| v.to_string())}
                 aria-valuetext={label.clone()}>
                <div class="progress-fill" style={width}></div>
            </div>
            <div class="progress-text">
                <span data-testid="job-progress">{ label }</span>
                <span class="phase" data-testid="job-phase">{ p.phase.clone() }</span>
            </div>
        </div>
    }
}
