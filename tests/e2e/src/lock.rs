//! One stack at a time on this 2-core machine: a [`SerialGuard`] holds an exclusive `flock` on
//! `target/e2e.lock` for a stack's lifetime, so test threads and test binaries (even two
//! `cargo test` runs) queue instead of starving each other. `E2E_PARALLEL=1` turns it off.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;

use crate::error::{Context, Error, Result};
use crate::paths;

/// Holds the lock until dropped (closing the file releases it).
#[derive(Debug)]
pub struct SerialGuard {
    _file: File,
}

impl SerialGuard {
    /// Blocks until the lock is ours; `None` when `E2E_PARALLEL=1`.
    pub async fn acquire() -> Result<Option<Self>> {
        if std::env::var("E2E_PARALLEL").is_ok_and(|v| v == "1") {
            return Ok(None);
        }
        let dir = paths::target_dir();
        std::fs::create_dir_all(&dir).context(format!("creating {}", dir.display()))?;
        let path = dir.join("e2e.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .context(format!("opening {}", path.display()))?;
        // flock blocks; keep it off the test's runtime thread.
        let file = tokio::task::spawn_blocking(move || {
            // SAFETY: flock(2) on a file descriptor we own.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc == 0 {
                Ok(file)
            } else {
                Err(Error::msg(format!(
                    "flock {}: {}",
                    path.display(),
                    std::io::Error::last_os_error()
                )))
            }
        })
        .await
        .context("waiting for the e2e lock")??;
        Ok(Some(Self { _file: file }))
    }
}
