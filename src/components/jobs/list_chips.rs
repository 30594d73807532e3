//! Chips saying the list is narrowed beyond the filter bar — to the jobs the last bulk action
//! touched, or to one failure group — each with "Show all jobs".

use yew::prelude::*;

use crate::state::failures::FailureKey;
use crate::state::filter_text::failure_window_text;
use crate::state::job_filter::describe_failure;
use crate::state::list_summary::touched_text;

#[derive(Properties, PartialEq)]
pub struct TouchedChipProps {
    /// Jobs the last bulk action touched.
    pub count: usize,
    pub on_clear: Callback<MouseEvent>,
}

#[component]
pub fn TouchedChip(props: &TouchedChipProps) -> Html {
    html! {
        <p class="touched-chip" data-testid="touched-filter" role="status">
            { touched_text(props.count) }
            <button type="button" class="btn btn-small" onclick={props.on_clear.clone()}>{ "Show all jobs" }</button>
        </p>
    }
}

#[derive(Properties, PartialEq)]
pub struct FailureChipProps {
    pub failure: FailureKey,
    /// The failure window in seconds, when the filter has one.
    pub within_s: Option<u64>,
    pub on_clear: Callback<MouseEvent>,
}

#[component]
pub fn FailureChip(props: &FailureChipProps) -> Html {
    html! {
        <p class="touched-chip" data-testid="failure-filter" role="status">
            { "Showing the failed jobs of " }<bdi>{ describe_failure(&props.failure) }</bdi>
            { failure_window_text(props.within_s) }{ ". " }
            <button type="button" class="btn btn-small" data-testid="failure-filter-clear" onclick={props.on_clear.clone()}>{ "Show all jobs" }</button>
        </p>
    }
}
