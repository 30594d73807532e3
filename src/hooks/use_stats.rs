//! The backend's completion and failure figures over a window (`GET /stats`), kept fresh.
//!
//! Refetched when the window changes, when the set of finished jobs the page sees changes
//! (a job finished or was retried: `finished_key`), debounced so a burst of finishes costs
//! one request, and every [`REFRESH_MS`] so the window slides even when nothing happens.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::{Interval, Timeout};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::use_api;
use crate::services::api::ApiError;
use crate::state::chart::throughput::Window;
use crate::types::Stats;

/// The window slides: refresh at least this often (ms).
pub const REFRESH_MS: u32 = 15_000;
/// Finishes arriving within this long of each other share one request (ms).
const DEBOUNCE_MS: u32 = 500;

/// What `use_stats` returns.
#[derive(Clone, PartialEq)]
pub struct UseStatsHandle {
    /// The last answer (kept while a refresh is in flight or failed).
    pub stats: Option<Rc<Stats>>,
    /// The last refresh failed.
    pub error: Option<ApiError>,
}

/// Stats over `window`; `finished_key` is any value that changes when a job finishes or a
/// finished job is retried.
#[hook]
pub fn use_stats(window: Window, finished_key: u64, active: bool) -> UseStatsHandle {
    let api = use_api();
    let stats = use_state(|| None::<Rc<Stats>>);
    let error = use_state(|| None::<ApiError>);
    let tick = use_state(|| 0u64);
    let generation = use_memo((), |_| Rc::new(Cell::new(0u64)));
    {
        let tick = tick.clone();
        use_effect_with(active, move |active| {
            let interval =
                active.then(|| Interval::new(REFRESH_MS, move || tick.set(tick.wrapping_add(1))));
            move || drop(interval)
        });
    }
    {
        let (stats, error, generation) = (stats.clone(), error.clone(), generation.clone());
        use_effect_with(
            (window, finished_key, *tick, active, api),
            move |(window, _, _, active, api)| {
                let timeout = active.then(|| {
                    let (window, api) = (*window, api.clone());
                    Timeout::new(DEBOUNCE_MS, move || {
                        let g = generation.get() + 1;
                        generation.set(g);
                        spawn_local(async move {
                            let result = api.stats(window.seconds(), window.bucket_s()).await;
                            if generation.get() != g {
                                return; // a newer request (another window) answers instead
                            }
                            match result {
                                Ok(s) => {
                                    stats.set(Some(Rc::new(s)));
                                    error.set(None);
                                }
                                Err(e) => error.set(Some(e)),
                            }
                        });
                    })
                });
                move || drop(timeout)
            },
        );
    }
    UseStatsHandle {
        stats: (*stats).clone(),
        error: (*error).clone(),
    }
}
