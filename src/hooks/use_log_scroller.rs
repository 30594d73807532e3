//! The log viewer's scrolling, as a hook: measures the viewport (on scroll, on mount, when a
//! mode changes its box), picks the lines to render, and after each render puts the viewport
//! where it belongs. The decisions are `state::log_scroll`'s; this only reads and sets the
//! element's scroll position.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlElement;
use yew::prelude::*;

use crate::hooks::use_job_logs::{LogStatus, UseJobLogsHandle};
use crate::state::log_scroll::{on_scroll, permalink_needs_older, slice_for};
use crate::state::log_scroll::{AfterRender, ScrollEvent, ScrollTargets};
use crate::state::log_viewport::{wrap_cols, Slice, Viewport};

/// What `use_log_scroller` returns.
pub struct UseLogScrollerHandle {
    /// The scrolling element.
    pub viewport: NodeRef,
    pub onscroll: Callback<Event>,
    /// The shown lines to render, and the spacers around them.
    pub slice: Slice,
    revealed: Rc<RefCell<Option<u64>>>,
}

impl UseLogScrollerHandle {
    /// The reader marked line `n` where it is: it counts as revealed (no scroll to it).
    pub fn mark_in_place(&self) -> Callback<u64> {
        let revealed = self.revealed.clone();
        Callback::from(move |n: u64| *revealed.borrow_mut() = Some(n))
    }
}

/// The viewport's current box.
fn measure(el: &HtmlElement) -> Viewport {
    Viewport {
        top: el.scroll_top() as f64,
        height: el.client_height() as f64,
        width: el.client_width() as f64,
    }
}

/// Scrolling for the log in `logs`, with the line `marked` revealed once it is loaded; `wrap`
/// and `fullscreen` change the box. Call before reading the model in the render (it sets the
/// wrap width).
#[hook]
pub fn use_log_scroller(
    logs: &UseJobLogsHandle,
    marked: Option<u64>,
    wrap: bool,
    fullscreen: bool,
) -> UseLogScrollerHandle {
    let viewport = use_node_ref();
    // Measured on scroll and when the box changes; a change only renders when it changes the
    // rendered slice.
    let scroll = use_mut_ref(Viewport::default);
    // Keeps the line at the top of the viewport in place when older lines are prepended.
    let anchor = use_mut_ref(|| None::<(u64, f64)>);
    // The slice of the last render.
    let rendered = use_mut_ref(|| None::<Slice>);
    // The marked line the view last scrolled to (it scrolls to a mark once).
    let revealed = use_mut_ref(|| None::<u64>);

    let vp = *scroll.borrow();
    logs.set_wrap(wrap.then(|| wrap_cols(vp.width)));
    let (slice, targets, first) = {
        let model = logs.model();
        let ready = logs.status == LogStatus::Ready;
        let targets = ScrollTargets::of(&model, *anchor.borrow(), marked, ready);
        (slice_for(&model, vp), targets, model.buffer.first_n())
    };
    *rendered.borrow_mut() = Some(slice);

    {
        // After every render: restore the anchor, reveal a permalinked line once it is loaded,
        // or follow the bottom.
        let (viewport, anchor, revealed, logs) = (
            viewport.clone(),
            anchor.clone(),
            revealed.clone(),
            logs.clone(),
        );
        use_effect(move || {
            let Some(el) = viewport.cast::<HtmlElement>() else {
                return;
            };
            let last = *revealed.borrow();
            match targets.after_render(last, || el.client_height() as f64) {
                AfterRender::Stay => {}
                AfterRender::RestoreAnchor { scroll_top } => {
                    el.set_scroll_top(scroll_top);
                    anchor.borrow_mut().take();
                }
                AfterRender::Reveal {
                    scroll_top,
                    line,
                    stop_following,
                } => {
                    el.set_scroll_top(scroll_top);
                    *revealed.borrow_mut() = Some(line);
                    if stop_following {
                        logs.update(|m| m.follow.following = false);
                    }
                }
                AfterRender::Bottom { scroll_top } => el.set_scroll_top(scroll_top),
            }
        });
    }
    {
        // A permalink to a line older than what is loaded: load pages back until it is.
        let logs = logs.clone();
        use_effect_with(
            (marked, first, logs.loading_older),
            move |(marked, first, loading)| {
                if permalink_needs_older(*marked, *first, *loading) {
                    logs.load_older();
                }
            },
        );
    }
    let onscroll = {
        let (scroll, viewport, logs, anchor, rendered) = (
            scroll.clone(),
            viewport.clone(),
            logs.clone(),
            anchor,
            rendered,
        );
        Callback::from(move |_: Event| {
            let Some(el) = viewport.cast::<HtmlElement>() else {
                return;
            };
            let now = measure(&el);
            let event = ScrollEvent {
                before: *scroll.borrow(),
                now,
                scroll_height: el.scroll_height() as f64,
                rendered: *rendered.borrow(),
                loading_older: logs.loading_older,
            };
            *scroll.borrow_mut() = now;
            let reaction = on_scroll(&logs.model(), &event);
            if let Some(at_bottom) = reaction.follow {
                logs.update(|m| m.follow.scrolled(at_bottom));
            } else if reaction.refresh {
                logs.refresh();
            }
            if reaction.load_older {
                if let Some(line) = reaction.anchor {
                    *anchor.borrow_mut() = Some(line);
                }
                logs.load_older();
            }
        })
    };
    {
        // Measure once mounted and when toggling modes that change the box.
        let (viewport, logs) = (viewport.clone(), logs.clone());
        use_effect_with((fullscreen, wrap), move |_| {
            if let Some(el) = viewport.cast::<HtmlElement>() {
                *scroll.borrow_mut() = measure(&el);
                logs.refresh();
            }
        });
    }
    UseLogScrollerHandle {
        viewport,
        onscroll,
        slice,
        revealed,
    }
}
