//! Bulk actions planned before they are confirmed: exactly which jobs, how many, and how the
//! scope is described to the user ("Cancel 37 running or queued jobs").

use std::collections::BTreeSet;

use crate::state::job_filter::JobFilter;
use crate::types::{Job, JobStatus};

/// What a bulk action does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkKind {
    Cancel,
    Retry,
}

impl BulkKind {
    /// Statuses the action applies to.
    pub fn eligible(self) -> &'static [JobStatus] {
        match self {
            BulkKind::Cancel => &[JobStatus::Queued, JobStatus::Running],
            BulkKind::Retry => &[JobStatus::Failed, JobStatus::Cancelled],
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            BulkKind::Cancel => "Cancel",
            BulkKind::Retry => "Retry",
        }
    }

    /// "running or queued", "failed or cancelled".
    pub fn noun(self) -> &'static str {
        match self {
            BulkKind::Cancel => "running or queued",
            BulkKind::Retry => "failed or cancelled",
        }
    }
}

/// Where the server should look for the jobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanScope {
    /// These ids, exactly.
    Ids(Vec<String>),
    /// Whatever matches this filter (restricted to eligible statuses) when the server gets it.
    Filter(JobFilter),
    /// The jobs of one failure group, exactly, sent in one request (`label` names the group
    /// in the confirmation).
    Group { label: String, ids: Vec<String> },
}

/// A bulk action ready for confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub kind: BulkKind,
    pub scope: PlanScope,
    /// Eligible jobs as the page knows them now (for optimistic display and the count).
    pub ids: Vec<String>,
    /// Selected jobs the action leaves alone (not in an eligible status).
    pub skipped: usize,
}

impl Plan {
    pub fn count(&self) -> usize {
        self.ids.len()
    }

    /// The confirmation's question, e.g. "Cancel 37 running or queued jobs?".
    pub fn question(&self) -> String {
        let n = self.count();
        let jobs = if n == 1 { "job" } else { "jobs" };
        if let PlanScope::Group { label, .. } = &self.scope {
            return format!("Retry the {n} failed {jobs} of {}?", isolate(label));
        }
        format!("{} {n} {} {jobs}?", self.kind.verb(), self.kind.noun())
    }

    /// What the scope is, in words.
    pub fn scope_text(&self, describe_filter: impl Fn(&JobFilter) -> String) -> String {
        match &self.scope {
            PlanScope::Ids(_) if self.skipped > 0 => format!(
                "Scope: the selected jobs. {} selected job{} not {} will be left alone.",
                self.skipped,
                if self.skipped == 1 { " is" } else { "s are" },
                self.kind.noun()
            ),
            PlanScope::Ids(_) => "Scope: the selected jobs.".into(),
            PlanScope::Group { label, .. } => format!(
                "Scope: exactly the {} failed job{} of the failure group {}, as the page knows them now.",
                self.count(),
                if self.count() == 1 { "" } else { "s" },
                isolate(label),
            ),
            PlanScope::Filter(f) => format!(
                "Scope: every {} job matching {} when the server receives the request ({} now).",
                self.kind.noun(),
                describe_filter(f),
                self.count()
            ),
        }
    }
}

/// Untrusted text inside the app's own sentence, wrapped in Unicode isolates (FSI … PDI) with
/// its bidi controls shown as `⟨U+202E⟩` markers (`state::bidi`): a bidirectional override in
/// an error type cannot reorder the words around it. (These strings end up in attributes and
/// titles, where `<bdi>` cannot go.)
fn isolate(text: &str) -> String {
    crate::state::bidi::isolate_visible(text)
}

/// Plans `kind` over the selected ids (`shown` gives each listed job's shown status).
pub fn plan_selected<'a>(
    kind: BulkKind,
    selected: &BTreeSet<String>,
    shown: impl Iterator<Item = (&'a Job, JobStatus)>,
) -> Plan {
    let mut ids = Vec::new();
    let mut skipped = 0;
    for (job, status) in shown {
        if selected.contains(&job.id) {
            if kind.eligible().contains(&status) {
                ids.push(job.id.clone());
            } else {
                skipped += 1;
            }
        }
    }
    Plan {
        kind,
        scope: PlanScope::Ids(ids.clone()),
        ids,
        skipped,
    }
}

/// Plans a retry of exactly the failed jobs of one failure group (`ids` as grouped: jobs that
/// are no longer failed when the plan is made are left out and counted as skipped).
pub fn plan_group<'a>(
    label: &str,
    ids: &[String],
    shown: impl Iterator<Item = (&'a Job, JobStatus)>,
) -> Plan {
    let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let mut eligible = Vec::new();
    let mut skipped = 0;
    for (job, status) in shown {
        if wanted.contains(job.id.as_str()) {
            if status == JobStatus::Failed {
                eligible.push(job.id.clone());
            } else {
                skipped += 1;
            }
        }
    }
    Plan {
        kind: BulkKind::Retry,
        scope: PlanScope::Group {
            label: label.to_string(),
            ids: eligible.clone(),
        },
        ids: eligible,
        skipped,
    }
}

