//! The log viewer's model: the buffer plus everything derived from it — per-level counts,
//! search matches, which lines are shown, follow mode, wrapped rows — kept up to date
//! incrementally, so a stream of lines into a 200,000-line buffer costs per new line, not per
//! held line.
//!
//! Work that does depend on the held lines is cut into slices the caller runs one per
//! animation frame: live lines wait in a bounded [`LogIntake`] and are applied
//! [`LogModel::apply_backlog`] at a time, and a new search or filter re-indexes the buffer
//! [`LogModel::work_scan`] at a time (the view keeps showing the previous result meanwhile).

use std::collections::VecDeque;
use std::rc::Rc;

use crate::state::log_buffer::LogBuffer;
use crate::state::log_intake::LogIntake;
use crate::state::log_rows::RowIndex;
use crate::state::log_tokens::strip_ansi;
use crate::types::LogLine;

/// Level buckets, in display order.
pub const LEVELS: [&str; 5] = ["DEBUG", "INFO", "WARNING", "ERROR", "OTHER"];

/// Lines a search or filter change indexes at once before handing the rest to
/// [`LogModel::work_scan`]: small logs switch in the same render.
pub const SCAN_AT_ONCE: usize = 5_000;

/// The bucket of a level name.
pub fn level_index(level: &str) -> usize {
    match level {
        "DEBUG" => 0,
        "INFO" => 1,
        "WARNING" | "WARN" => 2,
        "ERROR" | "CRITICAL" | "FATAL" => 3,
        _ => 4,
    }
}

/// Whether the visible text of `text` (see [`strip_ansi`]) contains `needle`, already
/// lower-cased, ignoring case. Printable ASCII lines (most of them) are searched in place,
/// without copying.
pub fn line_matches(text: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let plain = text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\t');
    if plain {
        let (t, n) = (text.as_bytes(), needle.as_bytes());
        return needle.is_ascii()
            && t.len() >= n.len()
            && t.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    strip_ansi(text).to_lowercase().contains(needle)
}

/// Follow mode: stick to the newest line while the reader is at the bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Follow {
    pub following: bool,
    /// Lines that arrived while not following (for "jump to latest (N new lines)").
    pub unseen: u64,
}

impl Default for Follow {
    fn default() -> Self {
        Self {
            following: true,
            unseen: 0,
        }
    }
}

impl Follow {
    /// The reader scrolled; `at_bottom` says where the viewport ended up.
    pub fn scrolled(&mut self, at_bottom: bool) {
        self.following = at_bottom;
        if at_bottom {
            self.unseen = 0;
        }
    }

    /// `n` new lines were shown.
    pub fn arrived(&mut self, n: u64) {
        if !self.following {
            self.unseen += n;
        }
    }

    /// "Jump to latest".
    pub fn jump(&mut self) {
        self.following = true;
        self.unseen = 0;
    }
}

/// A re-index in progress: the buffer is scanned in line-number order from its front; lines
/// appended meanwhile are reached by the scan, lines evicted leave its lists too.
#[derive(Clone, Debug, PartialEq)]
struct Scan {
    /// The next line number to look at.
    next_n: u64,
    /// Lines scanned so far.
    done: usize,
    /// Bounded by the buffer: line numbers of held lines.
    matches: VecDeque<u64>,
    shown: VecDeque<u64>,
}

/// The whole viewer state.
#[derive(Clone, Debug)]
pub struct LogModel {
    pub buffer: LogBuffer,
    /// Live lines not applied yet (at most the buffer's cap).
    intake: LogIntake,
    /// Lower-cased search text; empty = no search.
    search: String,
    pub only_matching: bool,
    /// Which level buckets are shown.
    pub levels: [bool; 5],
    counts: [u64; 5],
    /// Line numbers matching the search, ascending (held lines only: bounded by the buffer).
    matches: VecDeque<u64>,
    /// Line numbers shown (level filter and, when on, only matching), ascending (held lines
    /// only).
    shown: VecDeque<u64>,
    /// Index into `matches` of the current match.
    pub current: Option<usize>,
    pub follow: Follow,
    scan: Option<Scan>,
    /// Rows of the shown lines when wrapping (one entry per shown line).
    rows: Option<RowIndex>,
}

impl LogModel {
    pub fn new(cap: usize) -> Self {
        Self {
            buffer: LogBuffer::new(cap),
            intake: LogIntake::new(cap),
            search: String::new(),
            only_matching: false,
            levels: [true; 5],
            counts: [0; 5],
            matches: VecDeque::new(),
            shown: VecDeque::new(),
            current: None,
            follow: Follow::default(),
            scan: None,
            rows: None,
        }
    }

    pub fn counts(&self) -> [u64; 5] {
        self.counts
    }

    pub fn search(&self) -> &str {
        &self.search
    }

    pub fn match_count(&self) -> usize {
        self.matches.len()
    }

    pub fn shown_len(&self) -> usize {
        self.shown.len()
    }

