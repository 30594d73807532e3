//! The invariant every fault scenario ends with, and the figures it prints.
//!
//! - Jobs: the page shows exactly the backend's jobs (`GET /jobs`), each with the backend's
//!   status, attempt, processed and total. While jobs run the backend moves on, so one check
//!   reads the backend, then the page, then the backend again, and wants every shown value to
//!   lie between the two readings (equal when the job is finished).
//! - Logs: an open log panel holds each line once, in order, with the backend's text, and every
//!   line number it skips is inside a gap marker ("Lines a–b could not be received").
//! - Both are awaited up to a stated bound ("live again within …"), and how long it took is
//!   returned.
//!
//! [`FaultFigures`] prints one `FAULT <scenario> detect_ms=… recover_ms=… down_requests=…
//! invariant=ok` line per scenario, which `docs/reliability.md` collects.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

use crate::browser::Browser;
use crate::error::{Error, Result};
use crate::http::ApiClient;
use crate::live_view::{backend_jobs, backend_log, read_log_panel, LogPanelView};
use crate::wait::try_wait_for;

/// A job card as the invariant reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ShownJob {
    pub id: String,
    pub status: String,
    /// `attempt N` text.
    pub attempt: String,
    /// `1,500 / 20,000 rows (8%)` or `1,500 rows`.
    pub progress: String,
}

impl ShownJob {
    /// `(processed, total)` from the progress text (`total` absent when unknown).
    pub fn progress_numbers(&self) -> (Option<u64>, Option<u64>) {
        let num = |s: &str| s.replace(',', "").parse::<u64>().ok();
        let mut words = self.progress.split_whitespace();
        let processed = words.next().and_then(num);
        let total = match words.next() {
            Some("/") => words.next().and_then(num),
            _ => None,
        };
        (processed, total)
    }

    pub fn attempt_number(&self) -> Option<u64> {
        self.attempt.trim().strip_prefix("attempt ")?.parse().ok()
    }
}

const READ_CARDS_JS: &str = r#"
return Array.from(document.querySelectorAll('[data-testid="job-card"]')).map(card => {
  const t = id => { const el = card.querySelector(`[data-testid="${id}"]`); return el ? el.textContent.trim() : ""; };
  return {id: card.getAttribute("data-job-id") || "", status: card.getAttribute("data-status") || "",
          attempt: t("job-attempt"), progress: t("job-progress")};
});
"#;

/// Every job card rendered now (the list must fit its rendered window: keep scenarios small).
pub async fn shown_jobs(browser: &Browser) -> Result<Vec<ShownJob>> {
    let v = browser
        .run_script(READ_CARDS_JS, vec![], "reading the job cards")
        .await?;
    serde_json::from_value(v.clone()).map_err(|e| Error::msg(format!("cards ({e}): {v}")))
}

fn u(job: &Value, path: &[&str]) -> u64 {
    path.iter()
        .fold(job, |v, k| &v[*k])
        .as_u64()
        .unwrap_or_default()
}

/// How the shown jobs differ from the backend read `before` and `after` them; empty when each
/// shown value lies between the two readings and the id sets are equal.
pub fn jobs_diff(
    before: &BTreeMap<String, Value>,
    shown: &[ShownJob],
    after: &BTreeMap<String, Value>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeMap::new();
    for job in shown {
        *seen.entry(job.id.as_str()).or_insert(0u32) += 1;
        let (Some(a), Some(b)) = (before.get(&job.id), after.get(&job.id)) else {
            out.push(format!("{} is shown but not a backend job", job.id));
            continue;
        };
        let statuses = [a["status"].as_str(), b["status"].as_str()];
        if !statuses.contains(&Some(job.status.as_str())) {
            out.push(format!(
                "{}: status {:?}, backend {statuses:?}",
                job.id, job.status
            ));
        }
        let attempts = [u(a, &["attempt"]), u(b, &["attempt"])];
        if !job.attempt_number().is_some_and(|n| attempts.contains(&n)) {
            out.push(format!(
                "{}: {:?}, backend {attempts:?}",
                job.id, job.attempt
            ));
        }
        let (processed, total) = job.progress_numbers();
        let (pa, pb) = (
            u(a, &["progress", "processed"]),
            u(b, &["progress", "processed"]),
        );
        let same_attempt = attempts[0] == attempts[1];
        if same_attempt && !processed.is_some_and(|p| pa.min(pb) <= p && p <= pa.max(pb)) {
            out.push(format!(
                "{}: processed {processed:?}, backend {pa}..{pb}",
                job.id
            ));
        }
        let totals = [u(a, &["progress", "total"]), u(b, &["progress", "total"])];
        if total.is_some_and(|t| !totals.contains(&t)) {
            out.push(format!("{}: total {total:?}, backend {totals:?}", job.id));
        }
    }
    for (id, n) in &seen {
        if *n > 1 {
            out.push(format!("{id} has {n} cards"));
        }
    }
    for id in before.keys().filter(|id| after.contains_key(*id)) {
        if !seen.contains_key(id.as_str()) {
            out.push(format!("backend job {id} is not shown"));
        }
    }
    out
}

