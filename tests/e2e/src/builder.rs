//! [`StackBuilder`]: what a test asks for (worker count, heartbeat, app, browser, extra
//! settings, auth mode) and the start-up sequence that turns it into a running [`Stack`]: Redis,
//! API and workers in order, the static server and the browser alongside.

use std::path::PathBuf;

use serde_json::{json, Map, Value};

use crate::backend::{ApiServer, BackendEnv, Workers};
use crate::browser::Browser;
use crate::error::{Context, Error, Result};
use crate::http::ApiClient;
use crate::lock::SerialGuard;
use crate::redis::RedisServer;
use crate::stack::Stack;
use crate::static_site::StaticSite;
use crate::{net, paths};

/// What to start. Defaults: 2 workers, the app served from `<repo>/dist`, a browser.
#[derive(Debug, Clone)]
pub struct StackBuilder {
    workers: usize,
    heartbeat_ms: Option<u64>,
    app: bool,
    browser: bool,
    dist_dir: Option<PathBuf>,
    env: Vec<(String, String)>,
    app_config: Map<String, Value>,
    browser_args: Vec<String>,
    api_tokens: Option<Vec<String>>,
}

impl Default for StackBuilder {
    fn default() -> Self {
        Self {
            workers: 2,
            heartbeat_ms: None,
            app: true,
            browser: true,
            dist_dir: None,
            env: Vec::new(),
            app_config: Map::new(),
            browser_args: Vec::new(),
            api_tokens: None,
        }
    }
}

impl StackBuilder {
    /// Number of worker processes (`--processes N`); 0 starts none.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n;
        self
    }

    /// `HEARTBEAT_MS` for the API and workers.
    pub fn heartbeat_ms(mut self, ms: u64) -> Self {
        self.heartbeat_ms = Some(ms);
        self
    }

    /// Whether to serve the app (needs a built `dist/`). Default true.
    pub fn app(mut self, on: bool) -> Self {
        self.app = on;
        self
    }

    /// Whether to start chromedriver and a browser session. Default true.
    pub fn browser(mut self, on: bool) -> Self {
        self.browser = on;
        self
    }

    /// Serve this directory instead of `<repo>/dist`.
    pub fn dist_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dist_dir = Some(dir.into());
        self
    }

    /// An extra environment variable for the API and the workers.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Runs the API in auth mode (`API_TOKENS`): every `/api/v1` request needs one of `tokens` as
    /// `Authorization: Bearer <token>` (the WebSocket: `?token=`). The harness's own client
    /// ([`Stack::api`], `api_get`, `create_job`, readiness checks) uses a private extra token
    /// that tests never revoke; [`Stack::revoke_token`] takes one of `tokens` away at run time.
    pub fn api_tokens(mut self, tokens: &[&str]) -> Self {
        self.api_tokens = Some(tokens.iter().map(|t| t.to_string()).collect());
        self
    }

    /// An extra Chromium command-line flag, after the harness's own (e.g.
    /// `--enable-precise-memory-info`, so `performance.memory` is exact rather than bucketed).
    pub fn browser_arg(mut self, arg: impl Into<String>) -> Self {
        self.browser_args.push(arg.into());
        self
    }

    /// Sets (or overrides) one key of the app's `config.json`.
    pub fn app_config(mut self, key: impl Into<String>, value: Value) -> Self {
        self.app_config.insert(key.into(), value);
        self
    }

    /// Starts everything; panics with the reason (and the failing service's output) if
    /// anything does not come up.
    pub async fn start(self) -> Stack {
        match self.try_start().await {
            Ok(stack) => stack,
            Err(e) => panic!("e2e stack did not start: {e}"),
        }
    }

    /// Starts everything, or returns why it could not.
    pub async fn try_start(self) -> Result<Stack> {
        let dist = self
            .dist_dir
            .clone()
            .unwrap_or_else(paths::default_dist_dir);
        if self.app && !dist.join("index.html").is_file() {
            return Err(Error::msg(format!(
                "dist/ not built: run scripts/test.sh (or trunk build --release) ({} is missing)",
                dist.join("index.html").display()
            )));
        }
        paths::backend_python()?;
        let lock = SerialGuard::acquire().await?;

        let tmp = tempfile::Builder::new()
            .prefix("jobs-e2e-")
            .tempdir()
            .context("creating the stack's temp dir")?;
        let logs = tmp.path().join("logs");
        std::fs::create_dir_all(&logs).context("creating the log dir")?;

        let redis_port = net::free_port()?;
        let api_port = net::free_port()?;
        let mut redis =
            RedisServer::new(redis_port, tmp.path().join("redis"), logs.join("redis.log"));
        // The page calls the API from the static site's origin, so the API must allow it (the
        // backend allows no cross-origin caller by default); a test's own CORS_ORIGINS wins.
        let site_port = net::free_port()?;
        let mut extra = vec![(
            "CORS_ORIGINS".to_string(),
            format!("http://127.0.0.1:{site_port}"),
        )];
        extra.extend(self.env.clone());
        let mut http = ApiClient::new(format!("http://127.0.0.1:{api_port}"))?;
        let api_tokens = self.api_tokens.clone().unwrap_or_default();
        if self.api_tokens.is_some() {
            let harness = harness_token();
            let all: Vec<&str> = api_tokens
                .iter()
                .map(String::as_str)
                .chain([harness.as_str()])
                .collect();
            extra.push(("API_TOKENS".into(), all.join(",")));
            http = http.with_token(Some(&harness));
        }
        let env = BackendEnv {
            redis_url: redis.url(),
            data_dir: tmp.path().join("data"),
            heartbeat_ms: self.heartbeat_ms,
            extra,
        };
        let mut api = ApiServer::new(api_port, logs.join("api.log"));
        let mut workers = Workers::new(logs.join("workers.log"));

        let mut app_config = json!({
            "api_base": http.api_base(),
            "ws_url": format!("ws://127.0.0.1:{api_port}/api/v1/ws"),
            "allowed_parent_origins": [],
        });
        if let Value::Object(map) = &mut app_config {
            map.extend(self.app_config.clone());
        }

        // Backend, static server and browser come up side by side.
        let backend = async {
            redis.start().await?;
            api.start(&env, &http).await?;
            workers.start(self.workers, &env, &http).await
        };
        let site = async {
            if !self.app {
                return Ok(None);
            }
            StaticSite::start(
                &dist,
                tmp.path().join("www"),
                site_port,
                &app_config,
                &logs.join("static.log"),
                &http,
            )
            .await
            .map(Some)
        };
        let browser = async {
            if !self.browser {
                return Ok(None);
            }
            let port = net::free_port()?;
            let profile = tmp.path().join("chromium-profile");
            std::fs::create_dir_all(&profile).context("creating the Chromium profile dir")?;
            Browser::start_with_args(
                port,
                &profile,
                &logs.join("chromedriver.log"),
                &self.browser_args,
            )
            .await
            .map(Some)
        };
        let (backend, site, browser) = tokio::join!(backend, site, browser);
        let started = (|| Ok::<_, Error>((backend?, site?, browser?)))();
        let ((), site, browser) = match started {
            Ok(parts) => parts,
            Err(e) => {
                // Everything already started is killed as the locals drop.
                return Err(e);
            }
        };

        Ok(Stack {
            browser,
            site,
            workers,
            api,
            redis,
            env,
            http,
            api_tokens,
            app_config,
            tmp,
            _lock: lock,
        })
    }
}

/// A token only the harness knows (unique per stack), so a test's revocations never lock the
/// harness out of the API it drives.
fn harness_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("e2e-harness-{}-{nanos:x}", std::process::id())
}
