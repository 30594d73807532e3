//! Pure application state and logic: no web-sys, no timers, tested natively.

pub mod config;
pub mod format;
