//! The Redis server of one stack: an empty, non-persistent instance on a loopback port that can
//! be stopped and started again on the same port (losing its data, as a crashed Redis would).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::error::{Context, Error, Result};
use crate::process::ManagedProcess;
use crate::wait::timeout_secs;
use crate::{net, paths};

/// `redis-server` on `127.0.0.1:<port>` with persistence off.
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    log: PathBuf,
    process: Option<ManagedProcess>,
}

impl RedisServer {
    /// A server description; nothing runs until [`start`](Self::start).
    pub fn new(port: u16, dir: PathBuf, log: PathBuf) -> Self {
        Self {
            port,
            dir,
            log,
            process: None,
        }
    }

    /// The port it listens on (kept across restarts).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// The running process's pid, if any.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(ManagedProcess::pid)
    }

    /// Whether a server process is running.
    pub fn is_running(&mut self) -> bool {
        self.process
            .as_mut()
            .is_some_and(|p| p.exit_status().is_none())
    }

    /// Starts the server (if not running) and waits until it answers PING.
    pub async fn start(&mut self) -> Result<()> {
        if self.is_running() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir).context("creating the redis dir")?;
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .current_dir(paths::repo_root());
        let mut process = ManagedProcess::spawn("redis", cmd, &self.log)?;
        let port = self.port;
        process
            .wait_ready(
                &format!("redis on port {port} to answer PING"),
                timeout_secs(15),
                || net::redis_ping(port),
            )
            .await?;
        self.process = Some(process);
        Ok(())
    }

    /// Runs one command (`["SADD", "auth:revoked", "t1"]`) and returns the first line of the
    /// reply (`:1`, `+OK`); a Redis error reply (`-ERR ...`) is an error. Arguments are sent as
    /// RESP bulk strings, so any bytes are safe.
    pub async fn command(&self, args: &[&str]) -> Result<String> {
        let mut wire = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            wire.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            wire.extend_from_slice(a.as_bytes());
            wire.extend_from_slice(b"\r\n");
        }
        let port = self.port;
        let attempt = async {
            let mut stream = TcpStream::connect(("127.0.0.1", port))
                .await
                .context("connecting")?;
            stream.write_all(&wire).await.context("writing")?;
            let mut line = String::new();
            BufReader::new(stream)
                .read_line(&mut line)
                .await
                .context("reading the reply")?;
            let line = line.trim_end().to_string();
            if line.starts_with('-') || line.is_empty() {
                Err(Error::msg(format!("redis replied {line:?}")))
            } else {
                Ok(line)
            }
        };
        tokio::time::timeout(Duration::from_secs(5), attempt)
            .await
            .map_err(|_| Error::msg("no answer within 5 s"))?
            .context(format!("redis {} on port {port}", args.join(" ")))
    }

    /// Kills the server at once (SIGKILL): like a crash, everything in memory is lost.
    pub fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            p.kill();
        }
    }
}
