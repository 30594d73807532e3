//! A job's log, live: the last lines backfilled over HTTP so the view is never blank, new
//! lines over the WebSocket subscription (resumed by line number after reconnects), older
//! lines on demand. The model is large (up to `MAX_LINES` lines), so it lives behind a
//! `RefCell` and is updated in place.
//!
//! Live lines are not applied as they arrive: they are queued in the model, and an
//! animation-frame loop applies them (and re-indexes after a search or filter change) in
//! slices within a time budget, rendering when `state::log_pump::Pacer` says so. However fast
//! a job logs, no frame does more than a budget's work plus one render.

use std::cell::{Cell, Ref, RefCell};
use std::rc::Rc;

use gloo_render::{request_animation_frame, AnimationFrame};
use gloo_timers::callback::Timeout;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::{use_jobs, UseJobsHandle};
use crate::state::log_pump::{keep_working, Pacer, APPLY_SLICE, SCAN_SLICE};
use crate::state::log_view::LogModel;
use crate::types::LogLine;

/// Lines backfilled when a log is opened.
pub const BACKFILL_LINES: u64 = 1_000;
/// Lines loaded per "older lines" request.
pub const PAGE_LINES: u64 = 1_000;
/// Lines kept in memory per open log (and queued at most, see `state::log_intake`).
pub const MAX_LINES: usize = 200_000;

/// How long a requested animation frame may stay outstanding before the work is done without
/// it (as `services::live` does for events). After a page is frozen and resumed (a sleeping
/// laptop, the browser freezing a tab) Chromium gave it no animation frames at all in the
/// fault suite (a probe saw none within 2 s, three times in a row): waiting for frames stopped
/// the log for good.
const FRAME_WATCHDOG_MS: u32 = 250;

/// Where the log is.
#[derive(Clone, Debug, PartialEq)]
pub enum LogStatus {
    Loading,
    Ready,
    Failed(String),
}

/// Milliseconds on the page's clock.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// The animation-frame loop that applies queued work and paces renders.
struct Pump {
    model: Rc<RefCell<LogModel>>,
    render: Callback<()>,
    pacer: RefCell<Pacer>,
    /// The requested frame, if any (dropping it cancels it).
    frame: RefCell<Option<AnimationFrame>>,
    /// Does the frame's work if the frame does not come (see [`FRAME_WATCHDOG_MS`]).
    watchdog: RefCell<Option<Timeout>>,
    stopped: Cell<bool>,
}

impl Pump {
    /// Makes sure a frame is coming.
    fn kick(self: &Rc<Self>) {
        if self.stopped.get() || self.frame.borrow().is_some() {
            return;
        }
        let me = self.clone();
        let frame = request_animation_frame(move |_| me.on_frame());
        *self.frame.borrow_mut() = Some(frame);
        let me = self.clone();
        let watchdog = Timeout::new(FRAME_WATCHDOG_MS, move || me.on_frame());
        *self.watchdog.borrow_mut() = Some(watchdog);
    }

    /// The frame's work: called by the frame, or by the watchdog when the frame did not come.
    fn on_frame(self: &Rc<Self>) {
        // Both dropped when this returns (wasm-bindgen defers freeing a running closure):
        // whichever of the two called, the other is cancelled.
        let _spent = self.frame.borrow_mut().take();
        let _dog = self.watchdog.borrow_mut().take();
        if self.stopped.get() {
            return;
        }
        let started = now_ms();
        let more = {
            let Ok(mut model) = self.model.try_borrow_mut() else {
                // Borrowed elsewhere (cannot happen between tasks): try again next frame.
                self.kick();
                return;
            };
            let mut pacer = self.pacer.borrow_mut();
            loop {
                let (did, lines) = if model.scan_progress().is_some() {
                    (model.work_scan(SCAN_SLICE), 0)
                } else {
                    let n = model.apply_backlog(APPLY_SLICE);
                    (n, n)
                };
                if did > 0 {
                    pacer.changed(lines);
                }
                if did == 0 || !keep_working(started, now_ms()) {
                    break;
                }
            }
            model.has_work()
        };
        if self.pacer.borrow().render_due(now_ms()) {
            self.rendered();
            self.render.emit(());
        }
        if more || self.pacer.borrow().dirty() {
            self.kick();
        }
    }

