//! [`Stack`]: everything one end-to-end test runs against — Redis, the reference API, its
//! workers, the static app server and a headless browser — started with one call, on loopback
//! ports of its own, and killed (with every process they forked) when the stack drops, also
//! when the test panics. A failing test leaves its screenshot, browser console and service logs
//! in `target/e2e-artifacts/<test>/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::backend::{ApiServer, BackendEnv, Workers};
use crate::browser::Browser;
use crate::builder::StackBuilder;
use crate::error::{Error, Result};
use crate::http::ApiClient;
use crate::lock::SerialGuard;
use crate::paths;
use crate::process::{descendants_of, log_tail};
use crate::redis::RedisServer;
use crate::static_site::StaticSite;
use crate::wait::{default_timeout, try_wait_for, wait_for};

mod jobs;
pub use jobs::{job_id, log_count};

/// How long a graceful stop (SIGTERM) may take before SIGKILL.
const GRACE: Duration = Duration::from_secs(5);

/// A running stack. Dropping it kills everything it started.
#[derive(Debug)]
pub struct Stack {
    // Drop order matters: the browser first (the page stops reconnecting), Redis last.
    pub(crate) browser: Option<Browser>,
    pub(crate) site: Option<StaticSite>,
    pub(crate) workers: Workers,
    pub(crate) api: ApiServer,
    pub(crate) redis: RedisServer,
    pub(crate) env: BackendEnv,
    pub(crate) http: ApiClient,
    /// The tokens the test asked for ([`StackBuilder::api_tokens`]); empty: auth off.
    pub(crate) api_tokens: Vec<String>,
    pub(crate) app_config: Value,
    pub(crate) tmp: TempDir,
    /// Held for the stack's lifetime; released last.
    pub(crate) _lock: Option<SerialGuard>,
}

impl Stack {
    /// Options for [`StackBuilder::start`].
    pub fn builder() -> StackBuilder {
        StackBuilder::default()
    }

    /// Everything with default options (2 workers, app, browser).
    pub async fn start() -> Stack {
        StackBuilder::default().start().await
    }

    // ---- addresses -------------------------------------------------------------------------

    /// The API's port (the same across restarts).
    pub fn api_port(&self) -> u16 {
        self.api.port()
    }

    /// Redis's port (the same across restarts).
    pub fn redis_port(&self) -> u16 {
        self.redis.port()
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub fn redis_url(&self) -> String {
        self.redis.url()
    }

    /// `http://127.0.0.1:<api>/api/v1`.
    pub fn api_base(&self) -> String {
        self.http.api_base()
    }

    /// `ws://127.0.0.1:<api>/api/v1/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/api/v1/ws", self.api.port())
    }

    /// `http://127.0.0.1:<static>/apps/jobs/` (panics if the stack serves no app).
    pub fn app_base_url(&self) -> String {
        self.site().app_base_url()
    }

    /// The app URL for a route: `app_url("/jobs")` is `http://127.0.0.1:<p>/apps/jobs/#/jobs`.
    pub fn app_url(&self, path_after_hash: &str) -> String {
        format!(
            "{}#{}",
            self.app_base_url(),
            path_after_hash.trim_start_matches('#')
        )
    }

    /// Like [`app_url`](Self::app_url) but naming the document: `.../apps/jobs/index.html#/jobs`.
    pub fn app_index_url(&self, path_after_hash: &str) -> String {
        format!(
            "{}index.html#{}",
            self.app_base_url(),
            path_after_hash.trim_start_matches('#')
        )
    }

    /// The static server's origin, `http://127.0.0.1:<static>`.
    pub fn static_origin(&self) -> String {
        self.site().origin()
    }

    fn site(&self) -> &StaticSite {
        match &self.site {
            Some(site) => site,
            None => panic!("this stack serves no app: start it with .app(true)"),
        }
    }

    // ---- browser ---------------------------------------------------------------------------

    /// The browser (panics if the stack was started without one).
    pub fn browser(&self) -> &Browser {
        match &self.browser {
            Some(b) => b,
            None => panic!("this stack has no browser: start it with .browser(true)"),
        }
    }

