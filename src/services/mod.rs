//! Side effects: the HTTP funnel to the backend and the browser environment. Everything here
//! returns typed errors; nothing panics on a run-time failure.

pub mod api;
pub mod browser;
pub mod config;
pub mod live;
pub mod theme;
pub mod auth;
pub mod crash;
pub mod logger;
