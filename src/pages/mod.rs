//! Whole screens, one per route.

pub mod job_detail_page;
pub mod jobs_page;
pub mod not_found;
