//! Structured console logs with levels: `[jobs] LEVEL area: message {fields}`.
//!
//! Debug is off by default and can be switched on at run time (`set_debug`).

use std::cell::Cell;

thread_local! {
    static DEBUG: Cell<bool> = const { Cell::new(false) };
}

/// Severity of a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

/// Turns debug lines on or off.
pub fn set_debug(on: bool) {
    DEBUG.with(|d| d.set(on));
}

pub fn debug_enabled() -> bool {
    DEBUG.with(|d| d.get())
}

/// Writes one line; `fields` is any JSON value (`serde_json::Value::Null` for none).
pub fn log(level: Level, area: &str, message: &str, fields: serde_json::Value) {
    if level == Level::Debug && !debug_enabled() {
        return;
    }
    let text = if fields.is_null() {
        format!("[jobs] {level:?} {area}: {message}")
    } else {
        format!("[jobs] {level:?} {area}: {message} {fields}")
    };
    let v = wasm_bindgen::JsValue::from_str(&text);
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
