//! Jobs monitoring page for the data platform: a Yew single-page app.
//!
//! Layers, each depending only on those before it:
//! `types` (API shapes) ← `state` (pure logic) ← `services` (HTTP, browser) ← `hooks` ←
//! `components` ← `pages` ← `app` (config, providers, router).

pub mod app;
pub mod components;
/// Test fixtures (a `Job` builder and friends): tests and benches only, see its `//!`.
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod hooks;
pub mod pages;
pub mod services;
pub mod state;
pub mod types;
