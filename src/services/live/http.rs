//! The transport's HTTP side: the job list, every page of it (see `state::snapshot_pages`), and
//! one polling round of the subscribed logs (see `state::log_poll`).

use yew::Callback;

use super::{warn, Agent};
use crate::services::api::{ApiClient, ApiError, JobQuery};
use crate::services::logger::{self, Level};
use crate::state::jobs_store::Action;
use crate::state::log_poll::{take_page, POLL_PAGES_PER_ROUND, POLL_PAGE_LINES};
use crate::state::snapshot_pages::{Pages, FIRST_PAGE_LIMIT, MAX_HELD};
use crate::state::transport::{Input, SnapshotError};
use crate::types::Job;

/// Loads the list and hands it to the store; what the core hears about it.
///
/// With `early` (the first load) the first page is shown at once (see [`load_pages`]); later
/// loads (resyncs, polling) replace the list in one step, so it never shrinks meanwhile.
pub(super) async fn load_snapshot(
    api: ApiClient,
    dispatch: Callback<Action>,
    reset: bool,
    early: bool,
) -> Input {
    let first = early.then(|| dispatch.clone());
    match load_pages(api, first, reset).await {
        Ok(Loaded { jobs, pages, early }) => {
            logger::log(
                Level::Debug,
                "live",
                "job list loaded",
                serde_json::json!({"jobs": jobs.len(), "seq": pages.seq(), "reset": reset, "not_loaded": pages.not_loaded(), "first_page_early": early}),
            );
            dispatch.emit(if early {
                Action::SnapshotMore {
                    jobs,
                    not_loaded: pages.not_loaded(),
                }
            } else {
                Action::Snapshot {
                    jobs,
                    seq: pages.seq(),
                    reset,
                    not_loaded: pages.not_loaded(),
                    more_coming: false,
                }
            });
            Input::SnapshotLoaded { seq: pages.seq() }
        }
        Err(ApiError::Unauthorized(detail)) => {
            Input::SnapshotFailed(SnapshotError::Unauthorized { detail })
        }
        Err(e) => Input::SnapshotFailed(SnapshotError::Failed {
            message: e.to_string(),
        }),
    }
}

/// What [`load_pages`] loaded.
struct Loaded {
    /// Every job, or, when `early`, those after the first page.
    jobs: Vec<Job>,
    pages: Pages,
    /// The first page was already dispatched as a `Snapshot` with `more_coming`.
    early: bool,
}

/// Every page of `GET /jobs`, newest first, up to `MAX_HELD` jobs: a small first one, then the rest
/// at once (the browser runs up to six requests to one host in parallel), then any that jobs
/// created meanwhile pushed past the end. With `early`, a first page that is not the whole
/// list is dispatched at once, so the newest jobs show while the others load.
async fn load_pages(
    api: ApiClient,
    early: Option<Callback<Action>>,
    reset: bool,
) -> Result<Loaded, ApiError> {
    let page = |offset: u64, limit: u64| {
        let api = api.clone();
        async move {
            api.list_jobs(&JobQuery {
                sort: Some("newest".into()),
                offset: Some(offset),
                limit: Some(limit),
                ..Default::default()
            })
            .await
            .map(|list| (limit, list))
        }
    };
    let mut pages = Pages::new(MAX_HELD);
    let (limit, first) = page(0, FIRST_PAGE_LIMIT.min(MAX_HELD)).await?;
    pages.add(limit, first.items.len() as u64, first.total, first.seq);
    let rest_planned = pages.rest();
    let mut jobs = Vec::new();
    let early = match early {
        Some(dispatch) if !rest_planned.is_empty() => {
            let shown = first.items.len() as u64;
            dispatch.emit(Action::Snapshot {
                jobs: first.items,
                seq: pages.seq(),
                reset,
                not_loaded: first.total.saturating_sub(shown),
                more_coming: true,
            });
            true
        }
        _ => {
            jobs = first.items;
            false
        }
    };
    let rest = futures::future::try_join_all(rest_planned.into_iter().map(|(o, l)| page(o, l)));
    for (limit, list) in rest.await? {
        pages.add(limit, list.items.len() as u64, list.total, list.seq);
        jobs.extend(list.items);
    }
    // Jobs created meanwhile pushed the oldest ones further down: fetch on until the end.
    while let Some((offset, limit)) = pages.next() {
        let (limit, list) = page(offset, limit).await?;
        pages.add(limit, list.items.len() as u64, list.total, list.seq);
        jobs.extend(list.items);
    }
    Ok(Loaded { jobs, pages, early })
}

impl Agent {
    /// Polls every subscribed job's log from its last delivered line, so open log views keep
    /// receiving lines while the WebSocket cannot be used. A failed request leaves the line
    /// number where it was: the next round (or the live stream) resumes there.
    pub(super) async fn poll_logs(&mut self) {
        for (job_id, mut last) in self.core.subs().positions() {
            for _ in 0..POLL_PAGES_PER_ROUND {
                let page = match self
                    .api
                    .job_logs_after(&job_id, last, POLL_PAGE_LINES)
                    .await
                {
                    Ok(page) => page,
                    Err(e) => {
                        warn(&format!("live: polling the log of {job_id}: {e}"));
                        break;
                    }
                };
                let (lines, new_last, more) = take_page(last, page.lines, POLL_PAGE_LINES);
                // Unsubscribed while the request was out: nothing to deliver.
                let subs = self.core.subs_mut();
                let Some(lines) = subs.polled(&job_id, lines, new_last) else {
                    break;
                };
                last = subs.position(&job_id).unwrap_or(new_last);
                if !lines.is_empty() {
                    self.sinks.logs.emit((job_id.clone(), lines));
                }
                if !more {
                    break;
                }
            }
        }
    }
}
