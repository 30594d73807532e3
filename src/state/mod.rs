//! Pure application state and logic: no web-sys, no timers, tested natively.

pub mod auth;
pub mod backoff;
pub mod bad_frame;
pub mod bidi;
pub mod bulk;
pub mod bulk_start;
pub mod change_log;
pub mod chart;
pub mod config;
pub mod connection;
pub mod contrast;
pub mod diagnostics;
pub mod embed_protocol;
pub mod eta;
pub mod failures;
pub mod format;
pub mod heartbeat;
pub mod http_answer;
pub mod job_filter;
pub mod job_form;
pub mod job_list;
pub mod job_transitions;
pub mod jobs_store;
pub mod log_buffer;
pub mod log_format;
pub mod log_intake;
pub mod log_poll;
pub mod log_pump;
pub mod log_rows;
pub mod log_tokens;
pub mod log_view;
pub mod log_viewport;
pub mod retention;
pub mod selection;
pub mod sequence;
pub mod snapshot_pages;
pub mod sort;
pub mod theme;
pub mod traceback;
pub mod url;
pub mod virtual_list;

#[cfg(test)]
mod frame_fuzz_tests;
