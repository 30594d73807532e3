//! The viewer's window against one computed from scratch, and its scrolling decisions.

use super::*;
use crate::fixtures::log_line as line_of;
use crate::state::log_filter::LEVELS;
use crate::state::log_rows::{rows_for, RowIndex};
use proptest::prelude::*;

/// Lines `from..from + lens.len()`, line `n` `lens[n - from]` bytes long.
fn lines(from: u64, lens: &[usize]) -> Vec<crate::types::LogLine> {
    lens.iter()
        .zip(from..)
        .map(|(len, n)| line_of(n, LEVELS[(n % 5) as usize], &"x".repeat(*len)))
        .collect()
}

/// A following model holding lines `1..=count`, `len` bytes each, wrapped at `cols`.
fn model(count: usize, len: usize, cols: Option<usize>) -> LogModel {
    let mut m = LogModel::new(1_000);
    m.set_wrap(cols);
    m.append(lines(1, &vec![len; count]));
    m
}

/// Rows of each shown line, counted from the lines themselves.
fn shown_rows(m: &LogModel) -> Vec<u64> {
    let cols = m.rows().map(RowIndex::cols);
    (0..m.shown_len())
        .filter_map(|i| m.shown_line(i))
        .map(|l| cols.map_or(1, |c| rows_for(l.text.len(), c)))
        .collect()
}

/// A 400 px high viewport scrolled to `top`.
fn at(top: f64) -> Viewport {
    Viewport {
        top,
        height: 400.0,
        width: 900.0,
    }
}

#[test]
fn following_renders_the_bottom_and_scrolls_past_it() {
    let m = model(500, 25, Some(10)); // 3 rows a line
    let s = slice_for(&m, at(0.0));
    assert_eq!(s.end, 500);
    assert_eq!(s.pad_bottom, 0.0);
    assert!(500 - s.start <= max_rendered_rows(400.0));
    let t = ScrollTargets::of(&m, None, None, true);
    assert_eq!(t.bottom_px, 1_500.0 * 20.0 + 40.0);
    assert_eq!(
        t.after_render(None, || 400.0),
        AfterRender::Bottom { scroll_top: 30_040 }
    );
    // Not loaded yet: nowhere to go.
    let loading = ScrollTargets::of(&m, None, None, false);
    assert_eq!(loading.after_render(None, || 400.0), AfterRender::Stay);
}

#[test]
fn the_anchor_comes_first_then_a_mark_is_revealed_once() {
    let mut m = model(100, 5, None);
    // Line 50 is row 49; anchored 7 px into the viewport.
    let t = ScrollTargets::of(&m, Some((50, 7.0)), Some(60), true);
    assert_eq!(t.anchor_px, Some(49.0 * 20.0 + 7.0));
    assert_eq!(
        t.after_render(None, || 400.0),
        AfterRender::RestoreAnchor { scroll_top: 987 }
    );
    // The anchor used up: the marked line is centred, and following stops.
    let t = ScrollTargets::of(&m, None, Some(60), true);
    assert_eq!(
        t.after_render(None, || 400.0),
        AfterRender::Reveal {
            scroll_top: 59 * 20 - 200,
            line: 60,
            stop_following: true
        }
    );
    // Revealed once; while following (the reader jumped to the latest) the bottom again.
    assert_eq!(
        t.after_render(Some(60), || 400.0),
        AfterRender::Bottom { scroll_top: 2_040 }
    );
    m.follow.scrolled(false);
    let t = ScrollTargets::of(&m, None, Some(60), true);
    assert_eq!(t.after_render(Some(60), || 400.0), AfterRender::Stay);
    // Near the top the centred position is clamped to 0.
    let t = ScrollTargets::of(&m, None, Some(2), true);
    assert_eq!(
        t.after_render(None, || 400.0),
        AfterRender::Reveal {
            scroll_top: 0,
            line: 2,
            stop_following: false
        }
    );
}

#[test]
fn a_mark_not_loaded_yet_holds_the_bottom_and_asks_for_older_lines() {
    let mut m = LogModel::new(1_000);
    m.append(lines(500, &[5; 100]));
    let t = ScrollTargets::of(&m, None, Some(10), true);
    assert_eq!(t.marked_px, None);
    assert_eq!(t.after_render(None, || 400.0), AfterRender::Stay);
    assert!(permalink_needs_older(Some(10), m.buffer.first_n(), false));
    assert!(!permalink_needs_older(Some(10), m.buffer.first_n(), true));
    assert!(!permalink_needs_older(Some(510), m.buffer.first_n(), false));
    assert!(!permalink_needs_older(None, m.buffer.first_n(), false));
    assert!(
        !permalink_needs_older(Some(0), Some(1), false),
        "nothing older"
    );
}

fn scrolled(m: &LogModel, before: Viewport, now: Viewport, loading: bool) -> ScrollReaction {
    let total = m.rows().map_or(m.shown_len() as u64, RowIndex::total) as f64 * 20.0;
    on_scroll(
        m,
        &ScrollEvent {
            before,
            now,
            scroll_height: total + 40.0,
            rendered: Some(slice_for(m, before)),
            loading_older: loading,
        },
    )
}