/// Waits up to `bound` until the page's cards equal the backend's jobs; returns the wait (ms)
/// and how many jobs were compared, or the last difference.
pub async fn wait_jobs_agree(
    browser: &Browser,
    api: &ApiClient,
    bound: Duration,
) -> Result<(u64, usize)> {
    let started = Instant::now();
    let n = try_wait_for("the page's jobs to equal the backend's", bound, || async {
        let before = backend_jobs(api).await?;
        let shown = shown_jobs(browser).await?;
        let after = backend_jobs(api).await?;
        let diff = jobs_diff(&before, &shown, &after);
        if diff.is_empty() {
            Ok(shown.len())
        } else {
            Err(Error::msg(diff.join("; ")))
        }
    })
    .await?;
    Ok((started.elapsed().as_millis() as u64, n))
}

/// `(from, to)` of each "Lines a–b could not be received" marker.
pub fn gap_ranges(panel: &LogPanelView) -> Vec<(u64, u64)> {
    panel
        .gaps
        .iter()
        .filter_map(|g| {
            let nums: Vec<u64> = g
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|s| s.parse().ok())
                .collect();
            match nums[..] {
                [a, b, ..] => Some((a, b)),
                [a] => Some((a, a)),
                [] => None,
            }
        })
        .collect()
}

/// How the panel breaks "each line once, in order, same text, skips only inside gap markers"
/// against the backend's whole log; empty when it holds.
pub fn log_diff(panel: &LogPanelView, backend: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    let gaps = gap_ranges(panel);
    let text_of = |n: u64| {
        backend
            .iter()
            .find(|l| l["n"].as_u64() == Some(n))
            .and_then(|l| l["text"].as_str())
            .map(jobs_page::state::log_tokens::strip_ansi)
    };
    let mut prev: Option<u64> = None;
    for line in &panel.lines {
        if let Some(p) = prev {
            if line.n <= p {
                out.push(format!(
                    "line {} after line {p}: duplicated or out of order",
                    line.n
                ));
                return out;
            }
            if line.n > p + 1 {
                let (from, to) = (p + 1, line.n - 1);
                if !gaps.iter().any(|(a, b)| *a <= from && to <= *b) {
                    out.push(format!("lines {from}–{to} missing without a gap marker"));
                }
            }
        }
        match text_of(line.n) {
            Some(t) if t == line.text => {}
            Some(t) => out.push(format!(
                "line {}: page {:?}, backend {t:?}",
                line.n, line.text
            )),
            None => out.push(format!("line {} is not in the backend's log", line.n)),
        }
        prev = Some(line.n);
    }
    out
}

/// Waits up to `bound` until the open log panel reaches the backend's last line (read after
/// the job finished, or at the time of the check) and passes [`log_diff`]; returns the wait
/// (ms) and the number of lines shown.
pub async fn wait_log_complete(
    browser: &Browser,
    api: &ApiClient,
    job_id: &str,
    bound: Duration,
) -> Result<(u64, usize)> {
    let started = Instant::now();
    let n = try_wait_for(
        &format!("the log panel of {job_id} to equal the backend's"),
        bound,
        || async {
            let backend = backend_log(api, job_id).await?;
            let panel = read_log_panel(browser).await?;
            let mut diff = log_diff(&panel, &backend);
            let want = backend.last().and_then(|l| l["n"].as_u64()).unwrap_or(0);
            if panel.last_n() < want {
                diff.push(format!("panel at line {} of {want}", panel.last_n()));
            }
            if diff.is_empty() {
                Ok(panel.lines.len())
            } else {
                Err(Error::msg(diff.join("; ")))
            }
        },
    )
    .await?;
    Ok((started.elapsed().as_millis() as u64, n))
}

