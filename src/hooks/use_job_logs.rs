//! A job's log, live: the last lines backfilled over HTTP so the view is never blank, new
//! lines over the WebSocket subscription (resumed by line number after reconnects), older
//! lines on demand. The model is large (up to `MAX_LINES` lines), so it lives behind a
//! `RefCell` and is updated in place; a render is requested after each batch.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::use_jobs;
use crate::state::log_view::LogModel;
use crate::types::LogLine;

/// Lines backfilled when a log is opened.
pub const BACKFILL_LINES: u64 = 1_000;
/// Lines loaded per "older lines" request.
pub const PAGE_LINES: u64 = 1_000;
/// Lines kept in memory per open log.
pub const MAX_LINES: usize = 200_000;

/// Where the log is.
#[derive(Clone, Debug, PartialEq)]
pub enum LogStatus {
    Loading,
    Ready,
    Failed(String),
}

/// What `use_job_logs` returns.
#[derive(Clone)]
pub struct UseJobLogsHandle {
    model: Rc<RefCell<LogModel>>,
    pub status: LogStatus,
    pub loading_older: bool,
    /// Lines the server had when the log was opened.
    pub server_total: u64,
    refresh: Callback<()>,
    older: Callback<()>,
    retry: Callback<()>,
}

impl UseJobLogsHandle {
    pub fn model(&self) -> Ref<'_, LogModel> {
        self.model.borrow()
    }

    /// Changes the model (search, filters, follow) and re-renders.
    pub fn update(&self, f: impl FnOnce(&mut LogModel)) {
        f(&mut self.model.borrow_mut());
        self.refresh.emit(());
    }

    /// Loads the page of lines before the oldest held one.
    pub fn load_older(&self) {
        self.older.emit(());
    }

    pub fn retry(&self) {
        self.retry.emit(());
    }
}

/// Opens `job_id`'s log for as long as the calling component is mounted.
#[hook]
pub fn use_job_logs(job_id: String) -> UseJobLogsHandle {
    let jobs = use_jobs();
    let model = use_mut_ref(|| LogModel::new(MAX_LINES));
    let status = use_state(|| LogStatus::Loading);
    let server_total = use_state(|| 0u64);
    let loading_older = use_state(|| false);
    let attempt = use_state(|| 0u32);
    let force = use_force_update();
    let refresh = {
        let force = force.clone();
        Callback::from(move |_| force.force_update())
    };
    {
        let (model, status, server_total, refresh) = (
            model.clone(),
            status.clone(),
            server_total.clone(),
            refresh.clone(),
        );
        let jobs = jobs.clone();
        use_effect_with((job_id.clone(), *attempt), move |(job_id, _)| {
            let alive = Rc::new(std::cell::Cell::new(true));
            let subscription = Rc::new(std::cell::Cell::new(None::<u64>));
            {
                let alive = alive.clone();
                let subscription = subscription.clone();
                let jobs = jobs.clone();
                let job_id = job_id.clone();
                spawn_local(async move {
                    match jobs.api().job_logs_tail(&job_id, BACKFILL_LINES).await {
                        Ok(page) if alive.get() => {
                            let last = page.lines.last().map(|l| l.n).unwrap_or(0);
                            model.borrow_mut().append(page.lines);
                            server_total.set(page.total);
                            status.set(LogStatus::Ready);
                            let (model, refresh) = (model.clone(), refresh.clone());
                            let token = jobs.subscribe_logs(
                                &job_id,
                                last,
                                Callback::from(move |lines: Vec<LogLine>| {
                                    model.borrow_mut().append(lines);
                                    refresh.emit(());
                                }),
                            );
                            subscription.set(Some(token));
                        }
                        Err(e) if alive.get() => status.set(LogStatus::Failed(e.to_string())),
                        _ => {}
                    }
                });
            }
            let job_id = job_id.clone();
            move || {
                alive.set(false);
                if let Some(token) = subscription.get() {
                    jobs.unsubscribe_logs(&job_id, token);
                }
            }
        });
    }
    let older = {
        let (model, loading_older, refresh, jobs, job_id) = (
            model.clone(),
            loading_older.clone(),
            refresh.clone(),
            jobs.clone(),
            job_id.clone(),
        );
        Callback::from(move |_| {
            let first = model.borrow().buffer.first_n();
            let Some(first) = first.filter(|n| *n > 1) else {
                return;
            };
            if *loading_older {
                return;
            }
            loading_older.set(true);
            let (model, loading_older, refresh, jobs, job_id) = (
                model.clone(),
                loading_older.clone(),
                refresh.clone(),
                jobs.clone(),
                job_id.clone(),
            );
            spawn_local(async move {
                match jobs.api().job_logs_before(&job_id, first, PAGE_LINES).await {
                    Ok(page) => {
                        model.borrow_mut().prepend(page.lines);
                    }
                    Err(e) => web_sys::console::warn_1(&format!("older log lines: {e}").into()),
                }
                loading_older.set(false);
                refresh.emit(());
            });
        })
    };
    let retry = {
        let (attempt, status) = (attempt.clone(), status.clone());
        Callback::from(move |_| {
            status.set(LogStatus::Loading);
            attempt.set(*attempt + 1);
        })
    };
    UseJobLogsHandle {
        model: model.clone(),
        status: (*status).clone(),
        loading_older: *loading_older,
        server_total: *server_total,
        refresh,
        older,
        retry,
    }
}
