//! Views of jobs.

pub mod job_card;
pub mod progress_bar;
