//! Side effects: the HTTP funnel to the backend and the browser environment. Everything here
//! returns typed errors; nothing panics on a run-time failure.

pub mod api;
pub mod auth;
pub mod browser;
pub mod config;
pub mod crash;
pub mod diagnostics;
pub mod download;
pub mod host;
pub mod live;
pub mod logger;
pub mod theme;
