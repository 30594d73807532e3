//! The app root: loads the runtime configuration, guards embedding, and routes.

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::connection_indicator::ConnectionIndicator;
use crate::components::error_banner::ErrorBanner;
use crate::components::host_bridge::HostBridge;
use crate::components::status_announcer::StatusAnnouncer;
use crate::hooks::{ConfigContext, JobsProvider};
use crate::pages::{job_detail_page::JobDetailPage, jobs_page::JobsPage, not_found::NotFound};
use crate::services::{browser, config, host};
use crate::state::config::Config;

/// Every screen. Hash routing, so deep links work from any static host and sub-path.
#[derive(Clone, Debug, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/jobs")]
    Jobs,
    #[at("/jobs/:id")]
    Job { id: String },
    /// The job's page with its log viewer open (a linkable log view).
    #[at("/jobs/:id/logs")]
    JobLogs { id: String },
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Redirect<Route> to={Route::Jobs} /> },
        Route::Jobs => html! { <JobsPage /> },
        Route::Job { id } => html! { <JobDetailPage id={id} /> },
        Route::JobLogs { id } => {
            html! { <JobDetailPage id={id} logs_open=true line={permalink_line()} /> }
        }
        Route::NotFound => html! { <NotFound /> },
    }
}

/// `?line=N` in the hash of a log permalink (`#/jobs/<id>/logs?line=N`).
fn permalink_line() -> Option<u64> {
    crate::state::url::parse_query(&browser::hash_query_string())
        .into_iter()
        .find(|(k, _)| k == "line")
        .and_then(|(_, v)| v.parse().ok())
}

#[derive(Clone, PartialEq)]
enum Boot {
    Loading,
    Ready(ConfigContext),
    Failed(String),
    Refused(String),
}

fn check_embedding(config: Config) -> Boot {
    let own = browser::origin().unwrap_or_default();
    let parent = browser::parent_origin();
    if config.embedding_allowed(&own, parent.as_deref()) {
        // Before the first render, so every component already knows whether it is embedded.
        host::connect(&config);
        Boot::Ready(Rc::new(config))
    } else {
        Boot::Refused(parent.unwrap_or_default())
    }
}

#[component]
pub fn App() -> Html {
    let boot = use_state(|| Boot::Loading);
    {
        let boot = boot.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                boot.set(match config::load().await {
                    Ok(config) => check_embedding(config),
                    Err(e) => Boot::Failed(e.to_string()),
                });
            });
        });
    }
    let content = match &*boot {
        Boot::Loading => html! { <p class="loading" role="status">{ "Starting…" }</p> },
        Boot::Failed(message) => html! {
            <ErrorBanner title="The page is misconfigured" message={message.clone()} testid="config-error" />
        },
        Boot::Refused(parent) => html! {
            <ErrorBanner title="Embedding refused"
                message={format!("This page may not be shown inside {parent}. Ask an administrator to add that origin to allowed_parent_origins in config.json.")}
                testid="embedding-refused" />
        },
        Boot::Ready(config) => html! {
            <ContextProvider<ConfigContext> context={config.clone()}>
                <JobsProvider>
                    <HostBridge />
                    <crate::components::theme_toggle::ThemeToggle />
                    <ConnectionIndicator />
                    <StatusAnnouncer />
                    <HashRouter>
                        <Switch<Route> render={switch} />
                    </HashRouter>
                </JobsProvider>
            </ContextProvider<ConfigContext>>
        },
    };
    html! { <main class="app" data-testid="app">{ content }</main> }
}
