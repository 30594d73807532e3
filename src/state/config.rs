//! Runtime configuration for static hosting: one build, many deployments.
//!
//! Sources, later wins: same-origin defaults, `config.json` next to `index.html`, query
//! parameters (`api`, `ws`) — the latter only where `config.json` allows them (see
//! [`override_refusals`]): any link could otherwise point the page at another backend.
//! Resolution is pure so every rule is tested natively.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::state::log_format::Level;
use crate::state::retention::RetentionPolicy;

mod overrides;
pub use overrides::{origin_of, override_refusals, OverrideRefusal};

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
    /// Minimum console log level: `debug`, `info` (the default), `warn` or `error`.
    pub log_level: Option<Level>,
    /// Where a job's dataset opens when the page is not embedded, e.g.
    /// `https://platform.example/datasets/{dataset_id}` (the id is URL-encoded).
    pub dataset_url: Option<String>,
    /// Finished jobs the page holds at most (default 20,000; the newest are kept).
    pub retain_finished_jobs: Option<u32>,
    /// Finished jobs older than this many hours are let go (default 24; 0: no age bound).
    pub retain_finished_hours: Option<u32>,

    // --- Query overrides (`?api=`, `?ws=`): refused unless allowed here -------------------
    /// Obey `?api=` / `?ws=` on the page URL whatever they point at (demos, development).
    /// Off by default.
    pub allow_query_overrides: Option<bool>,
    /// Origins (`https://host[:port]`) that `?api=` / `?ws=` may point at without
    /// `allow_query_overrides` (a `ws(s)` URL counts as its `http(s)` origin).
    pub allowed_api_origins: Option<Vec<String>>,
}

/// The configuration the app runs with (serialised for the diagnostics panel; it holds no
/// secret).
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    /// Minimum console log level; `?debug=1` makes it `debug` whatever `config.json` says.
    pub log_level: Level,
    /// The dataset link template (validated: absolute http(s), holds `{dataset_id}`).
    pub dataset_url: Option<String>,
    /// Which finished jobs the page keeps holding (`state::retention`).
    pub retention: RetentionPolicy,
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
    #[error("config.json `dataset_url` `{value}` {reason}")]
    BadTemplate { value: String, reason: &'static str },
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
    let refused = override_refusals(&file, query);
    let param = |name: &str| {
        if refused.iter().any(|r| r.param == name) {
            return None; // not allowed by config.json: ignored (and logged by the caller)
        }
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
        log_level: match param("debug").as_deref() {
            Some("1" | "true") => Level::Debug,
            _ => file.log_level.unwrap_or_default(),
        },
        dataset_url: file.dataset_url.map(check_dataset_url).transpose()?,
        retention: retention_of(file.retain_finished_jobs, file.retain_finished_hours),
    })
}

/// The retention policy from `retain_finished_jobs` / `retain_finished_hours`.
fn retention_of(jobs: Option<u32>, hours: Option<u32>) -> RetentionPolicy {
    let default = RetentionPolicy::default();
    RetentionPolicy {
        max_finished: jobs.map_or(default.max_finished, |n| n as usize),
        max_age_ms: match hours {
            None => default.max_age_ms,
            Some(0) => None,
            Some(h) => Some(h as i64 * 3_600_000),
        },
    }
}

/// The placeholder of `dataset_url`.
pub const DATASET_ID_PLACEHOLDER: &str = "{dataset_id}";

/// A `dataset_url` template is an absolute http(s) URL holding `{dataset_id}` and no other
/// braces (so a typo like `{dataset}` is reported instead of producing broken links).
fn check_dataset_url(template: String) -> Result<String, ConfigError> {
    let reason = if !is_url_with(&template, &["http", "https"]) {
        Some("is not an absolute http(s) URL")
    } else if !template.contains(DATASET_ID_PLACEHOLDER) {
        Some("does not contain {dataset_id}")
    } else if template
        .replace(DATASET_ID_PLACEHOLDER, "")
        .contains(['{', '}'])
    {
        Some("has a placeholder other than {dataset_id}")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ConfigError::BadTemplate {
            value: template,
            reason,
        }),
        None => Ok(template),
    }
}

impl Config {
    /// The standalone link to a dataset, from the `dataset_url` template (`None` without one).
    pub fn dataset_link(&self, dataset_id: &str) -> Option<String> {
        let id = crate::state::url::encode_component(dataset_id);
        self.dataset_url
            .as_ref()
            .map(|t| t.replace(DATASET_ID_PLACEHOLDER, &id))
    }

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

