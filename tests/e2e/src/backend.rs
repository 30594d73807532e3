//! The reference backend's processes: the API (uvicorn) and the worker pool, started from the
//! backend's venv with the stack's Redis, data dir and settings in their environment.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::ApiClient;
use crate::paths;
use crate::process::ManagedProcess;
use crate::wait::timeout_secs;

/// Environment shared by the API and the workers.
#[derive(Debug, Clone)]
pub struct BackendEnv {
    /// `REDIS_URL`.
    pub redis_url: String,
    /// `DATA_DIR`.
    pub data_dir: PathBuf,
    /// `HEARTBEAT_MS`, when set.
    pub heartbeat_ms: Option<u64>,
    /// Further variables, set last (they win).
    pub extra: Vec<(String, String)>,
}

impl BackendEnv {
    fn command(&self, args: &[&str]) -> Result<Command> {
        let mut cmd = Command::new(paths::backend_python()?);
        cmd.args(args)
            .current_dir(paths::backend_dir())
            .env("REDIS_URL", &self.redis_url)
            .env("DATA_DIR", &self.data_dir)
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1");
        if let Some(ms) = self.heartbeat_ms {
            cmd.env("HEARTBEAT_MS", ms.to_string());
        }
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
        Ok(cmd)
    }
}

/// `uvicorn jobs_backend.app:app` on a fixed loopback port.
#[derive(Debug)]
pub struct ApiServer {
    port: u16,
    log: PathBuf,
    process: Option<ManagedProcess>,
}

impl ApiServer {
    /// An API description; nothing runs until [`start`](Self::start).
    pub fn new(port: u16, log: PathBuf) -> Self {
        Self {
            port,
            log,
            process: None,
        }
    }

    /// The port (kept across restarts).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The running process's pid, if any.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(ManagedProcess::pid)
    }

    /// Whether the API process is running.
    pub fn is_running(&mut self) -> bool {
        self.process
            .as_mut()
            .is_some_and(|p| p.exit_status().is_none())
    }

    /// Starts the API (if not running) and waits until `GET /api/v1/queue` answers 200.
    pub async fn start(&mut self, env: &BackendEnv, http: &ApiClient) -> Result<()> {
        if self.is_running() {
            return Ok(());
        }
        std::fs::create_dir_all(&env.data_dir)
            .map_err(|e| Error::msg(format!("creating {}: {e}", env.data_dir.display())))?;
        let port = self.port.to_string();
        let cmd = env.command(&[
            "-m",
            "uvicorn",
            "jobs_backend.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
        ])?;
        let mut process = ManagedProcess::spawn("api", cmd, &self.log)?;
        process
            .wait_ready(
                &format!("the API on port {port} to answer GET /api/v1/queue with 200"),
                timeout_secs(30),
                || async {
                    match http.get("/api/v1/queue").await? {
                        (200, _) => Ok(()),
                        (status, body) => Err(Error::msg(format!("status {status}: {body}"))),
                    }
                },
            )
            .await?;
        self.process = Some(process);
        Ok(())
    }

    /// SIGTERM, then SIGKILL after `grace` (uvicorn's graceful shutdown).
    pub fn stop(&mut self, grace: Duration) {
        if let Some(mut p) = self.process.take() {
            p.terminate(grace);
        }
    }

    /// SIGKILL at once, like a crash.
    pub fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            p.kill();
        }
    }
}

/// `python -m jobs_backend.worker --processes N`.
#[derive(Debug)]
pub struct Workers {
    log: PathBuf,
    process: Option<ManagedProcess>,
    count: usize,
}

impl Workers {
    /// No workers running yet.
    pub fn new(log: PathBuf) -> Self {
        Self {
            log,
            process: None,
            count: 0,
        }
    }

    /// The running process's pid, if any.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(ManagedProcess::pid)
    }

    /// How many worker processes were asked for (0 when stopped).
    pub fn count(&self) -> usize {
        self.count
    }

    /// Starts `n` workers (stopping any running ones first) and waits until the API's
    /// `/queue` lists `n` workers that were not listed before.
    pub async fn start(&mut self, n: usize, env: &BackendEnv, http: &ApiClient) -> Result<()> {
        self.kill();
        if n == 0 {
            return Ok(());
        }
        // Registrations of killed workers may linger in Redis for a while: only new names count.
        let before = worker_names(http).await.unwrap_or_default();
        let processes = n.to_string();
        let cmd = env.command(&["-m", "jobs_backend.worker", "--processes", &processes])?;
        let mut process = ManagedProcess::spawn("workers", cmd, &self.log)?;
        process
            .wait_ready(
                &format!("GET /api/v1/queue to list {n} new workers"),
                timeout_secs(30),
                || {
                    let before = &before;
                    async move {
                        let names = worker_names(http).await?;
                        let fresh = names.difference(before).count();
                        if fresh >= n {
                            Ok(())
                        } else {
                            Err(Error::msg(format!("{fresh} new workers listed: {names:?}")))
                        }
                    }
                },
            )
            .await?;
        self.process = Some(process);
        self.count = n;
        Ok(())
    }

    /// SIGTERM (rq's warm shutdown), then SIGKILL after `grace`.
    pub fn stop(&mut self, grace: Duration) {
        if let Some(mut p) = self.process.take() {
            p.terminate(grace);
        }
        self.count = 0;
    }

    /// SIGKILL at once, like a crash: jobs they were running stay `running` in Redis.
    pub fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            p.kill();
        }
        self.count = 0;
    }
}

/// The worker names listed by `GET /api/v1/queue`.
pub async fn worker_names(http: &ApiClient) -> Result<HashSet<String>> {
    let (status, body) = http.get("/api/v1/queue").await?;
    if status != 200 {
        return Err(Error::msg(format!(
            "GET /api/v1/queue: status {status}: {body}"
        )));
    }
    let workers = body
        .get("workers")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::msg(format!("GET /api/v1/queue: no `workers` array in {body}")))?;
    Ok(workers
        .iter()
        .filter_map(|w| w.get("name").and_then(Value::as_str).map(str::to_string))
        .collect())
}
