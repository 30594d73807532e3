//! Runs a confirmed bulk plan: optimistic display for every job in it, one request (or chunks
//! of at most `CHUNK` ids, with progress), then each job confirmed or rolled back with the
//! server's reason, and a per-job result list. Each run is logged: its scope when it starts
//! (debug) and its result when it ends (info, or warn when a request failed).

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::{use_jobs, UseJobsHandle};
use crate::services::api::{ApiError, BulkScope};
use crate::services::logger::{self, Level};
use crate::state::bulk::{BulkKind, Plan, PlanScope};
use crate::state::jobs_store::{Action, UserAction};
use crate::types::BulkResponse;

/// Ids per request when acting on an explicit list.
pub const CHUNK: usize = 500;

/// One job's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemOutcome {
    pub id: String,
    pub ok: bool,
    pub detail: Option<String>,
}

/// Where a bulk action is.
#[derive(Clone, Debug, PartialEq)]
pub enum BulkRun {
    Idle,
    Running {
        kind: BulkKind,
        done: usize,
        total: usize,
    },
    Done {
        kind: BulkKind,
        items: Rc<Vec<ItemOutcome>>,
        /// Set when a request failed as a whole (the remaining jobs were not touched).
        error: Option<String>,
    },
}

impl BulkRun {
    /// Ids the action touched successfully, for "show only these jobs".
    pub fn touched(&self) -> BTreeSet<String> {
        match self {
            BulkRun::Done { items, .. } => items
                .iter()
                .filter(|i| i.ok)
                .map(|i| i.id.clone())
                .collect(),
            _ => BTreeSet::new(),
        }
    }
}

fn scope_of(plan_scope: &PlanScope, ids: &[String]) -> BulkScope {
    match plan_scope {
        PlanScope::Ids(_) | PlanScope::Group { .. } => BulkScope::Ids(ids.to_vec()),
        PlanScope::Filter(f) => BulkScope::Filter {
            status: f.status.iter().map(|s| s.as_str().to_string()).collect(),
            dataset: f.dataset.clone(),
            kind: f.kind.map(|k| k.as_str().to_string()),
            q: (!f.q.is_empty()).then(|| f.q.clone()),
        },
    }
}

/// What a plan acts on, for the log (counts, not the ids: a group may hold 10,000).
fn scope_summary(scope: &PlanScope) -> serde_json::Value {
    use serde_json::json;
    match scope {
        PlanScope::Ids(ids) => json!({"type": "selection", "jobs": ids.len()}),
        PlanScope::Filter(f) => json!({
            "type": "filter",
            "status": f.status.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "dataset": f.dataset,
            "kind": f.kind.map(|k| k.as_str()),
            "q": f.q,
        }),
        PlanScope::Group { label, ids } => {
            json!({"type": "failure_group", "label": label, "jobs": ids.len()})
        }
    }
}

fn kind_name(kind: BulkKind) -> &'static str {
    match kind {
        BulkKind::Cancel => "bulk cancel",
        BulkKind::Retry => "bulk retry",
    }
}

/// The bulk runner: where the action is, and how to start and dismiss one.
#[derive(Clone, PartialEq)]
pub struct UseBulkHandle {
    /// Where the current (or last) bulk action is.
    pub run: BulkRun,
    /// Starts a confirmed plan (ignored while another one runs).
    pub start: Callback<Plan>,
    /// Back to `Idle`: the result was read.
    pub reset: Callback<()>,
}

/// The bulk runner: its state and callbacks that start a plan and dismiss its result.
#[hook]
pub fn use_bulk() -> UseBulkHandle {
    let jobs = use_jobs();
    let run = use_state(|| BulkRun::Idle);
    let start = {
        let run = run.clone();
        Callback::from(move |plan: Plan| {
            if matches!(*run, BulkRun::Running { .. }) {
                return; // one bulk action at a time; the button is disabled meanwhile
            }
            let action = match plan.kind {
                BulkKind::Cancel => UserAction::Cancel,
                BulkKind::Retry => UserAction::Retry,
            };
            for id in &plan.ids {
                jobs.dispatch(Action::Optimistic {
                    id: id.clone(),
                    action,
                });
            }
            let total = plan.ids.len();
            logger::log(
                Level::Debug,
                "action",
                &format!("{} requested", kind_name(plan.kind)),
                serde_json::json!({"scope": scope_summary(&plan.scope), "jobs": total}),
            );
            run.set(BulkRun::Running {
                kind: plan.kind,
                done: 0,
                total,
            });
            spawn_local(run_plan(jobs.clone(), run.clone(), plan));
        })
    };
    let reset = {
        let run = run.clone();
        Callback::from(move |_| run.set(BulkRun::Idle))
    };
    UseBulkHandle {
        run: (*run).clone(),
        start,
        reset,
    }
}

