//! The app's static hosting: the built `dist/` copied under a sub-path of a temporary web root,
//! with a `config.json` beside its `index.html`, served by a plain file server (Python's
//! `http.server`: no rewrite rules, no SPA fallback), as the simplest real hosting would, with
//! the response headers `docs/deploy.md` asks for: the CSP on every response (so every test
//! proves the app runs under it) and the cache rules (hashed assets immutable, `index.html` and
//! `config.json` revalidated).
//!
//! The CSP follows `config.json`: `frame-ancestors` names the page itself and
//! `allowed_parent_origins`, `connect-src` the API and WebSocket origins, as a deployment would
//! keep the two consistent. It is re-read on every request, so [`StaticSite::write_config`]
//! changes both at once.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::error::{Context, Error, Result};
use crate::http::ApiClient;
use crate::process::ManagedProcess;
use crate::wait::timeout_secs;

/// Where the app lives on the static server (with leading and trailing slash).
pub const APP_SUB_PATH: &str = "/apps/jobs/";

/// The file server and its web root.
#[derive(Debug)]
pub struct StaticSite {
    root: PathBuf,
    port: u16,
    process: ManagedProcess,
}

impl StaticSite {
    /// Copies `dist` to `<root>/apps/jobs/`, writes `config`, starts the server on `port` and
    /// waits until it serves the app's `index.html`.
    pub async fn start(
        dist: &Path,
        root: PathBuf,
        port: u16,
        config: &Value,
        log: &Path,
        http: &ApiClient,
    ) -> Result<Self> {
        if !dist.join("index.html").is_file() {
            return Err(Error::msg(format!(
                "dist/ not built: run scripts/test.sh (or trunk build --release) \
                 ({} is missing)",
                dist.join("index.html").display()
            )));
        }
        let app_dir = root.join(APP_SUB_PATH.trim_matches('/'));
        copy_dir(dist, &app_dir)?;
        write_config(&app_dir, config)?;
        let headers = headers_path(&root);
        write_headers(&headers, config)?;
        let process = spawn_server("static", &root, &headers, port, log)?;
        let mut site = Self {
            root,
            port,
            process,
        };
        site.wait_serving(&format!("{APP_SUB_PATH}index.html"), http)
            .await?;
        Ok(site)
    }

    /// Serves `dir` as it is (no copy) at `/`, with the headers of `headers` (a JSON object
    /// of header names to values, re-read on every request; see [`write_header_file`]). For
    /// a second origin next to the app, e.g. the example host page.
    pub async fn serve_dir(
        dir: &Path,
        headers: &Path,
        port: u16,
        log: &Path,
        http: &ApiClient,
        ready_path: &str,
    ) -> Result<Self> {
        let process = spawn_server("host", dir, headers, port, log)?;
        let mut site = Self {
            root: dir.to_path_buf(),
            port,
            process,
        };
        site.wait_serving(ready_path, http).await?;
        Ok(site)
    }

    async fn wait_serving(&mut self, path: &str, http: &ApiClient) -> Result<()> {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        self.process
            .wait_ready(
                &format!("the static server to serve {url}"),
                timeout_secs(15),
                || async {
                    match http.get(&url).await? {
                        (200, _) => Ok(()),
                        (status, _) => Err(Error::msg(format!("status {status}"))),
                    }
                },
            )
            .await
    }

    /// `http://127.0.0.1:<port>/apps/jobs/`.
    pub fn app_base_url(&self) -> String {
        format!("http://127.0.0.1:{}{APP_SUB_PATH}", self.port)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Replaces the app's `config.json` and the CSP that follows it (takes effect on the next
    /// page load).
    pub fn write_config(&self, config: &Value) -> Result<()> {
        write_config(&self.root.join(APP_SUB_PATH.trim_matches('/')), config)?;
        write_headers(&headers_path(&self.root), config)
    }

    /// The server process (for its log).
    pub fn process(&self) -> &ManagedProcess {
        &self.process
    }
}

/// The header file sits beside the web root, so it is not served.
fn headers_path(root: &Path) -> PathBuf {
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    root.with_file_name(format!("{name}.headers.json"))
}

fn write_headers(path: &Path, config: &Value) -> Result<()> {
    write_header_file(path, &[("Content-Security-Policy", &app_csp(config))])
}

/// Writes the headers a server started by [`StaticSite::serve_dir`] sends on every response.
pub fn write_header_file(path: &Path, headers: &[(&str, &str)]) -> Result<()> {
    let map: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), Value::from(*v)))
        .collect();
    let text = serde_json::to_string_pretty(&map).context("serialising the headers")?;
    std::fs::write(path, text).context(format!("writing {}", path.display()))
}

