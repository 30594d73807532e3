//! Visual rows of the shown log lines when long lines wrap: where each line starts, so the
//! viewer finds the lines in view by binary search instead of summing every line's height on
//! each render (200,000 lines). Kept in step with the shown list: lines join at either end and
//! leave from the front, each in O(1).
//!
//! A line's rows are estimated from its length in bytes (its raw text, escapes included): the
//! same for ASCII as counting characters, and never fewer rows than it needs.

use std::collections::VecDeque;

/// Rows a line of `len` bytes takes at `cols` characters per row (at least 1).
pub fn rows_for(len: usize, cols: usize) -> u64 {
    (len.div_ceil(cols.max(1)) as u64).max(1)
}

/// The rendered slice of a wrapped list and the spacer heights around it (in rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowWindow {
    pub start: usize,
    /// One past the last rendered line.
    pub end: usize,
    pub rows_before: u64,
    pub rows_after: u64,
}

/// Start rows of a list of lines, one entry per shown line (bounded by the shown list).
#[derive(Clone, Debug)]
pub struct RowIndex {
    cols: usize,
    /// `starts[i]`: first row of line `i`, relative to an arbitrary origin (lines added in
    /// front get smaller values, so nothing is renumbered).
    starts: VecDeque<i64>,
    /// One past the last line's last row, in the same frame.
    end: i64,
}

/// Equal when the lines have the same rows, wherever the origin is.
impl PartialEq for RowIndex {
    fn eq(&self, other: &Self) -> bool {
        let rel = |r: &Self| -> Vec<u64> { (0..=r.len()).map(|i| r.rows_before(i)).collect() };
        self.cols == other.cols && rel(self) == rel(other)
    }
}

impl Eq for RowIndex {}

impl RowIndex {
    pub fn new(cols: usize) -> Self {
        Self {
            cols: cols.max(1),
            starts: VecDeque::new(),
            end: 0,
        }
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    fn origin(&self) -> i64 {
        self.starts.front().copied().unwrap_or(self.end)
    }

    /// Rows of all lines.
    pub fn total(&self) -> u64 {
        (self.end - self.origin()) as u64
    }

    /// Rows before line `i` (the total for `i` past the end).
    pub fn rows_before(&self, i: usize) -> u64 {
        let at = self.starts.get(i).copied().unwrap_or(self.end);
        (at - self.origin()) as u64
    }

    /// Rows of line `i`.
    pub fn rows_of(&self, i: usize) -> u64 {
        let next = self.starts.get(i + 1).copied().unwrap_or(self.end);
        self.starts.get(i).map_or(0, |s| (next - s) as u64)
    }

    /// A line of `len` bytes joins at the end.
    pub fn push_back(&mut self, len: usize) {
        self.starts.push_back(self.end);
        self.end += rows_for(len, self.cols) as i64;
    }

    /// A line of `len` bytes joins at the front.
    pub fn push_front(&mut self, len: usize) {
        let start = self.origin() - rows_for(len, self.cols) as i64;
        self.starts.push_front(start);
    }

    /// The first line leaves.
    pub fn pop_front(&mut self) {
        self.starts.pop_front();
    }

    /// The lines in view for a viewport from row `top` spanning `height` rows, with `overscan`
    /// lines more on each side.
    pub fn visible_range(&self, top: f64, height: f64, overscan: usize) -> RowWindow {
        let len = self.starts.len();
        let origin = self.origin();
        // The first line that ends below `top`, and the first that starts below the bottom.
        let top_row = origin + top.max(0.0).floor() as i64;
        let bottom_row = origin + (top.max(0.0) + height.max(0.0)).ceil() as i64;
        let first = self
            .starts
            .partition_point(|s| *s <= top_row)
            .saturating_sub(1);
        let past = self.starts.partition_point(|s| *s < bottom_row);
        let start = first.saturating_sub(overscan).min(len);
        let end = (past.max(first + 1) + overscan).min(len).max(start);
        RowWindow {
            start,
            end,
            rows_before: self.rows_before(start),
            rows_after: self.total() - self.rows_before(end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rows_and_offsets() {
        let mut r = RowIndex::new(10);
        for len in [5, 25, 10, 0] {
            r.push_back(len);
        }
        assert_eq!(r.total(), 1 + 3 + 1 + 1);
        assert_eq!(r.rows_before(2), 4);
        assert_eq!(r.rows_of(1), 3);
        r.push_front(11);
        assert_eq!(r.rows_before(0), 0);
        assert_eq!(r.rows_before(1), 2);
        assert_eq!(r.total(), 8);
        r.pop_front();
        r.pop_front();
        assert_eq!(r.total(), 5);
        assert_eq!(r.rows_before(1), 3);
    }

    #[test]
    fn window_covers_the_viewport() {
        let mut r = RowIndex::new(10);
        for i in 0..100 {
            r.push_back(if i % 2 == 0 { 10 } else { 30 }); // 1, 3, 1, 3 … rows
        }
        let w = r.visible_range(40.0, 10.0, 0);
        // Lines of 2 pairs take 4 rows: row 40 is line 20's first row.
        assert_eq!(w.start, 20);
        assert_eq!(w.rows_before, 40);
        assert!(r.rows_before(w.end) >= 50);
        assert_eq!(
            w.rows_before + (r.rows_before(w.end) - w.rows_before) + w.rows_after,
            200
        );
        let empty = RowIndex::new(10).visible_range(0.0, 10.0, 3);
        assert_eq!((empty.start, empty.end), (0, 0));
    }

    proptest! {
        /// The window is the brute-force one: it holds every line that overlaps the viewport
        /// (plus overscan), and its spacers add up to the total.
        #[test]
        fn window_equals_brute_force(
            lens in proptest::collection::vec(0usize..50, 0..60),
            front in proptest::collection::vec(0usize..50, 0..10),
            pops in 0usize..10,
            cols in 1usize..20,
            top in 0.0f64..300.0,
            height in 0.0f64..50.0,
            overscan in 0usize..4,
        ) {
            let mut r = RowIndex::new(cols);
            let mut rows: VecDeque<u64> = VecDeque::new();
            for len in &lens { r.push_back(*len); rows.push_back(rows_for(*len, cols)); }
            for len in &front { r.push_front(*len); rows.push_front(rows_for(*len, cols)); }
            for _ in 0..pops.min(rows.len()) { r.pop_front(); rows.pop_front(); }
            prop_assert_eq!(r.total(), rows.iter().sum::<u64>());
            let w = r.visible_range(top, height, overscan);
            let mut acc = 0u64;
            for (i, n) in rows.iter().enumerate() {
                let (a, b) = (acc as f64, (acc + n) as f64);
                let overlaps = b > top.floor() && a < (top + height).ceil();
                if overlaps {
                    prop_assert!(w.start <= i && i < w.end, "line {} not in {:?}", i, w);
                }
                acc += n;
            }
            prop_assert!(w.start <= w.end && w.end <= rows.len());
            prop_assert_eq!(w.rows_before, rows.iter().take(w.start).sum::<u64>());
            prop_assert_eq!(w.rows_after, rows.iter().skip(w.end).sum::<u64>());
        }
    }
}
