//! The diagnostics dialog, opened from the connection indicator: the live figures of
//! `services::diagnostics::snapshot()` as text, refreshed every second while open, the
//! configuration in use, and the switch for debug lines in the browser console.
//!
//! A [`Modal`], so it follows the same WAI-ARIA dialog pattern as every other dialog (focus
//! moves in and back, Tab stays inside, Escape closes).

use gloo_timers::callback::Interval;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::modal::{unique_id, Modal};
use crate::services::{diagnostics, logger};
use crate::state::diagnostics::rows;

#[derive(Properties, PartialEq)]
pub struct DiagnosticsPanelProps {
    pub on_close: Callback<()>,
}

/// `Events per second` → `events-per-second`, for test ids.
fn slug(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[component]
pub fn DiagnosticsPanel(props: &DiagnosticsPanelProps) -> Html {
    let tick = use_state(|| 0u32);
    {
        let tick = tick.clone();
        use_effect_with((), move |_| {
            let interval = Interval::new(1_000, move || tick.set(tick.wrapping_add(1)));
            move || drop(interval)
        });
    }
    let debug = use_state(logger::debug_enabled);
    let switch_id = use_memo((), |_| unique_id("diagnostics-debug"));
    let on_switch = {
        let debug = debug.clone();
        Callback::from(move |e: Event| {
            let on = e
                .target_dyn_into::<HtmlInputElement>()
                .is_some_and(|i| i.checked());
            logger::set_debug(on);
            // Said at info level, so switching debug off is logged too.
            logger::info(
                "diagnostics",
                if on {
                    "debug logging on"
                } else {
                    "debug logging off"
                },
            );
            debug.set(on);
        })
    };
    let snapshot = diagnostics::snapshot();
    let config = serde_json::to_string_pretty(&snapshot.config).unwrap_or_default();
    html! {
        <Modal title="Diagnostics" on_close={props.on_close.clone()} testid="diagnostics-panel" wide=true>
            <dl class="diagnostics-figures" data-testid="diagnostics-figures">
                { for rows(&snapshot).into_iter().map(|(label, value)| html! {
                    <>
                        <dt>{ label }</dt>
                        <dd data-testid={format!("diag-{}", slug(label))}>{ value }</dd>
                    </>
                }) }
            </dl>
            <p class="diagnostics-switch">
                <input type="checkbox" id={(*switch_id).clone()} checked={*debug}
                       onchange={on_switch} data-testid="diagnostics-debug" />
                <label for={(*switch_id).clone()}>{ " Write debug lines to the browser console" }</label>
            </p>
            <details>
                <summary>{ "Configuration in use" }</summary>
                <pre class="diagnostics-config" data-testid="diagnostics-config">{ config }</pre>
            </details>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs() {
        assert_eq!(slug("Event-to-screen latency"), "event-to-screen-latency");
        assert_eq!(slug("WebSocket"), "websocket");
    }
}
