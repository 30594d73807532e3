//! Which rows of a long list are rendered: only those in the viewport plus a margin, whatever
//! the list's length. Rows have a fixed height so the range is pure arithmetic.

/// The rendered slice and the spacer heights around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisibleRange {
    pub start: usize,
    /// One past the last rendered row.
    pub end: usize,
    pub pad_top: u32,
    pub pad_bottom: u32,
}

/// The rows to render for a viewport at `scroll_top` of height `viewport` (px). (Not named
/// `window`: that reads like `web_sys::window()`.)
pub fn visible_range(
    count: usize,
    row_height: u32,
    scroll_top: f64,
    viewport: f64,
    overscan: usize,
) -> VisibleRange {
    let h = row_height.max(1) as f64;
    let first = (scroll_top.max(0.0) / h).floor() as usize;
    let visible = (viewport.max(0.0) / h).ceil() as usize + 1;
    let start = first.saturating_sub(overscan).min(count);
    let end = (first + visible + overscan).min(count);
    VisibleRange {
        start,
        end,
        pad_top: start as u32 * row_height,
        pad_bottom: (count - end) as u32 * row_height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn top_middle_and_end() {
        assert_eq!(
            visible_range(10_000, 100, 0.0, 500.0, 3),
            VisibleRange {
                start: 0,
                end: 9,
                pad_top: 0,
                pad_bottom: 999_100
            }
        );
        let w = visible_range(10_000, 100, 50_000.0, 500.0, 3);
        assert_eq!((w.start, w.end), (497, 509));
        let w = visible_range(10, 100, 5_000.0, 500.0, 3);
        assert_eq!((w.start, w.end, w.pad_bottom), (10, 10, 0));
        assert_eq!(
            visible_range(0, 100, 0.0, 500.0, 3),
            VisibleRange {
                start: 0,
                end: 0,
                pad_top: 0,
                pad_bottom: 0
            }
        );
    }

    proptest! {
        #[test]
        fn bounded_and_covering(count in 0usize..100_000, row in 1u32..200, top in 0f64..1e7, vp in 0f64..3000.0, over in 0usize..10) {
            let w = visible_range(count, row, top, vp, over);
            prop_assert!(w.start <= w.end && w.end <= count);
            // Never more rows than fit in the viewport plus the margins.
            prop_assert!(w.end - w.start <= (vp / row as f64).ceil() as usize + 1 + 2 * over);
            // Spacers plus rows always add up to the full height.
            prop_assert_eq!(w.pad_top as u64 + (w.end - w.start) as u64 * row as u64 + w.pad_bottom as u64, count as u64 * row as u64);
            // Rows in the viewport are rendered.
            let first_visible = (top / row as f64).floor() as usize;
            if first_visible < count { prop_assert!(w.start <= first_visible && first_visible < w.end.max(1)); }
        }
    }
}
