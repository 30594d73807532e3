//! Views of jobs.

pub mod bulk_bar;
pub mod bulk_confirm;
pub mod bulk_controls;
pub mod bulk_run_view;
pub mod cancel_dialog;
pub mod job_card;
pub mod job_entry;
pub mod job_filters;
pub mod job_log_panel;
pub mod job_logs_modal;
pub mod job_progress_chart;
pub mod job_row;
pub mod job_scroller;
pub mod job_timing;
pub mod jobs_dialogs;
pub mod jobs_header;
pub mod jobs_metrics;
pub mod list_chips;
pub mod log_line;
pub mod log_notices;
pub mod log_row;
pub mod log_search_bar;
pub mod log_view_bar;
pub mod progress_bar;
pub mod start_job_modal;
pub mod traceback_view;
