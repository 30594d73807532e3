//! The embedding protocol's link to the app: what host messages do here (token, theme, the
//! list's dataset filter, the route) and what the host hears (`ready`, `height`, `summary`).
//! Renders nothing; does nothing when the page is standalone.

use std::rc::Rc;

use yew::prelude::*;

use crate::hooks::use_jobs;
use crate::hooks::use_url_filter::list_href;
use crate::services::{auth, host, logger, theme};
use crate::state::embed_protocol::{filter_hash, route_hash, HostMessage, PageMessage, Summary};
use crate::types::JobStatus;

/// Mounted once inside `JobsProvider` (it reads the store for the badge counts).
#[component]
pub fn HostBridge() -> Html {
    let jobs = use_jobs();
    use_effect_with((), |_| {
        let listening = host::listen(Rc::new(apply));
        move || drop(listening)
    });
    // Counted only once the first snapshot is in: zeros before it would be a wrong badge.
    let state = jobs.state();
    let summary = (host::is_embedded() && state.loaded).then(|| Summary {
        running: state.held_with(JobStatus::Running),
        // Failed jobs the retention let go are still failed on the backend.
        failed: state.known_counts()[JobStatus::Failed.index()],
    });
    use_effect_with(summary, |summary| {
        if let Some(summary) = summary {
            host::post(&PageMessage::Summary(*summary));
        }
    });
    Html::default()
}

fn apply(msg: HostMessage) {
    match msg {
        HostMessage::Auth { token } => auth::set_token(Some(token)),
        HostMessage::Theme(t) => theme::set_from_host(t.as_str()),
        HostMessage::Filter { dataset } => set_hash(&filter_hash(&list_href(), dataset.as_deref())),
        HostMessage::Route(route) => set_hash(&route_hash(&route, &list_href())),
        HostMessage::DiagnosticsRequest => host::post_diagnostics(),
    }
}

/// A real fragment navigation: the router follows it (`popstate`) and so does the list's
/// filter (`hashchange`), exactly as for a link the user clicked.
fn set_hash(hash: &str) {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    if location.set_hash(hash).is_err() {
        logger::debug("host", "could not change the location hash");
    }
}
