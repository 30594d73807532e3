//! Relaying one connection's bytes through the fault proxy: each direction stamped when read,
//! written after the policy's latency and at its bandwidth, dropped once the connection is
//! frozen.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::{Kind, Shared};

/// Chunks in flight per direction of a relayed connection (16 KiB each at most).
const PIPE_CHUNKS: usize = 64;

/// Reads and throws away until EOF or an error.
pub(super) async fn discard<R: AsyncRead + Unpin>(r: &mut R) {
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = r.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

/// One direction of a relayed connection: a reader that stamps chunks and a writer that sends
/// each `latency` after it was read, paced to the bandwidth limit. Once the connection is
/// frozen, chunks are read and dropped (so a client's close is still seen).
pub(super) async fn pipe<R, W>(mut r: R, mut w: W, shared: Arc<Shared>, kind: Kind, id: u64)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(PIPE_CHUNKS);
    let marks = shared.marks.subscribe();
    let frozen = move || marks.borrow().frozen(kind, id);
    let is_frozen = frozen.clone();
    let reader = async move {
        loop {
            let mut buf = vec![0u8; 16 * 1024];
            let n = match r.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if is_frozen() {
                continue;
            }
            buf.truncate(n);
            if tx.send((Instant::now(), buf)).await.is_err() {
                break;
            }
        }
    };
    let writer = async move {
        let mut next_free = Instant::now();
        while let Some((read_at, buf)) = rx.recv().await {
            let policy = shared.policy();
            tokio::time::sleep_until((read_at + policy.latency).into()).await;
            if frozen() {
                continue;
            }
            let Some(rate) = policy.bytes_per_sec.filter(|r| *r > 0) else {
                if w.write_all(&buf).await.is_err() {
                    return;
                }
                continue;
            };
            // 50 slices a second at most, so a throttled stream still trickles.
            for slice in buf.chunks(((rate / 50) as usize).max(256)) {
                next_free = next_free.max(Instant::now());
                tokio::time::sleep_until(next_free.into()).await;
                if w.write_all(slice).await.is_err() {
                    return;
                }
                next_free += Duration::from_secs_f64(slice.len() as f64 / rate as f64);
            }
        }
        let _ = w.shutdown().await;
    };
    tokio::join!(reader, writer);
}
