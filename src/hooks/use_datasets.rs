//! The platform's datasets, loaded once per mount: as a plain list for names in filters
//! ([`use_datasets`]), or with its loading state and a retry for the start form
//! ([`use_dataset_list`]).

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::use_api;
use crate::types::Dataset;

/// The datasets; empty until loaded or when loading failed (views degrade to ids).
#[hook]
pub fn use_datasets() -> Rc<Vec<Dataset>> {
    let api = use_api();
    let datasets = use_state(|| Rc::new(Vec::new()));
    {
        let datasets = datasets.clone();
        use_effect_with(api, move |api| {
            let api = api.clone();
            spawn_local(async move {
                match api.list_datasets().await {
                    Ok(list) => datasets.set(Rc::new(list.items)),
                    Err(e) => web_sys::console::warn_1(&format!("datasets: {e}").into()),
                }
            });
        });
    }
    (*datasets).clone()
}

/// The dataset list as far as it has loaded, for views that show loading and failure in words.
#[derive(Clone, PartialEq)]
pub enum DatasetList {
    Loading,
    Loaded(Rc<Vec<Dataset>>),
    Failed(String),
}

/// [`use_dataset_list`]'s answer: the list's state and a way to ask again after a failure.
pub struct UseDatasetListHandle {
    pub list: DatasetList,
    /// Loads the list again (it reads as loading until the answer arrives).
    pub retry: Callback<()>,
}

/// The datasets with their loading state (for the start form, which must tell "none yet" from
/// "not loaded" and offer a retry); loaded on mount and again on each retry.
#[hook]
pub fn use_dataset_list() -> UseDatasetListHandle {
    let api = use_api();
    let datasets = use_state(|| DatasetList::Loading);
    let reload = use_state(|| 0u32);
    {
        let datasets = datasets.clone();
        use_effect_with(*reload, move |_| {
            datasets.set(DatasetList::Loading);
            spawn_local(async move {
                datasets.set(match api.list_datasets().await {
                    Ok(list) => DatasetList::Loaded(Rc::new(list.items)),
                    Err(e) => DatasetList::Failed(e.to_string()),
                });
            });
        });
    }
    let retry = Callback::from(move |_| reload.set(*reload + 1));
    UseDatasetListHandle {
        list: (*datasets).clone(),
        retry,
    }
}
