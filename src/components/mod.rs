//! Reusable view pieces. Every untrusted string is rendered as a text node, never as HTML.

pub mod connection_indicator;
pub mod error_banner;
pub mod jobs;
pub mod status_badge;
