//! What the jobs page's bulk actions act on: the quick actions' scope ("Retry all failed"
//! means failed jobs, not cancelled ones, unless the filter names statuses), the counts their
//! labels state, and the plan for a selection. The plans themselves are `state::bulk`'s; this
//! module only decides which plan and which scope.

use crate::state::bulk::{plan_group, plan_matching, plan_selected, BulkKind, Plan};
use crate::state::job_filter::JobFilter;
use crate::state::selection::Selection;
use crate::types::{Job, JobStatus};

/// The scope of the quick actions: "Retry all failed" means failed jobs (not cancelled ones)
/// unless the filter names statuses itself.
pub fn quick_scope(kind: BulkKind, filter: &JobFilter) -> JobFilter {
    match kind {
        BulkKind::Retry if filter.status.is_empty() => JobFilter {
            status: [JobStatus::Failed].into_iter().collect(),
            ..filter.clone()
        },
        _ => filter.clone(),
    }
}

/// How many listed jobs a quick action would act on, from the listed jobs' per-status counts
/// (`Listed::listed_counts`, `JobStatus::ALL` order), so its label states the count it
/// confirms without walking the list.
pub fn quick_count(kind: BulkKind, filter: &JobFilter, listed_counts: [u64; 6]) -> usize {
    let scope = quick_scope(kind, filter);
    JobStatus::ALL
        .iter()
        .zip(listed_counts)
        .filter(|(s, _)| {
            kind.eligible().contains(s) && (scope.status.is_empty() || scope.status.contains(s))
        })
        .map(|(_, n)| n as usize)
        .sum::<usize>()
}

/// The plan of a quick action ("Cancel all running", "Retry all failed") over the listed jobs.
pub fn plan_quick<'a>(
    kind: BulkKind,
    filter: &JobFilter,
    shown: impl Iterator<Item = (&'a Job, JobStatus)>,
) -> Plan {
    plan_matching(kind, &quick_scope(kind, filter), shown)
}

/// How many jobs "Retry this group" would retry: the group's jobs still shown as failed. A
/// group is counted from the server's statuses when the failures are grouped; a job retried
/// since (or being retried, shown as queued) is no longer retried by the group's action, so
/// the label says what the confirmation will act on, not how many failed.
pub fn group_retry_count<'a>(
    ids: &[String],
    shown: impl Iterator<Item = (&'a Job, JobStatus)>,
) -> usize {
    plan_group("", ids, shown).count()
}

/// How many jobs an action on the selection would act on, for its label ("Cancel selected
/// (3)" when 5 are selected and 2 of them already finished): with "all matching", the listed
/// jobs the action can take (from the per-status counts); otherwise the selected ones among
/// them.
pub fn selection_count<'a>(
    kind: BulkKind,
    selection: &Selection,
    listed_counts: [u64; 6],
    shown: impl Iterator<Item = (&'a Job, JobStatus)>,
) -> usize {
    let eligible = kind.eligible();
    if selection.all_matching() {
        return JobStatus::ALL
            .iter()
            .zip(listed_counts)
            .filter(|(s, _)| eligible.contains(s))
            .map(|(_, n)| n as usize)
            .sum();
    }
    if selection.ids().is_empty() {
        return 0;
    }
    shown
        .filter(|(j, s)| eligible.contains(s) && selection.contains(&j.id))
        .count()
}

