//! The log viewer's scrolling decisions, apart from the DOM (events in, what to do out): which
//! shown lines a render puts in the DOM, where the viewport goes after a render (back to the
//! line it was on when older lines were prepended, to a permalinked line, or to the bottom while
//! following), and what a scroll event means (follow or not, render again, load older lines).
//!
//! Nothing here walks the log: line positions come from the model's wrapped-row index
//! ([`crate::state::log_rows::RowIndex`], prefix sums kept up to date as lines join and leave),
//! so a render or a scroll event costs O(log n) for the window plus O(window) for its rows,
//! whatever the log's length.

use crate::state::log_view::LogModel;
use crate::state::log_viewport::{rows_before, slice, Slice, Viewport};

/// Height of one visual row (px); matches `.log-row` in styles/logs.css.
pub const LINE_H: u32 = 20;
/// Rows rendered beyond the viewport on each side.
pub const OVERSCAN: usize = 30;
/// How close to the bottom (px) still counts as at the bottom.
const BOTTOM_SLACK: f64 = (2 * LINE_H) as f64;

/// The slice of shown lines to render for `vp` (at the bottom while following).
pub fn slice_for(model: &LogModel, vp: Viewport) -> Slice {
    slice(
        model.shown_len(),
        model.rows(),
        LINE_H,
        vp,
        model.follow.following,
        OVERSCAN,
    )
}

/// How many DOM rows a window renders at most in a viewport `viewport_px` high.
pub fn max_rendered_rows(viewport_px: f64) -> usize {
    (viewport_px / LINE_H as f64).ceil() as usize + 1 + 2 * OVERSCAN
}

/// Top of shown line `pos` (px; the full height for `pos` past the end).
fn line_top(model: &LogModel, pos: usize) -> f64 {
    (rows_before(model.rows(), pos) * u64::from(LINE_H)) as f64
}

/// A permalink to line `marked` needs older lines loaded first: it is before the oldest held
/// line `first`, there are older lines, and none are being loaded.
pub fn permalink_needs_older(marked: Option<u64>, first: Option<u64>, loading: bool) -> bool {
    matches!((marked, first), (Some(n), Some(first)) if n < first && first > 1 && !loading)
}

/// Where the viewport may go after a render, measured from the model as rendered (the effect
/// that scrolls runs after the model may have moved on).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScrollTargets {
    /// Where the anchored line is now, plus its offset when anchored (older lines came in
    /// front of it), if it is shown.
    pub anchor_px: Option<f64>,
    /// Top of the marked (permalinked) line, if it is shown.
    pub marked_px: Option<f64>,
    /// Past the last line: the browser stops at the bottom.
    pub bottom_px: f64,
    /// The marked line.
    pub marked: Option<u64>,
    pub following: bool,
    /// The log has loaded.
    pub ready: bool,
}

/// What to do with the viewport once a render is in the DOM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterRender {
    /// Leave it where it is.
    Stay,
    /// Put the anchored line back where it was; the anchor is used up.
    RestoreAnchor { scroll_top: i32 },
    /// Centre the marked line `line` (once: it is now revealed); stop following if following,
    /// or the next lines would scroll it away.
    Reveal {
        scroll_top: i32,
        line: u64,
        stop_following: bool,
    },
    /// Stick to the bottom (set without reading the layout back: the height is known).
    Bottom { scroll_top: i32 },
}

impl ScrollTargets {
    /// The targets for `model` with the line `anchor` (number, offset px) kept in place and the
    /// line `marked`.
    pub fn of(
        model: &LogModel,
        anchor: Option<(u64, f64)>,
        marked: Option<u64>,
        ready: bool,
    ) -> Self {
        let anchor_px =
            anchor.and_then(|(n, off)| model.shown_position(n).map(|p| line_top(model, p) + off));
        Self {
            anchor_px,
            marked_px: marked
                .and_then(|n| model.shown_position(n))
                .map(|p| line_top(model, p)),
            bottom_px: line_top(model, model.shown_len()) + BOTTOM_SLACK,
            marked,
            following: model.follow.following,
            ready,
        }
    }

    /// The anchor first, then a marked line not revealed yet (`revealed`: the last one that
    /// was), then the bottom while following (unless a marked line still waits to be revealed).
    /// `client_height`: the viewport's height (px), read only to centre a marked line (reading
    /// it forces a layout).
    pub fn after_render(
        &self,
        revealed: Option<u64>,
        client_height: impl FnOnce() -> f64,
    ) -> AfterRender {
        let reveal = self
            .marked_px
            .zip(self.marked)
            .filter(|_| self.ready && revealed != self.marked);
        if let Some(top) = self.anchor_px {
            AfterRender::RestoreAnchor {
                scroll_top: top as i32,
            }
        } else if let Some((top, line)) = reveal {
            AfterRender::Reveal {
                scroll_top: (top - client_height() / 2.0).max(0.0) as i32,
                line,
                stop_following: self.following,
            }
        } else if self.following && self.ready && self.marked.is_none_or(|t| revealed == Some(t)) {
            AfterRender::Bottom {
                scroll_top: self.bottom_px.min(i32::MAX as f64) as i32,
            }
        } else {
            AfterRender::Stay
        }
    }
}

/// The viewport as measured on a scroll event, with what the view knew before it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScrollEvent {
    /// The viewport as last measured.
    pub before: Viewport,
    pub now: Viewport,
    /// The content's full height (px).
    pub scroll_height: f64,
    /// The slice of the last render.
    pub rendered: Option<Slice>,
    /// Older lines are being loaded.
    pub loading_older: bool,
}

/// What a scroll event asks of the view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScrollReaction {
    /// Start (`true`) or stop (`false`) following; a change renders by itself.
    pub follow: Option<bool>,
    /// Render again without a model change: the box was resized or the slice moved.
    pub refresh: bool,
    /// Load older lines.
    pub load_older: bool,
    /// With them, keep this line (number, offset px) in place when they arrive.
    pub anchor: Option<(u64, f64)>,
}

/// What `ev` means for `model`: at the bottom follows, scrolled up stops following, a moved
/// slice renders, and near the top with older lines available loads them.
pub fn on_scroll(model: &LogModel, ev: &ScrollEvent) -> ScrollReaction {
    let vp = ev.now;
    let at_bottom = vp.top + vp.height >= ev.scroll_height - BOTTOM_SLACK;
    let follow = (model.follow.following != at_bottom).then_some(at_bottom);
    let refresh = follow.is_none()
        && (ev.before.width != vp.width || ev.rendered != Some(slice_for(model, vp)));
    let load_older = vp.top < f64::from(LINE_H)
        && model.buffer.first_n().is_some_and(|n| n > 1)
        && !ev.loading_older;
    let anchor = load_older
        .then(|| model.shown_line(0).map(|l| (l.n, vp.top)))
        .flatten();
    ScrollReaction {
        follow,
        refresh,
        load_older,
        anchor,
    }
}

#[cfg(test)]
mod tests;