#[test]
fn scrolling_up_stops_following_and_back_down_follows_again() {
    let mut m = LogModel::new(1_000);
    m.append(lines(100, &[5; 500]));
    let bottom = at(500.0 * 20.0 + 40.0 - 400.0);
    let up = at(3_000.0);
    let r = scrolled(&m, bottom, up, false);
    assert_eq!(r.follow, Some(false));
    assert!(!r.refresh, "the follow change renders by itself");
    m.follow.scrolled(false);
    assert_eq!(scrolled(&m, up, bottom, false).follow, Some(true));
    // The same slice needs no render; a moved one, or a resized box, does.
    let nudged = Viewport { top: 3_001.0, ..up };
    assert_eq!(
        scrolled(&m, up, nudged, false),
        ScrollReaction {
            follow: None,
            refresh: false,
            load_older: false,
            anchor: None
        }
    );
    let far = Viewport { top: 6_000.0, ..up };
    assert!(scrolled(&m, up, far, false).refresh);
    let narrower = Viewport { width: 600.0, ..up };
    assert!(scrolled(&m, up, narrower, false).refresh);
}

#[test]
fn near_the_top_older_lines_load_with_the_first_line_anchored() {
    let mut m = LogModel::new(1_000);
    m.append(lines(100, &[5; 500]));
    m.follow.scrolled(false);
    let top = at(12.0);
    let r = scrolled(&m, at(0.0), top, false);
    assert!(r.load_older);
    assert_eq!(r.anchor, Some((100, 12.0)));
    assert!(
        !scrolled(&m, at(0.0), top, true).load_older,
        "already loading"
    );
    let lower = at(20.0);
    assert!(!scrolled(&m, at(0.0), lower, false).load_older);
    // From line 1 there is nothing older.
    let mut from_one = LogModel::new(1_000);
    from_one.append(lines(1, &[5; 500]));
    from_one.follow.scrolled(false);
    assert!(!scrolled(&from_one, at(0.0), top, false).load_older);
}

/// What the window must be, from the shown lines' rows summed one by one.
fn check_window(m: &LogModel, vp: Viewport) -> Result<(), TestCaseError> {
    let rows = shown_rows(m);
    let h = f64::from(LINE_H);
    let total: u64 = rows.iter().sum();
    let s = slice_for(m, vp);
    prop_assert!(s.start <= s.end && s.end <= m.shown_len());
    prop_assert!(s.end - s.start <= max_rendered_rows(vp.height));
    let before: u64 = rows[..s.start].iter().sum();
    let inside: u64 = rows[s.start..s.end].iter().sum();
    prop_assert_eq!(s.pad_top, before as f64 * h);
    prop_assert_eq!(
        s.pad_top + inside as f64 * h + s.pad_bottom,
        total as f64 * h
    );
    // Every line overlapping the viewport (the bottom while following) is rendered.
    let top = if m.follow.following {
        (total as f64 * h - vp.height).max(0.0)
    } else {
        vp.top
    };
    let (from, to) = ((top / h).floor(), ((top + vp.height) / h).ceil());
    let mut acc = 0u64;
    for (i, n) in rows.iter().enumerate() {
        if ((acc + n) as f64) > from && (acc as f64) < to {
            prop_assert!(s.start <= i && i < s.end, "line {} not in {:?}", i, s);
        }
        acc += n;
    }
    Ok(())
}

proptest! {
    /// For any line lengths, however they arrived (appended past the cap, prepended, filtered,
    /// re-wrapped), and any scroll offset: the window covers the viewport within bounds, and
    /// the incrementally kept row index equals one built from scratch.
    #[test]
    fn the_window_covers_the_viewport_and_the_index_equals_a_rebuild(
        cap in 1usize..150,
        cols in proptest::option::of(1usize..120),
        ops in proptest::collection::vec(
            (0u8..4, proptest::collection::vec(0usize..400, 0..40)), 1..12),
        tops in proptest::collection::vec(0.0f64..60_000.0, 1..6),
        height in 0.0f64..1_500.0,
        following in any::<bool>(),
    ) {
        let mut m = LogModel::new(cap);
        m.set_wrap(cols);
        let mut next = 1_000_000u64;
        for (op, lens) in ops {
            match op {
                0 | 1 => {
                    m.append(lines(next, &lens));
                    next += lens.len() as u64;
                }
                2 => {
                    let first = m.buffer.first_n().unwrap_or(next);
                    let k = (lens.len() as u64).min(first.saturating_sub(1));
                    m.prepend(lines(first - k, &lens[..k as usize]));
                }
                _ => {
                    m.toggle_level(lens.len() % 5);
                    while m.work_scan(usize::MAX) > 0 {}
                }
            }
            if let Some(r) = m.rows() {
                let mut fresh = RowIndex::new(r.cols());
                for l in (0..m.shown_len()).filter_map(|i| m.shown_line(i)) {
                    fresh.push_back(l.text.len());
                }
                prop_assert_eq!(r, &fresh);
            }
        }
        m.follow.scrolled(!following);
        m.follow.following = following;
        for top in tops {
            check_window(&m, Viewport { top, height, width: 900.0 })?;
        }
    }
}
