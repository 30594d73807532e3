//! Loads the runtime configuration: `config.json` beside `index.html`, then query overrides.

use gloo_net::http::Request;

use crate::services::browser;
use crate::state::config::{parse_config_file, resolve, Config, ConfigError, ConfigFile};

/// Fetches `config.json` (relative to the page, so sub-path hosting works). A missing file
/// means defaults; an unreadable or invalid one is an error the user is shown.
pub async fn load() -> Result<Config, ConfigError> {
    let origin = browser::origin().unwrap_or_default();
    let file = fetch_file().await?;
    resolve(&origin, file, &browser::query_pairs())
}

async fn fetch_file() -> Result<Option<ConfigFile>, ConfigError> {
    let resp = Request::get("config.json")
        .cache(web_sys::RequestCache::NoStore)
        .send()
        .await
        .map_err(|e| ConfigError::File(format!("could not load it: {e}")))?;
    match resp.status() {
        404 => Ok(None),
        200 => {
            let text = resp
                .text()
                .await
                .map_err(|e| ConfigError::File(e.to_string()))?;
            parse_config_file(&text).map(Some)
        }
        other => Err(ConfigError::File(format!("the server answered {other}"))),
    }
}
