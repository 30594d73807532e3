//! The live job store: a reducer behind a context provider, fed by the live transport.
//!
//! `JobsProvider` owns the reducer and the transport loop (started in its effect, stopped by
//! the effect's cleanup together with its browser listeners). Components reach the store with
//! `use_jobs()`, which returns the state plus the domain actions.
//!
//! Logging: the reducer records the job transitions it applies in a bounded ring
//! (`JobsState::transitions`); the provider keeps a cursor into it and writes what is new to the
//! console after each render, so the reducer stays pure. User actions are logged when asked for
//! (debug) and when answered (info, or warn when refused).
//!
//! Bounded memory: the provider gives the store the configured retention policy and a clock
//! tick every [`TICK_MS`] (the store lets old finished jobs and rollback reasons go, see
//! `state::jobs_store::retain`); a job the store let go is fetched again when its page opens
//! (`hooks::use_job`). Live log lines reach their views through `hooks::log_receivers`.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Interval;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::log_receivers::LogReceivers;
use crate::hooks::use_config;
use crate::services::api::{ApiClient, ApiError};
use crate::services::diagnostics;
use crate::services::live::{self, Control, LiveHandle, Sinks};
use crate::services::logger::{self, Level};
use crate::state::job_transitions::Transition;
use crate::state::jobs_store::{Action, JobsState, Limits, UserAction};
use crate::types::{Job, LogLine};

/// How often the store hears the time (its age bounds run at most once a minute).
pub const TICK_MS: u32 = 10_000;

/// What `use_jobs()` returns: the store and what can be done with it.
#[derive(Clone, PartialEq)]
pub struct UseJobsHandle {
    store: UseReducerHandle<JobsState>,
    live: LiveSlot,
    api: ApiClient,
    log_receivers: LogReceivers,
}

/// The running transport, shared so handles captured by effects always reach the current one.
#[derive(Clone, Default)]
pub struct LiveSlot(Rc<RefCell<Option<LiveHandle>>>);

impl PartialEq for LiveSlot {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl LiveSlot {
    fn send(&self, control: Control) {
        if let Some(live) = self.0.borrow().as_ref() {
            live.send(control);
        }
    }
}

impl UseJobsHandle {
    pub fn state(&self) -> &JobsState {
        &self.store
    }

    /// Reconnect at once instead of waiting out the backoff.
    pub fn retry_now(&self) {
        self.live.send(Control::Wake);
    }

    /// Cancel (or retry) with an optimistic update, confirmed or rolled back by the server.
    pub fn request(&self, id: &str, action: UserAction) {
        let store = self.store.dispatcher();
        let api = self.api.clone();
        let id = id.to_string();
        store.dispatch(Action::Optimistic {
            id: id.clone(),
            action,
        });
        let name = action_name(action);
        logger::log(
            Level::Debug,
            "action",
            &format!("{name} requested"),
            serde_json::json!({"scope": "job", "job_id": id}),
        );
        spawn_local(async move {
            let result: Result<Job, ApiError> = match action {
                UserAction::Cancel => api.cancel_job(&id).await,
                UserAction::Retry => api.retry_job(&id).await,
            };
            match &result {
                Ok(job) => logger::log(
                    Level::Info,
                    "action",
                    &format!("{name} accepted"),
                    serde_json::json!({"scope": "job", "job_id": id, "result": "ok", "status": job.status, "attempt": job.attempt}),
                ),
                Err(e) => logger::log(
                    Level::Warn,
                    "action",
                    &format!("{name} failed"),
                    serde_json::json!({"scope": "job", "job_id": id, "result": "failed", "error": e.to_string()}),
                ),
            }
            store.dispatch(match result {
                Ok(job) => Action::Confirmed {
                    id,
                    job: Box::new(job),
                },
                Err(e) => Action::RolledBack {
                    id,
                    reason: e.to_string(),
                },
            });
        });
    }

    /// Applies a store action directly (bulk actions settle many jobs at once).
    pub fn dispatch(&self, action: Action) {
        self.store.dispatch(action);
    }

    pub fn api(&self) -> &ApiClient {
        &self.api
    }

    /// Dispatches to the store from effects and async tasks (it outlives this handle's state).
    pub fn dispatcher(&self) -> UseReducerDispatcher<JobsState> {
        self.store.dispatcher()
    }

    /// Deliver a job's live log lines after `after_line` to `on_lines`, now and after every
    /// reconnect, until [`UseJobsHandle::unsubscribe_logs`] with the returned token. Receivers
    /// must tolerate lines they already have (they are numbered; `LogBuffer` skips them).
    pub fn subscribe_logs(
        &self,
        job_id: &str,
        after_line: u64,
        on_lines: Callback<Vec<LogLine>>,
    ) -> u64 {
        let token = self.log_receivers.add(job_id, on_lines);
        self.live.send(Control::Subscribe {
            job_id: job_id.to_string(),
            after_line,
        });
        token
    }

