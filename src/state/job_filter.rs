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
mod tests {
    use super::*;
    use crate::fixtures::job_error;
    use crate::state::failures::tests::arb_jobs;
    use crate::state::failures::{fingerprint, group_failures};
    use crate::state::jobs_store::tests::job;
    use proptest::prelude::*;

    #[test]
    fn query_round_trip_and_tolerance() {
        let f = JobFilter::from_query(
            "?status=failed,cancelled,bogus&dataset=ds_sales&kind=validate&q=n%2Fa+x&sort=eta&x=1\
             &failure=type:ValueError&within=3600",
        );
        assert_eq!(
            f.status,
            [JobStatus::Failed, JobStatus::Cancelled]
                .into_iter()
                .collect()
        );
        assert_eq!(f.dataset.as_deref(), Some("ds_sales"));
        assert_eq!(f.kind, Some(JobKind::Validate));
        assert_eq!(f.q, "n/a x");
        assert_eq!(f.sort, Sort::Eta);
        assert_eq!(f.failure, Some(FailureKey::Type("ValueError".into())));
        assert_eq!(f.within_s, Some(3600));
        assert!(f
            .to_query()
            .ends_with("&failure=type%3AValueError&within=3600"));
        assert_eq!(JobFilter::from_query(&f.to_query()), f);
        assert_eq!(JobFilter::default().to_query(), "");
        assert_eq!(JobFilter::from_query("%zz=%"), JobFilter::default());
        for bad in [
            "failure=ValueError",
            "failure=type:",
            "failure=fp:xyz",
            "within=-5",
            "within=0",
            "within=soon",
        ] {
            assert_eq!(JobFilter::from_query(bad), JobFilter::default(), "{bad}");
        }
        let fp = JobFilter::from_query("failure=fp%3A0123456789abcdef");
        assert_eq!(
            fp.failure,
            Some(FailureKey::Fingerprint("0123456789abcdef".into()))
        );
        assert!(fp.is_narrowed());
        assert!(!JobFilter::from_query("within=60").is_narrowed());
    }

    #[test]
    fn metrics_panel_state_round_trips_and_narrows_nothing() {
        let f = JobFilter::from_query("status=failed&metrics=24h");
        assert_eq!(f.metrics, Some(Window::H24));
        assert_eq!(f.to_query(), "status=failed&metrics=24h");
        assert_eq!(JobFilter::from_query("metrics=1y").metrics, None);
        let open = JobFilter::from_query("metrics=15m");
        assert!(!open.is_narrowed());
        assert_eq!(JobFilter::from_query(&open.to_query()), open);
    }

    #[test]
    fn the_layout_round_trips_and_narrows_nothing() {
        let f = JobFilter::from_query("status=running&view=compact");
        assert_eq!(f.layout, Layout::Compact);
        assert_eq!(f.to_query(), "status=running&view=compact");
        assert!(!JobFilter::from_query("view=compact").is_narrowed());
        // Cards are the default and not written; an unknown layout opens the default.
        assert_eq!(JobFilter::from_query("view=cards").to_query(), "");
        assert_eq!(JobFilter::from_query("view=grid").layout, Layout::Cards);
    }

    #[test]
    fn failure_filter_needs_a_failed_job_in_the_group_and_window() {
        let mut j = job("job_abc", 1, JobStatus::Failed, 1, 0);
        let e = job_error("ValueError", "row 7: bad", "");
        j.error = Some(e.clone());
        j.finished_at = Some(50_000);
        let f = |q: &str| JobFilter::from_query(q);
        let by_type = f("failure=type:ValueError");
        assert!(by_type.matches(&j, JobStatus::Failed));
        // The list shows a retried job as queued: it is no longer a failure.
        assert!(!by_type.matches(&j, JobStatus::Queued));
        assert!(!f("failure=type:KeyError").matches(&j, JobStatus::Failed));
        let fp = format!("failure=fp:{}", fingerprint(&e));
        assert!(f(&fp).matches(&j, JobStatus::Failed));
        // The window: 50 s old matches a minute, not 10 s; `matches` alone ignores it.
        assert!(f(&format!("{fp}&within=60")).matches_at(&j, JobStatus::Failed, 100_000));
        let recent = f(&format!("{fp}&within=10"));
        assert!(!recent.matches_at(&j, JobStatus::Failed, 100_000));
        assert!(recent.matches(&j, JobStatus::Failed));
        // Without a key the window does nothing.
        assert!(f("within=10").matches_at(&j, JobStatus::Failed, 100_000));
        assert!(f("within=10").matches_at(&j, JobStatus::Running, 100_000));
        assert_eq!(
            describe_failure(&FailureKey::Type("ValueError".into())),
            "failure type ValueError"
        );
        assert_eq!(
            describe_failure(&FailureKey::Fingerprint("0123456789abcdef".into())),
            "failure pattern 0123456789abcdef"
        );
    }

