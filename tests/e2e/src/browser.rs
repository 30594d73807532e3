//! Headless Chromium driven through chromedriver and fantoccini: starting the session,
//! navigating, DevTools commands, and shutting it all down. What tests ask of the page's
//! elements is in [`elements`]; what a failed test leaves behind (screenshot, console) in
//! [`artifacts`].
//!
//! The WebDriver session's background task runs on a small runtime owned by the [`Browser`], not
//! on the test's runtime: that keeps the session usable from `Drop` (to save a screenshot of a
//! failed test and close the session) while the test's own runtime is unwinding.

use std::path::Path;
use std::process::Command;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

use crate::error::{Context, Error, Result};
use crate::process::ManagedProcess;
use crate::wait::timeout_secs;

mod artifacts;
mod elements;
pub use artifacts::format_console;
pub use elements::testid;

/// Chromium binary used by every test.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// chromedriver binary used by every test.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// One chromedriver with one WebDriver session on a fresh Chromium profile.
pub struct Browser {
    client: Client,
    session_id: String,
    driver_port: u16,
    driver: Option<ManagedProcess>,
    rt: Option<tokio::runtime::Runtime>,
    http: reqwest::Client,
    console: Arc<Mutex<Vec<Value>>>,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("session_id", &self.session_id)
            .field("driver_port", &self.driver_port)
            .finish_non_exhaustive()
    }
}

impl Browser {
    /// Starts chromedriver on `port` and opens a session whose Chromium uses `profile_dir`.
    pub async fn start(port: u16, profile_dir: &Path, log: &Path) -> Result<Self> {
        Self::start_with_args(port, profile_dir, log, &[]).await
    }