    pub fn unsubscribe_logs(&self, job_id: &str, token: u64) {
        let last = self.log_receivers.remove(job_id, token);
        if last {
            self.live.send(Control::Unsubscribe {
                job_id: job_id.to_string(),
            });
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct JobsProviderProps {
    pub children: Html,
}

/// Owns the store and the transport for everything below it.
#[component]
pub fn JobsProvider(props: &JobsProviderProps) -> Html {
    let config = use_config();
    let store = {
        let retention = config.retention;
        use_reducer(move || {
            JobsState::with_limits(Limits {
                retention,
                ..Limits::default()
            })
        })
    };
    {
        // The clock for the store's age bounds.
        let dispatcher = store.dispatcher();
        use_effect_with((), move |_| {
            let tick = move || {
                dispatcher.dispatch(Action::Tick {
                    now_ms: js_sys::Date::now() as i64,
                })
            };
            tick();
            let interval = Interval::new(TICK_MS, tick);
            move || drop(interval)
        });
    }
    let live = use_memo((), |_| LiveSlot::default());
    let log_receivers = use_memo((), |_| LogReceivers::default());
    {
        let dispatcher = store.dispatcher();
        let slot = (*live).clone();
        let receivers = (*log_receivers).clone();
        let on_logs = Callback::from(move |(job_id, lines): (String, Vec<LogLine>)| {
            receivers.deliver(&job_id, lines)
        });
        let store_for_policy = store.dispatcher();
        use_effect_with(config.clone(), move |config| {
            store_for_policy.dispatch(Action::Retention(config.retention));
            logger::set_level(config.log_level);
            diagnostics::set_config(config);
            let sinks = Sinks {
                dispatch: Callback::from(move |a| dispatcher.dispatch(a)),
                logs: on_logs,
            };
            let api = ApiClient::new(config.api_base.clone());
            let handle = live::start(api, config.ws_url.clone(), sinks);
            *slot.0.borrow_mut() = Some(handle.clone());
            let listeners = wake_listeners(&handle);
            move || {
                handle.stop();
                slot.0.borrow_mut().take();
                drop(listeners);
            }
        });
    }
    {
        // Log the transitions applied since the last render (the first load logs none).
        let cursor = use_mut_ref(|| 0u64);
        let state = store.clone();
        use_effect_with(store.transitions.total(), move |_| {
            let since = state.transitions.since(*cursor.borrow());
            if since.missed > 0 {
                logger::log(
                    Level::Info,
                    "job",
                    "transitions not logged (too many at once)",
                    serde_json::json!({"missed": since.missed}),
                );
            }
            for t in since.entries {
                log_transition(t);
            }
            *cursor.borrow_mut() = state.transitions.total();
        });
        use_effect_with(store.jobs.len(), |n| diagnostics::set_jobs_held(*n));
    }
    let handle = UseJobsHandle {
        store,
        live: (*live).clone(),
        api: ApiClient::new(config.api_base.clone()),
        log_receivers: (*log_receivers).clone(),
    };
    html! {
        <ContextProvider<UseJobsHandle> context={handle}>
            { props.children.clone() }
        </ContextProvider<UseJobsHandle>>
    }
}

fn action_name(action: UserAction) -> &'static str {
    match action {
        UserAction::Cancel => "cancel",
        UserAction::Retry => "retry",
    }
}

/// `[jobs] INFO job: running → succeeded {"job_id":…,"attempt":1,…}`.
fn log_transition(t: &Transition) {
    let message = match t.from {
        Some(from) => format!("{} → {}", from.as_str(), t.to.as_str()),
        None => format!("new job, {}", t.to.as_str()),
    };
    logger::log(
        Level::Info,
        "job",
        &message,
        serde_json::json!({
            "job_id": t.job_id,
            "from": t.from,
            "to": t.to,
            "attempt": t.attempt,
            "from_attempt": t.from_attempt,
            "version": t.version,
        }),
    );
}

/// Retry at once when the browser is back online or the tab becomes visible again.
fn wake_listeners(handle: &LiveHandle) -> Vec<EventListener> {
    let mut out = Vec::new();
    let Some(window) = web_sys::window() else {
        return out;
    };
    let h = handle.clone();
    out.push(EventListener::new(&window, "online", move |_| {
        h.send(Control::Wake)
    }));
    if let Some(document) = window.document() {
        let h = handle.clone();
        let doc = document.clone();
        out.push(EventListener::new(
            &document,
            "visibilitychange",
            move |_| {
                if !doc.hidden() {
                    h.send(Control::Wake);
                }
            },
        ));
    }
    out
}

/// The live store. Outside a `JobsProvider` (component tests) it is an empty, idle store.
#[hook]
pub fn use_jobs() -> UseJobsHandle {
    let ctx = use_context::<UseJobsHandle>();
    let fallback_store = use_reducer(JobsState::default);
    let config = use_config();
    ctx.unwrap_or_else(|| UseJobsHandle {
        store: fallback_store,
        live: LiveSlot::default(),
        api: ApiClient::new(config.api_base.clone()),
        log_receivers: LogReceivers::default(),
    })
}
