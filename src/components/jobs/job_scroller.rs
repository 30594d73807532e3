//! The jobs list, virtualised: only the cards (or compact rows) in and just around the
//! viewport are rendered, padded above and below to the full list's height, measured on
//! scroll and on resize.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::jobs::job_card::{JobCard, JobCardProps};
use crate::components::jobs::job_row::JobRow;
use crate::hooks::{use_config, use_jobs};
use crate::state::chart::job_series::sparkline;
use crate::state::eta::{is_stalled, EtaConfig};
use crate::state::job_list::{eta_of, Listed};
use crate::state::list_layout::Layout;
use crate::state::selection::Selection;
use crate::state::virtual_list::visible_range;
use crate::types::{Job, JobStatus};

/// Rows rendered above and below the viewport.
const OVERSCAN: usize = 4;

/// What a card's buttons do; stable callbacks, so an update to one job re-renders only that
/// job's card.
#[derive(Clone, PartialEq)]
pub struct CardActions {
    /// Select or deselect (id, shift held for a range).
    pub on_select: Callback<(String, bool)>,
    pub on_cancel: Callback<Rc<Job>>,
    pub on_retry: Callback<Rc<Job>>,
    pub on_run_again: Callback<Rc<Job>>,
    pub on_logs: Callback<Rc<Job>>,
    pub on_dismiss_error: Callback<String>,
}

#[derive(Properties)]
pub struct JobScrollerProps {
    /// The list as filtered and sorted (compared by identity: the page rebuilds it only when
    /// something in it changed).
    pub listed: Rc<Listed>,
    pub selection: UseStateHandle<Selection>,
    pub now_ms: i64,
    /// The wall clock (ticks while not live too), for relative times.
    pub wall_ms: i64,
    pub actions: CardActions,
    /// Cards or compact rows (each a fixed height, `Layout::row_height`).
    pub layout: Layout,
}

impl PartialEq for JobScrollerProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.listed, &other.listed)
            && self.selection == other.selection
            && self.now_ms == other.now_ms
            && self.wall_ms == other.wall_ms
            && self.actions == other.actions
            && self.layout == other.layout
    }
}

#[component]
pub fn JobScroller(props: &JobScrollerProps) -> Html {
    let jobs = use_jobs();
    let config = use_config();
    let scroll = use_state(|| (0.0f64, 800.0f64));
    let scroller = use_node_ref();
    let onscroll = {
        let (scroll, scroller) = (scroll.clone(), scroller.clone());
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                scroll.set((el.scroll_top() as f64, el.client_height() as f64));
            }
        })
    };
    {
        // Measure the viewport once it exists, and again whenever it changes size (the window
        // is resized; embedded, the scroller grows with its rows up to a cap, styles/jobs.css).
        let (scroll, scroller) = (scroll.clone(), scroller.clone());
        use_effect_with((), move |_| {
            let el = scroller.cast::<web_sys::Element>();
            let measure = {
                let el = el.clone();
                move || {
                    if let Some(el) = &el {
                        scroll.set((el.scroll_top() as f64, el.client_height().max(1) as f64));
                    }
                }
            };
            measure();
            let watch = el.and_then(|el| crate::services::browser::ResizeWatch::new(&el, measure));
            move || drop(watch)
        });
    }
    let state = jobs.state();
    let live = state.connection.is_live();
    let now_ms = props.now_ms;
    let (listed, a) = (&props.listed, &props.actions);
    let (top, viewport) = *scroll;
    let layout = props.layout;
    let w = visible_range(
        listed.jobs.len(),
        layout.row_height(),
        top,
        viewport,
        OVERSCAN,
    );
    let eta_cfg = EtaConfig {
        stall_after_ms: config.stall_after_ms,
        ..EtaConfig::default()
    };
    let rows = listed.jobs.clone().slice(w.start..w.end);
    let rows = rows.iter().map(|(job, shown)| {
        let eta = eta_of(state, job);
        // Only cards on screen get here (the list is virtualised), so only they pay for one;
        // compact rows have no room for it.
        let spark = match (shown, state.metrics.get(&job.id)) {
            (JobStatus::Running | JobStatus::Cancelling, Some(series))
                if layout == Layout::Cards =>
            {
                let samples: Vec<_> = series.iter().cloned().collect();
                sparkline(&samples, job.attempt, 96)
            }
            _ => Vec::new(),
        };
        let entry = JobCardProps {
            job: job.clone(),
            shown_status: Some(*shown),
            stale: !live,
            now_ms,
            wall_ms: Some(props.wall_ms),
            eta,
            stalled: live && is_stalled(job, now_ms, &eta_cfg),
            selected: props.selection.contains(&job.id),
            pending: state.pending.contains_key(&job.id),
            action_error: state.action_errors.get(&job.id).cloned(),
            on_select: a.on_select.clone(),
            on_cancel: a.on_cancel.clone(),
            on_retry: a.on_retry.clone(),
            on_run_again: a.on_run_again.clone(),
            on_logs: a.on_logs.clone(),
            on_dismiss_error: a.on_dismiss_error.clone(),
            sparkline: spark,
        };
        match layout {
            Layout::Cards => html! { <JobCard key={job.id.clone()} ..entry /> },
            Layout::Compact => html! { <JobRow key={job.id.clone()} ..entry /> },
        }
    });
    html! {
        <div class={classes!("job-scroller", (layout == Layout::Compact).then_some("compact"))}
             ref={scroller} {onscroll} data-testid="job-scroller" data-layout={layout.as_str()}>
            <ul class="job-list" data-testid="job-list" aria-label="Jobs"
                style={format!("padding-top: {}px; padding-bottom: {}px", w.pad_top, w.pad_bottom)}>
                { for rows }
            </ul>
        </div>
    }
}
