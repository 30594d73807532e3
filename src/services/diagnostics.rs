//! The page's one diagnostics collector (`state::diagnostics::Diagnostics`), fed by the live
//! transport (connection changes, events, resyncs, batch arrival times) and the jobs provider
//! (jobs held, the config in use); read with [`snapshot`] by the diagnostics panel and the host
//! bridge.
//!
//! Event-to-screen latency: the transport stamps each batch with the arrival time of its oldest
//! event (`now_ms()`, on the `performance.now()` clock) and calls [`batch_dispatched`] right
//! after dispatching it to the store. Yew renders the store change in a microtask, before the
//! browser's next animation frame, so one `requestAnimationFrame` callback (at most one
//! outstanding, serving every batch dispatched meanwhile) records `now - arrival` for each: the
//! time from the frame reaching the page to the frame whose paint shows it. Batches that arrive
//! while the tab is hidden are not measured (the browser holds animation frames back then).

use std::cell::{Cell, RefCell};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::services::logger;
use crate::state::config::Config;
use crate::state::connection::Connection;
use crate::state::diagnostics::{Diagnostics, DiagnosticsSnapshot, Environment};

thread_local! {
    static COLLECTOR: RefCell<Option<Diagnostics>> = const { RefCell::new(None) };
    static CONFIG: RefCell<serde_json::Value> = const { RefCell::new(serde_json::Value::Null) };
    /// Arrival times of batches dispatched but not yet painted: emptied by the next animation
    /// frame, and not filled while the tab is hidden (when frames are held back).
    static UNPAINTED: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    static FRAME_REQUESTED: Cell<bool> = const { Cell::new(false) };
    /// Events dispatched to the store since the page loaded.
    static APPLIED: Cell<u64> = const { Cell::new(0) };
    /// `window.__jobsPerf`, created at the first count.
    static PERF: RefCell<Option<js_sys::Object>> = const { RefCell::new(None) };
}

/// Milliseconds on the page's monotonic clock (`performance.now()`).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Runs `f` on the collector; skipped (never a panic) if it is busy, which only a re-entrant
/// call could cause.
fn with<R>(f: impl FnOnce(&mut Diagnostics) -> R) -> Option<R> {
    COLLECTOR
        .try_with(|c| {
            let mut c = c.try_borrow_mut().ok()?;
            let d = c.get_or_insert_with(|| Diagnostics::new(now_ms()));
            Some(f(d))
        })
        .ok()
        .flatten()
}

/// The transport set its state; returns whether it changed (so it is logged once).
pub fn connection_changed(c: &Connection, delay_ms: Option<u64>) -> bool {
    let now = now_ms();
    with(|d| d.on_connection(now, c, delay_ms)).unwrap_or(false)
}

/// One event accepted into a batch.
/// `n` events were accepted since the last count (counted per batch, not per event: each count
/// costs a clock read).
pub fn events_arrived(n: u64) {
    if n == 0 {
        return;
    }
    let now = now_ms();
    with(|d| d.on_events(now, n));
}

/// `n` events were dispatched to the store. Their running total is published as
/// `window.__jobsPerf.applied` for benchmarks (`docs/performance.md`), which compare it with
/// what the server sent.
pub fn events_applied(n: usize) {
    let total = APPLIED.with(|a| {
        let t = a.get() + n as u64;
        a.set(t);
        t
    });
    publish("applied", total as f64);
}

/// Sets `window.__jobsPerf[key]` (created at the first figure) for benchmarks.
fn publish(key: &str, value: f64) {
    let _ = PERF.try_with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            let obj = js_sys::Object::new();
            if let Some(w) = web_sys::window() {
                let _ = js_sys::Reflect::set(&w, &"__jobsPerf".into(), &obj);
            }
            *p = Some(obj);
        }
        if let Some(obj) = p.as_ref() {
            let _ = js_sys::Reflect::set(obj, &key.into(), &value.into());
        }
    });
}

pub fn resynced() {
    with(Diagnostics::on_resync);
}

/// Jobs the store holds now; also published, with the wasm memory size, as
/// `window.__jobsPerf.held` and `.wasmBytes` for the soak benchmark (`examples/soak.rs`).
pub fn set_jobs_held(n: usize) {
    with(|d| d.set_jobs_held(n));
    publish("held", n as f64);
    publish("wasmBytes", wasm_memory_bytes() as f64);
}

/// The configuration in use, shown as JSON.
pub fn set_config(config: &Config) {
    let value = serde_json::to_value(config).unwrap_or(serde_json::Value::Null);
    let _ = CONFIG.try_with(|c| c.try_borrow_mut().map(|mut c| *c = value));
}

/// A batch whose oldest event arrived at `arrived_at` (`now_ms()`) was just dispatched.
pub fn batch_dispatched(arrived_at: f64) {
    let hidden = web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden());
    if hidden {
        return;
    }
    let _ = UNPAINTED.try_with(|u| u.try_borrow_mut().map(|mut u| u.push(arrived_at)));
    if FRAME_REQUESTED
        .try_with(|r| r.replace(true))
        .unwrap_or(true)
    {
        return; // the pending frame serves this batch too
    }
    let on_frame = Closure::once_into_js(move |_ts: f64| {
        let _ = FRAME_REQUESTED.try_with(|r| r.set(false));
        let painted = now_ms();
        let arrivals = UNPAINTED
            .try_with(|u| u.try_borrow_mut().map(|mut u| std::mem::take(&mut *u)))
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        with(|d| {
            for arrived in arrivals {
                d.on_latency(painted, painted - arrived);
            }
        });
    });
    let requested =
        web_sys::window().and_then(|w| w.request_animation_frame(on_frame.unchecked_ref()).ok());
    if requested.is_none() {
        let _ = FRAME_REQUESTED.try_with(|r| r.set(false));
    }
}

/// `WebAssembly.Memory` size in bytes.
pub fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map(|b| b.byte_length() as u64)
        .unwrap_or(0)
}

/// Every figure now.
pub fn snapshot() -> DiagnosticsSnapshot {
    let now = now_ms();
    let env = Environment {
        now_epoch_ms: js_sys::Date::now() as i64,
        wasm_memory_bytes: wasm_memory_bytes(),
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        log_level: logger::level(),
        config: CONFIG
            .try_with(|c| c.try_borrow().map(|c| c.clone()).unwrap_or_default())
            .unwrap_or_default(),
    };
    with(|d| d.snapshot(now, env.clone()))
        .unwrap_or_else(|| Diagnostics::new(now).snapshot(now, env))
}
