//! The log viewer's model: the buffer plus everything derived from it — per-level counts,
//! search matches, which lines are shown, follow mode — kept up to date incrementally, so a
//! stream of lines into a 200,000-line buffer costs per new line, not per held line.

use std::collections::VecDeque;

use crate::state::log_buffer::LogBuffer;
use crate::state::log_tokens::strip_ansi;
use crate::types::LogLine;

/// Level buckets, in display order.
pub const LEVELS: [&str; 5] = ["DEBUG", "INFO", "WARNING", "ERROR", "OTHER"];

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

/// The whole viewer state.
#[derive(Clone, Debug)]
pub struct LogModel {
    pub buffer: LogBuffer,
    /// Lower-cased search text; empty = no search.
    search: String,
    pub only_matching: bool,
    /// Which level buckets are shown.
    pub levels: [bool; 5],
    counts: [u64; 5],
    /// Line numbers matching the search, ascending.
    matches: VecDeque<u64>,
    /// Line numbers shown (level filter and, when on, only matching), ascending.
    shown: VecDeque<u64>,
    /// Index into `matches` of the current match.
    pub current: Option<usize>,
    pub follow: Follow,
}

impl LogModel {
    pub fn new(cap: usize) -> Self {
        Self {
            buffer: LogBuffer::new(cap),
            search: String::new(),
            only_matching: false,
            levels: [true; 5],
            counts: [0; 5],
            matches: VecDeque::new(),
            shown: VecDeque::new(),
            current: None,
            follow: Follow::default(),
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
    pub fn shown_line(&self, i: usize) -> Option<&LogLine> {
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

    fn is_match(&self, line: &LogLine) -> bool {
        !self.search.is_empty() && strip_ansi(&line.text).to_lowercase().contains(&self.search)
    }

    fn is_shown(&self, line: &LogLine, matched: bool) -> bool {
        self.levels[level_index(&line.level)]
            && (!self.only_matching || self.search.is_empty() || matched)
    }

    /// Adds newer lines (live or backfill). Returns how many were added.
    pub fn append(&mut self, lines: Vec<LogLine>) -> usize {
        let held_before = (!self.buffer.is_empty()).then(|| self.buffer.last_n());
        let (added, mut evicted) = self.buffer.append_evicting(lines);
        // Lines that came and went within this call were never indexed.
        evicted.retain(|l| held_before.is_some_and(|last| l.n <= last));
        self.forget(&evicted);
        let len = self.buffer.len();
        let new: Vec<LogLine> = self
            .buffer
            .lines()
            .range(len - added.min(len)..)
            .cloned()
            .collect();
        let mut shown_new = 0;
        for line in &new {
            self.counts[level_index(&line.level)] += 1;
            let m = self.is_match(line);
            if m {
                self.matches.push_back(line.n);
            }
            if self.is_shown(line, m) {
                self.shown.push_back(line.n);
                shown_new += 1;
            }
        }
        self.follow.arrived(shown_new);
        added
    }

    /// Adds older lines in front (loaded when scrolling up). Returns how many were added.
    pub fn prepend(&mut self, lines: Vec<LogLine>) -> usize {
        let before = self.buffer.first_n();
        let added = self.buffer.prepend(lines);
        let older: Vec<LogLine> = self.buffer.lines().range(..added).cloned().collect();
        debug_assert!(older.iter().all(|l| Some(l.n) < before));
        for line in older.iter().rev() {
            self.counts[level_index(&line.level)] += 1;
            let m = self.is_match(line);
            if m {
                self.matches.push_front(line.n);
                if let Some(c) = self.current.as_mut() {
                    *c += 1;
                }
            }
            if self.is_shown(line, m) {
                self.shown.push_front(line.n);
            }
        }
        added
    }

    fn forget(&mut self, evicted: &[LogLine]) {
        let Some(last) = evicted.last() else { return };
        for line in evicted {
            self.counts[level_index(&line.level)] -= 1;
        }
        while self.shown.front().is_some_and(|n| *n <= last.n) {
            self.shown.pop_front();
        }
        while self.matches.front().is_some_and(|n| *n <= last.n) {
            self.matches.pop_front();
            self.current = match self.current {
                Some(0) | None => None,
                Some(c) => Some(c - 1),
            };
        }
    }

    fn rebuild(&mut self) {
        let mut matches = VecDeque::new();
        let mut shown = VecDeque::new();
        for line in self.buffer.lines() {
            let m = self.is_match(line);
            if m {
                matches.push_back(line.n);
            }
            if self.is_shown(line, m) {
                shown.push_back(line.n);
            }
        }
        self.matches = matches;
        self.shown = shown;
        self.current = (!self.matches.is_empty()).then_some(0);
    }

    pub fn set_search(&mut self, q: &str) {
        let q = q.to_lowercase();
        if q != self.search {
            self.search = q;
            self.rebuild();
        }
    }

    pub fn set_only_matching(&mut self, on: bool) {
        if on != self.only_matching {
            self.only_matching = on;
            self.rebuild();
        }
    }

    pub fn toggle_level(&mut self, index: usize) {
        if let Some(l) = self.levels.get_mut(index) {
            *l = !*l;
            self.rebuild();
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

    proptest! {
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
