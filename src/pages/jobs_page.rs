//! `#/jobs`: every job, live — filters in the URL, a virtualised list, start/cancel/retry with
//! confirmations, and bulk actions with exact counts and per-job results.

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_banner::ErrorBanner;
use crate::components::jobs::bulk_bar::BulkBar;
use crate::components::jobs::cancel_dialog::CancelDialog;
use crate::components::jobs::job_card::JobCard;
use crate::components::jobs::job_filters::JobFilters;
use crate::components::jobs::job_logs_modal::JobLogsModal;
use crate::components::jobs::start_job_modal::StartJobModal;
use crate::components::metrics::metrics_panel::MetricsPanel;
use crate::components::modal::Modal;
use crate::components::untrusted_text::UntrustedText;
use crate::hooks::{
    use_bulk, use_clock, use_config, use_datasets, use_jobs, use_url_filter, BulkRun, UseJobsHandle,
};
use crate::state::bulk::{plan_matching, plan_selected, BulkKind, Plan};
use crate::state::chart::job_series::sparkline;
use crate::state::chart::throughput::Window;
use crate::state::eta::{is_stalled, EtaConfig};
use crate::state::failures::FailureKey;
use crate::state::format::thousands;
use crate::state::job_filter::{describe_failure, JobFilter, Sort};
use crate::state::job_list::{eta_of, released_note, relist, Listed};
use crate::state::jobs_store::{Action, ListView, UserAction};
use crate::state::selection::Selection;
use crate::state::snapshot_pages::MAX_HELD;
use crate::state::virtual_list::window;
use crate::types::{Dataset, Job, JobStatus};

/// Height of one card row including the gap (px); cards are fixed-height so the list can be
/// virtualised with arithmetic.
const ROW_HEIGHT: u32 = 176;
/// Rows rendered above and below the viewport.
const OVERSCAN: usize = 4;

/// Which dialog is open.
#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Start(Option<Rc<Job>>),
    Cancel(Rc<Job>),
    Bulk(Rc<Plan>),
    Logs(String),
}

/// What the list was last built for.
struct ListCache {
    filter: JobFilter,
    touched: Option<Rc<BTreeSet<String>>>,
    clock_key: i64,
    listed: Rc<Listed>,
}

/// The same touched set: by identity, as comparing thousands of ids every render would cost
/// what the cache saves.
fn same_touched(a: &Option<Rc<BTreeSet<String>>>, b: &Option<Rc<BTreeSet<String>>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Rc::ptr_eq(a, b),
        _ => false,
    }
}

/// The scope of the quick actions: "Retry all failed" means failed jobs (not cancelled ones)
/// unless the filter names statuses itself.
fn quick_scope(kind: BulkKind, filter: &JobFilter) -> JobFilter {
    match kind {
        BulkKind::Retry if filter.status.is_empty() => JobFilter {
            status: [JobStatus::Failed].into_iter().collect(),
            ..filter.clone()
        },
        _ => filter.clone(),
    }
}

fn describe_filter(f: &JobFilter, datasets: &[Dataset]) -> String {
    let mut parts = Vec::new();
    if !f.status.is_empty() {
        let s: Vec<&str> = f.status.iter().map(|s| s.as_str()).collect();
        parts.push(format!("status {}", s.join(" or ")));
    }
    if let Some(d) = &f.dataset {
        let name = datasets
            .iter()
            .find(|x| &x.id == d)
            .map(|x| x.name.as_str())
            .unwrap_or(d);
        parts.push(format!("dataset {name}"));
    }
    if let Some(k) = f.kind {
        parts.push(format!("kind {k}"));
    }
    if !f.q.is_empty() {
        parts.push(format!("search “{}”", f.q));
    }
    if let Some(key) = &f.failure {
        parts.push(describe_failure(key));
    }
    if parts.is_empty() {
        "any filter".into()
    } else {
        parts.join(", ")
    }
}

fn capacity(jobs: &UseJobsHandle) -> Html {
    let Some(q) = jobs.state().queue.clone() else {
        return html! {};
    };
    let redis = if q.redis.ok {
        "Redis ok"
    } else {
        "Redis unreachable"
    };
    html! {
        <p class="capacity" data-testid="capacity">
            { format!("{} workers · {} queued · {} running · {redis}", q.workers.len(), q.queued, q.running) }
        </p>
    }
}

