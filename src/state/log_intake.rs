//! Live log lines that arrived but are not in the view yet: a bounded queue in front of the
//! model. The transport hands over lines in bursts (one batch per ~50 ms window, thousands of
//! lines when a job floods its log); the view takes them in slices small enough that no
//! animation frame has to index and render all of a burst at once.
//!
//! The queue never holds more than the view's line cap: lines beyond it would be evicted by the
//! cap the moment they were applied, so [`LogIntake::push`] reports them as an [`Overflow`]
//! instead, and the model counts them as dropped (nothing is lost silently).

use std::collections::VecDeque;

use crate::types::LogLine;

/// Received lines the queue had to let go, oldest first: the model discards what it holds and
/// counts these as dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overflow {
    /// How many queued lines were let go.
    pub lines: u64,
    /// The newest of them.
    pub through: u64,
}

/// The queue: strictly increasing line numbers, at most `cap` lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogIntake {
    /// Bounded by `cap`.
    queue: VecDeque<LogLine>,
    cap: usize,
}

impl LogIntake {
    pub fn new(cap: usize) -> Self {
        Self {
            queue: VecDeque::new(),
            cap: cap.max(1),
        }
    }

    /// Lines waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The newest queued line number.
    pub fn last_n(&self) -> Option<u64> {
        self.queue.back().map(|l| l.n)
    }

    /// Queues the lines of `incoming` that are newer than `newer_than` and than everything
    /// queued (repeats after a reconnect are skipped here, so the queue's length is exact).
    /// When the queue would pass its cap, the oldest lines go and are reported.
    pub fn push(
        &mut self,
        incoming: impl IntoIterator<Item = LogLine>,
        newer_than: Option<u64>,
    ) -> Option<Overflow> {
        let mut last = self.last_n().or(newer_than);
        for line in incoming {
            if last.is_some_and(|l| line.n <= l) {
                continue;
            }
            last = Some(line.n);
            self.queue.push_back(line);
        }
        let excess = self.queue.len().saturating_sub(self.cap);
        let through = self.queue.get(excess.checked_sub(1)?)?.n;
        self.queue.drain(..excess);
        Some(Overflow {
            lines: excess as u64,
            through,
        })
    }

    /// Takes up to `max` of the oldest queued lines.
    pub fn take(&mut self, max: usize) -> Vec<LogLine> {
        let k = max.min(self.queue.len());
        self.queue.drain(..k).collect()
    }

    /// Forgets every queued line (the log is being reloaded).
    pub fn clear(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::info_line as line;
    use proptest::prelude::*;

    #[test]
    fn repeats_are_skipped_and_slices_come_oldest_first() {
        let mut q = LogIntake::new(100);
        assert_eq!(q.push((3..=6).map(line), Some(4)), None);
        assert_eq!(q.push((5..=8).map(line), Some(4)), None);
        assert_eq!(q.len(), 4);
        let ns: Vec<u64> = q.take(3).iter().map(|l| l.n).collect();
        assert_eq!(ns, vec![5, 6, 7]);
        assert_eq!(q.take(10).len(), 1);
        assert!(q.is_empty());
    }

    #[test]
    fn overflow_reports_the_oldest_lines() {
        let mut q = LogIntake::new(3);
        assert_eq!(q.push((1..=2).map(line), None), None);
        assert_eq!(
            q.push((3..=6).map(line), None),
            Some(Overflow {
                lines: 3,
                through: 3
            })
        );
        let ns: Vec<u64> = q.take(10).iter().map(|l| l.n).collect();
        assert_eq!(ns, vec![4, 5, 6]);
    }

    proptest! {
        /// Whatever arrives, the queue stays increasing and within its cap, and every new line
        /// is either queued or reported in an overflow: none goes missing.
        #[test]
        fn bounded_increasing_and_nothing_unaccounted(
            cap in 1usize..30,
            chunks in proptest::collection::vec((1u64..100, 0u64..20, 0usize..10), 1..30),
        ) {
            let mut q = LogIntake::new(cap);
            let (mut taken, mut overflowed) = (0u64, 0u64);
            // What the model holds or discarded: the newest line taken or let go.
            let mut floor: Option<u64> = None;
            let mut newest = 0u64;
            let mut distinct_new = 0u64;
            for (start, len, take) in chunks {
                for n in start..start + len {
                    if n > newest {
                        newest = n;
                        distinct_new += 1;
                    }
                }
                if let Some(o) = q.push((start..start + len).map(line), floor) {
                    overflowed += o.lines;
                    prop_assert!(q.queue.front().is_none_or(|l| l.n > o.through));
                    floor = floor.max(Some(o.through));
                }
                prop_assert!(q.len() <= cap);
                let ns: Vec<u64> = q.queue.iter().map(|l| l.n).collect();
                prop_assert!(ns.windows(2).all(|w| w[0] < w[1]));
                let slice = q.take(take);
                taken += slice.len() as u64;
                floor = floor.max(slice.last().map(|l| l.n));
            }
            prop_assert_eq!(taken + overflowed + q.len() as u64, distinct_new);
        }
    }
}