/// The plan of an action on the selection: everything matching the filter when the user chose
/// "select all matching", the selected ids otherwise.
pub fn plan_for_selection<'a>(
    kind: BulkKind,
    selection: &Selection,
    filter: &JobFilter,
    shown: impl Iterator<Item = (&'a Job, JobStatus)>,
) -> Plan {
    if selection.all_matching() {
        plan_matching(kind, filter, shown)
    } else {
        plan_selected(kind, selection.ids(), shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::bulk::PlanScope;
    use crate::state::jobs_store::tests::job;
    use proptest::prelude::*;

    fn listed(statuses: &[JobStatus]) -> Vec<(Job, JobStatus)> {
        statuses
            .iter()
            .enumerate()
            .map(|(i, s)| (job(&format!("j{i}"), 1, *s, 1, 0), *s))
            .collect()
    }

    fn counts(list: &[(Job, JobStatus)]) -> [u64; 6] {
        let mut c = [0u64; 6];
        for (_, s) in list {
            c[s.index()] += 1;
        }
        c
    }

    fn shown(list: &[(Job, JobStatus)]) -> impl Iterator<Item = (&Job, JobStatus)> {
        list.iter().map(|(j, s)| (j, *s))
    }

    const MIXED: [JobStatus; 7] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Running,
        JobStatus::Cancelling,
        JobStatus::Failed,
        JobStatus::Cancelled,
        JobStatus::Succeeded,
    ];

    #[test]
    fn retry_all_means_failed_unless_the_filter_names_statuses() {
        let any = JobFilter::default();
        let only_failed = quick_scope(BulkKind::Retry, &any);
        assert_eq!(
            only_failed.status,
            [JobStatus::Failed].into_iter().collect()
        );
        let named = JobFilter {
            status: [JobStatus::Cancelled].into_iter().collect(),
            q: "x".into(),
            ..JobFilter::default()
        };
        assert_eq!(quick_scope(BulkKind::Retry, &named), named);
        // Cancel never narrows: queued and running are both what "Cancel all" means.
        assert_eq!(quick_scope(BulkKind::Cancel, &any), any);
        // The rest of the filter is kept.
        let searched = JobFilter {
            q: "sales".into(),
            ..JobFilter::default()
        };
        assert_eq!(quick_scope(BulkKind::Retry, &searched).q, "sales");
    }

    #[test]
    fn quick_counts_of_a_mixed_list() {
        let list = listed(&MIXED);
        let any = JobFilter::default();
        assert_eq!(quick_count(BulkKind::Cancel, &any, counts(&list)), 3);
        assert_eq!(quick_count(BulkKind::Retry, &any, counts(&list)), 1);
        let both = JobFilter {
            status: [JobStatus::Failed, JobStatus::Cancelled]
                .into_iter()
                .collect(),
            ..JobFilter::default()
        };
        assert_eq!(quick_count(BulkKind::Retry, &both, counts(&list)), 2);
        // A status filter with nothing eligible leaves nothing to cancel.
        let done = JobFilter {
            status: [JobStatus::Succeeded].into_iter().collect(),
            ..JobFilter::default()
        };
        assert_eq!(quick_count(BulkKind::Cancel, &done, counts(&list)), 0);
    }

    #[test]
    fn quick_retry_plans_only_failed_jobs() {
        let list = listed(&MIXED);
        let plan = plan_quick(BulkKind::Retry, &JobFilter::default(), shown(&list));
        assert_eq!(plan.ids, vec!["j4".to_string()]);
        assert_eq!(plan.kind, BulkKind::Retry);
    }

    #[test]
    fn a_selection_plans_its_ids_and_all_matching_plans_the_filter() {
        let list = listed(&MIXED);
        let order: Vec<String> = list.iter().map(|(j, _)| j.id.clone()).collect();
        let mut sel = Selection::default();
        sel.click("j1", false, &order);
        sel.click("j6", false, &order);
        let plan = plan_for_selection(BulkKind::Cancel, &sel, &JobFilter::default(), shown(&list));
        assert_eq!(plan.ids, vec!["j1".to_string()]);
        assert_eq!(plan.skipped, 1);
        assert_eq!(plan.scope, PlanScope::Ids(vec!["j1".into()]));

        sel.select_all_matching();
        let plan = plan_for_selection(BulkKind::Cancel, &sel, &JobFilter::default(), shown(&list));
        assert_eq!(plan.ids, vec!["j0", "j1", "j2"]);
        assert!(matches!(plan.scope, PlanScope::Filter(_)));
    }

    fn arb_status() -> impl Strategy<Value = JobStatus> {
        (0usize..6).prop_map(|i| JobStatus::ALL[i])
    }

    proptest! {
        /// A quick action's label states exactly the count its confirmation acts on.
        #[test]
        fn the_label_count_is_the_plan_count(
            statuses in proptest::collection::vec(arb_status(), 0..40),
            named in proptest::collection::btree_set(arb_status(), 0..4),
            cancel in any::<bool>(),
        ) {
            let kind = if cancel { BulkKind::Cancel } else { BulkKind::Retry };
            let list = listed(&statuses);
            let filter = JobFilter { status: named, ..JobFilter::default() };
            prop_assert_eq!(
                quick_count(kind, &filter, counts(&list)),
                plan_quick(kind, &filter, shown(&list)).count()
            );
        }
    }

    #[test]
    fn a_group_counts_only_what_its_retry_will_retry() {
        let list = listed(&[JobStatus::Failed, JobStatus::Failed, JobStatus::Queued]);
        let ids: Vec<String> = ["j0", "j1", "j2", "gone"].map(String::from).to_vec();
        // j2 was retried since the group was counted (queued now); "gone" is not held.
        assert_eq!(group_retry_count(&ids, shown(&list)), 2);
        let plan = plan_group("g", &ids, shown(&list));
        assert_eq!(plan.count(), 2);
        assert_eq!(plan.skipped, 1);
    }

    proptest! {
        /// "Retry this group (N)" counts the group's jobs shown as failed, and the plan its
        /// click confirms retries exactly those.
        #[test]
        fn the_group_label_count_is_the_plan_count(
            statuses in proptest::collection::vec(arb_status(), 0..30),
            pick in proptest::collection::vec(any::<bool>(), 30),
        ) {
            let list = listed(&statuses);
            let picked: Vec<&(Job, JobStatus)> =
                list.iter().zip(&pick).filter(|(_, p)| **p).map(|(e, _)| e).collect();
            let ids: Vec<String> = picked.iter().map(|(j, _)| j.id.clone()).collect();
            let failed = picked.iter().filter(|(_, s)| *s == JobStatus::Failed).count();
            prop_assert_eq!(group_retry_count(&ids, shown(&list)), failed);
            prop_assert_eq!(plan_group("g", &ids, shown(&list)).ids.len(), failed);
        }
    }

    proptest! {
        /// "Cancel selected (N)" / "Retry selected (N)" state the count of the plan their
        /// click confirms, for a picked selection and for "all matching".
        #[test]
        fn the_selection_label_count_is_the_plan_count(
            statuses in proptest::collection::vec(arb_status(), 0..40),
            pick in proptest::collection::vec(any::<bool>(), 40),
            all in any::<bool>(),
            cancel in any::<bool>(),
        ) {
            let kind = if cancel { BulkKind::Cancel } else { BulkKind::Retry };
            let list = listed(&statuses);
            let order: Vec<String> = list.iter().map(|(j, _)| j.id.clone()).collect();
            let mut sel = Selection::default();
            for (id, p) in order.iter().zip(&pick) {
                if *p {
                    sel.click(id, false, &order);
                }
            }
            if all {
                sel.select_all_matching();
            }
            let filter = JobFilter::default();
            prop_assert_eq!(
                selection_count(kind, &sel, counts(&list), shown(&list)),
                plan_for_selection(kind, &sel, &filter, shown(&list)).count()
            );
        }
    }
}
