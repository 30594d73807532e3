//! The jobs page's list between renders: reused while nothing it depends on changed, updated
//! with the changed jobs (`job_list::relist`) while the view stays the same, rebuilt when the
//! filter, the touched set or the clock key change. Holds one list (the last), so it is
//! bounded by the store's own bound.

use std::collections::BTreeSet;
use std::rc::Rc;

use crate::state::job_filter::{JobFilter, Sort};
use crate::state::job_list::{relist, Listed};
use crate::state::jobs_store::JobsState;

/// Which second of the clock the list depends on: sorting by ETA, and a failure window, change
/// as time passes (once a second is enough); any other list only changes when jobs do (0).
pub fn clock_key(filter: &JobFilter, now_ms: i64) -> i64 {
    if filter.sort == Sort::Eta || filter.within_s.is_some() {
        now_ms / 1000
    } else {
        0
    }
}

/// The same touched set: by identity, as comparing thousands of ids every render would cost
/// what the cache saves.
fn same_touched(a: &Option<Rc<BTreeSet<String>>>, b: &Option<Rc<BTreeSet<String>>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Rc::ptr_eq(a, b),
        _ => false,
    }
}

/// What the list was last built for.
struct Built {
    filter: JobFilter,
    touched: Option<Rc<BTreeSet<String>>>,
    clock_key: i64,
    listed: Rc<Listed>,
}

/// The last list and what it was built for.
#[derive(Default)]
pub struct ListCache {
    last: Option<Built>,
}

impl ListCache {
    /// The list for this view of this store: the same `Rc` while neither changed (so what is
    /// keyed on it does not re-render), else updated or rebuilt.
    pub fn list(
        &mut self,
        state: &JobsState,
        filter: &JobFilter,
        touched: &Option<Rc<BTreeSet<String>>>,
        now_ms: i64,
    ) -> Rc<Listed> {
        let clock_key = clock_key(filter, now_ms);
        let same_view = self.last.as_ref().is_some_and(|c| {
            &c.filter == filter && c.clock_key == clock_key && same_touched(&c.touched, touched)
        });
        match self.last.as_ref() {
            Some(c) if same_view && c.listed.revision == state.revision => c.listed.clone(),
            _ => {
                let prev = self.last.as_ref().filter(|_| same_view).map(|c| &c.listed);
                let next = relist(prev, state, filter, touched.as_deref(), now_ms);
                self.last = Some(Built {
                    filter: filter.clone(),
                    touched: touched.clone(),
                    clock_key,
                    listed: next.clone(),
                });
                next
            }
        }
    }

