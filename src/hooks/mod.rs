//! Hooks: how components reach configuration, the API and the live job store.

pub mod log_receivers;
pub mod use_bulk;
pub mod use_clock;
pub mod use_config;
pub mod use_datasets;
pub mod use_job;
pub mod use_job_logs;
pub mod use_job_metrics;
pub mod use_jobs;
pub mod use_log_scroller;
pub mod use_start_jobs;
pub mod use_stats;
pub mod use_url_filter;

pub use use_bulk::{use_bulk, BulkRun, UseBulkHandle};
pub use use_clock::use_clock;
pub use use_config::{use_api, use_config, ConfigContext};
pub use use_datasets::use_datasets;
pub use use_job::{use_job, UseJobHandle};
pub use use_job_logs::use_job_logs;
pub use use_job_metrics::{use_job_metrics, UseJobMetricsHandle};
pub use use_jobs::{use_jobs, JobsProvider, UseJobsHandle};
pub use use_stats::{use_stats, UseStatsHandle};
pub use use_url_filter::{use_url_filter, UseUrlFilterHandle};