/// The requests a plan is sent in.
fn chunks_of(plan: &Plan) -> Vec<Vec<String>> {
    match &plan.scope {
        PlanScope::Ids(ids) => ids.chunks(CHUNK).map(<[String]>::to_vec).collect(),
        PlanScope::Filter(_) => vec![plan.ids.clone()],
        // A failure group goes in one request (the server takes up to 10,000 ids).
        PlanScope::Group { ids, .. } => ids.chunks(10_000).map(<[String]>::to_vec).collect(),
    }
}

/// Sends a plan whose jobs are shown optimistically, confirms or rolls back each job with the
/// server's answer, and ends the run with the per-job results.
async fn run_plan(jobs: UseJobsHandle, run: UseStateHandle<BulkRun>, plan: Plan) {
    let total = plan.ids.len();
    let mut items: Vec<ItemOutcome> = Vec::new();
    let mut error = None;
    let mut answered: BTreeSet<String> = BTreeSet::new();
    for chunk in chunks_of(&plan) {
        let scope = scope_of(&plan.scope, &chunk);
        let result: Result<BulkResponse, ApiError> = match plan.kind {
            BulkKind::Cancel => jobs.api().bulk_cancel(&scope).await,
            BulkKind::Retry => jobs.api().bulk_retry(&scope).await,
        };
        match result {
            Ok(resp) => {
                for r in resp.results {
                    let id = r.id.clone().unwrap_or_default();
                    answered.insert(id.clone());
                    match r.job {
                        Some(job) if r.ok => jobs.dispatch(Action::Confirmed {
                            id: id.clone(),
                            job: Box::new(job),
                        }),
                        _ => jobs.dispatch(Action::RolledBack {
                            id: id.clone(),
                            reason: r
                                .detail
                                .clone()
                                .unwrap_or_else(|| format!("HTTP {}", r.status_code)),
                        }),
                    }
                    items.push(ItemOutcome {
                        id,
                        ok: r.ok,
                        detail: r.detail,
                    });
                }
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
        run.set(BulkRun::Running {
            kind: plan.kind,
            done: answered.len().min(total),
            total,
        });
    }
    // Jobs shown optimistically that the server did not act on: undo, with why.
    for id in plan.ids.iter().filter(|id| !answered.contains(*id)) {
        let reason = match &error {
            Some(e) => format!("not done: {e}"),
            None => {
                "left alone by the server: its status changed before the request arrived".into()
            }
        };
        jobs.dispatch(Action::RolledBack {
            id: id.clone(),
            reason: reason.clone(),
        });
        items.push(ItemOutcome {
            id: id.clone(),
            ok: false,
            detail: Some(reason),
        });
    }
    let ok = items.iter().filter(|i| i.ok).count();
    logger::log(
        if error.is_some() {
            Level::Warn
        } else {
            Level::Info
        },
        "action",
        &format!("{} done", kind_name(plan.kind)),
        serde_json::json!({
            "scope": scope_summary(&plan.scope),
            "result": if error.is_some() { "failed" } else if ok == items.len() { "ok" } else { "partial" },
            "ok": ok,
            "not_done": items.len() - ok,
            "error": error,
        }),
    );
    run.set(BulkRun::Done {
        kind: plan.kind,
        items: Rc::new(items),
        error,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::job_filter::JobFilter;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("job_{i}")).collect()
    }

    fn plan(scope: PlanScope, ids: Vec<String>) -> Plan {
        Plan {
            kind: BulkKind::Cancel,
            scope,
            ids,
            skipped: 0,
        }
    }

    #[test]
    fn a_selection_goes_in_chunks_a_filter_and_a_group_in_one_request() {
        let selected = ids(2 * CHUNK + 1);
        let chunks = chunks_of(&plan(PlanScope::Ids(selected.clone()), selected.clone()));
        assert_eq!(
            chunks.iter().map(Vec::len).collect::<Vec<_>>(),
            [CHUNK, CHUNK, 1]
        );
        assert_eq!(chunks.concat(), selected);

        let matching = ids(3);
        let by_filter = plan(PlanScope::Filter(JobFilter::default()), matching.clone());
        assert_eq!(chunks_of(&by_filter), vec![matching]);

        // A group sends its own ids (the server skips the ones no longer failed).
        let group = ids(1200);
        let by_group = plan(
            PlanScope::Group {
                label: "ValueError".into(),
                ids: group.clone(),
            },
            ids(2),
        );
        assert_eq!(chunks_of(&by_group), vec![group]);
    }

    #[test]
    fn only_a_finished_run_has_touched_jobs_and_only_the_ones_done() {
        let item = |id: &str, ok| ItemOutcome {
            id: id.into(),
            ok,
            detail: None,
        };
        let done = BulkRun::Done {
            kind: BulkKind::Retry,
            items: Rc::new(vec![item("a", true), item("b", false), item("c", true)]),
            error: None,
        };
        assert_eq!(done.touched().into_iter().collect::<Vec<_>>(), ["a", "c"]);
        let running = BulkRun::Running {
            kind: BulkKind::Retry,
            done: 1,
            total: 3,
        };
        assert!(running.touched().is_empty());
        assert!(BulkRun::Idle.touched().is_empty());
    }
}
