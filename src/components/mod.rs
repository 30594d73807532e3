//! Reusable view pieces. Every untrusted string is rendered as a text node, never as HTML.

pub mod charts;
pub mod confirm_dialog;
pub mod connection_indicator;
pub mod diagnostics_panel;
pub mod error_banner;
pub mod host_bridge;
pub mod jobs;
pub mod metrics;
pub mod modal;
pub mod status_announcer;
pub mod status_badge;
pub mod theme_toggle;
pub mod untrusted_text;