    /// The ids of the list as last built, in order (empty before the first).
    pub fn order(&self) -> Vec<String> {
        self.last
            .iter()
            .flat_map(|c| c.listed.jobs.iter().map(|(j, _)| j.id.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{job_event, snapshot};
    use crate::state::jobs_store::tests::job;
    use crate::state::jobs_store::Action;
    use crate::types::JobStatus;
    use proptest::prelude::*;

    fn store(n: usize) -> JobsState {
        let mut s = JobsState::default();
        s.apply(snapshot(
            1,
            (0..n)
                .map(|j| {
                    let mut job = job(&format!("job_{j:02}"), 1, JobStatus::Running, 1, 1);
                    job.created_at = j as i64;
                    job
                })
                .collect(),
        ));
        s
    }

    /// Job `j` at `version` (also the event's sequence number) in `status`.
    fn update(s: &mut JobsState, j: usize, version: u64, status: JobStatus) {
        let mut job = job(&format!("job_{j:02}"), version, status, 1, version);
        job.created_at = j as i64;
        s.apply(Action::Batch(vec![job_event(version, job)]));
    }

    #[test]
    fn the_clock_matters_only_for_eta_sort_and_failure_windows() {
        let any = JobFilter::default();
        assert_eq!(clock_key(&any, 12_345), 0);
        let eta = JobFilter {
            sort: Sort::Eta,
            ..JobFilter::default()
        };
        assert_eq!(clock_key(&eta, 12_345), 12);
        let window = JobFilter {
            within_s: Some(3_600),
            ..JobFilter::default()
        };
        assert_eq!(clock_key(&window, 12_999), 12);
        assert_eq!(clock_key(&window, 13_000), 13);
    }

    #[test]
    fn an_unchanged_view_of_an_unchanged_store_is_the_same_list() {
        let s = store(3);
        let mut cache = ListCache::default();
        assert!(cache.order().is_empty());
        let a = cache.list(&s, &JobFilter::default(), &None, 0);
        let b = cache.list(&s, &JobFilter::default(), &None, 5_000);
        assert!(Rc::ptr_eq(&a, &b));
        // Newest first.
        assert_eq!(cache.order(), vec!["job_02", "job_01", "job_00"]);
    }

    #[test]
    fn a_change_in_the_store_or_the_view_gives_a_new_list() {
        let mut s = store(3);
        let mut cache = ListCache::default();
        let filter = JobFilter {
            status: [JobStatus::Running].into_iter().collect(),
            ..JobFilter::default()
        };
        let a = cache.list(&s, &filter, &None, 0);
        assert_eq!(a.jobs.len(), 3);
        update(&mut s, 1, 2, JobStatus::Failed);
        let b = cache.list(&s, &filter, &None, 0);
        assert!(!Rc::ptr_eq(&a, &b));
        assert_eq!(cache.order(), vec!["job_02", "job_00"]);

        let touched: Option<Rc<BTreeSet<String>>> =
            Some(Rc::new(["job_00".to_string()].into_iter().collect()));
        let c = cache.list(&s, &filter, &touched, 0);
        assert_eq!(cache.order(), vec!["job_00"]);
        // The same set by identity is the same view; an equal copy is compared by identity too.
        let d = cache.list(&s, &filter, &touched, 0);
        assert!(Rc::ptr_eq(&c, &d));
        let copy = touched.as_deref().cloned().map(Rc::new);
        let e = cache.list(&s, &filter, &copy, 0);
        assert!(!Rc::ptr_eq(&d, &e));
        assert_eq!(e.jobs.len(), 1);
    }

    #[test]
    fn the_eta_sort_is_rebuilt_each_second() {
        let s = store(2);
        let mut cache = ListCache::default();
        let eta = JobFilter {
            sort: Sort::Eta,
            ..JobFilter::default()
        };
        let a = cache.list(&s, &eta, &None, 1_000);
        let b = cache.list(&s, &eta, &None, 1_999);
        assert!(Rc::ptr_eq(&a, &b));
        let c = cache.list(&s, &eta, &None, 2_000);
        assert!(!Rc::ptr_eq(&b, &c));
    }

    proptest! {
        /// Whatever the sequence of views and updates, the cached list is what a fresh cache
        /// builds for the same store and view.
        #[test]
        fn cached_equals_fresh(
            steps in proptest::collection::vec((0usize..6, 0usize..6, 0usize..3), 1..30),
        ) {
            let mut s = store(6);
            let mut cache = ListCache::default();
            let filters = [
                JobFilter::default(),
                JobFilter { status: [JobStatus::Failed].into_iter().collect(), ..JobFilter::default() },
                JobFilter { sort: Sort::Progress, ..JobFilter::default() },
            ];
            for (i, (j, status, f)) in steps.into_iter().enumerate() {
                update(&mut s, j, i as u64 + 2, JobStatus::ALL[status]);
                let got = cache.list(&s, &filters[f], &None, 0);
                let want = ListCache::default().list(&s, &filters[f], &None, 0);
                let ids = |l: &Listed| l.jobs.iter().map(|(j, s)| (j.id.clone(), *s)).collect::<Vec<_>>();
                prop_assert_eq!(ids(&got), ids(&want));
                prop_assert_eq!(got.counts, want.counts);
                prop_assert_eq!(got.listed_counts, want.listed_counts);
            }
        }
    }
}
