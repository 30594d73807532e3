//! Loading every job the backend has, page by page, up to what the page can hold.
//!
//! `GET /jobs` returns at most 5,000 jobs a request. The page asks for newest-first pages one
//! after another until it has them all (or `MAX_HELD`); jobs created while it pages push the
//! rest down by one, so a page may repeat the last job of the one before (the store keys jobs
//! by id) but never skips one. The snapshot's position in the event chain is the *first* page's
//! `seq`: resuming the WebSocket after it replays every change made while the later pages
//! loaded, and the store keeps the highest `version` of each job.

/// The API's largest page.
pub const PAGE_LIMIT: u64 = 5_000;
/// The first request: enough jobs for the first screens, small enough to arrive and decode in
/// a few milliseconds, so the first cards show before the bulk of a big list has loaded.
pub const FIRST_PAGE_LIMIT: u64 = 250;
/// The most jobs the page loads (about 1.5 KB each in memory); beyond it the page says how many
/// older jobs it left out.
pub const MAX_HELD: u64 = 50_000;

/// Where paging stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pages {
    cap: u64,
    offset: u64,
    received: u64,
    /// The backend's count of jobs at the last page.
    total: Option<u64>,
    first_seq: Option<u64>,
    done: bool,
}

impl Pages {
    pub fn new(cap: u64) -> Self {
        Self {
            cap,
            offset: 0,
            received: 0,
            total: None,
            first_seq: None,
            done: cap == 0,
        }
    }

    /// The next request, `(offset, limit)`, or `None` when every page is in.
    pub fn next(&self) -> Option<(u64, u64)> {
        if self.done {
            return None;
        }
        Some((self.offset, PAGE_LIMIT.min(self.cap - self.received)))
    }

    /// A page came back with `items` jobs; the backend had `total` jobs at `seq`.
    pub fn add(&mut self, asked: u64, items: u64, total: u64, seq: u64) {
        self.first_seq.get_or_insert(seq);
        self.total = Some(total);
        self.received = (self.received + items).min(self.cap);
        self.offset += items;
        // A short page is the last one (jobs can also disappear while paging).
        self.done = items < asked || self.offset >= total || self.received >= self.cap;
    }

    /// After the first page: every request still to make, so they can run at once (their
    /// offsets are fixed by the first page's `total`; `add` them in any order).
    pub fn rest(&self) -> Vec<(u64, u64)> {
        let Some(total) = self.total else {
            return vec![self.next().unwrap_or((0, PAGE_LIMIT))];
        };
        let end = total.min(self.cap);
        let mut out = Vec::new();
        let mut offset = self.offset;
        while !self.done && offset < end {
            let limit = PAGE_LIMIT.min(end - offset);
            out.push((offset, limit));
            offset += limit;
        }
        out
    }

    /// The event position to resume from.
    pub fn seq(&self) -> u64 {
        self.first_seq.unwrap_or(0)
    }

    /// Jobs the backend has that were not loaded: 0 unless the cap stopped the paging (jobs
    /// created while paging arrive as events; a short page means the backend had no more).
    pub fn not_loaded(&self) -> u64 {
        if self.received < self.cap {
            return 0;
        }
        self.total.unwrap_or(0).saturating_sub(self.received)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pages through `total` jobs; returns the requests made and the final state.
    fn run(total: u64, cap: u64) -> (Vec<(u64, u64)>, Pages) {
        let mut p = Pages::new(cap);
        let mut asked = Vec::new();
        while let Some((offset, limit)) = p.next() {
            asked.push((offset, limit));
            let items = limit.min(total.saturating_sub(offset));
            p.add(limit, items, total, 100 + asked.len() as u64);
            assert!(asked.len() < 100, "paging must end");
        }
        (asked, p)
    }

    #[test]
    fn ten_thousand_jobs_take_two_pages() {
        let (asked, p) = run(10_000, MAX_HELD);
        assert_eq!(asked, vec![(0, 5_000), (5_000, 5_000)]);
        assert_eq!(p.not_loaded(), 0);
        assert_eq!(p.seq(), 101, "the first page's position");
    }

    #[test]
    fn an_exact_multiple_stops_without_an_empty_page() {
        let (asked, _) = run(5_000, MAX_HELD);
        assert_eq!(asked, vec![(0, 5_000)]);
        let (asked, p) = run(0, MAX_HELD);
        assert_eq!(asked, vec![(0, 5_000)]);
        assert_eq!(p.not_loaded(), 0);
    }

    #[test]
    fn beyond_the_cap_it_says_how_many_were_left_out() {
        let (asked, p) = run(12_345, 7_000);
        assert_eq!(asked, vec![(0, 5_000), (5_000, 2_000)]);
        assert_eq!(p.not_loaded(), 5_345);
    }

    #[test]
    fn jobs_vanishing_while_paging_end_it() {
        let mut p = Pages::new(MAX_HELD);
        p.add(5_000, 5_000, 12_000, 1);
        // The backend now has fewer jobs: a short page is the end.
        p.add(5_000, 1_000, 6_000, 2);
        assert_eq!(p.next(), None);
        assert_eq!(p.not_loaded(), 0);
        // Jobs created while paging push the oldest past the planned pages: one more page
        // fetches them (the new ones also come as events); none is counted as left out.
        let mut q = Pages::new(MAX_HELD);
        q.add(5_000, 5_000, 10_000, 1);
        q.add(5_000, 5_000, 10_004, 2);
        assert_eq!(q.next(), Some((10_000, 5_000)));
        q.add(5_000, 4, 10_004, 3);
        assert_eq!(q.next(), None);
        assert_eq!(q.not_loaded(), 0);
        assert_eq!(q.seq(), 1);
    }

    #[test]
    fn a_small_first_page_then_full_pages() {
        let mut p = Pages::new(MAX_HELD);
        p.add(FIRST_PAGE_LIMIT, 250, 10_000, 3);
        assert_eq!(p.rest(), vec![(250, 5_000), (5_250, 4_750)]);
        let mut tiny = Pages::new(MAX_HELD);
        tiny.add(FIRST_PAGE_LIMIT, 40, 40, 3);
        assert!(tiny.rest().is_empty() && tiny.next().is_none());
    }

    #[test]
    fn the_rest_is_planned_from_the_first_total() {
        let mut p = Pages::new(MAX_HELD);
        assert_eq!(
            p.rest(),
            vec![(0, 5_000)],
            "nothing known yet: the first page"
        );
        p.add(5_000, 5_000, 12_001, 7);
        assert_eq!(p.rest(), vec![(5_000, 5_000), (10_000, 2_001)]);
        let mut small = Pages::new(MAX_HELD);
        small.add(5_000, 300, 300, 1);
        assert!(small.rest().is_empty());
        let mut capped = Pages::new(6_000);
        capped.add(5_000, 5_000, 9_000, 1);
        assert_eq!(capped.rest(), vec![(5_000, 1_000)]);
    }

    proptest! {
        #[test]
        fn paging_loads_min_of_total_and_cap_and_ends(total in 0u64..60_000, cap in 1u64..60_000) {
            let (asked, p) = run(total, cap);
            let loaded: u64 = asked.iter().map(|(o, l)| (*l).min(total.saturating_sub(*o))).sum();
            prop_assert_eq!(loaded, total.min(cap));
            prop_assert_eq!(p.not_loaded(), total - total.min(cap));
            prop_assert!(asked.iter().all(|(_, l)| *l >= 1 && *l <= PAGE_LIMIT));
        }
    }
}