    /// Opens the app at `#<path_after_hash>` as a fresh page load.
    pub async fn open(&self, path_after_hash: &str) {
        let url = self.app_url(path_after_hash);
        if let Err(e) = self.browser().open_fresh(&url).await {
            panic!("{e}");
        }
    }

    /// Opens `?theme=<theme>#<route>` as a fresh page load and waits until the document's
    /// `data-theme` is `theme` (the app sets it when its wasm starts).
    pub async fn open_themed(&self, theme: &str, route: &str) {
        let url = format!("{}?theme={theme}#{route}", self.app_base_url());
        if let Err(e) = self.browser().open_fresh(&url).await {
            panic!("{e}");
        }
        let read = "return document.documentElement.getAttribute('data-theme');";
        wait_for(
            &format!("data-theme={theme}"),
            default_timeout(),
            || async {
                let shown = self
                    .browser()
                    .run_script(read, vec![], "reading data-theme")
                    .await
                    .map_err(|e| e.to_string())?;
                if shown == json!(theme) {
                    Ok(())
                } else {
                    Err(format!("data-theme is {shown}"))
                }
            },
        )
        .await;
    }

    /// The app's current `config.json` content.
    pub fn app_config(&self) -> &Value {
        &self.app_config
    }

    /// Replaces the app's `config.json` (the page reads it on its next load).
    pub fn write_app_config(&mut self, config: Value) -> Result<()> {
        self.site().write_config(&config)?;
        self.app_config = config;
        Ok(())
    }

    // ---- HTTP ------------------------------------------------------------------------------

    /// The API client, for calls whose transport errors a test wants to see (API down).
    pub fn api(&self) -> &ApiClient {
        &self.http
    }

    /// A client that sends `token` as its bearer token (`None`: no `Authorization` header), to
    /// see how the API answers a given token.
    pub fn api_as(&self, token: Option<&str>) -> ApiClient {
        self.http.with_token(token)
    }

    /// The tokens the API accepts besides the harness's own (empty when auth is off).
    pub fn api_tokens(&self) -> &[String] {
        &self.api_tokens
    }

    /// Revokes `token` at run time (`SADD auth:revoked <token>` in the stack's Redis): the next
    /// HTTP request with it gets 401, and an open WebSocket using it is closed with 4401 within
    /// about a second. Lost when Redis restarts (it starts empty).
    pub async fn revoke_token(&self, token: &str) -> Result<()> {
        self.redis
            .command(&["SADD", "auth:revoked", token])
            .await
            .map(drop)
    }

    /// Takes a revocation back (`SREM auth:revoked <token>`).
    pub async fn restore_token(&self, token: &str) -> Result<()> {
        self.redis
            .command(&["SREM", "auth:revoked", token])
            .await
            .map(drop)
    }

    // ---- process control -------------------------------------------------------------------

    /// Stops the API gracefully (SIGTERM, SIGKILL after 5 s).
    pub fn stop_api(&mut self) {
        self.api.stop(GRACE);
    }

    /// Kills the API at once (SIGKILL), like a crash.
    pub fn kill_api(&mut self) {
        self.api.kill();
    }

    /// Starts the API again on the same port and waits until it answers.
    pub async fn start_api(&mut self) -> Result<()> {
        self.api.start(&self.env, &self.http).await
    }

    /// Kills and starts the API on the same port.
    pub async fn restart_api(&mut self) -> Result<()> {
        self.api.kill();
        self.start_api().await
    }

    /// Kills Redis (its data is gone: persistence is off).
    pub fn stop_redis(&mut self) {
        self.redis.kill();
    }

    /// Starts an empty Redis on the same port and waits for PING.
    pub async fn start_redis(&mut self) -> Result<()> {
        self.redis.start().await
    }

    /// Kills Redis and starts an empty one on the same port.
    pub async fn restart_redis(&mut self) -> Result<()> {
        self.redis.kill();
        self.redis.start().await
    }

