//! Chart data as pure Rust: series, downsampling, axes, gaps and the ETA band (no canvas here).

pub mod axis;
pub mod color;
pub mod downsample;
pub mod job_series;
pub mod queue_history;
pub mod throughput;
