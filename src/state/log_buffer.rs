//! A job's log as the client holds it: ordered by line number, without duplicates, capped in
//! memory, and honest about what is missing (lines never received, lines dropped by the cap).
//!
//! Lines are shared (`Rc`): the view's rows and the copy action hold them without copying text.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::types::LogLine;

/// Lines the buffer knows it does not have, between two lines it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// First missing line number.
    pub from: u64,
    /// Last missing line number.
    pub to: u64,
}

/// The buffer.
#[derive(Clone, Debug, PartialEq)]
pub struct LogBuffer {
    /// At most `cap` lines, strictly increasing `n`.
    lines: VecDeque<Rc<LogLine>>,
    cap: usize,
    /// Lines evicted from the front to respect `cap` (they can be reloaded from the server).
    dropped: u64,
    /// Gaps at or after the first held line (older ones are pruned with their lines), so at
    /// most one per held line.
    gaps: Vec<Gap>,
    /// The newest line number ever held or discarded: later lines continue from it.
    newest: Option<u64>,
}

impl LogBuffer {
    pub fn new(cap: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            cap: cap.max(1),
            dropped: 0,
            gaps: Vec::new(),
            newest: None,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn lines(&self) -> &VecDeque<Rc<LogLine>> {
        &self.lines
    }

    pub fn first_n(&self) -> Option<u64> {
        self.lines.front().map(|l| l.n)
    }

    /// The newest line number received (held, or discarded by [`LogBuffer::discard_all`]).
    pub fn last_n(&self) -> u64 {
        self.newest.unwrap_or(0)
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn gaps(&self) -> &[Gap] {
        &self.gaps
    }

    /// Whether `line` would be added by [`LogBuffer::append`] (newer than anything received).
    pub fn is_new(&self, n: u64) -> bool {
        self.newest.is_none_or(|last| n > last)
    }

    /// Appends newer lines. Already-held line numbers are skipped; a jump in numbering is
    /// recorded as a gap. Returns how many lines were added.
    pub fn append(&mut self, incoming: impl IntoIterator<Item = LogLine>) -> usize {
        self.append_evicting(incoming).0
    }

    /// Like [`LogBuffer::append`], also returning the lines the cap pushed out of the front
    /// (so derived indexes can forget them).
    pub fn append_evicting(
        &mut self,
        incoming: impl IntoIterator<Item = LogLine>,
    ) -> (usize, Vec<Rc<LogLine>>) {
        let mut added = 0;
        for line in incoming {
            if let Some(last) = self.newest {
                if line.n <= last {
                    continue;
                }
                if line.n > last + 1 {
                    self.gaps.push(Gap {
                        from: last + 1,
                        to: line.n - 1,
                    });
                }
            }
            self.newest = Some(line.n);
            self.lines.push_back(Rc::new(line));
            added += 1;
        }
        (added, self.enforce_cap())
    }

    /// Adds older lines (loaded when scrolling up) in front of what is held.
    pub fn prepend(&mut self, older: Vec<LogLine>) -> usize {
        let Some(first) = self.first_n() else {
            return self.append(older);
        };
        let mut fresh: Vec<LogLine> = older.into_iter().filter(|l| l.n < first).collect();
        fresh.sort_by_key(|l| l.n);
        fresh.dedup_by_key(|l| l.n);
        let added = fresh.len();
        // Only room for what the cap allows: keep the newest of the older lines.
        let room = self.cap.saturating_sub(self.lines.len());
        let skip = added.saturating_sub(room);
        for line in fresh.into_iter().skip(skip).rev() {
            self.lines.push_front(Rc::new(line));
        }
        self.dropped = self.dropped.saturating_sub((added - skip) as u64);
        added - skip
    }

    /// Drops every held line and `more` received lines numbered up to `through` that were
    /// never held (a backlog too long to keep: the cap would have evicted all of them), counting
    /// them as dropped; the next line continues after `through` without a gap. Returns the
    /// lines that were held.
    pub fn discard_all(&mut self, more: u64, through: u64) -> Vec<Rc<LogLine>> {
        let held: Vec<Rc<LogLine>> = self.lines.drain(..).collect();
        self.dropped += held.len() as u64 + more;
        self.gaps.clear();
        self.newest = Some(self.last_n().max(through));
        held
    }

    /// The capacity.
    pub fn cap(&self) -> usize {
        self.cap
    }

    fn enforce_cap(&mut self) -> Vec<Rc<LogLine>> {
        let excess = self.lines.len().saturating_sub(self.cap);
        let evicted: Vec<Rc<LogLine>> = self.lines.drain(..excess).collect();
        self.dropped += excess as u64;
        if let Some(first) = self.first_n() {
            self.gaps.retain(|g| g.to >= first);
        }
        evicted
    }

    /// Index of the first held line numbered `n` or later.
    pub fn position_from(&self, n: u64) -> usize {
        self.lines.partition_point(|l| l.n < n)
    }

    /// The held line numbered `n`.
    pub fn get(&self, n: u64) -> Option<&Rc<LogLine>> {
        self.lines
            .binary_search_by_key(&n, |l| l.n)
            .ok()
            .and_then(|i| self.lines.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::info_line as line;
    use proptest::prelude::*;

    #[test]
    fn duplicates_are_skipped_and_gaps_recorded() {
        let mut b = LogBuffer::new(100);
        assert_eq!(b.append((1..=3).map(line)), 3);
        assert_eq!(b.append([line(2), line(3), line(4)]), 1);
        assert_eq!(b.append([line(8)]), 1);
        assert_eq!(b.gaps(), &[Gap { from: 5, to: 7 }]);
        let ns: Vec<u64> = b.lines().iter().map(|l| l.n).collect();
        assert_eq!(ns, vec![1, 2, 3, 4, 8]);
    }

    #[test]
    fn cap_drops_oldest_and_counts_them() {
        let mut b = LogBuffer::new(3);
        b.append((1..=5).map(line));
        assert_eq!(b.first_n(), Some(3));
        assert_eq!(b.dropped(), 2);
        assert_eq!(b.len(), 3);
    }

    #[test]
    fn prepend_adds_only_older_lines_within_the_cap() {
        let mut b = LogBuffer::new(5);
        b.append((10..=12).map(line));
        assert_eq!(b.prepend((5..=11).map(line).collect()), 2);
        let ns: Vec<u64> = b.lines().iter().map(|l| l.n).collect();
        assert_eq!(ns, vec![8, 9, 10, 11, 12]);
    }

    proptest! {
        /// Whatever mix of overlapping, repeated and reordered chunks arrives, the buffer holds
        /// strictly increasing line numbers, never more than its cap, and every line it held
        /// last is the newest of what arrived.
        #[test]
        fn always_ordered_unique_and_capped(
            cap in 1usize..50,
            chunks in proptest::collection::vec((1u64..200, 0u64..30), 1..40),
        ) {
            let mut b = LogBuffer::new(cap);
            let mut max_seen = 0;
            for (start, len) in chunks {
                b.append((start..start + len).map(line));
                if len > 0 {
                    max_seen = max_seen.max(start + len - 1);
                }
                prop_assert!(b.len() <= cap);
                let ns: Vec<u64> = b.lines().iter().map(|l| l.n).collect();
                prop_assert!(ns.windows(2).all(|w| w[0] < w[1]));
                prop_assert_eq!(b.last_n(), max_seen);
            }
        }
    }
}