    /// The `i`-th shown line.
    pub fn shown_line(&self, i: usize) -> Option<&Rc<LogLine>> {
        self.shown.get(i).and_then(|n| self.buffer.get(*n))
    }

    /// Position among shown lines of line `n` (for scrolling to a match or a permalink).
    pub fn shown_position(&self, n: u64) -> Option<usize> {
        self.shown.binary_search(&n).ok()
    }

    /// The line number of the current match.
    pub fn current_match(&self) -> Option<u64> {
        self.current.and_then(|i| self.matches.get(i).copied())
    }

    /// Live lines received and not applied yet.
    pub fn backlog(&self) -> usize {
        self.intake.len()
    }

    /// `(lines scanned, lines held)` while a search or filter change is being applied.
    pub fn scan_progress(&self) -> Option<(usize, usize)> {
        self.scan
            .as_ref()
            .map(|s| (s.done.min(self.buffer.len()), self.buffer.len()))
    }

    /// Whether [`LogModel::apply_backlog`] or [`LogModel::work_scan`] has something to do.
    pub fn has_work(&self) -> bool {
        !self.intake.is_empty() || self.scan.is_some()
    }

    /// The wrapped rows of the shown lines, when wrapping.
    pub fn rows(&self) -> Option<&RowIndex> {
        self.rows.as_ref()
    }

    fn is_match(&self, line: &LogLine) -> bool {
        line_matches(&line.text, &self.search)
    }

    fn is_shown(&self, line: &LogLine, matched: bool) -> bool {
        self.levels[level_index(&line.level)]
            && (!self.only_matching || self.search.is_empty() || matched)
    }

    fn show_back(&mut self, line: &LogLine) {
        self.shown.push_back(line.n);
        if let Some(r) = self.rows.as_mut() {
            r.push_back(line.text.len());
        }
    }

    /// Queues live lines, to be applied by [`LogModel::apply_backlog`]. A backlog longer than
    /// the cap would be evicted as it was applied: it is dropped now instead (with everything
    /// held, which is older), and counted as dropped.
    pub fn enqueue(&mut self, lines: Vec<LogLine>) {
        let newest = (self.buffer.last_n() > 0).then(|| self.buffer.last_n());
        if let Some(overflow) = self.intake.push(lines, newest) {
            let held = self.buffer.discard_all(overflow.lines, overflow.through);
            if !self.follow.following {
                // Counted as they arrived; which of them the filter would show is unknown.
                self.follow.unseen += overflow.lines;
            }
            self.forget(&held);
        }
    }

    /// Applies up to `max` queued lines. Returns how many were applied.
    pub fn apply_backlog(&mut self, max: usize) -> usize {
        let lines = self.intake.take(max);
        let n = lines.len();
        self.append(lines);
        n
    }

    /// Adds newer lines (live or backfill) at once. Returns how many were added.
    pub fn append(&mut self, lines: Vec<LogLine>) -> usize {
        let held_before = (!self.buffer.is_empty()).then(|| self.buffer.last_n());
        let (added, mut evicted) = self.buffer.append_evicting(lines);
        // Lines that came and went within this call were never indexed.
        evicted.retain(|l| held_before.is_some_and(|last| l.n <= last));
        self.forget(&evicted);
        let len = self.buffer.len();
        let new: Vec<Rc<LogLine>> = self
            .buffer
            .lines()
            .range(len - added.min(len)..)
            .cloned()
            .collect();
        let mut shown_new = 0;
        for line in &new {
            self.counts[level_index(&line.level)] += 1;
            if self.scan.is_some() {
                // The scan indexes it when it gets there; only the unseen count is due now.
                if !self.follow.following && self.is_shown(line, self.is_match(line)) {
                    shown_new += 1;
                }
                continue;
            }
            let m = self.is_match(line);
            if m {
                self.matches.push_back(line.n);
            }
            if self.is_shown(line, m) {
                self.show_back(line);
                shown_new += 1;
            }
        }
        self.follow.arrived(shown_new);
        added
    }

    /// Adds older lines in front (loaded when scrolling up). Returns how many were added.
    pub fn prepend(&mut self, lines: Vec<LogLine>) -> usize {
        let added = self.buffer.prepend(lines);
        let older: Vec<Rc<LogLine>> = self.buffer.lines().range(..added).cloned().collect();
        for line in older.iter().rev() {
            self.counts[level_index(&line.level)] += 1;
            let m = self.is_match(line);
            let shown = self.is_shown(line, m);
            if let Some(scan) = self.scan.as_mut() {
                // Older than anything scanned: they go in front of the scan's lists.
                if m {
                    scan.matches.push_front(line.n);
                }
                if shown {
                    scan.shown.push_front(line.n);
                }
                continue;
            }
            if m {
                self.matches.push_front(line.n);
                if let Some(c) = self.current.as_mut() {
                    *c += 1;
                }
            }
            if shown {
                self.shown.push_front(line.n);
                if let Some(r) = self.rows.as_mut() {
                    r.push_front(line.text.len());
                }
            }
        }
        added
    }

