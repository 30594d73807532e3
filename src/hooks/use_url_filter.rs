//! The list filter, kept in the URL (`#/jobs?status=failed&q=...`) so a view can be bookmarked
//! and shared. The shell may also open the page with `?dataset=<id>` on the iframe URL itself.

use yew::prelude::*;

use crate::state::job_filter::JobFilter;

fn read_url() -> JobFilter {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return JobFilter::default();
    };
    let hash = location.hash().unwrap_or_default();
    let mut filter = JobFilter::from_query(hash.split_once('?').map(|(_, q)| q).unwrap_or(""));
    if filter.dataset.is_none() {
        let outer = JobFilter::from_query(&location.search().unwrap_or_default());
        filter.dataset = outer.dataset;
    }
    filter
}

fn write_url(filter: &JobFilter) {
    let query = filter.to_query();
    let url = if query.is_empty() {
        "#/jobs".to_string()
    } else {
        format!("#/jobs?{query}")
    };
    // replaceState: typing in the search box must not fill the history with entries, and the
    // router need not re-render for it.
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The current filter and a setter that also updates the URL.
#[hook]
pub fn use_url_filter() -> (JobFilter, Callback<JobFilter>) {
    let filter = use_state(read_url);
    let set = {
        let filter = filter.clone();
        Callback::from(move |next: JobFilter| {
            write_url(&next);
            filter.set(next);
        })
    };
    ((*filter).clone(), set)
}
