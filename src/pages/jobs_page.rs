//! `#/jobs`: every job, live — filters in the URL, a virtualised list, start/cancel/retry with
//! confirmations, and bulk actions with exact counts and per-job results.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use crate::components::error_banner::ErrorBanner;
use crate::components::jobs::bulk_controls::BulkControls;
use crate::components::jobs::bulk_run_view::BulkRunView;
use crate::components::jobs::job_filters::JobFilters;
use crate::components::jobs::job_scroller::{CardActions, JobScroller};
use crate::components::jobs::jobs_dialogs::{Dialog, JobsDialogs};
use crate::components::jobs::jobs_header::JobsHeader;
use crate::components::jobs::jobs_metrics::JobsMetrics;
use crate::components::jobs::list_chips::{FailureChip, TouchedChip};
use crate::hooks::{use_bulk, use_clock, use_datasets, use_jobs, use_url_filter, UseJobsHandle};
use crate::state::bulk::Plan;
use crate::state::chart::throughput::Window;
use crate::state::job_filter::JobFilter;
use crate::state::job_list::{released_note, Listed};
use crate::state::jobs_store::{Action, ListView, UserAction};
use crate::state::list_cache::ListCache;
use crate::state::list_summary::{list_summary, SummaryInput};
use crate::state::selection::Selection;
use crate::types::Job;

/// The cards' actions, created once, so an update to one job re-renders only that job's card.
/// They read the list as last rendered from the cache when the user acts: keying them on the
/// list itself would re-create them (and re-render every card) on every batch of events.
#[hook]
fn use_card_actions(
    jobs: &UseJobsHandle,
    dialog: &UseStateHandle<Dialog>,
    selection: &UseStateHandle<Selection>,
    cache: &Rc<RefCell<ListCache>>,
) -> CardActions {
    let on_select = {
        let (selection, cache) = (selection.clone(), cache.clone());
        use_callback((), move |(id, shift): (String, bool), _| {
            let mut next = (*selection).clone();
            next.click(&id, shift, &cache.borrow().order());
            selection.set(next);
        })
    };
    // Each built where it is named: the hooks run in this order on every render.
    CardActions {
        on_select,
        on_cancel: {
            let dialog = dialog.clone();
            use_callback((), move |job: Rc<Job>, _| dialog.set(Dialog::Cancel(job)))
        },
        on_retry: {
            let jobs = jobs.clone();
            use_callback((), move |job: Rc<Job>, _| {
                jobs.request(&job.id, UserAction::Retry)
            })
        },
        on_run_again: {
            let dialog = dialog.clone();
            use_callback((), move |job: Rc<Job>, _| {
                dialog.set(Dialog::Start(Some(job)))
            })
        },
        on_logs: {
            let dialog = dialog.clone();
            use_callback((), move |job: Rc<Job>, _| {
                dialog.set(Dialog::Logs(job.id.clone()))
            })
        },
        on_dismiss_error: {
            let jobs = jobs.clone();
            use_callback((), move |id: String, _| {
                jobs.dispatch(Action::DismissActionError { id })
            })
        },
    }
}

/// Keeps the store told what the list selects, shows as touched, or filters for, so its
/// retention keeps those jobs.
#[hook]
fn use_list_view_sync(
    jobs: &UseJobsHandle,
    selection: &UseStateHandle<Selection>,
    touched: &UseStateHandle<Option<Rc<BTreeSet<String>>>>,
    filter: &JobFilter,
) {
    let jobs = jobs.clone();
    use_effect_with(
        (selection.clone(), touched.clone(), filter.clone()),
        move |(selection, touched, filter)| {
            jobs.dispatch(Action::View(ListView::new(
                selection.ids(),
                (**touched).clone(),
                filter,
            )));
        },
    );
}

/// What shows instead of the list before the first load (loading, or the failure with a
/// retry) and when there are no jobs at all; `None` once there is a list to show.
fn before_the_list(jobs: &UseJobsHandle, open_start: &Callback<MouseEvent>) -> Option<Html> {
    let state = jobs.state();
    if !state.loaded {
        Some(match &state.load_error {
            Some(err) => {
                let j = jobs.clone();
                html! {
                    <ErrorBanner title="Could not load jobs" message={err.clone()}
                                 on_retry={Callback::from(move |_| j.retry_now())} testid="jobs-error" />
                }
            }
            None => html! {
                <p class="loading" role="status" data-testid="jobs-loading">{ "Loading jobs…" }</p>
            },
        })
    } else if state.jobs.is_empty() {
        Some(html! {
            <div class="empty" data-testid="jobs-empty">
                <h2>{ "No processing jobs yet" }</h2>
                <p>{ "Jobs profile and validate your uploaded datasets: per-column statistics, type checks, and a full report of any bad rows. Start one and its progress, logs and errors show up here live." }</p>
                <button type="button" class="btn btn-primary" data-testid="empty-start" onclick={open_start.clone()}>
                    { "Start Processing" }
                </button>
            </div>
        })
    } else {
        None
    }
}

