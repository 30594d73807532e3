//! The log model's tests: incremental indexing equals a rebuild, sliced work, follow mode.

use super::*;
use crate::fixtures::log_line as line;
use crate::state::log_filter::LEVELS;
use proptest::prelude::*;

impl LogModel {
    /// The index rebuilt from scratch, in one go.
    fn rebuild(&mut self) {
        self.reindex();
        while self.scan.is_some() {
            self.work_scan(usize::MAX);
        }
    }
}

fn shown(m: &LogModel) -> Vec<u64> {
    (0..m.shown_len())
        .filter_map(|i| m.shown_line(i).map(|l| l.n))
        .collect()
}

#[test]
fn follow_mode_holds_releases_and_counts_unseen() {
    let mut m = LogModel::new(100);
    m.append(vec![line(1, "INFO", "a")]);
    assert!(m.follow.following);
    m.follow.scrolled(false);
    m.append(vec![line(2, "INFO", "b"), line(3, "INFO", "c")]);
    assert_eq!(
        m.follow,
        Follow {
            following: false,
            unseen: 2
        }
    );
    m.follow.jump();
    assert_eq!(
        m.follow,
        Follow {
            following: true,
            unseen: 0
        }
    );
    m.follow.scrolled(false);
    m.follow.scrolled(true);
    assert_eq!(m.follow.unseen, 0);
}

#[test]
fn search_levels_and_only_matching() {
    let mut m = LogModel::new(100);
    m.append(vec![
        line(1, "INFO", "chunk 1 \u{1b}[32mOK\u{1b}[0m"),
        line(2, "ERROR", "ValueError: bad"),
        line(3, "DEBUG", "read rows"),
        line(4, "WARNING", "slow ok"),
    ]);
    assert_eq!(m.counts(), [1, 1, 1, 1, 0]);
    m.set_search("OK");
    assert_eq!(m.match_count(), 2, "matches the text without its escapes");
    m.set_only_matching(true);
    assert_eq!(shown(&m), vec![1, 4]);
    m.toggle_level(level_index("WARNING"));
    assert_eq!(shown(&m), vec![1]);
    assert_eq!(m.step_match(true), Some(4));
    assert_eq!(m.step_match(true), Some(1));
    assert_eq!(m.step_match(false), Some(4));
    assert!(
        !m.follow.following,
        "stepping through matches stops following"
    );
    // New lines keep the index current.
    m.append(vec![line(5, "INFO", "ok again")]);
    assert_eq!(m.match_count(), 3);
    assert_eq!(shown(&m), vec![1, 5]);
}

#[test]
fn prepend_keeps_order_and_current_match() {
    let mut m = LogModel::new(100);
    m.append(vec![line(10, "INFO", "x"), line(11, "INFO", "needle")]);
    m.set_search("needle");
    assert_eq!(m.current_match(), Some(11));
    m.prepend(vec![line(8, "INFO", "needle"), line(9, "ERROR", "y")]);
    assert_eq!(shown(&m), vec![8, 9, 10, 11]);
    assert_eq!(m.current_match(), Some(11), "still on the same line");
    assert_eq!(m.counts()[3], 1);
}

fn numbered(range: std::ops::Range<u64>) -> Vec<LogLine> {
    range
        .map(|n| {
            let level = LEVELS[(n % 5) as usize];
            line(n, level, if n % 3 == 0 { "needle" } else { "hay" })
        })
        .collect()
}

#[test]
fn a_search_over_many_lines_runs_in_slices_and_keeps_the_old_view_meanwhile() {
    let mut m = LogModel::new(100_000);
    m.append(numbered(1..20_001));
    m.set_search("needle");
    assert_eq!(m.scan_progress(), Some((SCAN_AT_ONCE, 20_000)));
    assert_eq!(
        m.shown_len(),
        20_000,
        "the previous view until the scan is done"
    );
    assert!(m.has_work());
    // Lines arriving meanwhile are reached by the scan.
    m.append(numbered(20_001..20_011));
    while m.scan_progress().is_some() {
        assert!(m.work_scan(4_000) <= 4_000);
    }
    assert_eq!(m.match_count(), 20_010 / 3);
    assert_eq!(m.current_match(), Some(3));
    let mut fresh = m.clone();
    fresh.rebuild();
    assert_eq!(m.matches, fresh.matches);
    assert_eq!(m.shown, fresh.shown);
}

