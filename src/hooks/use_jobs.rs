//! Loading jobs over HTTP, with loading and error states and a reload. The live store (reducer
//! fed by the WebSocket) builds on this in `state/`.

use std::cell::Cell;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::use_api;
use crate::services::api::{ApiError, JobQuery};
use crate::types::{Job, JobList};

/// The state of a request a view depends on.
#[derive(Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(Rc<T>),
    Failed(ApiError),
}

// Manual impl: cloning shares the `Rc`, so `T` itself need not be `Clone`.
impl<T> Clone for Load<T> {
    fn clone(&self) -> Self {
        match self {
            Load::Loading => Load::Loading,
            Load::Ready(v) => Load::Ready(v.clone()),
            Load::Failed(e) => Load::Failed(e.clone()),
        }
    }
}

/// A loaded value plus a way to load it again.
#[derive(PartialEq)]
pub struct UseLoadHandle<T> {
    pub state: Load<T>,
    pub reload: Callback<()>,
}

/// Runs `fetch` on mount and on every reload; results that arrive after unmount or after a
/// newer reload are dropped, so a slow old answer never overwrites a newer one.
#[hook]
fn use_load<T, F, Fut>(key: String, fetch: F) -> UseLoadHandle<T>
where
    T: 'static,
    F: Fn() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<T, ApiError>> + 'static,
{
    let state = use_state(|| Load::<T>::Loading);
    let generation = use_state(|| 0u32);
    let fetch = Rc::new(fetch);
    {
        let state = state.clone();
        use_effect_with((key, *generation), move |_| {
            let current = Rc::new(Cell::new(true));
            let still_current = current.clone();
            spawn_local(async move {
                let result = fetch().await;
                if still_current.get() {
                    state.set(match result {
                        Ok(v) => Load::Ready(Rc::new(v)),
                        Err(e) => Load::Failed(e),
                    });
                }
            });
            move || current.set(false)
        });
    }
    let reload = {
        let generation = generation.clone();
        let state = state.clone();
        Callback::from(move |_| {
            state.set(Load::Loading);
            generation.set(generation.wrapping_add(1));
        })
    };
    UseLoadHandle {
        state: (*state).clone(),
        reload,
    }
}

/// Every job (up to the API's page limit), newest first.
#[hook]
pub fn use_job_list() -> UseLoadHandle<JobList> {
    let api = use_api();
    let key = format!("jobs:{api:?}");
    use_load(key, move || {
        let api = api.clone();
        async move {
            api.list_jobs(&JobQuery {
                limit: Some(5000),
                ..Default::default()
            })
            .await
        }
    })
}

/// One job by id.
#[hook]
pub fn use_job(id: String) -> UseLoadHandle<Job> {
    let api = use_api();
    let key = format!("job:{id}:{api:?}");
    use_load(key, move || {
        let api = api.clone();
        let id = id.clone();
        async move { api.get_job(&id).await }
    })
}
