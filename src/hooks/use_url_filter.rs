//! The list filter, kept in the URL (`#/jobs?status=failed&q=...`) so a view can be bookmarked
//! and shared. The shell may also open the page with `?dataset=<id>` on the iframe URL itself,
//! or send a `filter` message (the host bridge turns it into a fragment navigation, which the
//! list follows here like any other change of its URL).

use std::cell::{Cell, RefCell};

use gloo_events::EventListener;
use yew::prelude::*;

use crate::services::browser;
use crate::state::embed_protocol::is_list_hash;
use crate::state::job_filter::JobFilter;

thread_local! {
    /// The page URL's own `?dataset=` is the shell's initial request: honoured once, so a
    /// filter the user cleared does not come back when they return to the list.
    static OUTER_USED: Cell<bool> = const { Cell::new(false) };
    /// The list's last query, so "back to all jobs" links keep the filters.
    static LAST_QUERY: RefCell<String> = const { RefCell::new(String::new()) };
}

/// `#/jobs` with the list's last filters.
pub fn list_href() -> String {
    LAST_QUERY.with(|q| {
        let q = q.borrow();
        if q.is_empty() {
            "#/jobs".to_string()
        } else {
            format!("#/jobs?{q}")
        }
    })
}

fn read_url() -> JobFilter {
    let mut filter = JobFilter::from_query(&browser::hash_query_string());
    if filter.dataset.is_none() && !OUTER_USED.with(|u| u.replace(true)) {
        filter.dataset = browser::query_pairs()
            .into_iter()
            .find(|(k, v)| k == "dataset" && !v.is_empty())
            .map(|(_, v)| v);
    }
    OUTER_USED.with(|u| u.set(true));
    LAST_QUERY.with(|q| *q.borrow_mut() = filter.to_query());
    filter
}

fn write_url(filter: &JobFilter) {
    let query = filter.to_query();
    LAST_QUERY.with(|q| *q.borrow_mut() = query.clone());
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

/// The list filter as the URL holds it, and how to change it.
#[derive(Clone, PartialEq)]
pub struct UseUrlFilterHandle {
    /// The filter as of this render.
    pub filter: JobFilter,
    /// Replaces the filter and writes it to the URL (`replaceState`, no history entry).
    pub set: Callback<JobFilter>,
}

impl UseUrlFilterHandle {
    /// Sets the filter that `edit` makes of this render's filter.
    pub fn update(&self, edit: impl FnOnce(&mut JobFilter)) {
        let mut next = self.filter.clone();
        edit(&mut next);
        self.set.emit(next);
    }
}

/// The current filter and a setter that also updates the URL.
#[hook]
pub fn use_url_filter() -> UseUrlFilterHandle {
    let filter = use_state(read_url);
    {
        // Our own edits use replaceState (no `hashchange`); a fragment navigation to another
        // list query (the host's filter, a pasted link) is followed. Another route's query
        // (`#/jobs/<id>/logs?line=N`) is not a list filter.
        let filter = filter.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    let hash = web_sys::window()
                        .and_then(|w| w.location().hash().ok())
                        .unwrap_or_default();
                    if is_list_hash(&hash) {
                        filter.set(read_url());
                    }
                })
            });
            move || drop(listener)
        });
    }
    let set = {
        let filter = filter.clone();
        Callback::from(move |next: JobFilter| {
            write_url(&next);
            filter.set(next);
        })
    };
    UseUrlFilterHandle {
        filter: (*filter).clone(),
        set,
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::types::JobStatus;

    #[test]
    fn update_edits_this_renders_filter_and_sets_the_result() {
        let set_to = Rc::new(RefCell::new(None::<JobFilter>));
        let handle = UseUrlFilterHandle {
            filter: JobFilter::from_query("status=failed&q=boom"),
            set: {
                let set_to = set_to.clone();
                Callback::from(move |f: JobFilter| *set_to.borrow_mut() = Some(f))
            },
        };
        handle.update(|f| f.q.clear());
        let next = set_to.borrow_mut().take();
        let next = next.as_ref();
        assert_eq!(next.map(|f| f.q.as_str()), Some(""));
        assert_eq!(
            next.map(|f| f.status.iter().copied().collect::<Vec<_>>()),
            Some(vec![JobStatus::Failed])
        );
        // The handle's own filter is this render's: the page re-renders with the new one.
        assert_eq!(handle.filter.q, "boom");
    }
}
