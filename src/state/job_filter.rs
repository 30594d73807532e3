//! The list's view settings — status/dataset/kind filters, text search, sort — and their
//! URL form, so a view can be bookmarked, shared, and opened pre-filtered by the shell
//! (`#/jobs?dataset=<id>`) or by the failures view
//! (`#/jobs?failure=type%3AValueError&within=3600`).

use std::collections::BTreeSet;

use crate::state::chart::throughput::Window;
use crate::state::failures::{in_window, key_matches, window_start, FailureKey};
use crate::state::list_layout::Layout;
use crate::state::url::parse_query;
use crate::types::{Job, JobKind, JobStatus};

/// How the list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Newest,
    Progress,
    Eta,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Newest, Sort::Progress, Sort::Eta];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Progress => "progress",
            Sort::Eta => "eta",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Newest => "Newest first",
            Sort::Progress => "Most progress",
            Sort::Eta => "Finishing soonest",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Which jobs are shown, and in what order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Empty means every status.
    pub status: BTreeSet<JobStatus>,
    pub dataset: Option<String>,
    pub kind: Option<JobKind>,
    /// Case-insensitive text search (id, dataset name, kind, error).
    pub q: String,
    pub sort: Sort,
    /// Only failed jobs whose error is in this failure group.
    pub failure: Option<FailureKey>,
    /// With `failure`: only failures of the last `within_s` seconds, as the group was counted.
    /// A duration, not a timestamp, so a shared link means the same window whenever it is
    /// opened; [`JobFilter::matches_at`] applies it. Without `failure` it has no effect.
    pub within_s: Option<u64>,
    /// The metrics panel is open with this window (`metrics=1h`): view state, like `sort`,
    /// kept in the URL so a shared link opens the same view. It narrows nothing.
    pub metrics: Option<Window>,
    /// Cards or compact rows (`view=compact`): view state too, narrowing nothing.
    pub layout: Layout,
}

impl JobFilter {
    /// Reads `status=failed,cancelled&dataset=ds_x&kind=profile&q=text&sort=eta` and
    /// `failure=type:ValueError&within=3600` (or `failure=fp:<16 hex>`); unknown keys and bad
    /// values are ignored (a bad link still opens the page), and so is a zero window.
    pub fn from_query(query: &str) -> Self {
        let mut f = JobFilter::default();
        for (k, v) in parse_query(query) {
            match k.as_str() {
                "status" => f.status.extend(v.split(',').filter_map(parse_status)),
                "dataset" if !v.is_empty() => f.dataset = Some(v),
                "kind" => f.kind = JobKind::ALL.into_iter().find(|x| x.as_str() == v),
                "q" => f.q = v,
                "sort" => f.sort = Sort::parse(&v).unwrap_or_default(),
                "failure" => f.failure = FailureKey::parse(&v),
                "within" => f.within_s = v.parse().ok().filter(|&s: &u64| s > 0),
                "metrics" => f.metrics = Window::parse(&v),
                "view" => f.layout = Layout::parse(&v).unwrap_or_default(),
                _ => {}
            }
        }
        f
    }

    /// The query string (without `?`); empty for the default view.
    pub fn to_query(&self) -> String {
        use crate::state::url::encode_component as enc;
        let mut parts = Vec::new();
        if !self.status.is_empty() {
            let s: Vec<&str> = self.status.iter().map(|s| s.as_str()).collect();
            parts.push(format!("status={}", s.join(",")));
        }
        if let Some(d) = &self.dataset {
            parts.push(format!("dataset={}", enc(d)));
        }
        if let Some(k) = self.kind {
            parts.push(format!("kind={k}"));
        }
        if !self.q.is_empty() {
            parts.push(format!("q={}", enc(&self.q)));
        }
        if self.sort != Sort::Newest {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if let Some(key) = &self.failure {
            parts.push(format!("failure={}", enc(&key.to_param())));
        }
        if let Some(s) = self.within_s {
            parts.push(format!("within={s}"));
        }
        if let Some(w) = self.metrics {
            parts.push(format!("metrics={}", w.as_str()));
        }
        if self.layout != Layout::Cards {
            parts.push(format!("view={}", self.layout.as_str()));
        }
        parts.join("&")
    }

    /// Whether anything narrows the list.
    pub fn is_narrowed(&self) -> bool {
        !self.status.is_empty()
            || self.dataset.is_some()
            || self.kind.is_some()
            || !self.q.is_empty()
            || self.failure.is_some()
    }

    /// Whether `job` (shown with `status`) passes the filter at `now_ms`: [`JobFilter::matches`]
    /// and, with a failure key and a window, a failure of that window — exactly the jobs
    /// `failures::group_failures(jobs, window_start(now_ms, within_s))` counted for the key.
    pub fn matches_at(&self, job: &Job, status: JobStatus, now_ms: i64) -> bool {
        self.matches(job, status)
            && match (&self.failure, self.within_s) {
                (Some(_), Some(s)) => in_window(job, window_start(now_ms, s)),
                _ => true,
            }
    }

    /// Whether `job` (shown with `status`) passes the filter, a failure key included but not
    /// its window (which needs the time: see [`JobFilter::matches_at`]).
    pub fn matches(&self, job: &Job, status: JobStatus) -> bool {
        if !self.status.is_empty() && !self.status.contains(&status) {
            return false;
        }
        if self.dataset.as_deref().is_some_and(|d| d != job.dataset_id) {
            return false;
        }
        if self.kind.is_some_and(|k| k != job.kind) {
            return false;
        }
        if let Some(key) = &self.failure {
            let in_group = job.error.as_ref().is_some_and(|e| key_matches(key, e));
            if status != JobStatus::Failed || !in_group {
                return false;
            }
        }
        if self.q.is_empty() {
            return true;
        }
        let q = self.q.as_str();
        contains_ci(&job.id, q)
            || contains_ci(&job.dataset_name, q)
            || contains_ci(job.kind.as_str(), q)
            || job
                .error
                .as_ref()
                .is_some_and(|e| contains_ci(&e.kind, q) || contains_ci(&e.message, q))
    }
}

/// Whether `hay` contains `needle`, ignoring case (as `to_lowercase` folds it). Without
/// allocating when both are ASCII, which a search over 10,000 jobs does 50,000 times.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(&needle.to_lowercase())
    }
}

/// How a failure filter reads on a chip: `failure type ValueError`, `failure pattern <fp>`.
pub fn describe_failure(key: &FailureKey) -> String {
    match key {
        FailureKey::Type(t) => format!("failure type {t}"),
        FailureKey::Fingerprint(fp) => format!("failure pattern {fp}"),
    }
}

fn parse_status(s: &str) -> Option<JobStatus> {
    JobStatus::ALL.into_iter().find(|x| x.as_str() == s)
}

#[cfg(test)]
mod contains_tests {
    use super::contains_ci;
    use proptest::prelude::*;

    #[test]
    fn folds_case_both_ways() {
        assert!(contains_ci("Sales.CSV", "sales.csv"));
        assert!(contains_ci("timeout", "TimeOut"));
        assert!(contains_ci("Ärger", "äRG"));
        assert!(!contains_ci("abc", "abcd"));
        assert!(contains_ci("abc", ""));
    }

    proptest! {
        #[test]
        fn agrees_with_lowercasing(hay in "[a-zA-Z0-9 ÄäßİI]{0,12}", needle in "[a-zA-Z0-9ÄäI]{0,3}") {
            prop_assert_eq!(
                contains_ci(&hay, &needle),
                hay.to_lowercase().contains(&needle.to_lowercase())
            );
        }
    }
}

#[cfg(test)]
mod tests;