#[component]
pub fn JobsPage() -> Html {
    let jobs = use_jobs();
    let datasets = use_datasets();
    let url = use_url_filter();
    let filter = &url.filter;
    let selection = use_state(Selection::default);
    let touched = use_state(|| None::<Rc<BTreeSet<String>>>);
    let dialog = use_state(|| Dialog::None);
    let bulk = use_bulk();
    use_list_view_sync(&jobs, &selection, &touched, filter);

    let state = jobs.state();
    let live = state.connection.is_live();
    let now_ms = use_clock(live);
    // Relative times ("finished 3 min ago") move on while the data is not live.
    let wall_ms = use_clock(true);
    // The list, updated with the jobs that changed since the last render, rebuilt when the
    // view changes (`ListCache`).
    let cache = use_mut_ref(ListCache::default);
    let listed: Rc<Listed> = cache.borrow_mut().list(state, filter, &touched, now_ms);
    let actions = use_card_actions(&jobs, &dialog, &selection, &cache);
    let open_start = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(Dialog::Start(None)))
    };
    let close_dialog = {
        let dialog = dialog.clone();
        Callback::from(move |_| dialog.set(Dialog::None))
    };

    let metrics_open = filter.metrics.is_some();
    let toggle_metrics = {
        let url = url.clone();
        Callback::from(move |_: MouseEvent| {
            url.update(|f| {
                f.metrics = match f.metrics {
                    Some(_) => None,
                    None => Some(Window::default()),
                }
            })
        })
    };
    let on_plan = {
        let dialog = dialog.clone();
        Callback::from(move |plan: Plan| dialog.set(Dialog::Bulk(Rc::new(plan))))
    };
    let metrics_view = filter.metrics.map(|window| {
        html! {
            <JobsMetrics {window} filter={filter.clone()} set_filter={url.set.clone()}
                         selection={selection.clone()} {now_ms} on_plan={on_plan.clone()} />
        }
    });

    let body = if let Some(placeholder) = before_the_list(&jobs, &open_start) {
        placeholder
    } else {
        let bulk_bar = {
            let order = {
                let cache = cache.clone();
                Callback::from(move |_| cache.borrow().order())
            };
            html! {
                <BulkControls listed={listed.clone()} filter={filter.clone()}
                              selection={selection.clone()} {order} {on_plan} />
            }
        };
        let touched_chip = (*touched).clone().map(|t| {
            let touched = touched.clone();
            let on_clear = Callback::from(move |_: MouseEvent| touched.set(None));
            html! { <TouchedChip count={t.len()} {on_clear} /> }
        });
        let failure_chip = filter.failure.clone().map(|failure| {
            let url = url.clone();
            let on_clear = Callback::from(move |_: MouseEvent| {
                url.update(|f| {
                    f.failure = None;
                    f.within_s = None;
                })
            });
            html! { <FailureChip {failure} within_s={filter.within_s} {on_clear} /> }
        });
        // A change of filter from the list's own controls starts a new selection.
        let set_filter = {
            let (set_filter, selection) = (url.set.clone(), selection.clone());
            Callback::from(move |f: JobFilter| {
                selection.set(Selection::default());
                set_filter.emit(f)
            })
        };
        html! {
            <>
                <JobFilters filter={filter.clone()} counts={listed.chip_counts} datasets={datasets.clone()}
                            on_change={set_filter.clone()} />
                { bulk_bar }
                { for touched_chip }
                { for failure_chip }
                <p class="list-summary" data-testid="list-summary" aria-live="polite">
                    { list_summary(&SummaryInput {
                        shown: listed.jobs.len(),
                        held: state.jobs.len(),
                        loading_more: state.loading_more,
                        not_loaded: state.not_loaded,
                        released: released_note(state),
                    }) }
                </p>
                if listed.jobs.is_empty() {
                    <div class="empty" data-testid="jobs-none-match">
                        <p>{ "No jobs match these filters." }</p>
                        <button type="button" class="btn"
                                onclick={let (f, s) = (filter.clone(), set_filter); Callback::from(move |_: MouseEvent| s.emit(JobFilter { sort: f.sort, ..JobFilter::default() }))}>
                            { "Clear filters" }
                        </button>
                    </div>
                }
                <JobScroller listed={listed.clone()} selection={selection.clone()} {now_ms} {wall_ms} {actions}
                             layout={filter.layout} />
            </>
        }
    };

    let show_touched = {
        let (touched, reset, ids) = (touched.clone(), bulk.reset.clone(), bulk.run.touched());
        Callback::from(move |_: MouseEvent| {
            touched.set(Some(Rc::new(ids.clone())));
            reset.emit(());
        })
    };

    html! {
        <section class="jobs-page" data-testid="jobs-page" aria-labelledby="jobs-title">
            <JobsHeader {metrics_open} on_toggle_metrics={toggle_metrics} on_start={open_start} />
            { for metrics_view }
            { body }
            <JobsDialogs dialog={(*dialog).clone()} datasets={datasets.clone()}
                         on_start_bulk={bulk.start.clone()} on_close={close_dialog.clone()} />
            <BulkRunView bulk={bulk.clone()} on_show_touched={show_touched} />
        </section>
    }
}
