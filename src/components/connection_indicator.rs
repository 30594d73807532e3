//! Always-visible connection state: live, reconnecting (attempt, countdown, retry now),
//! polling fallback, offline — in words, not only colour. Its "Diagnostics" button opens the
//! diagnostics dialog (rendered outside the live region, so its figures are not announced).

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::components::diagnostics_panel::DiagnosticsPanel;
use crate::hooks::use_jobs;
use crate::state::connection::Connection;

#[component]
pub fn ConnectionIndicator() -> Html {
    let jobs = use_jobs();
    let connection = jobs.state().connection.clone();
    // Re-render every second while a countdown is shown.
    let tick = use_state(|| 0u32);
    {
        let tick = tick.clone();
        let counting = matches!(connection, Connection::Reconnecting { .. });
        use_effect_with(counting, move |counting| {
            let interval =
                counting.then(|| Interval::new(1_000, move || tick.set(tick.wrapping_add(1))));
            move || drop(interval)
        });
    }
    let diagnostics_open = use_state(|| false);
    let open_diagnostics = {
        let open = diagnostics_open.clone();
        Callback::from(move |_: MouseEvent| open.set(true))
    };
    let close_diagnostics = {
        let open = diagnostics_open.clone();
        Callback::from(move |_| open.set(false))
    };
    let now = js_sys::Date::now() as i64;
    let retry = match connection {
        Connection::Reconnecting { .. }
        | Connection::Polling { .. }
        | Connection::Offline { .. }
        | Connection::Unauthorized { .. } => {
            let jobs = jobs.clone();
            let onclick = Callback::from(move |_: MouseEvent| jobs.retry_now());
            Some(
                html! { <button type="button" class="btn btn-small" {onclick}>{ "Retry now" }</button> },
            )
        }
        _ => None,
    };
    html! {
        <>
            <div class={classes!("connection", format!("connection-{}", connection.label()))}
                 role="status" aria-live="polite"
                 data-testid="connection" data-state={connection.label()}>
                <span class="connection-dot" aria-hidden="true"></span>
                <strong class="connection-label">{ connection.label() }</strong>
                <span class="connection-detail" data-testid="connection-detail">{ connection.describe(now) }</span>
                { for retry }
                <button type="button" class="btn btn-small" data-testid="diagnostics-open"
                        aria-haspopup="dialog" onclick={open_diagnostics}>
                    { "Diagnostics" }
                </button>
            </div>
            // Outside the live region: the figures change every second.
            if *diagnostics_open {
                <DiagnosticsPanel on_close={close_diagnostics} />
            }
        </>
    }
}
