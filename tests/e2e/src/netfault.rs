//! Network faults a test puts in place of a service, on a loopback port it chooses:
//! [`ConnectionCounter`] accepts and at once closes every connection while counting them (a dead
//! upstream behind a proxy), and [`Forwarder`] relays every connection to another port (a route
//! that comes back). Both run as tasks of the test's runtime and stop when told or dropped.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::{Context, Error, Result};
use crate::wait::try_wait_for;

/// Binds `127.0.0.1:port`, retrying for up to `timeout` (the port may still be held for a
/// moment by a process that was just killed).
pub async fn bind_retrying(port: u16, timeout: Duration) -> Result<TcpListener> {
    try_wait_for(
        &format!("127.0.0.1:{port} to be free to bind"),
        timeout,
        || async {
            TcpListener::bind(("127.0.0.1", port))
                .await
                .context(format!("binding 127.0.0.1:{port}"))
        },
    )
    .await
}

/// Accepts connections on a port and closes each at once, counting them.
#[derive(Debug)]
pub struct ConnectionCounter {
    port: u16,
    count: Arc<AtomicU64>,
    accepted_at: Arc<Mutex<Vec<Instant>>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ConnectionCounter {
    /// Starts counting on `127.0.0.1:port` (binding may take up to 5 s while the port frees).
    pub async fn start(port: u16) -> Result<Self> {
        let listener = bind_retrying(port, Duration::from_secs(5)).await?;
        let count = Arc::new(AtomicU64::new(0));
        let accepted_at = Arc::new(Mutex::new(Vec::new()));
        let (stop, mut stopped) = oneshot::channel();
        let task = {
            let (count, accepted_at) = (count.clone(), accepted_at.clone());
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            if let Ok((stream, _)) = accepted {
                                count.fetch_add(1, Ordering::SeqCst);
                                accepted_at
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push(Instant::now());
                                drop(stream);
                            }
                        }
                    }
                }
                // The listener drops here: the port is free once `stop` returns.
            })
        };
        Ok(Self {
            port,
            count,
            accepted_at,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The port counted on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connections accepted so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }

    /// When each connection was accepted, oldest first.
    pub fn accepted_at(&self) -> Vec<Instant> {
        self.accepted_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Stops accepting and closes the listening socket; returns the final count.
    pub async fn stop(mut self) -> u64 {
        self.shutdown().await;
        self.count()
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ConnectionCounter {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Relays every connection on a port to `127.0.0.1:<target>`, both ways, until stopped.
#[derive(Debug)]
pub struct Forwarder {
    port: u16,
    target: u16,
    accepted: Arc<AtomicU64>,
    task: Option<JoinHandle<()>>,
    relays: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Forwarder {
    /// Listens on `127.0.0.1:port` and relays to `127.0.0.1:target`.
    pub async fn start(port: u16, target: u16) -> Result<Self> {
        let listener = bind_retrying(port, Duration::from_secs(5)).await?;
        let accepted = Arc::new(AtomicU64::new(0));
        let relays: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::new(Mutex::new(Vec::new()));
        let task = {
            let (accepted, relays) = (accepted.clone(), relays.clone());
            tokio::spawn(async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    accepted.fetch_add(1, Ordering::SeqCst);
                    let relay = tokio::spawn(async move {
                        let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await
                        else {
                            return;
                        };
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    });
                    let mut all = relays.lock().unwrap_or_else(|p| p.into_inner());
                    all.retain(|h| !h.is_finished());
                    all.push(relay);
                }
            })
        };
        Ok(Self {
            port,
            target,
            accepted,
            task: Some(task),
            relays,
        })
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port relayed to.
    pub fn target(&self) -> u16 {
        self.target
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
        for relay in self
            .relays
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            relay.abort();
        }
    }
}

/// An error unless nothing accepts connections on `127.0.0.1:port` right now.
pub async fn assert_nothing_listens(port: u16) -> Result<()> {
    match TcpStream::connect(("127.0.0.1", port)).await {
        Ok(_) => Err(Error::msg(format!(
            "something accepts connections on 127.0.0.1:{port}"
        ))),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn counter_counts_and_closes_and_frees_the_port() {
        let port = crate::net::free_port().expect("port");
        let counter = ConnectionCounter::start(port).await.expect("start");
        for _ in 0..3 {
            let mut s = TcpStream::connect(("127.0.0.1", port))
                .await
                .expect("connect");
            let mut buf = [0u8; 8];
            // Closed at once: EOF or reset, never data.
            let n = s.read(&mut buf).await.unwrap_or(0);
            assert_eq!(n, 0);
        }
        assert_eq!(counter.stop().await, 3);
        assert_nothing_listens(port).await.expect("port freed");
        TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("rebind after stop");
    }

    #[tokio::test]
    async fn forwarder_relays_both_ways() {
        let upstream = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let target = upstream.local_addr().expect("addr").port();
        tokio::spawn(async move {
            let (mut s, _) = upstream.accept().await.expect("accept");
            let mut buf = [0u8; 4];
            s.read_exact(&mut buf).await.expect("read");
            s.write_all(&buf.map(|b| b.to_ascii_uppercase()))
                .await
                .expect("write");
        });
        let port = crate::net::free_port().expect("port");
        let fwd = Forwarder::start(port, target).await.expect("start");
        let mut s = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        s.write_all(b"ping").await.expect("write");
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.expect("read");
        assert_eq!(&buf, b"PING");
        assert_eq!(fwd.accepted(), 1);
    }
}