    /// A render is about to happen (paced, or for a user action).
    fn rendered(&self) {
        self.pacer.borrow_mut().rendered(now_ms());
    }

    fn stop(&self) {
        self.stopped.set(true);
        self.frame.borrow_mut().take();
        self.watchdog.borrow_mut().take();
    }
}

/// What `use_job_logs` returns.
#[derive(Clone)]
pub struct UseJobLogsHandle {
    model: Rc<RefCell<LogModel>>,
    pump: Rc<Pump>,
    pub status: LogStatus,
    pub loading_older: bool,
    /// Lines the server had when the log was opened.
    pub server_total: u64,
    older: Callback<()>,
    retry: Callback<()>,
}

impl UseJobLogsHandle {
    pub fn model(&self) -> Ref<'_, LogModel> {
        self.model.borrow()
    }

    /// Changes the model (search, filters, follow) and re-renders at once; work it starts
    /// (re-indexing a long log) goes on in the following frames.
    pub fn update(&self, f: impl FnOnce(&mut LogModel)) {
        let more = {
            let mut model = self.model.borrow_mut();
            f(&mut model);
            model.has_work()
        };
        if more {
            self.pump.kick();
        }
        self.refresh();
    }

    /// Re-renders (the view's own state changed, e.g. the scroll position).
    pub fn refresh(&self) {
        self.pump.rendered();
        self.pump.render.emit(());
    }

    /// Wraps lines at `cols` characters (`None`: no wrapping), without rendering: called while
    /// rendering, before the model is read.
    pub fn set_wrap(&self, cols: Option<usize>) {
        if let Ok(mut model) = self.model.try_borrow_mut() {
            model.set_wrap(cols);
        }
    }

    /// Loads the page of lines before the oldest held one.
    pub fn load_older(&self) {
        self.older.emit(());
    }

    pub fn retry(&self) {
        self.retry.emit(());
    }
}

/// The hook's state, shared by its loading effect and its callbacks.
#[derive(Clone)]
struct LogLoader {
    jobs: UseJobsHandle,
    model: Rc<RefCell<LogModel>>,
    pump: Rc<Pump>,
    status: UseStateHandle<LogStatus>,
    server_total: UseStateHandle<u64>,
    loading_older: UseStateHandle<bool>,
    /// Bumped whenever the model is replaced (another job, a retry): answers to requests made
    /// for the model before (an older page in flight) are dropped instead of mixed in.
    generation: Rc<Cell<u64>>,
}

impl LogLoader {
    /// Starts `job_id`'s log afresh: the last lines over HTTP, then the live subscription from
    /// after them. Returns the cleanup, which drops a late answer and unsubscribes.
    fn open(&self, job_id: &str) -> impl FnOnce() {
        // A fresh model for every job (and retry): the old job's lines must neither show nor
        // make the new job's lines with the same numbers look like duplicates.
        self.generation.set(self.generation.get() + 1);
        *self.model.borrow_mut() = LogModel::new(MAX_LINES);
        self.status.set(LogStatus::Loading);
        self.server_total.set(0);
        self.loading_older.set(false);
        self.pump.rendered();
        let alive = Rc::new(Cell::new(true));
        let subscription = Rc::new(Cell::new(None::<u64>));
        {
            let (me, alive, subscription) = (self.clone(), alive.clone(), subscription.clone());
            let job_id = job_id.to_string();
            spawn_local(async move {
                match me.jobs.api().job_logs_tail(&job_id, BACKFILL_LINES).await {
                    Ok(page) if alive.get() => {
                        let last = page.lines.last().map(|l| l.n).unwrap_or(0);
                        me.model.borrow_mut().append(page.lines);
                        me.server_total.set(page.total);
                        me.status.set(LogStatus::Ready);
                        let (model, pump) = (me.model.clone(), me.pump.clone());
                        let on_lines = Callback::from(move |lines: Vec<LogLine>| {
                            model.borrow_mut().enqueue(lines);
                            pump.kick();
                        });
                        subscription.set(Some(me.jobs.subscribe_logs(&job_id, last, on_lines)));
                    }
                    Err(e) if alive.get() => me.status.set(LogStatus::Failed(e.to_string())),
                    _ => {}
                }
            });
        }
        let (jobs, job_id) = (self.jobs.clone(), job_id.to_string());
        move || {
            alive.set(false);
            if let Some(token) = subscription.get() {
                jobs.unsubscribe_logs(&job_id, token);
            }
        }
    }

