//! How a job filter reads in words: the bulk confirmation's scope ("status failed, dataset
//! Sales") and the failure chip's window (" in the last 1 hour"). Pure, so the wording is
//! pinned natively.

use crate::state::chart::throughput::Window;
use crate::state::job_filter::{describe_failure, JobFilter};
use crate::types::Dataset;

/// The filter as a comma-separated phrase; datasets by name when the page knows them (by id
/// otherwise), "any filter" when nothing narrows it. Sort and metrics do not narrow, so they
/// are left out.
pub fn describe_filter(f: &JobFilter, datasets: &[Dataset]) -> String {
    let mut parts = Vec::new();
    if !f.status.is_empty() {
        let s: Vec<&str> = f.status.iter().map(|s| s.as_str()).collect();
        parts.push(format!("status {}", s.join(" or ")));
    }
    if let Some(d) = &f.dataset {
        let name = datasets
            .iter()
            .find(|x| &x.id == d)
            .map(|x| x.name.as_str())
            .unwrap_or(d);
        parts.push(format!("dataset {name}"));
    }
    if let Some(k) = f.kind {
        parts.push(format!("kind {k}"));
    }
    if !f.q.is_empty() {
        parts.push(format!("search “{}”", f.q));
    }
    if let Some(key) = &f.failure {
        parts.push(describe_failure(key));
    }
    if parts.is_empty() {
        "any filter".into()
    } else {
        parts.join(", ")
    }
}

/// The failure chip's time window: " in the last 1 hour" for a window the metrics panel
/// offers, " in the last 42 s" for any other (a hand-edited URL); empty without one.
pub fn failure_window_text(within_s: Option<u64>) -> String {
    within_s
        .map(|s| match Window::ALL.iter().find(|w| w.seconds() == s) {
            Some(w) => format!(" in the last {}", w.label()),
            None => format!(" in the last {s} s"),
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::failures::FailureKey;
    use crate::state::job_filter::Sort;
    use crate::types::{JobKind, JobStatus};
    use proptest::prelude::*;

    fn dataset(id: &str, name: &str) -> Dataset {
        Dataset {
            id: id.into(),
            name: name.into(),
            rows: 10,
            columns: vec!["a".into()],
            size_bytes: 100,
            created_at: 0,
        }
    }

    #[test]
    fn an_empty_filter_reads_any_filter() {
        assert_eq!(describe_filter(&JobFilter::default(), &[]), "any filter");
        // Sort and the metrics window do not narrow the scope.
        let f = JobFilter {
            sort: Sort::Eta,
            metrics: Some(Window::H24),
            ..JobFilter::default()
        };
        assert_eq!(describe_filter(&f, &[]), "any filter");
    }

    #[test]
    fn every_part_in_order() {
        let f = JobFilter {
            status: [JobStatus::Cancelled, JobStatus::Failed]
                .into_iter()
                .collect(),
            dataset: Some("ds_sales".into()),
            kind: Some(JobKind::Validate),
            q: "n/a".into(),
            failure: Some(FailureKey::Type("ValueError".into())),
            ..JobFilter::default()
        };
        let datasets = [
            dataset("ds_other", "Other"),
            dataset("ds_sales", "Sales Q3"),
        ];
        let statuses = f
            .status
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" or ");
        assert_eq!(
            describe_filter(&f, &datasets),
            format!(
                "status {statuses}, dataset Sales Q3, kind {}, search “n/a”, failure type ValueError",
                JobKind::Validate
            )
        );
        assert!(statuses.contains("failed") && statuses.contains("cancelled"));
    }

    #[test]
    fn an_unknown_dataset_reads_as_its_id() {
        let f = JobFilter {
            dataset: Some("ds_gone".into()),
            ..JobFilter::default()
        };
        assert_eq!(
            describe_filter(&f, &[dataset("ds_sales", "Sales")]),
            "dataset ds_gone"
        );
    }

    #[test]
    fn a_failure_pattern() {
        let f = JobFilter {
            failure: Some(FailureKey::Fingerprint("abc123".into())),
            ..JobFilter::default()
        };
        assert_eq!(describe_filter(&f, &[]), "failure pattern abc123");
    }

    #[test]
    fn failure_windows() {
        assert_eq!(failure_window_text(None), "");
        assert_eq!(failure_window_text(Some(900)), " in the last 15 min");
        assert_eq!(failure_window_text(Some(3_600)), " in the last 1 hour");
        assert_eq!(failure_window_text(Some(86_400)), " in the last 24 hours");
        assert_eq!(failure_window_text(Some(42)), " in the last 42 s");
    }

    proptest! {
        /// Any search text is quoted verbatim, and a filter with a part never reads "any filter".
        #[test]
        fn search_text_is_quoted_verbatim(q in "[a-zA-Z0-9 ,“”]{1,16}") {
            let f = JobFilter { q: q.clone(), ..JobFilter::default() };
            prop_assert_eq!(describe_filter(&f, &[]), format!("search “{q}”"));
        }

        /// Only the windows the panel offers read by label; every other length in seconds.
        #[test]
        fn window_text_names_the_seconds(s in 0u64..200_000) {
            let text = failure_window_text(Some(s));
            if Window::ALL.iter().any(|w| w.seconds() == s) {
                prop_assert!(!text.ends_with(" s"));
            } else {
                prop_assert_eq!(text, format!(" in the last {s} s"));
            }
        }
    }
}
