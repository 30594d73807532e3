//! Views of jobs.

pub mod job_card;
pub mod job_log_panel;
pub mod progress_bar;