/// Plans `kind` over every job matching `filter` (the matching jobs the page knows are in
/// `matching`, with their shown status). A filter the server cannot apply (a failure pattern
/// is grouped by the page) becomes the exact ids instead, so the server never widens it.
pub fn plan_matching<'a>(
    kind: BulkKind,
    filter: &JobFilter,
    matching: impl Iterator<Item = (&'a Job, JobStatus)>,
) -> Plan {
    let eligible: BTreeSet<JobStatus> = kind.eligible().iter().copied().collect();
    let status: BTreeSet<JobStatus> = if filter.status.is_empty() {
        eligible.clone()
    } else {
        filter.status.intersection(&eligible).copied().collect()
    };
    let ids: Vec<String> = matching
        .filter(|(_, s)| status.contains(s))
        .map(|(j, _)| j.id.clone())
        .collect();
    if filter.failure.is_some() {
        return Plan {
            kind,
            scope: PlanScope::Ids(ids.clone()),
            ids,
            skipped: 0,
        };
    }
    Plan {
        kind,
        scope: PlanScope::Filter(JobFilter {
            status,
            ..filter.clone()
        }),
        ids,
        skipped: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::jobs_store::tests::job;

    #[test]
    fn selected_plan_counts_eligible_and_skipped() {
        let jobs = [
            job("a", 1, JobStatus::Running, 1, 0),
            job("b", 1, JobStatus::Succeeded, 1, 0),
            job("c", 1, JobStatus::Queued, 1, 0),
            job("d", 1, JobStatus::Running, 1, 0),
        ];
        let sel: BTreeSet<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let p = plan_selected(BulkKind::Cancel, &sel, jobs.iter().map(|j| (j, j.status)));
        assert_eq!(p.ids, vec!["a", "c"]);
        assert_eq!(p.skipped, 1);
        assert_eq!(p.question(), "Cancel 2 running or queued jobs?");
        assert!(p
            .scope_text(|_| String::new())
            .contains("1 selected job is not running or queued"));
    }

    #[test]
    fn matching_plan_intersects_the_filter_with_eligible_statuses() {
        let jobs = [
            job("a", 1, JobStatus::Failed, 1, 0),
            job("b", 1, JobStatus::Cancelled, 1, 0),
            job("c", 1, JobStatus::Running, 1, 0),
        ];
        let f = JobFilter::from_query("status=failed,running");
        let p = plan_matching(BulkKind::Retry, &f, jobs.iter().map(|j| (j, j.status)));
        assert_eq!(p.ids, vec!["a"]);
        match &p.scope {
            PlanScope::Filter(sf) => {
                assert_eq!(sf.status, [JobStatus::Failed].into_iter().collect())
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(p.question(), "Retry 1 failed or cancelled job?");
        let all = plan_matching(
            BulkKind::Retry,
            &JobFilter::default(),
            jobs.iter().map(|j| (j, j.status)),
        );
        assert_eq!(all.ids, vec!["a", "b"]);
    }

    #[test]
    fn group_plan_retries_exactly_the_still_failed_jobs_in_one_scope() {
        let jobs = [
            job("a", 1, JobStatus::Failed, 1, 0),
            job("b", 1, JobStatus::Queued, 2, 0),
            job("c", 1, JobStatus::Failed, 1, 0),
            job("d", 1, JobStatus::Failed, 1, 0),
        ];
        let ids = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let p = plan_group("ValueError", &ids, jobs.iter().map(|j| (j, j.status)));
        assert_eq!(p.ids, vec!["a", "c"]);
        assert_eq!(p.skipped, 1);
        assert_eq!(
            p.question(),
            "Retry the 2 failed jobs of \u{2068}ValueError\u{2069}?"
        );
        assert!(p
            .scope_text(|_| String::new())
            .contains("exactly the 2 failed jobs of the failure group \u{2068}ValueError\u{2069}"));
        assert!(matches!(&p.scope, PlanScope::Group { ids, .. } if ids == &p.ids));
    }

    #[test]
    fn a_failure_filter_is_never_sent_to_the_server_as_a_filter() {
        let jobs = [
            job("a", 1, JobStatus::Failed, 1, 0),
            job("b", 1, JobStatus::Failed, 1, 0),
        ];
        let f = JobFilter::from_query("failure=type%3AValueError");
        assert!(f.failure.is_some());
        let p = plan_matching(BulkKind::Retry, &f, jobs[..1].iter().map(|j| (j, j.status)));
        assert_eq!(p.scope, PlanScope::Ids(vec!["a".to_string()]));
    }
}
