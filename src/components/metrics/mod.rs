//! The Jobs page's metrics panel: completion and failure rates, throughput and queue health
//! over a window, and the failure patterns with their actions.

pub mod failure_groups;
pub mod metrics_panel;
pub mod queue_chart;
pub mod throughput_chart;
