//! The platform's datasets (for names in filters and the start form), loaded once per mount.

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
