//! An accessible progress bar with processed/total and phase.

use yew::prelude::*;

use crate::state::format::thousands;
use crate::types::Progress;

#[derive(Properties, PartialEq)]
pub struct ProgressBarProps {
    pub progress: Progress,
}

#[component]
pub fn ProgressBar(props: &ProgressBarProps) -> Html {
    let p = &props.progress;
    let pct = p.fraction().map(|f| (f * 100.0).round() as u32);
    let width = format!("width: {}%", pct.unwrap_or(0));
    let label = match pct {
        Some(pct) => format!(
            "{} / {} {} ({pct}%)",
            thousands(p.processed),
            thousands(p.total),
            p.unit
        ),
        None => format!("{} {}", thousands(p.processed), p.unit),
    };
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
