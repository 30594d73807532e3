//! The tasks of an in-process loopback server (the fake backend, the flood server, the fault
//! proxy): binding a free port, the accept loop, and one task per connection, all aborted
//! together when the server is dropped, so a test that ends (or panics) leaves no socket open.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::error::{Context, Result};

/// Binds a free port on 127.0.0.1; `what` names the server in the error.
pub async fn bind_free(what: &str) -> Result<(TcpListener, u16)> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context(format!("binding {what}"))?;
    let port = listener
        .local_addr()
        .context(format!("reading {what}'s port"))?
        .port();
    Ok((listener, port))
}

/// The connection tasks of one server. Finished ones are dropped whenever a new one is
/// spawned, so the list is bounded by the connections open at once.
#[derive(Clone, Default)]
pub struct Conns(Arc<Mutex<Vec<JoinHandle<()>>>>);

impl Conns {
    fn lock(&self) -> MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs one connection's handler as a task of its own.
    pub fn spawn<F>(&self, conn: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let task = tokio::spawn(conn);
        let mut all = self.lock();
        all.retain(|t| !t.is_finished());
        all.push(task);
    }

    fn abort_all(&self) {
        for t in self.lock().drain(..) {
            t.abort();
        }
    }
}

/// A server's accept loop and its connections; dropping it aborts them all.
pub struct ServerTasks {
    accept: JoinHandle<()>,
    conns: Conns,
}

impl ServerTasks {
    /// Accepts on `listener` until dropped; every connection (with `TCP_NODELAY`) is handed to
    /// `handle` in a task of its own.
    pub fn accept_each<H, F>(listener: TcpListener, handle: H) -> Self
    where
        H: Fn(TcpStream) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        Self::spawn(move |conns| async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                conns.spawn(handle(stream));
            }
        })
    }

    /// Runs an accept loop of the caller's own (one that stops listening and listens again,
    /// say); it spawns each connection with [`Conns::spawn`].
    pub fn spawn<L, F>(accept_loop: L) -> Self
    where
        L: FnOnce(Conns) -> F,
        F: Future<Output = ()> + Send + 'static,
    {
        let conns = Conns::default();
        let accept = tokio::spawn(accept_loop(conns.clone()));
        Self { accept, conns }
    }
}

impl Drop for ServerTasks {
    fn drop(&mut self) {
        self.accept.abort();
        self.conns.abort_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpStream;

    #[tokio::test]
    async fn dropping_the_tasks_closes_open_connections() {
        let (listener, port) = bind_free("a test server").await.expect("bind");
        // Each connection is held open (never written to) until its task is aborted.
        let tasks = ServerTasks::accept_each(listener, |stream| async move {
            let _held = stream;
            std::future::pending::<()>().await;
        });
        let mut client = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        // Wait until the server holds the connection, then drop it: the client reads EOF.
        crate::wait::wait_for(
            "the connection to be held",
            std::time::Duration::from_secs(5),
            || async { (!tasks.conns.lock().is_empty()).then_some(()) },
        )
        .await;
        drop(tasks);
        let mut buf = [0u8; 1];
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), client.read(&mut buf))
            .await
            .expect("EOF before the deadline")
            .unwrap_or(0);
        assert_eq!(n, 0, "the connection is closed");
    }
}
