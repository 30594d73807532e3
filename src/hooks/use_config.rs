//! The resolved runtime configuration, shared through a context by the app root.

use std::rc::Rc;

use yew::prelude::*;

use crate::services::api::ApiClient;
use crate::state::config::{Config, DEFAULT_STALL_AFTER_MS};

/// What the app root provides to every page.
pub type ConfigContext = Rc<Config>;

/// The configuration; same-origin defaults when rendered outside the app root (tests).
#[hook]
pub fn use_config() -> Rc<Config> {
    let ctx = use_context::<ConfigContext>();
    ctx.unwrap_or_else(|| {
        Rc::new(Config {
            api_base: "/api/v1".into(),
            ws_url: String::new(),
            allowed_parent_origins: Vec::new(),
            stall_after_ms: DEFAULT_STALL_AFTER_MS,
            log_level: Default::default(),
            dataset_url: None,
            retention: Default::default(),
        })
    })
}

/// An API client for the configured backend.
#[hook]
pub fn use_api() -> ApiClient {
    let config = use_config();
    ApiClient::new(config.api_base.clone())
}
