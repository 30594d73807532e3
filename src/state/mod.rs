//! Pure application state and logic: no web-sys, no timers, tested natively.

pub mod backoff;
pub mod bulk;
pub mod chart;
pub mod config;
pub mod connection;
pub mod eta;
pub mod failures;
pub mod format;
pub mod heartbeat;
pub mod job_filter;
pub mod job_form;
pub mod jobs_store;
pub mod log_buffer;
pub mod log_tokens;
pub mod log_view;
pub mod selection;
pub mod sequence;
pub mod traceback;
pub mod url;
pub mod virtual_list;
