//! When the log viewer does its sliced work and when it renders: the decisions of the
//! animation-frame loop in `use_job_logs`, apart from the loop itself.
//!
//! Each frame applies queued lines (or re-indexes for a new search) in slices until a time
//! budget is spent, so one frame's work stays far below the 50 ms that makes a long task. It
//! then renders if something changed — but while lines flood in (more per frame than the view
//! has rows, so every row would be new each time) at most every [`FLOOD_RENDER_GAP_MS`]: a
//! reader cannot follow 60 screens a second, and each render of fresh rows costs milliseconds
//! the page needs for taking in lines.

/// Milliseconds of sliced work per animation frame.
pub const FRAME_BUDGET_MS: f64 = 8.0;
/// Queued lines applied per slice (about a millisecond of work).
pub const APPLY_SLICE: usize = 2_000;
/// Lines re-indexed per slice for a new search or filter.
pub const SCAN_SLICE: usize = 4_000;
/// Lines applied since the last render from which the view counts as flooded.
pub const FLOOD_LINES: usize = 200;
/// Least time between two renders while flooded.
pub const FLOOD_RENDER_GAP_MS: f64 = 80.0;

/// Whether a frame that started its work at `started_ms` may run another slice at `now_ms`.
pub fn keep_working(started_ms: f64, now_ms: f64) -> bool {
    now_ms - started_ms < FRAME_BUDGET_MS
}

/// The render side: what changed since the last render and when that was.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pacer {
    last_render_ms: Option<f64>,
    /// Lines applied since the last render (saturating).
    applied: usize,
    dirty: bool,
}

impl Pacer {
    /// The model changed: `lines` lines were applied (0 for other changes, e.g. a scan slice).
    pub fn changed(&mut self, lines: usize) {
        self.applied = self.applied.saturating_add(lines);
        self.dirty = true;
    }

    /// Whether a render is owed (now or in a later frame).
    pub fn dirty(&self) -> bool {
        self.dirty
    }

    /// Whether to render at `now_ms`.
    pub fn render_due(&self, now_ms: f64) -> bool {
        let flooded = self.applied >= FLOOD_LINES;
        self.dirty
            && self
                .last_render_ms
                .is_none_or(|t| !flooded || now_ms - t >= FLOOD_RENDER_GAP_MS)
    }

    /// A render was requested at `now_ms` (for any reason: user actions render at once).
    pub fn rendered(&mut self, now_ms: f64) {
        self.last_render_ms = Some(now_ms);
        self.applied = 0;
        self.dirty = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_trickle_renders_every_frame_a_flood_at_most_every_gap() {
        let mut p = Pacer::default();
        assert!(!p.render_due(0.0), "nothing changed");
        p.changed(3);
        assert!(p.render_due(0.0));
        p.rendered(0.0);
        p.changed(3);
        assert!(p.render_due(16.0));
        p.rendered(16.0);
        p.changed(5_000);
        assert!(!p.render_due(32.0));
        assert!(p.dirty(), "owed for a later frame");
        assert!(p.render_due(16.0 + FLOOD_RENDER_GAP_MS));
    }

    #[test]
    fn work_stops_at_the_budget() {
        assert!(keep_working(100.0, 100.0 + FRAME_BUDGET_MS - 0.1));
        assert!(!keep_working(100.0, 100.0 + FRAME_BUDGET_MS));
    }

    proptest! {
        /// Whatever the changes and frame times, a change is never left unrendered for longer
        /// than the flood gap plus a frame, and renders while flooded are at least the gap apart.
        #[test]
        fn renders_are_owed_at_most_a_gap(
            frames in proptest::collection::vec((0usize..1_000, 1.0f64..40.0), 1..80),
        ) {
            let mut p = Pacer::default();
            let (mut now, mut last_render, mut owed_since) = (0.0f64, None::<f64>, None::<f64>);
            for (lines, dt) in frames {
                now += dt;
                if lines > 0 {
                    p.changed(lines);
                    owed_since.get_or_insert(now);
                }
                let flooded = p.applied >= FLOOD_LINES;
                if p.render_due(now) {
                    if let (true, Some(t)) = (flooded, last_render) {
                        prop_assert!(now - t >= FLOOD_RENDER_GAP_MS);
                    }
                    p.rendered(now);
                    last_render = Some(now);
                    owed_since = None;
                }
                if let Some(since) = owed_since {
                    prop_assert!(now - since <= FLOOD_RENDER_GAP_MS + 40.0);
                }
            }
        }
    }
}
