//! The live job store: a reducer behind a context provider, fed by the live transport.
//!
//! `JobsProvider` owns the reducer and the transport loop (started in its effect, stopped by
//! the effect's cleanup together with its browser listeners). Components reach the store with
//! `use_jobs()`, which returns the state plus the domain actions.

use std::rc::Rc;

use gloo_events::EventListener;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::use_config;
use crate::services::api::{ApiClient, ApiError};
use crate::services::live::{self, Control, LiveHandle, Sinks};
use crate::state::jobs_store::{Action, JobsState, UserAction};
use crate::types::{Job, LogLine};

/// What `use_jobs()` returns: the store and what can be done with it.
#[derive(Clone, PartialEq)]
pub struct UseJobsHandle {
    store: UseReducerHandle<JobsState>,
    live: Option<LiveHandle>,
    api: ApiClient,
    logs: Callback<(String, Vec<LogLine>)>,
}

impl UseJobsHandle {
    pub fn state(&self) -> &JobsState {
        &self.store
    }

    /// Reconnect at once instead of waiting out the backoff.
    pub fn retry_now(&self) {
        if let Some(live) = &self.live {
            live.send(Control::Wake);
        }
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
        spawn_local(async move {
            let result: Result<Job, ApiError> = match action {
                UserAction::Cancel => api.cancel_job(&id).await,
                UserAction::Retry => api.retry_job(&id).await,
            };
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

    /// Start delivering a job's log lines after `after_line` to the log sink.
    pub fn subscribe_logs(&self, job_id: &str, after_line: u64) {
        if let Some(live) = &self.live {
            live.send(Control::Subscribe {
                job_id: job_id.to_string(),
                after_line,
            });
        }
    }

    pub fn unsubscribe_logs(&self, job_id: &str) {
        if let Some(live) = &self.live {
            live.send(Control::Unsubscribe {
                job_id: job_id.to_string(),
            });
        }
    }

    /// Where live log lines go (set by the log viewer's provider).
    pub fn log_sink(&self) -> &Callback<(String, Vec<LogLine>)> {
        &self.logs
    }
}

#[derive(Properties, PartialEq)]
pub struct JobsProviderProps {
    pub children: Html,
    /// Receives log lines of subscribed jobs.
    #[prop_or_default]
    pub on_logs: Callback<(String, Vec<LogLine>)>,
}

/// Owns the store and the transport for everything below it.
#[component]
pub fn JobsProvider(props: &JobsProviderProps) -> Html {
    let config = use_config();
    let store = use_reducer(JobsState::default);
    let live = use_state(|| None::<LiveHandle>);
    {
        let dispatcher = store.dispatcher();
        let live = live.clone();
        let on_logs = props.on_logs.clone();
        use_effect_with(config.clone(), move |config| {
            let sinks = Sinks {
                dispatch: Callback::from(move |a| dispatcher.dispatch(a)),
                logs: on_logs,
            };
            let api = ApiClient::new(config.api_base.clone());
            let handle = live::start(api, config.ws_url.clone(), sinks);
            live.set(Some(handle.clone()));
            let listeners = wake_listeners(&handle);
            move || {
                handle.stop();
                drop(listeners);
            }
        });
    }
    let handle = UseJobsHandle {
        store,
        live: (*live).clone(),
        api: ApiClient::new(config.api_base.clone()),
        logs: props.on_logs.clone(),
    };
    html! {
        <ContextProvider<UseJobsHandle> context={handle}>
            { props.children.clone() }
        </ContextProvider<UseJobsHandle>>
    }
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
        live: None,
        api: ApiClient::new(config.api_base.clone()),
        logs: Callback::noop(),
    })
}

/// The job with `id`: from the live store when it has it, else fetched once over HTTP.
#[hook]
pub fn use_job(id: String) -> (Option<Rc<Job>>, Option<ApiError>) {
    let jobs = use_jobs();
    let fetched = use_state(|| None::<Result<Rc<Job>, ApiError>>);
    let in_store = jobs.state().job(&id).cloned();
    let loaded = jobs.state().loaded;
    {
        let fetched = fetched.clone();
        let api = jobs.api.clone();
        // Only when the store, once loaded, does not know the job (older than its window).
        use_effect_with(
            (id.clone(), loaded && in_store.is_none()),
            move |(id, need)| {
                if *need {
                    let id = id.clone();
                    spawn_local(async move {
                        fetched.set(Some(api.get_job(&id).await.map(Rc::new)));
                    });
                }
            },
        );
    }
    match (in_store, &*fetched) {
        (Some(job), _) => (Some(job), None),
        (None, Some(Ok(job))) => (Some(job.clone()), None),
        (None, Some(Err(e))) => (None, Some(e.clone())),
        (None, None) => (None, None),
    }
}
