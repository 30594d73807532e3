//! A job status as text and colour (never colour alone).

use yew::prelude::*;

use crate::types::JobStatus;

#[derive(Properties, PartialEq)]
pub struct StatusBadgeProps {
    pub status: JobStatus,
}

#[component]
pub fn StatusBadge(props: &StatusBadgeProps) -> Html {
    let status = props.status;
    html! {
        <span class={classes!("status", format!("status-{status}"))} data-testid="job-status">
            { status.as_str() }
        </span>
    }
}