/// `scheme://host[:port]` of an absolute URL.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!scheme.is_empty() && !host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// The app's CSP for a `config.json` (`docs/deploy.md`): scripts only from the page's origin
/// (plus wasm compilation), no inline script, connections to the page, the API and the
/// WebSocket, framing by the page itself and the allowed parents.
pub fn app_csp(config: &Value) -> String {
    let mut connect = vec!["'self'".to_string()];
    // Origins `?api=` may point at (`allowed_api_origins`) are connected to as well, over
    // HTTP and WebSocket.
    let listed = config["allowed_api_origins"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .flat_map(|o| [o.to_string(), o.replacen("http", "ws", 1)]);
    let configured = ["api_base", "ws_url"]
        .into_iter()
        .filter_map(|key| config[key].as_str().map(str::to_string));
    for url in configured.chain(listed) {
        if let Some(origin) = origin_of(&url) {
            if !connect.contains(&origin) {
                connect.push(origin);
            }
        }
    }
    let mut ancestors = vec!["'self'".to_string()];
    for parent in config["allowed_parent_origins"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        ancestors.push(parent.trim_end_matches('/').to_string());
    }
    [
        "default-src 'self'".to_string(),
        "script-src 'self' 'wasm-unsafe-eval'".to_string(),
        // Yew writes computed sizes into style attributes; no inline <style> or stylesheet
        // from elsewhere.
        "style-src 'self'".to_string(),
        "style-src-attr 'unsafe-inline'".to_string(),
        "img-src 'self' data:".to_string(),
        format!("connect-src {}", connect.join(" ")),
        format!("frame-ancestors {}", ancestors.join(" ")),
        "base-uri 'none'".to_string(),
        "form-action 'self'".to_string(),
        "object-src 'none'".to_string(),
    ]
    .join("; ")
}

/// A file server on `port` for `root`: every response gets the headers of `headers` (re-read
/// per request) and the cache rules of `docs/deploy.md`.
fn spawn_server(
    name: &str,
    root: &Path,
    headers: &Path,
    port: u16,
    log: &Path,
) -> Result<ManagedProcess> {
    let mut cmd = Command::new("python3");
    cmd.arg("-c")
        .arg(SERVER_PY)
        .arg(root)
        .arg(headers)
        .arg(port.to_string())
        .env("PYTHONUNBUFFERED", "1");
    ManagedProcess::spawn(name, cmd, log)
}

/// `http.server` plus headers. Hashed assets (`name-<16 hex>.ext`, trunk's naming) are
/// immutable; anything else (`index.html`, `config.json`) is revalidated on every load.
const SERVER_PY: &str = r#"
import http.server, json, re, sys
root, headers_file, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
HASHED = re.compile(r"-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$")
class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=root, **kw)
    def end_headers(self):
        try:
            with open(headers_file) as f:
                extra = json.load(f)
        except (OSError, ValueError):
            extra = {}
        for k, v in extra.items():
            self.send_header(k, v)
        path = self.path.split("?", 1)[0]
        if HASHED.search(path):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"#;

fn write_config(app_dir: &Path, config: &Value) -> Result<()> {
    let path = app_dir.join("config.json");
    let text = serde_json::to_string_pretty(config).context("serialising config.json")?;
    std::fs::write(&path, text).context(format!("writing {}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).context(format!("creating {}", to.display()))?;
    let entries = std::fs::read_dir(from).context(format!("reading {}", from.display()))?;
    for entry in entries {
        let entry = entry.context(format!("reading {}", from.display()))?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type().context("reading a file type")?;
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).context(format!(
                "copying {} to {}",
                entry.path().display(),
                target.display()
            ))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn origins_of_urls() {
        assert_eq!(
            origin_of("http://127.0.0.1:8000/api/v1").as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert_eq!(
            origin_of("wss://push.example/ws?x=1").as_deref(),
            Some("wss://push.example")
        );
        assert_eq!(origin_of("/api/v1"), None);
        assert_eq!(origin_of("http://"), None);
    }

    #[test]
    fn the_csp_follows_the_config() {
        let csp = app_csp(&json!({
            "api_base": "http://127.0.0.1:8000/api/v1",
            "ws_url": "ws://127.0.0.1:8000/api/v1/ws",
            "allowed_parent_origins": ["http://127.0.0.1:9000/"],
        }));
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline';") || csp.contains("style-src-attr 'unsafe-inline'"));
        assert!(
            csp.contains("connect-src 'self' http://127.0.0.1:8000 ws://127.0.0.1:8000;"),
            "{csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'self' http://127.0.0.1:9000;"),
            "{csp}"
        );
        let alone = app_csp(&json!({"allowed_parent_origins": []}));
        assert!(alone.contains("frame-ancestors 'self';"), "{alone}");
        assert!(alone.contains("connect-src 'self';"), "{alone}");
    }
}
