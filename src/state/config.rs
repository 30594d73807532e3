//! Runtime configuration for static hosting: one build, many deployments.
//!
//! Sources, later wins: same-origin defaults, `config.json` next to `index.html`, query
//! parameters (`api`, `ws`). Resolution is pure so every rule is tested natively.

use serde::Deserialize;
use thiserror::Error;

/// Default of `stall_after_s`: a running job without progress for this long is stalled.
pub const DEFAULT_STALL_AFTER_MS: i64 = 60_000;

/// The contents of `config.json`; every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub api_base: Option<String>,
    pub ws_url: Option<String>,
    pub allowed_parent_origins: Option<Vec<String>>,
    /// Seconds without progress after which a running job is flagged as stalled.
    pub stall_after_s: Option<u32>,
}

/// The configuration the app runs with.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Base of the HTTP API without a trailing slash, e.g. `https://host/api/v1`.
    pub api_base: String,
    /// WebSocket endpoint, e.g. `wss://host/api/v1/ws`.
    pub ws_url: String,
    /// Origins allowed to embed the page in an iframe (`*` allows any). The page's own origin
    /// is always allowed.
    pub allowed_parent_origins: Vec<String>,
    /// A running job whose progress has not moved for this long is flagged as stalled.
    pub stall_after_ms: i64,
}

/// Why a configuration could not be used.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ConfigError {
    #[error("config.json is not valid: {0}")]
    File(String),
    #[error("{source_name} `{value}` is not an absolute {expected} URL")]
    BadUrl {
        source_name: String,
        value: String,
        expected: &'static str,
    },
}

fn is_url_with(value: &str, schemes: &[&str]) -> bool {
    schemes.iter().any(|s| {
        value
            .strip_prefix(s)
            .and_then(|rest| rest.strip_prefix("://"))
            .is_some_and(|host| !host.is_empty() && !host.starts_with('/'))
    })
}

/// The WebSocket URL that belongs to an HTTP API base (`http→ws`, `https→wss`, `+/ws`).
pub fn ws_url_for(api_base: &str) -> String {
    let swapped = if let Some(rest) = api_base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = api_base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        api_base.to_string()
    };
    format!("{}/ws", swapped.trim_end_matches('/'))
}

/// Parses `config.json` text.
pub fn parse_config_file(text: &str) -> Result<ConfigFile, ConfigError> {
    serde_json::from_str(text).map_err(|e| ConfigError::File(e.to_string()))
}

/// Combines the sources. `origin` is the page's origin (`http://host:port`); `query` holds the
/// page's query parameters.
pub fn resolve(
    origin: &str,
    file: Option<ConfigFile>,
    query: &[(String, String)],
) -> Result<Config, ConfigError> {
    let file = file.unwrap_or_default();
    let param = |name: &str| {
        query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (api_base, api_source) = match (param("api"), file.api_base) {
        (Some(q), _) => (q, "query parameter `api`"),
        (None, Some(f)) => (f, "config.json `api_base`"),
        (None, None) => (format!("{origin}/api/v1"), "page origin"),
    };
    let api_base = api_base.trim_end_matches('/').to_string();
    if !is_url_with(&api_base, &["http", "https"]) {
        return Err(ConfigError::BadUrl {
            source_name: api_source.into(),
            value: api_base,
            expected: "http(s)",
        });
    }
    let (ws_url, ws_source) = match (param("ws"), file.ws_url) {
        (Some(q), _) => (q, "query parameter `ws`"),
        (None, Some(f)) => (f, "config.json `ws_url`"),
        (None, None) => (ws_url_for(&api_base), "API base"),
    };
    if !is_url_with(&ws_url, &["ws", "wss"]) {
        return Err(ConfigError::BadUrl {
            source_name: ws_source.into(),
            value: ws_url,
            expected: "ws(s)",
        });
    }
    Ok(Config {
        api_base,
        ws_url,
        allowed_parent_origins: file.allowed_parent_origins.unwrap_or_default(),
        stall_after_ms: file
            .stall_after_s
            .map(|s| s as i64 * 1000)
            .unwrap_or(DEFAULT_STALL_AFTER_MS),
    })
}

impl Config {
    /// Whether a page at `own_origin`, framed by `parent_origin`, may render. `None` means the
    /// page is not framed. A parent whose origin cannot be read is refused (clickjacking guard).
    pub fn embedding_allowed(&self, own_origin: &str, parent_origin: Option<&str>) -> bool {
        match parent_origin {
            None => true,
            Some(parent) => {
                parent == own_origin
                    || self
                        .allowed_parent_origins
                        .iter()
                        .any(|a| a == "*" || a.trim_end_matches('/') == parent)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn no_config_means_same_origin_api() {
        let c = resolve("https://shell.example", None, &[]).unwrap();
        assert_eq!(c.api_base, "https://shell.example/api/v1");
        assert_eq!(c.ws_url, "wss://shell.example/api/v1/ws");
        assert!(c.allowed_parent_origins.is_empty());
    }

    #[test]
    fn file_then_query_override() {
        let file = parse_config_file(
            r#"{"api_base": "http://10.0.0.2:8000/api/v1/", "allowed_parent_origins": ["https://shell.example"]}"#,
        )
        .unwrap();
        let c = resolve("http://static", Some(file.clone()), &[]).unwrap();
        assert_eq!(c.api_base, "http://10.0.0.2:8000/api/v1");
        assert_eq!(c.ws_url, "ws://10.0.0.2:8000/api/v1/ws");
        let c = resolve(
            "http://static",
            Some(file),
            &q(&[("api", "https://other/api/v1"), ("ws", "wss://push/ws")]),
        )
        .unwrap();
        assert_eq!(c.api_base, "https://other/api/v1");
        assert_eq!(c.ws_url, "wss://push/ws");
        assert_eq!(c.allowed_parent_origins, vec!["https://shell.example"]);
    }

    #[test]
    fn bad_sources_are_named_in_the_error() {
        let err = resolve("http://x", None, &q(&[("api", "javascript:alert(1)")])).unwrap_err();
        assert!(err.to_string().contains("query parameter `api`"), "{err}");
        let err = resolve("http://x", None, &q(&[("ws", "http://x/ws")])).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::BadUrl {
                expected: "ws(s)",
                ..
            }
        ));
        assert!(parse_config_file(r#"{"api": "typo"}"#).is_err());
        assert!(parse_config_file("{").is_err());
    }

    #[test]
    fn embedding_rules() {
        let mut c = resolve("https://app", None, &[]).unwrap();
        assert!(c.embedding_allowed("https://app", None));
        assert!(c.embedding_allowed("https://app", Some("https://app")));
        assert!(!c.embedding_allowed("https://app", Some("https://evil")));
        c.allowed_parent_origins = vec!["https://shell/".into()];
        assert!(c.embedding_allowed("https://app", Some("https://shell")));
        assert!(!c.embedding_allowed("https://app", Some("https://evil")));
        c.allowed_parent_origins = vec!["*".into()];
        assert!(c.embedding_allowed("https://app", Some("https://evil")));
    }
}
