//! What the benchmark examples (`perf_bench`, `soak`, `log_bench`) share around their
//! measurements: settings read from the environment, the check that the build to measure
//! exists, serving it, and how a failed run ends (one `<TAG>_FAILED` line, exit status 1).

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::ApiClient;
use crate::net;
use crate::static_site::StaticSite;

/// `$name`, unless unset or blank.
pub fn env_str(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `$name` as a whole number (`_` allowed as a digit separator: `200_000`), or `default` when
/// unset, blank or not a number.
pub fn env_u64(name: &str, default: u64) -> u64 {
    parse_u64(env_str(name).as_deref()).unwrap_or(default)
}

fn parse_u64(v: Option<&str>) -> Option<u64> {
    v?.trim().replace('_', "").parse().ok()
}

/// An error unless `dist` holds a built app (`index.html`); `var` is the setting that names
/// another build.
pub fn require_build(dist: &Path, var: &str) -> Result<()> {
    if dist.join("index.html").is_file() {
        Ok(())
    } else {
        Err(Error::msg(format!(
            "{} has no index.html: build the app (trunk build --release) or set {var}",
            dist.display()
        )))
    }
}

/// Serves the build in `dist` with `config` as its `config.json` on a free port, from a copy
/// under `tmp/app-root` (log: `tmp/static-app.log`); `http` checks that it answers.
pub async fn serve_app(
    dist: &Path,
    tmp: &Path,
    config: &Value,
    http: &ApiClient,
) -> Result<StaticSite> {
    StaticSite::start(
        dist,
        tmp.join("app-root"),
        net::free_port()?,
        config,
        &tmp.join("static-app.log"),
        http,
    )
    .await
}

/// Ends the process with `<tag>_FAILED <error>` on stderr and exit status 1 when `result` is an
/// error (the scripts and a reader look for that line).
pub fn exit_on_error(tag: &str, result: Result<()>) {
    if let Err(e) = result {
        eprintln!("{tag}_FAILED {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_separators_and_refuse_words() {
        assert_eq!(parse_u64(Some(" 200_000 ")), Some(200_000));
        assert_eq!(parse_u64(Some("12")), Some(12));
        assert_eq!(parse_u64(Some("lots")), None);
        assert_eq!(parse_u64(None), None);
    }

    #[test]
    fn a_build_needs_an_index_html() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = require_build(dir.path(), "PERF_DIST").expect_err("empty dir");
        assert!(err.to_string().contains("set PERF_DIST"), "{err}");
        std::fs::write(dir.path().join("index.html"), "<!doctype html>").expect("write");
        assert!(require_build(dir.path(), "PERF_DIST").is_ok());
    }
}
