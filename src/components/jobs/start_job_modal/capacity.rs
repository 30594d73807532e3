//! The dialog's line on workers and queue: from the live store when it has the queue, else
//! from one `GET /queue` of the dialog's own.

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::{use_api, use_jobs};
use crate::state::job_form::capacity_summary;
use crate::types::QueueStatus;

/// Workers and queued jobs, or why they are not known.
#[component]
pub(super) fn StartCapacity() -> Html {
    let api = use_api();
    let jobs = use_jobs();
    let fetched_queue = use_state(|| None::<Result<Rc<QueueStatus>, String>>);
    {
        // The live store refreshes the queue every few seconds; ask once only without it.
        let need = jobs.state().queue.is_none();
        let fetched_queue = fetched_queue.clone();
        use_effect_with((), move |_| {
            if need {
                spawn_local(async move {
                    let queue = api.queue().await.map(Rc::new).map_err(|e| e.to_string());
                    fetched_queue.set(Some(queue));
                });
            }
        });
    }
    let capacity = capacity_text(jobs.state().queue.as_deref(), fetched_queue.as_ref());
    html! {
        <p class="start-capacity" data-testid="start-capacity">{ capacity }</p>
    }
}

/// Workers and queue, from the live store when it has them, else from the dialog's own ask.
fn capacity_text(
    live: Option<&QueueStatus>,
    fetched: Option<&Result<Rc<QueueStatus>, String>>,
) -> String {
    match (live, fetched) {
        (Some(q), _) => queue_summary(q),
        (None, Some(Ok(q))) => queue_summary(q),
        (None, Some(Err(e))) => format!("Queue status unavailable: {e}"),
        (None, None) => "Checking workers and queue…".to_string(),
    }
}

fn queue_summary(queue: &QueueStatus) -> String {
    if queue.redis.ok {
        capacity_summary(queue.workers.len(), queue.queued)
    } else {
        "Queue status unknown: the backend cannot reach Redis.".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(queued: u64, workers: usize, redis_ok: bool) -> QueueStatus {
        QueueStatus {
            queued,
            running: 0,
            workers: (0..workers)
                .map(|i| crate::types::WorkerInfo {
                    name: format!("w{i}"),
                    state: "idle".into(),
                    current_job: None,
                })
                .collect(),
            redis: crate::types::RedisHealth {
                ok: redis_ok,
                version: None,
                latency_ms: None,
                used_memory_bytes: None,
            },
        }
    }

    #[test]
    fn capacity_prefers_the_live_queue_then_the_dialogs_own_ask() {
        let live = queue(3, 4, true);
        let fetched: Result<Rc<QueueStatus>, String> = Ok(Rc::new(queue(9, 1, true)));
        assert_eq!(
            capacity_text(Some(&live), Some(&fetched)),
            "4 workers available, 3 jobs queued"
        );
        assert_eq!(
            capacity_text(None, Some(&fetched)),
            "1 worker available, 9 jobs queued"
        );
        assert_eq!(
            capacity_text(None, Some(&Err("timed out".into()))),
            "Queue status unavailable: timed out"
        );
        assert_eq!(capacity_text(None, None), "Checking workers and queue…");
        assert_eq!(
            capacity_text(Some(&queue(0, 0, false)), None),
            "Queue status unknown: the backend cannot reach Redis."
        );
    }
}