    fn forget(&mut self, evicted: &[Rc<LogLine>]) {
        let Some(last) = evicted.last().map(|l| l.n) else {
            return;
        };
        for line in evicted {
            self.counts[level_index(&line.level)] -= 1;
        }
        while self.shown.front().is_some_and(|n| *n <= last) {
            self.shown.pop_front();
            if let Some(r) = self.rows.as_mut() {
                r.pop_front();
            }
        }
        while self.matches.front().is_some_and(|n| *n <= last) {
            self.matches.pop_front();
            self.current = match self.current {
                Some(0) | None => None,
                Some(c) => Some(c - 1),
            };
        }
        if let Some(scan) = self.scan.as_mut() {
            while scan.shown.front().is_some_and(|n| *n <= last) {
                scan.shown.pop_front();
            }
            while scan.matches.front().is_some_and(|n| *n <= last) {
                scan.matches.pop_front();
            }
        }
    }

    /// Starts re-indexing every held line for the current search and filters, and does the
    /// first [`SCAN_AT_ONCE`] lines of it.
    fn reindex(&mut self) {
        self.scan = Some(Scan {
            next_n: 0,
            done: 0,
            matches: VecDeque::new(),
            shown: VecDeque::new(),
        });
        self.work_scan(SCAN_AT_ONCE);
    }

    /// Re-indexes up to `max` more lines; when the scan reaches the newest line, its result
    /// replaces the shown lines and matches. Returns how many lines were scanned.
    pub fn work_scan(&mut self, max: usize) -> usize {
        let Some(mut scan) = self.scan.take() else {
            return 0;
        };
        let from = self.buffer.position_from(scan.next_n);
        let to = from.saturating_add(max).min(self.buffer.len());
        for i in from..to {
            let Some(line) = self.buffer.lines().get(i) else {
                break;
            };
            let m = self.is_match(line);
            if m {
                scan.matches.push_back(line.n);
            }
            if self.is_shown(line, m) {
                scan.shown.push_back(line.n);
            }
            scan.next_n = line.n + 1;
        }
        scan.done += to - from;
        if to < self.buffer.len() {
            self.scan = Some(scan);
        } else {
            self.matches = scan.matches;
            self.shown = scan.shown;
            self.current = (!self.matches.is_empty()).then_some(0);
            self.rebuild_rows();
        }
        to - from
    }

    /// Wraps lines at `cols` characters (`None`: no wrapping).
    pub fn set_wrap(&mut self, cols: Option<usize>) {
        if self.rows.as_ref().map(RowIndex::cols) != cols {
            self.rows = cols.map(RowIndex::new);
            self.rebuild_rows();
        }
    }

    fn rebuild_rows(&mut self) {
        let Some(cols) = self.rows.as_ref().map(RowIndex::cols) else {
            return;
        };
        let mut rows = RowIndex::new(cols);
        // Both ascending: one pass over the buffer.
        let mut held = self.buffer.lines().iter();
        for n in &self.shown {
            if let Some(line) = held.by_ref().find(|l| l.n >= *n) {
                rows.push_back(line.text.len());
            }
        }
        self.rows = Some(rows);
    }

    pub fn set_search(&mut self, q: &str) {
        let q = q.to_lowercase();
        if q != self.search {
            self.search = q;
            self.reindex();
        }
    }

    pub fn set_only_matching(&mut self, on: bool) {
        if on != self.only_matching {
            self.only_matching = on;
            self.reindex();
        }
    }

    pub fn toggle_level(&mut self, index: usize) {
        if let Some(l) = self.levels.get_mut(index) {
            *l = !*l;
            self.reindex();
        }
    }

    /// Moves to the next (or previous) match, wrapping around; stops following.
    pub fn step_match(&mut self, forward: bool) -> Option<u64> {
        let len = self.matches.len();
        if len == 0 {
            return None;
        }
        self.current = Some(match (self.current, forward) {
            (None, true) => 0,
            (None, false) => len - 1,
            (Some(c), true) => (c + 1) % len,
            (Some(c), false) => (c + len - 1) % len,
        });
        self.follow.following = false;
        self.current_match()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(n: u64, level: &str, text: &str) -> LogLine {
        LogLine {
            n,
            ts: n as i64,
            level: level.into(),
            attempt: 1,
            text: text.into(),
        }
    }

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
        /// The in-place search finds exactly what searching the visible, lower-cased text does.
        #[test]
        fn line_matches_equals_searching_the_visible_text(
            text in "[a-zA-Z \\t\\n\\x1b\\[0-9;m\u{e9}\u{130}]{0,30}",
            needle in "[a-zA-Z\u{e9}\u{130} ]{1,3}",
        ) {
            let needle = needle.to_lowercase();
            let slow = strip_ansi(&text).to_lowercase().contains(&needle);
            prop_assert_eq!(line_matches(&text, &needle), slow);
        }

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
}
