//! The list's view settings — status/dataset/kind filters, text search, sort — and their
//! URL form, so a view can be bookmarked, shared, and opened pre-filtered by the shell
//! (`#/jobs?dataset=<id>`).

use std::collections::BTreeSet;

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
}

impl JobFilter {
    /// Reads `status=failed,cancelled&dataset=ds_x&kind=profile&q=text&sort=eta`; unknown
    /// keys and values are ignored (a bad link still opens the page).
    pub fn from_query(query: &str) -> Self {
        let mut f = JobFilter::default();
        for (k, v) in parse_query(query) {
            match k.as_str() {
                "status" => f.status.extend(v.split(',').filter_map(parse_status)),
                "dataset" if !v.is_empty() => f.dataset = Some(v),
                "kind" => f.kind = JobKind::ALL.into_iter().find(|x| x.as_str() == v),
                "q" => f.q = v,
                "sort" => f.sort = Sort::parse(&v).unwrap_or_default(),
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
        parts.join("&")
    }

    /// Whether anything narrows the list.
    pub fn is_narrowed(&self) -> bool {
        !self.status.is_empty()
            || self.dataset.is_some()
            || self.kind.is_some()
            || !self.q.is_empty()
    }

    /// Whether `job` (shown with `status`) passes the filter.
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
        if self.q.is_empty() {
            return true;
        }
        let q = self.q.to_lowercase();
        job.id.to_lowercase().contains(&q)
            || job.dataset_name.to_lowercase().contains(&q)
            || job.kind.as_str().contains(&q)
            || job.error.as_ref().is_some_and(|e| {
                e.kind.to_lowercase().contains(&q) || e.message.to_lowercase().contains(&q)
            })
    }
}

fn parse_status(s: &str) -> Option<JobStatus> {
    JobStatus::ALL.into_iter().find(|x| x.as_str() == s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::jobs_store::tests::job;
    use proptest::prelude::*;

    #[test]
    fn query_round_trip_and_tolerance() {
        let f = JobFilter::from_query(
            "?status=failed,cancelled,bogus&dataset=ds_sales&kind=validate&q=n%2Fa+x&sort=eta&x=1",
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
        assert_eq!(JobFilter::from_query(&f.to_query()), f);
        assert_eq!(JobFilter::default().to_query(), "");
        assert_eq!(JobFilter::from_query("%zz=%"), JobFilter::default());
    }

    #[test]
    fn matching() {
        let mut j = job("job_abc", 1, JobStatus::Failed, 1, 0);
        j.error = Some(crate::types::JobError {
            kind: "ValueError".into(),
            message: "could not convert 'n/a'".into(),
            traceback: String::new(),
        });
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
        ) {
            let f = JobFilter {
                status: statuses.into_iter().map(|i| JobStatus::ALL[i]).collect(),
                dataset,
                kind: None,
                q,
                sort: Sort::ALL[sort],
            };
            prop_assert_eq!(JobFilter::from_query(&f.to_query()), f);
        }
    }
}