/// After the dialog closes, keyboard focus goes to the card (its Cancel button is disabled or
/// gone), so keyboard users continue where they were.
fn focus_card_later(id: &str) {
    let selector = format!("[data-testid=job-card][data-job-id=\"{id}\"]");
    yew::platform::spawn_local(async move {
        // After the dialog's own unmount has tried (and failed) to restore focus.
        gloo_timers::future::TimeoutFuture::new(0).await;
        let el = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(&selector).ok().flatten());
        if let Some(el) =
            el.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = el.focus();
        }
    });
}

#[component]
pub fn JobsPage() -> Html {
    let jobs = use_jobs();
    let config = use_config();
    let datasets = use_datasets();
    let (filter, set_filter) = use_url_filter();
    let selection = use_state(Selection::default);
    let touched = use_state(|| None::<Rc<BTreeSet<String>>>);
    let dialog = use_state(|| Dialog::None);
    let (bulk, start_bulk, reset_bulk) = use_bulk();
    let scroll = use_state(|| (0.0f64, 800.0f64));
    let scroller = use_node_ref();

    {
        // The store keeps what the list selects, shows as touched, or filters for.
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
    let state = jobs.state();
    let live = state.connection.is_live();
    let now_ms = use_clock(live);
    // Sorting by ETA, and a failure window, change as time passes; the rest only when jobs do.
    let clock_key = if filter.sort == Sort::Eta || filter.within_s.is_some() {
        now_ms / 1000
    } else {
        0
    };
    // The list, updated with the jobs that changed since the last render (`relist`), rebuilt
    // when the filter, the touched set or the clock key change.
    let cache = use_mut_ref(|| None::<ListCache>);
    let listed: Rc<Listed> = {
        let mut cache = cache.borrow_mut();
        let same_view = cache.as_ref().is_some_and(|c| {
            c.filter == filter && c.clock_key == clock_key && same_touched(&c.touched, &touched)
        });
        match cache.as_ref() {
            Some(c) if same_view && c.listed.revision == state.revision => c.listed.clone(),
            _ => {
                let prev = cache.as_ref().filter(|_| same_view).map(|c| &c.listed);
                let next = relist(prev, state, &filter, touched.as_deref(), now_ms);
                *cache = Some(ListCache {
                    filter: filter.clone(),
                    touched: (*touched).clone(),
                    clock_key,
                    listed: next.clone(),
                });
                next
            }
        }
    };
    // The list as last rendered, read from the cache by the callbacks when the user acts:
    // keying them on the list itself would re-create them (and re-render every card) on every
    // batch of events.
    let order_now = {
        let cache = cache.clone();
        move || -> Vec<String> {
            cache
                .borrow()
                .iter()
                .flat_map(|c| c.listed.jobs.iter().map(|(j, _)| j.id.clone()))
                .collect()
        }
    };

    // Stable callbacks, so an update to one job re-renders only that job's card.
    let on_select = {
        let (selection, order_now) = (selection.clone(), order_now.clone());
        use_callback((), move |(id, shift): (String, bool), _| {
            let mut next = (*selection).clone();
            next.click(&id, shift, &order_now());
            selection.set(next);
        })
    };
    let on_cancel = {
        let dialog = dialog.clone();
        use_callback((), move |job: Rc<Job>, _| dialog.set(Dialog::Cancel(job)))
    };
    let on_retry = {
        let jobs = jobs.clone();
        use_callback((), move |job: Rc<Job>, _| {
            jobs.request(&job.id, UserAction::Retry)
        })
    };
    let on_run_again = {
        let dialog = dialog.clone();
        use_callback((), move |job: Rc<Job>, _| {
            dialog.set(Dialog::Start(Some(job)))
        })
    };
    let on_logs = {
        let dialog = dialog.clone();
        use_callback((), move |job: Rc<Job>, _| {
            dialog.set(Dialog::Logs(job.id.clone()))
        })
    };
    let on_dismiss = {
        let jobs = jobs.clone();
        use_callback((), move |id: String, _| {
            jobs.dispatch(Action::DismissActionError { id })
        })
    };
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
        let has_scroller = state.loaded && !state.jobs.is_empty();
        use_effect_with(has_scroller, move |_| {
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
        let (f, set) = (filter.clone(), set_filter.clone());
        Callback::from(move |_: MouseEvent| {
            let metrics = if f.metrics.is_some() {
                None
            } else {
                Some(Window::default())
            };
            set.emit(JobFilter {
                metrics,
                ..f.clone()
            })
        })
    };
    let metrics_view = filter.metrics.map(|window| {
        let on_window = {
            let (f, set) = (filter.clone(), set_filter.clone());
            Callback::from(move |w: Window| {
                set.emit(JobFilter {
                    metrics: Some(w),
                    ..f.clone()
                })
            })
        };
        let on_show_group = {
            let (f, set, selection) = (filter.clone(), set_filter.clone(), selection.clone());
            Callback::from(move |(key, w): (FailureKey, Window)| {
                selection.set(Selection::default());
                // Exactly the group: the other filters would hide some of its jobs.
                set.emit(JobFilter {
                    failure: Some(key),
                    within_s: Some(w.seconds()),
                    sort: f.sort,
                    metrics: f.metrics,
                    ..JobFilter::default()
                })
            })
        };
        let on_retry_group = {
            let dialog = dialog.clone();
            Callback::from(move |plan: Plan| dialog.set(Dialog::Bulk(Rc::new(plan))))
        };
        html! {
            <MetricsPanel {window} {on_window} {now_ms} {on_show_group} {on_retry_group} />
        }
    });

    let header = html! {
        <header class="page-head">
            <h1 id="jobs-title">{ "Jobs" }</h1>
            { capacity(&jobs) }
            <button type="button" class="btn metrics-toggle" data-testid="metrics-toggle"
                    aria-expanded={metrics_open.to_string()} aria-controls="metrics-panel"
                    onclick={toggle_metrics}>
                { if metrics_open { "Hide metrics" } else { "Metrics" } }
            </button>
            <button type="button" class="btn btn-primary" data-testid="start-open" onclick={open_start.clone()}>
                { "Start Processing" }
            </button>
        </header>
    };

    let body = if !state.loaded {
        match &state.load_error {
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
        }
    } else if state.jobs.is_empty() {
        html! {
            <div class="empty" data-testid="jobs-empty">
                <h2>{ "No processing jobs yet" }</h2>
                <p>{ "Jobs profile and validate your uploaded datasets: per-column statistics, type checks, and a full report of any bad rows. Start one and its progress, logs and errors show up here live." }</p>
                <button type="button" class="btn btn-primary" data-testid="empty-start" onclick={open_start}>
                    { "Start Processing" }
                </button>
            </div>
        }
    } else {
        let (top, viewport) = *scroll;
        let w = window(listed.jobs.len(), ROW_HEIGHT, top, viewport, OVERSCAN);
        let eta_cfg = EtaConfig {
            stall_after_ms: config.stall_after_ms,
            ..EtaConfig::default()
        };
        let rows = listed.jobs.clone().slice(w.start..w.end);
        let rows = rows.iter().map(|(job, shown)| {
            let eta = eta_of(state, job);
            // Only cards on screen get here (the list is virtualised), so only they pay for one.
            let spark = match (shown, state.metrics.get(&job.id)) {
                (JobStatus::Running | JobStatus::Cancelling, Some(series)) => {
                    let samples: Vec<_> = series.iter().cloned().collect();
                    sparkline(&samples, job.attempt, 96)
                }
                _ => Vec::new(),
            };
            html! {
                <JobCard key={job.id.clone()} job={job.clone()} shown_status={*shown}
                         stale={!live} now_ms={now_ms} eta={eta}
                         stalled={live && is_stalled(job, now_ms, &eta_cfg)}
                         selected={selection.contains(&job.id)}
                         pending={state.pending.contains_key(&job.id)}
                         action_error={state.action_errors.get(&job.id).cloned()}
                         on_select={on_select.clone()} on_cancel={on_cancel.clone()}
                         on_retry={on_retry.clone()} on_run_again={on_run_again.clone()}
                         on_logs={on_logs.clone()}
                         on_dismiss_error={on_dismiss.clone()} sparkline={spark} />
            }
        });
        // What a quick action would act on, so its label states the count it confirms:
        // "Retry all failed" leaves cancelled jobs alone unless the filter names statuses.
        let eligible = |k: BulkKind| {
            let scope = quick_scope(k, &filter);
            JobStatus::ALL
                .iter()
                .zip(listed.listed_counts)
                .filter(|(s, _)| {
                    k.eligible().contains(s)
                        && (scope.status.is_empty() || scope.status.contains(s))
                })
                .map(|(_, n)| n as usize)
                .sum::<usize>()
        };
        let bulk_bar = {
            let toggle_all = {
                let (selection, order_now) = (selection.clone(), order_now.clone());
                Callback::from(move |_| {
                    let mut next = (*selection).clone();
                    next.toggle_all(&order_now());
                    selection.set(next);
                })
            };
            let select_matching = {
                let selection = selection.clone();
                Callback::from(move |_| {
                    let mut next = (*selection).clone();
                    next.select_all_matching();
                    selection.set(next);
                })
            };
            let clear = {
                let selection = selection.clone();
                Callback::from(move |_| selection.set(Selection::default()))
            };
            let on_selected = {
                let (selection, listed, dialog, filter) = (
                    selection.clone(),
                    listed.clone(),
                    dialog.clone(),
                    filter.clone(),
                );
                Callback::from(move |kind: BulkKind| {
                    let shown = listed.jobs.iter().map(|(j, s)| (&**j, *s));
                    let plan = if selection.all_matching() {
                        plan_matching(kind, &filter, shown)
                    } else {
                        plan_selected(kind, selection.ids(), shown)
                    };
                    dialog.set(Dialog::Bulk(Rc::new(plan)));
                })
            };
            let on_matching = {
                let (listed, dialog, filter) = (listed.clone(), dialog.clone(), filter.clone());
                Callback::from(move |kind: BulkKind| {
                    let shown = listed.jobs.iter().map(|(j, s)| (&**j, *s));
                    let scope = quick_scope(kind, &filter);
                    dialog.set(Dialog::Bulk(Rc::new(plan_matching(kind, &scope, shown))));
                })
            };
            html! {
                <BulkBar selected={selection.ids().len()} all_matching={selection.all_matching()}
                         visible={listed.jobs.len()} cancellable={eligible(BulkKind::Cancel)}
                         retryable={eligible(BulkKind::Retry)}
                         on_toggle_all={toggle_all} on_select_matching={select_matching}
                         on_clear={clear} {on_selected} {on_matching} />
            }
        };
        let touched_chip = (*touched).clone().map(|t| {
            let touched = touched.clone();
            let onclick = Callback::from(move |_: MouseEvent| touched.set(None));
            html! {
                <p class="touched-chip" data-testid="touched-filter" role="status">
                    { format!("Showing the {} jobs the last bulk action touched. ", thousands(t.len() as u64)) }
                    <button type="button" class="btn btn-small" {onclick}>{ "Show all jobs" }</button>
                </p>
            }
        });
        let failure_chip = filter.failure.clone().map(|key| {
            let (f, set) = (filter.clone(), set_filter.clone());
            let onclick = Callback::from(move |_: MouseEvent| {
                set.emit(JobFilter {
                    failure: None,
                    within_s: None,
                    ..f.clone()
                })
            });
            let window = filter
                .within_s
                .map(|s| match Window::ALL.iter().find(|w| w.seconds() == s) {
                    Some(w) => format!(" in the last {}", w.label()),
                    None => format!(" in the last {s} s"),
                })
                .unwrap_or_default();
            html! {
                <p class="touched-chip" data-testid="failure-filter" role="status">
                    { "Showing the failed jobs of " }<bdi>{ describe_failure(&key) }</bdi>{ window }{ ". " }
                    <button type="button" class="btn btn-small" data-testid="failure-filter-clear" {onclick}>{ "Show all jobs" }</button>
                </p>
            }
        });
        let set_filter = {
            let (set_filter, selection) = (set_filter.clone(), selection.clone());
            Callback::from(move |f: JobFilter| {
                selection.set(Selection::default());
                set_filter.emit(f)
            })
        };
        html! {
            <>
                <JobFilters filter={filter.clone()} counts={listed.counts} datasets={datasets.clone()}
                            on_change={set_filter.clone()} />
                { bulk_bar }
                { for touched_chip }
                { for failure_chip }
                <p class="list-summary" data-testid="list-summary" aria-live="polite">
                    { format!("{} of {} jobs", thousands(listed.jobs.len() as u64), thousands(state.jobs.len() as u64)) }
                    if state.loading_more {
                        { format!(" · loading {} older jobs…", thousands(state.not_loaded)) }
                    } else if state.not_loaded > 0 {
                        { format!(" · {} older jobs not loaded (the page holds the newest {})",
                                  thousands(state.not_loaded), thousands(MAX_HELD)) }
                    }
                    { for released_note(state) }
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
                <div class="job-scroller" ref={scroller} {onscroll} data-testid="job-scroller">
                    <ul class="job-list" data-testid="job-list" aria-label="Jobs"
                        style={format!("padding-top: {}px; padding-bottom: {}px", w.pad_top, w.pad_bottom)}>
                        { for rows }
                    </ul>
                </div>
            </>
        }
    };

    let dialogs = match &*dialog {
        Dialog::None => html! {},
        Dialog::Logs(id) => html! {
            <JobLogsModal job_id={id.clone()} on_close={close_dialog.clone()} />
        },
        Dialog::Start(prefill) => {
            let jobs = jobs.clone();
            let on_started = Callback::from(move |created: Vec<Job>| {
                for job in created {
                    jobs.dispatch(Action::Confirmed {
                        id: job.id.clone(),
                        job: Box::new(job),
                    });
                }
            });
            html! {
                <StartJobModal on_close={close_dialog.clone()} {on_started}
                               prefill={prefill.as_ref().map(|j| (**j).clone())} />
            }
        }
        Dialog::Cancel(job) => {
            let on_confirm = {
                let (jobs, dialog, id) = (jobs.clone(), dialog.clone(), job.id.clone());
                Callback::from(move |_| {
                    jobs.request(&id, UserAction::Cancel);
                    dialog.set(Dialog::None);
                    focus_card_later(&id);
                })
            };
            let current = state.job(&job.id).cloned().unwrap_or_else(|| job.clone());
            html! {
                <CancelDialog job={(*current).clone()} {on_confirm} on_close={close_dialog.clone()} />
            }
        }
        Dialog::Bulk(plan) => {
            let on_confirm = {
                let (plan, dialog, start_bulk) = (plan.clone(), dialog.clone(), start_bulk.clone());
                Callback::from(move |_| {
                    start_bulk.emit((*plan).clone());
                    dialog.set(Dialog::None);
                })
            };
            let scope = plan.scope_text(|f| describe_filter(f, &datasets));
            if plan.count() == 0 {
                html! {
                    <Modal title="Nothing to do" on_close={close_dialog.clone()} testid="confirm-bulk">
                        <p>{ format!("No {} jobs in this scope.", plan.kind.noun()) }</p>
                        <p>{ scope }</p>
                    </Modal>
                }
            } else {
                html! {
                    <ConfirmDialog title={plan.question()} confirm_label={format!("{} {} jobs", plan.kind.verb(), plan.count())}
                                   danger={plan.kind == BulkKind::Cancel} testid="confirm-bulk"
                                   on_confirm={on_confirm} on_cancel={close_dialog.clone()}
                                   message={html! { <p data-testid="bulk-scope">{ scope }</p> }} />
                }
            }
        }
    };

    let bulk_view = match &bulk {
        BulkRun::Idle => html! {},
        BulkRun::Running { kind, done, total } => html! {
            <div class="bulk-progress" role="status" data-testid="bulk-progress">
                { format!("{}: {} of {} jobs…", kind.verb(), thousands(*done as u64), thousands(*total as u64)) }
                <progress max={total.to_string()} value={done.to_string()}></progress>
            </div>
        },
        BulkRun::Done { kind, items, error } => {
            let ok = items.iter().filter(|i| i.ok).count();
            let failed = items.len() - ok;
            let show_touched = {
                let (touched, reset, ids) = (touched.clone(), reset_bulk.clone(), bulk.touched());
                Callback::from(move |_: MouseEvent| {
                    touched.set(Some(Rc::new(ids.clone())));
                    reset.emit(());
                })
            };
            let names = |id: &str| {
                state
                    .job(id)
                    .map(|j| html! { <><UntrustedText text={j.dataset_name.clone()} />{ format!(" · {}", j.kind) }</> })
                    .unwrap_or_default()
            };
            html! {
                <Modal title={format!("{} finished: {ok} done, {failed} failed", kind.verb())}
                       on_close={reset_bulk.clone()} testid="bulk-results" wide=true>
                    if let Some(e) = error {
                        <p role="alert" class="error-text">{ format!("The request failed: {e}") }</p>
                    }
                    <ul class="bulk-results" data-testid="bulk-result-list">
                        { for items.iter().take(500).map(|i| html! {
                            <li class={if i.ok { "ok" } else { "failed" }} data-testid="bulk-result" data-job-id={i.id.clone()} data-ok={i.ok.to_string()}>
                                <code><UntrustedText text={i.id.clone()} /></code>{ " " }<span>{ names(&i.id) }</span>{ " — " }
                                <strong>{ if i.ok { "done" } else { "failed" } }</strong>
                                if let Some(d) = &i.detail {
                                    { format!(": {d}") }
                                }
                            </li>
                        }) }
                    </ul>
                    if items.len() > 500 {
                        <p>{ format!("…and {} more.", items.len() - 500) }</p>
                    }
                    if ok > 0 {
                        <button type="button" class="btn" data-testid="show-touched" onclick={show_touched}>
                            { format!("Show only these {ok} jobs") }
                        </button>
                    }
                </Modal>
            }
        }
    };

    html! {
        <section class="jobs-page" data-testid="jobs-page" aria-labelledby="jobs-title">
            { header }
            { for metrics_view }
            { body }
            { dialogs }
            { bulk_view }
        </section>
    }
}
