//! Structured console logs with levels: `[jobs] LEVEL area: message {fields}`.
//!
//! The minimum level starts at `info` (debug off); `config.json`'s `log_level`, the `?debug=1`
//! query parameter (both through `state::config`) and the diagnostics panel's switch change it
//! at run time. Areas in use: `live` (connection, resyncs), `job` (state transitions),
//! `action` (what the user asked for and how it ended), `crash`, `config`.

use std::cell::Cell;

use crate::state::log_format::format_line;
pub use crate::state::log_format::Level;

thread_local! {
    static MIN_LEVEL: Cell<Level> = const { Cell::new(Level::Info) };
}

/// Lines below `level` are dropped.
pub fn set_level(level: Level) {
    let _ = MIN_LEVEL.try_with(|m| m.set(level));
}

/// The current minimum level.
pub fn level() -> Level {
    MIN_LEVEL.try_with(Cell::get).unwrap_or_default()
}

/// Turns debug lines on or off (off returns to `info`, unless a stricter level is set).
pub fn set_debug(on: bool) {
    if on {
        set_level(Level::Debug);
    } else if level() == Level::Debug {
        set_level(Level::Info);
    }
}

/// Whether debug lines are written.
pub fn debug_enabled() -> bool {
    level() == Level::Debug
}

/// Writes one line; `fields` is any JSON value (`serde_json::Value::Null` for none).
pub fn log(level: Level, area: &str, message: &str, fields: serde_json::Value) {
    if !level.passes(self::level()) {
        return;
    }
    let v = wasm_bindgen::JsValue::from_str(&format_line(level, area, message, &fields));
    match level {
        Level::Debug => web_sys::console::debug_1(&v),
        Level::Info => web_sys::console::info_1(&v),
        Level::Warn => web_sys::console::warn_1(&v),
        Level::Error => web_sys::console::error_1(&v),
    }
}

pub fn debug(area: &str, message: &str) {
    log(Level::Debug, area, message, serde_json::Value::Null);
}
pub fn info(area: &str, message: &str) {
    log(Level::Info, area, message, serde_json::Value::Null);
}
pub fn warn(area: &str, message: &str) {
    log(Level::Warn, area, message, serde_json::Value::Null);
}
pub fn error(area: &str, message: &str) {
    log(Level::Error, area, message, serde_json::Value::Null);
}