    /// Like [`start`](Self::start), with extra Chromium flags after the harness's own.
    pub async fn start_with_args(
        port: u16,
        profile_dir: &Path,
        log: &Path,
        extra_args: &[String],
    ) -> Result<Self> {
        for bin in [CHROMIUM, CHROMEDRIVER] {
            if !Path::new(bin).exists() {
                return Err(Error::msg(format!(
                    "{bin} not found: apt-get install chromium chromium-driver"
                )));
            }
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("e2e-webdriver")
            .enable_all()
            .build()
            .context("building the WebDriver runtime")?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .context("building the chromedriver HTTP client")?;

        let mut cmd = Command::new(CHROMEDRIVER);
        cmd.arg(format!("--port={port}"));
        let mut driver = ManagedProcess::spawn("chromedriver", cmd, log)?;
        let status_url = format!("http://127.0.0.1:{port}/status");
        driver
            .wait_ready("chromedriver to report ready", timeout_secs(20), || {
                let (http, url) = (http.clone(), status_url.clone());
                on_runtime(&rt, async move {
                    let body: Value = http
                        .get(&url)
                        .send()
                        .await
                        .context("GET /status")?
                        .json()
                        .await
                        .context("reading /status")?;
                    if body["value"]["ready"] == json!(true) {
                        Ok(())
                    } else {
                        Err(Error::msg(format!("not ready: {body}")))
                    }
                })
            })
            .await?;

        let caps = capabilities(profile_dir, extra_args);
        let webdriver = format!("http://127.0.0.1:{port}");
        let connect = on_runtime(&rt, async move {
            let mut builder = ClientBuilder::new(HttpConnector::new());
            builder.capabilities(caps);
            builder
                .connect(&webdriver)
                .await
                .context("creating the WebDriver session")
        });
        let client = match tokio::time::timeout(timeout_secs(60), connect).await {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => return Err(with_log(e, &driver)),
            Err(_) => {
                return Err(with_log(
                    Error::msg("creating the WebDriver session took over 60 s"),
                    &driver,
                ))
            }
        };
        let session_id = client
            .session_id()
            .await
            .context("reading the session id")?
            .ok_or_else(|| Error::msg("chromedriver returned no session id"))?;
        Ok(Self {
            client,
            session_id,
            driver_port: port,
            driver: Some(driver),
            rt: Some(rt),
            http,
            console: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// The fantoccini client, for anything the helpers below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Navigates to `url`. A URL differing only in its `#fragment` is a same-document
    /// navigation: use [`open_fresh`](Self::open_fresh) for a full page load.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client
            .goto(url)
            .await
            .context(format!("opening {url}"))
    }

    /// Opens `url` as a fresh page load (leaves for `about:blank` first, so a URL that differs
    /// only by its fragment still loads the document anew).
    pub async fn open_fresh(&self, url: &str) -> Result<()> {
        self.goto("about:blank").await?;
        self.goto(url).await
    }

    /// The current URL.
    pub async fn current_url(&self) -> Result<String> {
        Ok(self
            .client
            .current_url()
            .await
            .context("reading the current URL")?
            .to_string())
    }

    /// Runs a Chrome DevTools Protocol command through chromedriver
    /// (`POST /session/<id>/goog/cdp/execute`) and returns its result, e.g.
    /// `Page.addScriptToEvaluateOnNewDocument` to run a script before any page script.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        let rt = self.runtime()?;
        let (http, url) = (
            self.http.clone(),
            format!(
                "http://127.0.0.1:{}/session/{}/goog/cdp/execute",
                self.driver_port, self.session_id
            ),
        );
        let body = json!({"cmd": cmd, "params": params});
        let what = format!("CDP {cmd}");
        let answer: Value = on_runtime(rt, async move {
            http.post(&url)
                .json(&body)
                .send()
                .await
                .context(what.clone())?
                .json()
                .await
                .context(what)
        })
        .await?;
        match answer.get("value") {
            Some(v) if v.get("error").is_none() => Ok(v.clone()),
            _ => Err(Error::msg(format!("CDP {cmd} failed: {answer}"))),
        }
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime> {
        self.rt
            .as_ref()
            .ok_or_else(|| Error::msg("the browser was shut down"))
    }

    /// Ends the session (best effort, 5 s), kills chromedriver and Chromium, stops the runtime.
    pub fn shutdown(&mut self) {
        if let Some(rt) = self.rt.take() {
            let client = self.client.clone();
            let _ = block_on_runtime(
                &rt,
                async move { client.close().await },
                Duration::from_secs(5),
            );
            if let Some(mut driver) = self.driver.take() {
                driver.kill();
            }
            rt.shutdown_background();
        }
        if let Some(mut driver) = self.driver.take() {
            driver.kill();
        }
    }

    /// The chromedriver process (for its log).
    pub fn driver_process(&self) -> Option<&ManagedProcess> {
        self.driver.as_ref()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The session capabilities: headless Chromium on a fresh profile, quiet about the network it
/// cannot reach, with its console log kept for [`Browser::console_log`], plus `extra_args`.
fn capabilities(profile_dir: &Path, extra_args: &[String]) -> serde_json::Map<String, Value> {
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        "--window-size=1280,900".into(),
        format!("--user-data-dir={}", profile_dir.display()),
    ];
    args.extend(extra_args.iter().cloned());
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        "goog:loggingPrefs": {"browser": "ALL"},
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// Runs `fut` on the browser runtime and awaits it from the caller's runtime.
async fn on_runtime<T, F>(rt: &tokio::runtime::Runtime, fut: F) -> Result<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T>> + Send + 'static,
{
    rt.spawn(fut)
        .await
        .map_err(|e| Error::msg(format!("browser task failed: {e}")))?
}

/// Runs `fut` on the browser runtime and blocks this thread for at most `timeout`.
fn block_on_runtime<T, F>(rt: &tokio::runtime::Runtime, fut: F, timeout: Duration) -> Option<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = T> + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    rt.spawn(async move {
        let _ = tx.send(fut.await);
    });
    rx.recv_timeout(timeout).ok()
}

fn with_log(e: Error, driver: &ManagedProcess) -> Error {
    Error::msg(format!(
        "{e}\nlast output of chromedriver:\n{}",
        driver.log_tail(30)
    ))
}
