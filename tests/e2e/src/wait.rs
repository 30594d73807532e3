//! Polling with a deadline: the only way tests wait. A condition is retried every
//! [`POLL_INTERVAL`] until it holds or the deadline passes; on timeout the error says what was
//! awaited and what was last observed.

use std::fmt::Display;
use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Pause between two checks of a condition.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// `secs` seconds, multiplied by `$E2E_TIMEOUT_SCALE` (a float, default 1) for slow machines.
pub fn timeout_secs(secs: u64) -> Duration {
    let scale = std::env::var("E2E_TIMEOUT_SCALE")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .unwrap_or(1.0);
    Duration::from_secs_f64(secs as f64 * scale)
}

/// The default deadline for one UI or API expectation (20 s, scaled).
pub fn default_timeout() -> Duration {
    timeout_secs(20)
}

/// What a condition returns: `true`, `Some(x)` or `Ok(x)` mean done; `false`, `None` or
/// `Err(observation)` mean not yet (the observation is reported if the deadline passes).
pub trait Outcome {
    /// The value handed back once the condition holds.
    type Output;
    /// `Ok(output)` when done, `Err(what was observed)` when not.
    fn into_outcome(self) -> std::result::Result<Self::Output, String>;
}

impl Outcome for bool {
    type Output = ();
    fn into_outcome(self) -> std::result::Result<(), String> {
        if self {
            Ok(())
        } else {
            Err("condition was false".into())
        }
    }
}

impl<T> Outcome for Option<T> {
    type Output = T;
    fn into_outcome(self) -> std::result::Result<T, String> {
        self.ok_or_else(|| "condition returned None".into())
    }
}

impl<T, E: Display> Outcome for std::result::Result<T, E> {
    type Output = T;
    fn into_outcome(self) -> std::result::Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

/// Polls `check` until it holds; panics after `timeout` with `description` and the last
/// observation.
pub async fn wait_for<F, Fut, O>(description: &str, timeout: Duration, check: F) -> O::Output
where
    F: FnMut() -> Fut,
    Fut: Future<Output = O>,
    O: Outcome,
{
    match try_wait_for(description, timeout, check).await {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// Polls `diff` until it finds no differences; panics after `timeout` with `description` and
/// the last ones. `diff` returns the differences (empty: the two sides agree) or why it could
/// not compare this time.
pub async fn wait_no_diff<F, Fut>(description: &str, timeout: Duration, mut diff: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::result::Result<Vec<String>, String>>,
{
    wait_for(description, timeout, || {
        let next = diff();
        async move {
            match next.await {
                Ok(d) if d.is_empty() => Ok(()),
                Ok(d) => Err(format!("{d:?}")),
                Err(e) => Err(e),
            }
        }
    })
    .await
}

/// Like [`wait_for`], returning the timeout as an error instead of panicking.
pub async fn try_wait_for<F, Fut, O>(
    description: &str,
    timeout: Duration,
    mut check: F,
) -> Result<O::Output>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = O>,
    O: Outcome,
{
    let start = Instant::now();
    let deadline = start + timeout;
    let mut last;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        // A check that hangs (a request to a dead server) must not outlive the deadline.
        match tokio::time::timeout(remaining.max(POLL_INTERVAL), check()).await {
            Ok(outcome) => match outcome.into_outcome() {
                Ok(v) => return Ok(v),
                Err(observed) => last = observed,
            },
            Err(_) => last = "the check itself did not finish before the deadline".into(),
        }
        if Instant::now() >= deadline {
            return Err(Error::msg(format!(
                "timed out after {:.1}s waiting for {description}; last observed: {last}",
                start.elapsed().as_secs_f64()
            )));
        }
        tokio::time::sleep(POLL_INTERVAL.min(deadline.saturating_duration_since(Instant::now())))
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn returns_value_once_condition_holds() {
        let mut n = 0;
        let v = wait_for("n to reach 3", Duration::from_secs(5), || {
            n += 1;
            let now = n;
            async move { (now >= 3).then_some(now) }
        })
        .await;
        assert_eq!(v, 3);
    }

    #[tokio::test]
    async fn timeout_reports_description_and_last_observation() {
        let err = try_wait_for("the impossible", Duration::from_millis(250), || async {
            Err::<(), _>("still 41")
        })
        .await
        .expect_err("must time out");
        assert!(err.message().contains("the impossible"), "{err}");
        assert!(err.message().contains("still 41"), "{err}");
    }

    #[tokio::test]
    async fn no_diff_waits_for_an_empty_list() {
        let mut left = vec!["a".to_string(), "b".to_string()];
        wait_no_diff("the list to empty", Duration::from_secs(5), || {
            left.pop();
            let now = left.clone();
            async move { Ok(now) }
        })
        .await;
        assert!(left.is_empty());
    }

    #[tokio::test]
    #[should_panic(expected = "[\"still here\"]")]
    async fn no_diff_reports_the_last_differences() {
        wait_no_diff("never", Duration::from_millis(250), || async {
            Ok(vec!["still here".to_string()])
        })
        .await;
    }
}
