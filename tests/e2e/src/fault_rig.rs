//! [`FaultRig`]: the set-up every fault scenario shares. A stack whose app talks to the API only
//! through a [`FaultProxy`], running jobs, and two windows of the app: the watched job's detail
//! page with its live log panel, and the jobs list; both with the connection recorder
//! installed. [`FaultRig::check`] runs the invariant (`crate::invariant`) in both windows.

use std::time::Duration;

use fantoccini::wd::WindowHandle;
use serde_json::Value;

use crate::browser::Browser;
use crate::dom;
use crate::error::{Context, Error, Result};
use crate::fault_proxy::{put_behind_proxy, FaultProxy};
use crate::invariant::{wait_jobs_agree, wait_log_complete};
use crate::live_view::{
    connection_history, describe_history, install_connection_recorder, read_log_panel,
    try_wait_connection,
};
use crate::stack::Stack;
use crate::wait::{timeout_secs, try_wait_for};

/// The server heartbeat of every scenario: the page's deadline is 3 × this.
pub const HEARTBEAT_MS: u64 = 1_000;

/// A stack behind a fault proxy, with the watched job's detail page and the list open.
pub struct FaultRig {
    pub stack: Stack,
    pub proxy: FaultProxy,
    /// Every job created, the watched one first.
    pub ids: Vec<String>,
    detail: WindowHandle,
    list: WindowHandle,
}

/// A profile job of `dataset` taking roughly `passes` × 5 s and logging ~16 lines a second.
pub fn job(dataset: &'static str, passes: u64) -> (&'static str, Value) {
    (
        dataset,
        serde_json::json!({"chunk_rows": 200, "chunk_delay_ms": 150, "passes": passes}),
    )
}

impl FaultRig {
    /// Starts everything: `jobs` are created and the first one is watched (its detail page
    /// opens once it runs and logs).
    pub async fn start(workers: usize, jobs: &[(&'static str, Value)]) -> Result<Self> {
        let mut stack = Stack::builder()
            .workers(workers)
            .heartbeat_ms(HEARTBEAT_MS)
            .start()
            .await;
        let proxy = put_behind_proxy(&mut stack).await?;
        let mut ids = Vec::new();
        for (dataset, params) in jobs {
            let job = stack.create_job(dataset, "profile", params.clone()).await;
            ids.push(job["id"].as_str().unwrap_or_default().to_string());
        }
        let watched = ids.first().cloned().ok_or_else(|| Error::msg("no jobs"))?;
        stack
            .wait_job(&watched, "to run and log", timeout_secs(30), |j| {
                j["status"] == "running" && j["log_count"].as_u64().unwrap_or(0) >= 3
            })
            .await;
        stack.open(&format!("/jobs/{watched}")).await;
        let browser = stack.browser();
        browser.wait_css(&dom::job_detail(&watched)).await;
        try_wait_connection(browser, &["live"], timeout_secs(20)).await?;
        install_connection_recorder(browser).await?;
        try_wait_for("log lines in the panel", timeout_secs(20), || async {
            let panel = read_log_panel(browser).await?;
            if panel.lines.is_empty() {
                Err(Error::msg("no lines yet"))
            } else {
                Ok(())
            }
        })
        .await?;
        let detail = browser.client().window().await.context("window handle")?;
        let created = browser
            .client()
            .new_window(false)
            .await
            .context("a second window")?;
        browser
            .client()
            .switch_to_window(created.handle.clone())
            .await
            .context("switching windows")?;
        browser.goto(&stack.app_url("/jobs")).await?;
        browser.wait_css(dom::JOBS_PAGE).await;
        try_wait_connection(browser, &["live"], timeout_secs(20)).await?;
        install_connection_recorder(browser).await?;
        Ok(Self {
            stack,
            proxy,
            ids,
            detail,
            list: created.handle,
        })
    }

    /// The watched job.
    pub fn watched(&self) -> &str {
        &self.ids[0]
    }

    async fn switch(&self, window: &WindowHandle) -> Result<&Browser> {
        let browser = self.stack.browser();
        browser
            .client()
            .switch_to_window(window.clone())
            .await
            .context("switching windows")?;
        Ok(browser)
    }

    /// The detail window, made current.
    pub async fn detail(&self) -> Result<&Browser> {
        self.switch(&self.detail).await
    }

    /// The list window, made current.
    pub async fn list(&self) -> Result<&Browser> {
        self.switch(&self.list).await
    }

    /// In both windows: the first recorded change at or after `since_ms` to a state other than
    /// `live` (the page noticed), and the first `live` after that; the later of the two
    /// windows for each. `None` where a window shows no such change.
    pub async fn left_and_back(&self, since_ms: i64) -> Result<(Option<i64>, Option<i64>)> {
        let mut left = Some(i64::MIN);
        let mut back = Some(i64::MIN);
        for window in [&self.detail, &self.list] {
            let history = connection_history(self.switch(window).await?).await?;
            let l = history
                .iter()
                .find(|c| !c.initial && c.at_ms >= since_ms && c.state != "live")
                .map(|c| c.at_ms);
            let b = l.and_then(|l| {
                history
                    .iter()
                    .find(|c| c.at_ms >= l && c.state == "live")
                    .map(|c| c.at_ms)
            });
            left = left.zip(l).map(|(a, b)| a.max(b));
            back = back.zip(b).map(|(a, b)| a.max(b));
        }
        Ok((left, back))
    }

    /// The later of the two windows' first `live` at or after `since_ms` (`None` if either
    /// has none yet).
    pub async fn live_after(&self, since_ms: i64) -> Result<Option<i64>> {
        let mut at = Some(i64::MIN);
        for window in [&self.detail, &self.list] {
            let history = connection_history(self.switch(window).await?).await?;
            let first = history
                .iter()
                .find(|c| c.at_ms >= since_ms && c.state == "live")
                .map(|c| c.at_ms);
            at = at.zip(first).map(|(a, b)| a.max(b));
        }
        Ok(at)
    }

    /// Both windows' connection histories since `since_ms`, for messages.
    pub async fn histories(&self, since_ms: i64) -> String {
        let mut out = Vec::new();
        for (name, window) in [("detail", &self.detail), ("list", &self.list)] {
            let h = match self.switch(window).await {
                Ok(b) => connection_history(b).await.unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            let recent: Vec<_> = h.into_iter().filter(|c| c.at_ms >= since_ms).collect();
            out.push(format!("{name}: {}", describe_history(&recent, since_ms)));
        }
        out.join("; ")
    }

    /// Waits until both windows are `live` (up to `bound`).
    pub async fn wait_live(&self, bound: Duration) -> Result<()> {
        for window in [&self.detail, &self.list] {
            try_wait_connection(self.switch(window).await?, &["live"], bound).await?;
        }
        Ok(())
    }

    /// The invariant, within `bound`: the list window shows exactly the backend's jobs (status,
    /// attempt, progress) and the detail window's log panel holds the watched job's lines once
    /// each, in order, skipping only inside gap markers. Returns `(jobs compared, log lines)`.
    pub async fn check(&self, bound: Duration) -> Result<(usize, usize)> {
        self.wait_live(bound).await?;
        let api = self.stack.api();
        let (_, jobs) = wait_jobs_agree(self.list().await?, api, bound).await?;
        let (_, lines) =
            wait_log_complete(self.detail().await?, api, self.watched(), bound).await?;
        if jobs != self.ids.len() {
            return Err(Error::msg(format!(
                "the list shows {jobs} jobs, {} were created",
                self.ids.len()
            )));
        }
        Ok((jobs, lines))
    }
}
