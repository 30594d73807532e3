//! Loads the runtime configuration: `config.json` beside `index.html`, then query overrides.

use gloo_net::http::Request;

use crate::services::{browser, logger};
use crate::state::config::{
    override_refusals, parse_config_file, resolve, Config, ConfigError, ConfigFile,
};

/// Fetches `config.json` (relative to the page, so sub-path hosting works). A missing file
/// means defaults; an unreadable or invalid one is an error the user is shown.
pub async fn load() -> Result<Config, ConfigError> {
    let origin = browser::origin().unwrap_or_default();
    let file = fetch_file().await?;
    let query = browser::query_pairs();
    // `?api=` / `?ws=` that config.json does not allow are ignored by `resolve`; say so.
    for refusal in override_refusals(file.as_ref().unwrap_or(&ConfigFile::default()), &query) {
        logger::warn("config", &refusal.to_string());
    }
    resolve(&origin, file, &query)
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