    /// Loads the page of lines before the oldest held one, unless one is loading or there is
    /// nothing older.
    fn load_older(&self, job_id: &str) {
        let first = self.model.borrow().buffer.first_n();
        let Some(first) = first.filter(|n| *n > 1) else {
            return;
        };
        if *self.loading_older {
            return;
        }
        self.loading_older.set(true);
        let (me, job_id, asked_in) = (self.clone(), job_id.to_string(), self.generation.get());
        spawn_local(async move {
            let result = me
                .jobs
                .api()
                .job_logs_before(&job_id, first, PAGE_LINES)
                .await;
            if me.generation.get() != asked_in {
                return; // the model was replaced meanwhile (another job)
            }
            match result {
                Ok(page) => {
                    me.model.borrow_mut().prepend(page.lines);
                }
                Err(e) => web_sys::console::warn_1(&format!("older log lines: {e}").into()),
            }
            me.loading_older.set(false);
            me.pump.rendered();
            me.pump.render.emit(());
        });
    }
}

/// The frame loop for `model`, rendering with `force`.
fn new_pump(model: Rc<RefCell<LogModel>>, force: UseForceUpdateHandle) -> Rc<Pump> {
    Rc::new(Pump {
        model,
        render: Callback::from(move |_| force.force_update()),
        pacer: RefCell::new(Pacer::default()),
        frame: RefCell::new(None),
        watchdog: RefCell::new(None),
        stopped: Cell::new(false),
    })
}

/// Opens `job_id`'s log for as long as the calling component is mounted.
#[hook]
pub fn use_job_logs(job_id: String) -> UseJobLogsHandle {
    let jobs = use_jobs();
    let model = use_mut_ref(|| LogModel::new(MAX_LINES));
    // Whose lines the model holds: when the id changes, the very render that sees the new id
    // starts from an empty model (the effect below then loads the new job's log).
    let model_job = use_mut_ref(|| job_id.clone());
    if *model_job.borrow() != job_id {
        *model.borrow_mut() = LogModel::new(MAX_LINES);
        *model_job.borrow_mut() = job_id.clone();
    }
    let status = use_state(|| LogStatus::Loading);
    let server_total = use_state(|| 0u64);
    let loading_older = use_state(|| false);
    let attempt = use_state(|| 0u32);
    let generation = use_memo((), |_| Rc::new(Cell::new(0u64)));
    let force = use_force_update();
    let pump = {
        let model = model.clone();
        use_memo((), move |_| new_pump(model, force))
    };
    let pump: Rc<Pump> = (*pump).clone();
    {
        let pump = pump.clone();
        use_effect_with((), move |_| move || pump.stop());
    }
    let loader = LogLoader {
        jobs,
        model: model.clone(),
        pump: pump.clone(),
        status: status.clone(),
        server_total: server_total.clone(),
        loading_older: loading_older.clone(),
        generation: (*generation).clone(),
    };
    {
        let loader = loader.clone();
        use_effect_with((job_id.clone(), *attempt), move |(job_id, _)| {
            loader.open(job_id)
        });
    }
    let older = Callback::from(move |_| loader.load_older(&job_id));
    let retry = {
        let (attempt, status) = (attempt.clone(), status.clone());
        Callback::from(move |_| {
            status.set(LogStatus::Loading);
            attempt.set(*attempt + 1);
        })
    };
    UseJobLogsHandle {
        model,
        pump,
        status: (*status).clone(),
        loading_older: *loading_older,
        server_total: *server_total,
        older,
        retry,
    }
}
