//! One job's metric samples for its chart: backfilled over HTTP, extended by live frames.
//!
//! The store keeps a short live series per job (see `jobs_store::Limits`); the chart needs the
//! whole run the backend kept (up to 2,000 samples). So the backfill is fetched when the job
//! page opens and again whenever the page becomes live after not being live (samples may have
//! been missed meanwhile), and the store's live samples are merged in by `(attempt, t)`, so a
//! replay after a reconnect never doubles a sample.

use std::cell::Cell;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::use_jobs;
use crate::services::api::ApiError;
use crate::state::chart::job_series::merge_samples;
use crate::types::MetricSample;

/// Samples kept for one job's chart: the backend keeps at most this many per job too.
pub const CHART_SAMPLES: usize = 2_000;

/// What `use_job_metrics` returns.
#[derive(Clone, PartialEq)]
pub struct UseJobMetricsHandle {
    /// Oldest first, by `(attempt, t)`, without duplicates; at most [`CHART_SAMPLES`].
    pub samples: Rc<Vec<MetricSample>>,
    /// The backfill failed (the live samples are still shown).
    pub error: Option<ApiError>,
    /// The first backfill has not answered yet.
    pub loading: bool,
}

#[hook]
pub fn use_job_metrics(job_id: String) -> UseJobMetricsHandle {
    let jobs = use_jobs();
    let state = jobs.state();
    let live = state.connection.is_live();
    // The answer and the job it is for: after the id changes, another job's samples are never
    // shown, and the new job's are fetched even while the page is not live.
    let backfill = use_state(|| None::<(String, Result<Rc<Vec<MetricSample>>, ApiError>)>);
    let current = backfill
        .as_ref()
        .filter(|(id, _)| *id == job_id)
        .map(|(_, result)| result.clone());
    // Answers to an earlier request (another job, an earlier reconnect) are dropped.
    let generation = use_memo((), |_| Rc::new(Cell::new(0u64)));
    {
        let (backfill, api, generation) =
            (backfill.clone(), jobs.api().clone(), generation.clone());
        let have = current.is_some();
        use_effect_with((job_id.clone(), live), move |(id, live)| {
            // Fetch on open and whenever the page is live again; not while it is not.
            if *live || !have {
                let g = generation.get() + 1;
                generation.set(g);
                let (id, generation) = (id.clone(), generation.clone());
                spawn_local(async move {
                    let result = api.job_metrics(&id).await.map(|m| Rc::new(m.samples));
                    if generation.get() == g {
                        backfill.set(Some((id, result)));
                    }
                });
            }
        });
    }
    let store_series = state.metrics.get(&job_id).cloned();
    let fetched = match &current {
        Some(Ok(samples)) => Some(samples.clone()),
        _ => None,
    };
    let samples = use_memo((fetched, store_series), |(fetched, live)| {
        let mut out: Vec<MetricSample> =
            fetched.as_ref().map(|f| (**f).clone()).unwrap_or_default();
        if let Some(live) = live {
            merge_samples(&mut out, live.iter().cloned(), CHART_SAMPLES);
        }
        out
    });
    UseJobMetricsHandle {
        samples,
        error: match &current {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        },
        loading: current.is_none(),
    }
}
