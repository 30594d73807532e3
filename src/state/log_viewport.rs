//! Which shown log lines the viewer renders, and where: the virtual window over fixed-height
//! rows (or wrapped rows, see [`RowIndex`]), taken at the bottom while following so that the
//! render that adds lines already shows the newest ones (no second render once the viewport
//! has scrolled down to them).

use crate::state::log_rows::RowIndex;
use crate::state::virtual_list::visible_range;

/// Approximate width of one monospace character (px), for wrap estimates.
pub const CHAR_W: f64 = 7.6;
/// Width taken by the line number, timestamp and level columns (px).
const GUTTER_W: f64 = 140.0;

/// Characters per row when wrapping in a viewport `width` px wide (at least 20).
pub fn wrap_cols(width: f64) -> usize {
    ((width - GUTTER_W) / CHAR_W).floor().max(20.0) as usize
}

/// The viewport, as last measured (px).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub top: f64,
    pub height: f64,
    pub width: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Self {
            top: 0.0,
            height: 600.0,
            width: 900.0,
        }
    }
}

/// The rendered slice of shown lines and the spacer heights around it (px).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slice {
    pub start: usize,
    /// One past the last rendered line.
    pub end: usize,
    pub pad_top: f64,
    pub pad_bottom: f64,
}

impl Slice {
    /// Height of all shown lines (px).
    pub fn total(&self, row_h: u32, rendered_rows: u64) -> f64 {
        self.pad_top + self.pad_bottom + (rendered_rows * u64::from(row_h)) as f64
    }
}

/// The lines to render out of `count` shown ones (`rows` when wrapping), for `vp`, with
/// `overscan` lines more on each side; at the bottom while `following`.
pub fn slice(
    count: usize,
    rows: Option<&RowIndex>,
    row_h: u32,
    vp: Viewport,
    following: bool,
    overscan: usize,
) -> Slice {
    let h = f64::from(row_h.max(1));
    let total_px = rows.map_or(count as f64, |r| r.total() as f64) * h;
    let top = if following {
        (total_px - vp.height).max(0.0)
    } else {
        vp.top
    };
    match rows {
        None => {
            let w = visible_range(count, row_h, top, vp.height, overscan);
            Slice {
                start: w.start,
                end: w.end,
                pad_top: f64::from(w.pad_top),
                pad_bottom: f64::from(w.pad_bottom),
            }
        }
        Some(r) => {
            let w = r.visible_range(top / h, vp.height / h, overscan);
            Slice {
                start: w.start,
                end: w.end,
                pad_top: w.rows_before as f64 * h,
                pad_bottom: w.rows_after as f64 * h,
            }
        }
    }
}

/// Rows before shown line `i` (`i` without wrapping).
pub fn rows_before(rows: Option<&RowIndex>, i: usize) -> u64 {
    rows.map_or(i as u64, |r| r.rows_before(i))
}

/// How many of the newest held lines a tail view (the job page's log panel) renders: all
/// lines that are new since the last render and, with what is left of `grow`, more of the
/// older ones, up to `max`. So one render builds at most `grow` rows (a flood shows only the
/// newest `grow` lines, and the view fills back up to `max` over the following renders).
/// `kept`: rows of the last render still held; `new`: held lines newer than those.
pub fn tail_rows(kept: usize, new: usize, held: usize, max: usize, grow: usize) -> usize {
    let rows = if new >= grow {
        grow
    } else {
        (kept + grow).min(max.max(new))
    };
    rows.min(held).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VP: Viewport = Viewport {
        top: 0.0,
        height: 400.0,
        width: 900.0,
    };

    #[test]
    fn following_renders_the_newest_lines_whatever_the_stale_scroll_position() {
        let s = slice(200_000, None, 20, VP, true, 30);
        assert_eq!(s.end, 200_000);
        assert!(s.start < 200_000 - 20);
        assert_eq!(s.pad_bottom, 0.0);
        // Once the viewport is there, the same slice: the scroll event needs no render.
        let at_bottom = Viewport {
            top: 200_000.0 * 20.0 - VP.height,
            ..VP
        };
        assert_eq!(slice(200_000, None, 20, at_bottom, false, 30), s);
    }

    #[test]
    fn wrapped_rows_use_the_row_index() {
        let mut r = RowIndex::new(10);
        for _ in 0..1000 {
            r.push_back(25); // 3 rows each
        }
        let s = slice(1000, Some(&r), 20, VP, true, 5);
        assert_eq!(s.end, 1000);
        assert_eq!(s.pad_bottom, 0.0);
        assert_eq!(s.total(20, 3 * (s.end - s.start) as u64), 3000.0 * 20.0);
        assert_eq!(rows_before(Some(&r), 10), 30);
        assert_eq!(rows_before(None, 10), 10);
        assert_eq!(wrap_cols(900.0), 100);
        assert_eq!(wrap_cols(100.0), 20);
    }

    proptest! {
        /// A tail view never builds more than `grow` rows in one render, always shows the
        /// newest line, and without new lines fills up to `max` (or all held lines).
        #[test]
        fn tail_rows_are_bounded_and_fill_up(
            held0 in 0usize..5_000,
            arrivals in proptest::collection::vec(0usize..3_000, 1..20),
            max in 1usize..2_500,
            grow in 1usize..400,
        ) {
            // The view's rows: the last `rows` of `held`.
            let (mut held, mut rows) = (held0, 0usize);
            let calm = max / grow + 2;
            for new in arrivals.into_iter().chain(std::iter::repeat_n(0, calm)) {
                held += new;
                let kept = rows.min(held - new);
                let next = tail_rows(kept, new, held, max, grow);
                prop_assert!(next <= max && next <= held);
                prop_assert!(next.saturating_sub(kept.min(next)) <= grow, "built {} rows", next - kept);
                prop_assert!(held == 0 || next > 0, "the newest line is shown");
                rows = next;
            }
            prop_assert_eq!(rows, held.min(max));
        }

        /// The slice always covers the viewport (or the bottom while following), and its
        /// spacers plus its rows make the whole list.
        #[test]
        fn covers_the_viewport(
            count in 0usize..5_000,
            top in 0.0f64..200_000.0,
            height in 0.0f64..2_000.0,
            following in any::<bool>(),
            overscan in 0usize..40,
        ) {
            let vp = Viewport { top, height, width: 900.0 };
            let s = slice(count, None, 20, vp, following, overscan);
            prop_assert!(s.start <= s.end && s.end <= count);
            prop_assert_eq!(s.total(20, (s.end - s.start) as u64), count as f64 * 20.0);
            let shown_top = if following { (count as f64 * 20.0 - height).max(0.0) } else { top };
            let first = (shown_top / 20.0).floor() as usize;
            let last = ((shown_top + height) / 20.0).ceil() as usize;
            for i in first.min(count)..last.min(count) {
                prop_assert!(s.start <= i && i < s.end);
            }
        }
    }
}
