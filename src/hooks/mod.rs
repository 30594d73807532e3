//! Hooks: how components reach configuration, the API and (later) the live job store.

pub mod use_config;
pub mod use_jobs;

pub use use_config::{use_api, use_config, ConfigContext};
pub use use_jobs::{use_job, use_job_list, Load};
