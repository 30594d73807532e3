//! The app's static hosting: the built `dist/` copied under a sub-path of a temporary web root,
//! with a `config.json` beside its `index.html`, served by a plain file server (Python's
//! `http.server`: no rewrite rules, no SPA fallback), as the simplest real hosting would.

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
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "http.server", "--bind", "127.0.0.1", "--directory"])
            .arg(&root)
            .arg(port.to_string())
            .env("PYTHONUNBUFFERED", "1");
        let mut process = ManagedProcess::spawn("static", cmd, log)?;
        let index = format!("http://127.0.0.1:{port}{APP_SUB_PATH}index.html");
        process
            .wait_ready(
                &format!("the static server to serve {index}"),
                timeout_secs(15),
                || async {
                    match http.get(&index).await? {
                        (200, _) => Ok(()),
                        (status, _) => Err(Error::msg(format!("status {status}"))),
                    }
                },
            )
            .await?;
        Ok(Self {
            root,
            port,
            process,
        })
    }

    /// `http://127.0.0.1:<port>/apps/jobs/`.
    pub fn app_base_url(&self) -> String {
        format!("http://127.0.0.1:{}{APP_SUB_PATH}", self.port)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Replaces the app's `config.json` (takes effect on the next page load).
    pub fn write_config(&self, config: &Value) -> Result<()> {
        write_config(&self.root.join(APP_SUB_PATH.trim_matches('/')), config)
    }

    /// The server process (for its log).
    pub fn process(&self) -> &ManagedProcess {
        &self.process
    }
}

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
