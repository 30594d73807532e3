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
use crate::state::log_filter::{level_index, line_matches};
use crate::state::log_follow::Follow;
use crate::state::log_intake::LogIntake;
use crate::state::log_rows::RowIndex;
use crate::types::LogLine;

/// Lines a search or filter change indexes at once before handing the rest to
/// [`LogModel::work_scan`]: small logs switch in the same render.
pub const SCAN_AT_ONCE: usize = 5_000;

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
        // Into an empty buffer, lines beyond the cap come and go within the call: only the
        // held ones are indexed (found by `log_scroll`'s property test; a range past the held
        // lines panicked).
        let added = self.buffer.prepend(lines).min(self.buffer.len());
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
mod tests;
