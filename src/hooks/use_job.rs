//! One job for its page: from the live store when it has it, else fetched once over HTTP.

use std::cell::Cell;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::use_jobs;
use crate::services::api::ApiError;
use crate::state::jobs_store::Action;
use crate::types::Job;

/// What `use_job()` returns.
#[derive(Clone, Debug, PartialEq)]
pub struct UseJobHandle {
    /// The job, once known (live while the store holds it).
    pub job: Option<Rc<Job>>,
    /// Why it could not be fetched (only while the store does not hold it).
    pub error: Option<ApiError>,
}

/// The job with `id`: from the live store when it has it, else fetched once over HTTP (a job
/// older than the loaded window, or one the retention let go) and handed to the store, which
/// then holds it, live, while its page is open (`Action::JobPage`).
#[hook]
pub fn use_job(id: String) -> UseJobHandle {
    let jobs = use_jobs();
    // The fetched job and the id it was fetched for: after the id changes, the previous job is
    // never shown in the new one's place.
    let fetched = use_state(|| None::<(String, Result<Rc<Job>, ApiError>)>);
    let in_store = jobs.state().job(&id).cloned();
    let loaded = jobs.state().loaded;
    {
        let fetched = fetched.clone();
        let api = jobs.api().clone();
        let store = jobs.dispatcher();
        // Only when the store, once loaded, does not know the job.
        use_effect_with(
            (id.clone(), loaded && in_store.is_none()),
            move |(id, need)| {
                // An answer that arrives after the id changed must not replace the new one's.
                let current = Rc::new(Cell::new(true));
                if *need {
                    let (id, current) = (id.to_string(), current.clone());
                    spawn_local(async move {
                        let result = api.get_job(&id).await.map(Rc::new);
                        if current.get() {
                            if let Ok(job) = &result {
                                store.dispatch(Action::Fetched {
                                    job: Box::new((**job).clone()),
                                });
                            }
                            fetched.set(Some((id, result)));
                        }
                    });
                }
                move || current.set(false)
            },
        );
    }
    {
        // The open page's job is never let go while it is open.
        let store = jobs.dispatcher();
        use_effect_with(id.clone(), move |id| {
            let id = id.clone();
            store.dispatch(Action::JobPage {
                id: id.clone(),
                open: true,
            });
            move || store.dispatch(Action::JobPage { id, open: false })
        });
    }
    let fetched = fetched
        .as_ref()
        .filter(|(for_id, _)| *for_id == id)
        .map(|(_, result)| result);
    let (job, error) = match (in_store, fetched) {
        (Some(job), _) => (Some(job), None),
        (None, Some(Ok(job))) => (Some(job.clone()), None),
        (None, Some(Err(e))) => (None, Some(e.clone())),
        (None, None) => (None, None),
    };
    UseJobHandle { job, error }
}