    #[test]
    fn matching() {
        let mut j = job("job_abc", 1, JobStatus::Failed, 1, 0);
        j.error = Some(job_error("ValueError", "could not convert 'n/a'", ""));
        let f = |q: &str| JobFilter::from_query(q);
        assert!(f("").matches(&j, j.status));
        assert!(f("status=failed").matches(&j, j.status));
        assert!(!f("status=running").matches(&j, j.status));
        assert!(f("q=valueerror").matches(&j, j.status));
        assert!(f("q=SALES").matches(&j, j.status));
        assert!(!f("q=nomatch").matches(&j, j.status));
        assert!(!f("dataset=ds_other").matches(&j, j.status));
        assert!(!f("kind=validate").matches(&j, j.status));
    }

    proptest! {
        #[test]
        fn any_filter_survives_the_url(
            statuses in proptest::collection::btree_set(0usize..6, 0..6),
            dataset in proptest::option::of("[a-z_]{1,12}"),
            q in "\\PC{0,20}",
            sort in 0usize..3,
            failure in proptest::option::of(prop_oneof![
                "[A-Za-z_][A-Za-z0-9_.]{0,20}( [A-Za-z]{1,5})?".prop_map(FailureKey::Type),
                "[0-9a-f]{16}".prop_map(FailureKey::Fingerprint),
            ]),
            within_s in proptest::option::of(1u64..10_000_000),
            metrics in proptest::option::of(0usize..3),
            compact in any::<bool>(),
        ) {
            let f = JobFilter {
                status: statuses.into_iter().map(|i| JobStatus::ALL[i]).collect(),
                dataset,
                kind: None,
                q,
                sort: Sort::ALL[sort],
                failure,
                within_s,
                metrics: metrics.map(|i| Window::ALL[i]),
                layout: if compact { Layout::Compact } else { Layout::Cards },
            };
            prop_assert_eq!(JobFilter::from_query(&f.to_query()), f);
        }

        /// The list filtered to a group shows exactly the jobs the group counted.
        #[test]
        fn a_group_link_lists_exactly_its_jobs(
            jobs in arb_jobs(),
            now in 0i64..12_000,
            within_s in 1u64..12,
        ) {
            let groups = group_failures(&jobs, window_start(now, within_s));
            for g in groups.by_type.iter().chain(&groups.by_fingerprint) {
                let f = JobFilter {
                    failure: Some(g.key.clone()),
                    within_s: Some(within_s),
                    ..JobFilter::default()
                };
                let f = JobFilter::from_query(&f.to_query());
                let mut listed: Vec<&str> = jobs
                    .iter()
                    .filter(|j| f.matches_at(j, j.status, now))
                    .map(|j| j.id.as_str())
                    .collect();
                let mut counted: Vec<&str> = g.job_ids.iter().map(String::as_str).collect();
                listed.sort_unstable();
                counted.sort_unstable();
                prop_assert_eq!(listed, counted, "{:?}", g.key);
            }
            // A type with no failures in the window lists nothing.
            for kind in crate::state::failures::tests::KINDS {
                let key = FailureKey::Type(kind.into());
                if groups.by_type.iter().all(|g| g.key != key) {
                    let f = JobFilter {
                        failure: Some(key),
                        within_s: Some(within_s),
                        ..JobFilter::default()
                    };
                    prop_assert!(!jobs.iter().any(|j| f.matches_at(j, j.status, now)));
                }
            }
        }
    }
}