#[test]
fn queued_lines_apply_in_slices_and_an_overlong_backlog_is_counted_as_dropped() {
    let mut m = LogModel::new(10);
    m.append(numbered(1..6));
    m.enqueue(numbered(4..9));
    assert_eq!(m.backlog(), 3, "repeats are not queued");
    assert_eq!(m.apply_backlog(2), 2);
    assert_eq!(m.buffer.last_n(), 7);
    m.follow.scrolled(false);
    m.enqueue(numbered(9..30));
    assert_eq!(m.backlog(), 10);
    // Held 1..=7 and queued 8..=19 would all have been evicted by the cap.
    assert_eq!(m.buffer.dropped(), 7 + 12);
    assert_eq!(m.follow.unseen, 12);
    assert_eq!(m.shown_len(), 0);
    assert_eq!(m.counts(), [0; 5]);
    while m.apply_backlog(4) > 0 {}
    assert_eq!(shown(&m), (20..30).collect::<Vec<_>>());
    assert!(m.buffer.gaps().is_empty(), "dropped lines are not a gap");
    assert_eq!(m.buffer.dropped() + m.buffer.len() as u64, 29);
}

#[test]
fn wrapped_rows_follow_the_shown_lines() {
    let mut m = LogModel::new(5);
    m.set_wrap(Some(10));
    m.append(vec![
        line(1, "INFO", "short"),
        line(2, "INFO", &"x".repeat(25)),
    ]);
    let rows = |m: &LogModel| m.rows().map(|r| (r.len(), r.total()));
    assert_eq!(rows(&m), Some((2, 4)));
    m.append((3..=6).map(|n| line(n, "DEBUG", "d")).collect());
    assert_eq!(rows(&m), Some((5, 7)), "line 1 was evicted");
    m.toggle_level(level_index("DEBUG"));
    assert_eq!(rows(&m), Some((1, 3)));
    m.set_wrap(None);
    assert_eq!(rows(&m), None);
}

proptest! {
    /// Lines queued, applied in slices, searched and filtered in slices, in any order, end
    /// in the same index as one built from scratch; wrapped rows stay one per shown line.
    #[test]
    fn sliced_work_equals_rebuilt(
        cap in 1usize..40,
        ops in proptest::collection::vec((0u8..5, 1u64..120, 0u64..15), 1..40),
    ) {
        let mut m = LogModel::new(cap);
        m.set_wrap(Some(3));
        for (op, a, b) in ops {
            match op {
                0 => m.enqueue(numbered(a..a + b)),
                1 => { m.apply_backlog(b as usize); }
                2 => { m.work_scan(b as usize); }
                3 => m.set_search(if a % 2 == 0 { "needle" } else { "" }),
                _ => m.toggle_level((a % 5) as usize),
            }
            prop_assert!(m.backlog() <= cap);
            prop_assert_eq!(m.rows().map(RowIndex::len), Some(m.shown_len()));
        }
        while m.has_work() {
            m.apply_backlog(7);
            m.work_scan(7);
        }
        let mut fresh = m.clone();
        fresh.rebuild();
        prop_assert_eq!(&m.shown, &fresh.shown);
        prop_assert_eq!(&m.matches, &fresh.matches);
        prop_assert_eq!(m.rows(), fresh.rows());
    }

    /// However lines arrive (overlapping, repeated, beyond the cap), the incremental index
    /// equals one rebuilt from scratch, and counts equal the held lines' levels.
    #[test]
    fn incremental_index_equals_rebuilt(
        cap in 1usize..40,
        chunks in proptest::collection::vec((1u64..120, 0u64..15), 1..30),
        q in "[ab]{0,1}",
        only in any::<bool>(),
        hide in 0usize..6,
    ) {
        let mut m = LogModel::new(cap);
        m.set_search(&q);
        m.set_only_matching(only);
        if hide < 5 { m.toggle_level(hide); }
        for (start, len) in chunks {
            let lines = (start..start + len).map(|n| {
                let level = LEVELS[(n % 5) as usize];
                line(n, level, if n % 3 == 0 { "a" } else { "b" })
            }).collect();
            m.append(lines);
        }
        let mut fresh = m.clone();
        fresh.rebuild();
        prop_assert_eq!(&m.shown, &fresh.shown);
        prop_assert_eq!(&m.matches, &fresh.matches);
        let mut counts = [0u64; 5];
        for l in m.buffer.lines() { counts[level_index(&l.level)] += 1; }
        prop_assert_eq!(m.counts(), counts);
    }
}

#[test]
fn older_lines_into_an_empty_buffer_keep_what_the_cap_holds() {
    let mut m = LogModel::new(2);
    assert_eq!(m.prepend(numbered(1..6)), 2);
    assert_eq!(shown(&m), vec![4, 5]);
    assert_eq!(m.counts().iter().sum::<u64>(), 2);
}
