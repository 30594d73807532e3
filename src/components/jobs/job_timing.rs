//! A job's time as a card or a row shows it (`state::job_timing`): "elapsed 3.4 s" while it
//! runs, "took 850 ms · finished 3 min ago" once it ended, "queued 1 min ago" before it
//! starts. The relative instant is a `<time>` whose exact value is its tooltip and is read
//! out to screen readers.

use yew::prelude::*;

use crate::state::duration::datetime_iso;
use crate::state::job_timing::{describe, Timing};

#[derive(Properties, PartialEq)]
pub struct JobTimingProps {
    pub timing: Timing,
    pub now_ms: i64,
}

#[component]
pub fn JobTimingView(props: &JobTimingProps) -> Html {
    let text = describe(&props.timing, props.now_ms);
    html! {
        <>
            if let Some(primary) = text.primary {
                <span class="job-elapsed" data-testid="job-elapsed">{ primary }</span>
            }
            if let (Some(when), Some(exact), Some(at)) = (text.when, text.exact, text.at_ms) {
                <time class="job-when" data-testid="job-when" datetime={datetime_iso(at)} title={exact.clone()}>
                    { when }<span class="visually-hidden">{ format!(" ({exact})") }</span>
                </time>
            }
        </>
    }
}