    /// Waits until `GET /queue` reports Redis reachable (e.g. after [`start_redis`](Self::start_redis)).
    pub async fn wait_redis_ok(&self) -> Result<()> {
        try_wait_for(
            "GET /queue to report redis.ok",
            default_timeout(),
            || async {
                let (status, body) = self.http.get("/api/v1/queue").await?;
                if status == 200 && body["redis"]["ok"] == json!(true) {
                    Ok(())
                } else {
                    Err(Error::msg(format!("status {status}: {}", body["redis"])))
                }
            },
        )
        .await
    }

    /// Starts `n` workers (replacing running ones) and waits until the API lists them.
    pub async fn start_workers(&mut self, n: usize) -> Result<()> {
        self.workers.start(n, &self.env, &self.http).await
    }

    /// Stops the workers gracefully (SIGTERM, SIGKILL after 5 s).
    pub fn stop_workers(&mut self) {
        self.workers.stop(GRACE);
    }

    /// Kills the workers at once.
    pub fn kill_workers(&mut self) {
        self.workers.kill();
    }

    /// Whether the API / Redis process is running.
    pub fn api_running(&mut self) -> bool {
        self.api.is_running()
    }

    /// Whether Redis is running.
    pub fn redis_running(&mut self) -> bool {
        self.redis.is_running()
    }

    /// Every live process of this stack: the services it started and all their descendants
    /// (worker processes, Chromium).
    pub fn process_ids(&self) -> Vec<i32> {
        let leaders = [
            self.redis.pid(),
            self.api.pid(),
            self.workers.pid(),
            self.site.as_ref().map(|s| s.process().pid()),
            self.browser
                .as_ref()
                .and_then(|b| b.driver_process().map(|p| p.pid())),
        ];
        let mut pids = Vec::new();
        for leader in leaders.into_iter().flatten() {
            pids.push(leader as i32);
            pids.extend(descendants_of(leader as i32));
        }
        pids
    }

    /// The stack's temporary directory (logs in `logs/`, backend data in `data/`).
    pub fn temp_dir(&self) -> &Path {
        self.tmp.path()
    }

    /// The last `lines` lines of a service's log: `redis`, `api`, `workers`, `static`,
    /// `chromedriver`.
    pub fn log_tail(&self, service: &str, lines: usize) -> String {
        log_tail(
            &self.tmp.path().join("logs").join(format!("{service}.log")),
            lines,
        )
    }

    // ---- artifacts -------------------------------------------------------------------------

    /// Saves screenshot, browser console, URL, page source and every service log to
    /// `target/e2e-artifacts/<label>/`; returns the directory. Blocks the calling thread.
    pub fn save_artifacts(&self, label: &str) -> PathBuf {
        let dir = paths::artifacts_root().join(label);
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("e2e: cannot create {}: {e}", dir.display());
            return dir;
        }
        if let Some(browser) = &self.browser {
            for note in browser.save_artifacts_blocking(&dir) {
                eprintln!("e2e: {note}");
            }
        }
        let logs = self.tmp.path().join("logs");
        if let Ok(entries) = std::fs::read_dir(&logs) {
            for entry in entries.flatten() {
                let _ = std::fs::copy(entry.path(), dir.join(entry.file_name()));
            }
        }
        dir
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let label = paths::current_test_label();
            let dir = self.save_artifacts(&label);
            for service in ["api", "workers"] {
                // Access-log lines of the test's own polling drown what matters; the full
                // logs are in the artifacts.
                let tail = self.log_tail(service, 400);
                let lines: Vec<&str> = tail
                    .lines()
                    .filter(|l| !l.contains(" HTTP/1.1\" "))
                    .collect();
                eprintln!(
                    "---- last lines of {service}.log (access log lines left out) ----\n{}",
                    lines[lines.len().saturating_sub(25)..].join("\n")
                );
            }
            eprintln!("e2e: failure artifacts in {}", dir.display());
        }
        if let Some(mut browser) = self.browser.take() {
            browser.shutdown();
        }
        self.site = None;
        self.workers.kill();
        self.api.kill();
        self.redis.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests may move a stack into spawned tasks or threads.
    #[test]
    fn stack_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Stack>();
    }
}
