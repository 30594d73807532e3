//! Which `?api=` / `?ws=` query parameters the page obeys: only those `config.json` allows
//! (`allow_query_overrides`, or an origin in `allowed_api_origins`), so a link from anywhere
//! cannot point the page (and the user's token) at another backend. [`resolve`](super::resolve)
//! drops the refused ones; `services::config` logs each with the reason.

use super::ConfigFile;

/// A `?api=` / `?ws=` the page ignores, and why (for the console).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverrideRefusal {
    /// `api` or `ws`.
    pub param: &'static str,
    pub value: String,
}

impl std::fmt::Display for OverrideRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ignoring the query parameter `{}` ({:?}): config.json allows no override to {} \
             (set `allow_query_overrides` or list the origin in `allowed_api_origins`)",
            self.param,
            self.value,
            origin_of(&self.value).unwrap_or_else(|| "that address".into())
        )
    }
}

/// `scheme://host[:port]` of an absolute URL, with `ws`/`wss` counted as `http`/`https`, lower
/// case; `None` for anything else.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => "http",
        "https" | "wss" => "https",
        _ => return None,
    };
    // Up to the path, query or fragment; userinfo (`user@`) is not part of the origin.
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{}", host.to_ascii_lowercase()))
}

/// The `api` / `ws` query parameters `config.json` does not allow (the last of each name is the
/// one that counts, as in [`resolve`]). Allowed: everything with `allow_query_overrides`, else
/// values whose origin is listed in `allowed_api_origins`.
pub fn override_refusals(file: &ConfigFile, query: &[(String, String)]) -> Vec<OverrideRefusal> {
    if file.allow_query_overrides == Some(true) {
        return Vec::new();
    }
    let allowed: Vec<String> = file
        .allowed_api_origins
        .iter()
        .flatten()
        .filter_map(|o| origin_of(o.trim_end_matches('/')))
        .collect();
    ["api", "ws"]
        .into_iter()
        .filter_map(|param| {
            let value = query.iter().rev().find(|(k, _)| k == param)?.1.clone();
            let ok = origin_of(&value).is_some_and(|o| allowed.contains(&o));
            (!ok).then_some(OverrideRefusal { param, value })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::q;
    use super::super::{parse_config_file, resolve, ConfigFile};
    use super::*;
    use crate::state::log_format::Level;

    fn file(json: &str) -> Option<ConfigFile> {
        Some(parse_config_file(json).unwrap())
    }

    #[test]
    fn query_overrides_are_ignored_by_default() {
        let base = r#"{"api_base": "https://api.example/api/v1"}"#;
        let query = q(&[
            ("api", "https://evil.example/api/v1"),
            ("ws", "wss://evil.example/ws"),
        ]);
        let c = resolve("https://app", file(base), &query).unwrap();
        assert_eq!(c.api_base, "https://api.example/api/v1");
        assert_eq!(c.ws_url, "wss://api.example/api/v1/ws");
        let refused = override_refusals(&file(base).unwrap(), &query);
        assert_eq!(refused.len(), 2);
        assert_eq!(refused[0].param, "api");
        let why = refused[0].to_string();
        assert!(why.contains("https://evil.example"), "{why}");
        assert!(why.contains("allow_query_overrides"), "{why}");
        // Without config.json at all: same-origin defaults, the override ignored.
        let c = resolve(
            "https://app",
            None,
            &q(&[("api", "http://127.0.0.1:9/api/v1")]),
        )
        .unwrap();
        assert_eq!(c.api_base, "https://app/api/v1");
        // A refused bad value is ignored, not an error: the link cannot break the page.
        let c = resolve("https://app", None, &q(&[("api", "javascript:alert(1)")])).unwrap();
        assert_eq!(c.api_base, "https://app/api/v1");
        // Other query parameters are untouched.
        let c = resolve("https://app", None, &q(&[("debug", "1")])).unwrap();
        assert_eq!(c.log_level, Level::Debug);
        assert!(override_refusals(&ConfigFile::default(), &q(&[("debug", "1")])).is_empty());
    }

    #[test]
    fn the_flag_allows_any_override() {
        let f =
            file(r#"{"api_base": "https://api.example/api/v1", "allow_query_overrides": true}"#);
        let query = q(&[("api", "http://127.0.0.1:8000/api/v1")]);
        assert!(override_refusals(f.as_ref().unwrap(), &query).is_empty());
        let c = resolve("https://app", f, &query).unwrap();
        assert_eq!(c.api_base, "http://127.0.0.1:8000/api/v1");
        assert_eq!(c.ws_url, "ws://127.0.0.1:8000/api/v1/ws");
        let f = file(r#"{"allow_query_overrides": false, "allowed_api_origins": []}"#);
        assert_eq!(override_refusals(f.as_ref().unwrap(), &query).len(), 1);
    }

    #[test]
    fn listed_origins_only() {
        let f = file(
            r#"{"api_base": "https://api.example/api/v1",
                "allowed_api_origins": ["https://staging.example/", "http://127.0.0.1:8000"]}"#,
        );
        let allowed = |api: &str| {
            let query = q(&[("api", api)]);
            let c = resolve("https://app", f.clone(), &query).unwrap();
            c.api_base == api.trim_end_matches('/')
        };
        assert!(allowed("https://staging.example/api/v1"));
        assert!(
            allowed("https://STAGING.example/api/v1"),
            "hosts compare case-blind"
        );
        assert!(allowed("http://127.0.0.1:8000/api/v1"));
        assert!(
            !allowed("http://127.0.0.1:8001/api/v1"),
            "another port is another origin"
        );
        assert!(
            !allowed("http://staging.example/api/v1"),
            "another scheme too"
        );
        assert!(!allowed("https://staging.example.evil/api/v1"));
        assert!(
            !allowed("https://staging.example@evil.example/api/v1"),
            "userinfo is not the host"
        );
        // A WebSocket URL counts as its http(s) origin.
        let query = q(&[("ws", "wss://staging.example/push")]);
        assert!(override_refusals(f.as_ref().unwrap(), &query).is_empty());
        let query = q(&[("ws", "ws://staging.example/push")]);
        assert_eq!(override_refusals(f.as_ref().unwrap(), &query).len(), 1);
        // The last value of a parameter is the one judged, as it is the one used.
        let query = q(&[
            ("api", "https://staging.example/a"),
            ("api", "https://evil/a"),
        ]);
        assert_eq!(override_refusals(f.as_ref().unwrap(), &query).len(), 1);
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://h:8/x?y#z").as_deref(),
            Some("https://h:8")
        );
        assert_eq!(origin_of("ws://h/ws").as_deref(), Some("http://h"));
        assert_eq!(origin_of("https://u:p@h/x").as_deref(), Some("https://h"));
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("ftp://h"), None);
        assert_eq!(origin_of("https:///x"), None);
    }
}