    /// A page query from literal pairs (also for `overrides`' tests).
    pub(super) fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
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
            r#"{"api_base": "http://10.0.0.2:8000/api/v1/", "allowed_parent_origins": ["https://shell.example"],
                "allow_query_overrides": true}"#,
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
        let open = || {
            Some(ConfigFile {
                allow_query_overrides: Some(true),
                ..Default::default()
            })
        };
        let err = resolve("http://x", open(), &q(&[("api", "javascript:alert(1)")])).unwrap_err();
        assert!(err.to_string().contains("query parameter `api`"), "{err}");
        let err = resolve("http://x", open(), &q(&[("ws", "http://x/ws")])).unwrap_err();
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
    fn log_level_from_file_and_debug_parameter() {
        let c = resolve("http://x", None, &[]).unwrap();
        assert_eq!(c.log_level, Level::Info, "debug is off by default");
        let file = parse_config_file(r#"{"log_level": "warn"}"#).unwrap();
        let c = resolve("http://x", Some(file.clone()), &[]).unwrap();
        assert_eq!(c.log_level, Level::Warn);
        let c = resolve("http://x", Some(file.clone()), &q(&[("debug", "1")])).unwrap();
        assert_eq!(c.log_level, Level::Debug, "?debug=1 wins over config.json");
        let c = resolve("http://x", Some(file), &q(&[("debug", "0")])).unwrap();
        assert_eq!(c.log_level, Level::Warn);
        let err = parse_config_file(r#"{"log_level": "loud"}"#).unwrap_err();
        assert!(err.to_string().contains("loud"), "{err}");
    }

    #[test]
    fn dataset_url_template() {
        let c = resolve("https://app", None, &[]).unwrap();
        assert_eq!(c.dataset_link("ds_sales"), None);
        let file = parse_config_file(
            r#"{"dataset_url": "https://platform/datasets/{dataset_id}?tab=jobs#{dataset_id}"}"#,
        )
        .unwrap();
        let c = resolve("https://app", Some(file), &[]).unwrap();
        assert_eq!(
            c.dataset_link("ds_sales").as_deref(),
            Some("https://platform/datasets/ds_sales?tab=jobs#ds_sales")
        );
        assert_eq!(
            c.dataset_link("a/b c?&#\"").as_deref(),
            Some("https://platform/datasets/a%2Fb%20c%3F%26%23%22?tab=jobs#a%2Fb%20c%3F%26%23%22")
        );
        for (bad, why) in [
            ("javascript:alert('{dataset_id}')", "absolute"),
            ("/datasets/{dataset_id}", "absolute"),
            ("https://platform/datasets/", "does not contain"),
            ("https://platform/datasets/{dataset}", "does not contain"),
            ("https://platform/{org}/{dataset_id}", "other than"),
            ("https://platform/{dataset_id}}", "other than"),
        ] {
            let file = ConfigFile {
                dataset_url: Some(bad.into()),
                ..Default::default()
            };
            let err = resolve("https://app", Some(file), &[]).unwrap_err();
            assert!(matches!(err, ConfigError::BadTemplate { .. }), "{bad}");
            assert!(err.to_string().contains(why), "{bad}: {err}");
            assert!(err.to_string().contains("dataset_url"), "{err}");
        }
    }

    #[test]
    fn retention_fields_and_their_defaults() {
        let c = resolve("http://x", None, &[]).unwrap();
        assert_eq!(c.retention, RetentionPolicy::default());
        assert_eq!(c.retention.max_finished, 20_000);
        assert_eq!(c.retention.max_age_ms, Some(24 * 3_600_000));
        let file =
            parse_config_file(r#"{"retain_finished_jobs": 500, "retain_finished_hours": 2}"#)
                .unwrap();
        let c = resolve("http://x", Some(file), &[]).unwrap();
        assert_eq!(
            c.retention,
            RetentionPolicy {
                max_finished: 500,
                max_age_ms: Some(2 * 3_600_000)
            }
        );
        let file = parse_config_file(r#"{"retain_finished_hours": 0}"#).unwrap();
        let c = resolve("http://x", Some(file), &[]).unwrap();
        assert_eq!(c.retention.max_age_ms, None, "0 turns the age bound off");
        for bad in [
            r#"{"retain_finished_jobs": -1}"#,
            r#"{"retain_finished_jobs": "many"}"#,
            r#"{"retain_finished_hours": 1.5}"#,
        ] {
            let err = parse_config_file(bad).unwrap_err();
            assert!(err.to_string().contains("config.json"), "{bad}: {err}");
        }
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
