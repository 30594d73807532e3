//! A wall clock that ticks once a second, and stops while the data is not live so elapsed
//! times never pretend to advance on stale data.

use gloo_timers::callback::Interval;
use yew::prelude::*;

/// Epoch milliseconds, refreshed every second while `running`.
#[hook]
pub fn use_clock(running: bool) -> i64 {
    let now = use_state(|| js_sys::Date::now() as i64);
    {
        let now = now.clone();
        use_effect_with(running, move |running| {
            let interval = running.then(|| {
                now.set(js_sys::Date::now() as i64);
                Interval::new(1_000, move || now.set(js_sys::Date::now() as i64))
            });
            move || drop(interval)
        });
    }
    *now
}
