//! Tests of `state::job_filter`.

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