/// One scenario's figures, printed as a `FAULT …` line.
#[derive(Debug, Clone, Default)]
pub struct FaultFigures {
    pub scenario: String,
    /// From the fault to the page saying so (not `live`); `None` when it need not notice.
    pub detect_ms: Option<i64>,
    /// From the end of the fault to the page being `live` (or its invariant holding) again.
    pub recover_ms: Option<i64>,
    /// Requests (HTTP and WebSocket) the page sent while the backend could not serve it.
    pub down_requests: usize,
    /// Anything else worth collecting (`key=value …`).
    pub extra: String,
}

impl fmt::Display for FaultFigures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |v: Option<i64>| v.map_or("-".to_string(), |v| v.to_string());
        write!(
            f,
            "FAULT {} detect_ms={} recover_ms={} down_requests={} invariant=ok {}",
            self.scenario,
            ms(self.detect_ms),
            ms(self.recover_ms),
            self.down_requests,
            self.extra
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live_view::PanelLine;
    use serde_json::json;

    fn job(id: &str, status: &str, attempt: u64, processed: u64) -> (String, Value) {
        (
            id.into(),
            json!({"id": id, "status": status, "attempt": attempt,
                   "progress": {"processed": processed, "total": 1000}}),
        )
    }

    fn shown(id: &str, status: &str, attempt: u64, progress: &str) -> ShownJob {
        ShownJob {
            id: id.into(),
            status: status.into(),
            attempt: format!("attempt {attempt}"),
            progress: progress.into(),
        }
    }

    #[test]
    fn shown_values_must_lie_between_the_two_readings() {
        let before: BTreeMap<_, _> =
            [job("a", "running", 1, 100), job("b", "succeeded", 1, 1000)].into();
        let after: BTreeMap<_, _> =
            [job("a", "running", 1, 300), job("b", "succeeded", 1, 1000)].into();
        let ok = [
            shown("a", "running", 1, "200 / 1,000 rows (20%)"),
            shown("b", "succeeded", 1, "1,000 / 1,000 rows (100%)"),
        ];
        assert!(jobs_diff(&before, &ok, &after).is_empty());
        let stale = [
            shown("a", "running", 1, "50 / 1,000 rows (5%)"),
            shown("b", "running", 1, "1,000 / 1,000 rows (100%)"),
        ];
        assert_eq!(
            jobs_diff(&before, &stale, &after).len(),
            2,
            "{:?}",
            jobs_diff(&before, &stale, &after)
        );
        let missing = [
            shown("a", "running", 2, "200 / 1,000 rows (20%)"),
            shown("a", "running", 1, "200 / 1,000 rows"),
        ];
        let diff = jobs_diff(&before, &missing, &after);
        assert!(diff.iter().any(|d| d.contains("attempt 2")), "{diff:?}");
        assert!(diff.iter().any(|d| d.contains("2 cards")), "{diff:?}");
        assert!(
            diff.iter().any(|d| d.contains("b is not shown")),
            "{diff:?}"
        );
    }

    #[test]
    fn log_skips_need_a_gap_marker_and_duplicates_fail() {
        let backend: Vec<Value> = (1..=5)
            .map(|n| json!({"n": n, "text": format!("l{n}")}))
            .collect();
        let line = |n: u64| PanelLine {
            n,
            text: format!("l{n}"),
        };
        let panel = |ns: &[u64], gaps: &[&str]| LogPanelView {
            present: true,
            lines: ns.iter().map(|n| line(*n)).collect(),
            gaps: gaps.iter().map(|g| g.to_string()).collect(),
        };
        assert!(log_diff(&panel(&[1, 2, 3, 4, 5], &[]), &backend).is_empty());
        assert!(log_diff(
            &panel(&[1, 4, 5], &["Lines 2–3 could not be received"]),
            &backend
        )
        .is_empty());
        assert!(!log_diff(&panel(&[1, 4, 5], &[]), &backend).is_empty());
        assert!(!log_diff(&panel(&[1, 2, 2, 3], &[]), &backend).is_empty());
        let mut wrong = panel(&[1, 2], &[]);
        wrong.lines[1].text = "other".into();
        assert!(!log_diff(&wrong, &backend).is_empty());
    }

    #[test]
    fn progress_text_parses() {
        let j = shown("a", "running", 3, "1,500 / 20,000 rows (8%)");
        assert_eq!(j.progress_numbers(), (Some(1500), Some(20000)));
        assert_eq!(j.attempt_number(), Some(3));
        assert_eq!(
            shown("a", "queued", 1, "0 rows").progress_numbers(),
            (Some(0), None)
        );
    }
}
