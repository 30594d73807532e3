//! Loopback ports: picking a free one and probing what listens on it.

use std::net::TcpListener;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::{Context, Error, Result};

/// A port on 127.0.0.1 that was free a moment ago (the kernel's pick for `bind(:0)`).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(listener
        .local_addr()
        .context("reading the bound port")?
        .port())
}

/// Sends an inline `PING` to the Redis on `port`; `Ok` when it answers `+PONG`.
pub async fn redis_ping(port: u16) -> Result<()> {
    let attempt = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .context("connecting")?;
        stream
            .write_all(b"PING\r\n")
            .await
            .context("writing PING")?;
        let mut buf = [0u8; 64];
        let n = stream.read(&mut buf).await.context("reading the reply")?;
        let reply = String::from_utf8_lossy(&buf[..n]).into_owned();
        if reply.starts_with("+PONG") {
            Ok(())
        } else {
            Err(Error::msg(format!("unexpected reply {reply:?}")))
        }
    };
    tokio::time::timeout(Duration::from_secs(2), attempt)
        .await
        .map_err(|_| Error::msg("no answer within 2 s"))?
        .context(format!("redis PING on port {port}"))
}
