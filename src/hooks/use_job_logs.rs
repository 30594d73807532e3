//! A job's log, live: the last lines backfilled over HTTP so the view is never blank, then
//! new lines over the WebSocket subscription (resumed by line number after reconnects).

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::use_jobs;
use crate::state::log_buffer::LogBuffer;
use crate::types::LogLine;

/// Lines backfilled when a log is opened.
pub const BACKFILL_LINES: u64 = 1_000;
/// Lines kept in memory per open log.
pub const MAX_LINES: usize = 200_000;

/// The log view's state.
#[derive(Clone, Debug, PartialEq)]
pub struct LogView {
    pub buffer: LogBuffer,
    /// The backfill arrived (live lines follow it).
    pub ready: bool,
    pub error: Option<String>,
    /// Total lines the server had at backfill time.
    pub server_total: u64,
}

pub enum LogAction {
    Backfill { lines: Vec<LogLine>, total: u64 },
    Live(Vec<LogLine>),
    Failed(String),
}

impl Reducible for LogView {
    type Action = LogAction;

    fn reduce(self: Rc<Self>, action: LogAction) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            LogAction::Backfill { lines, total } => {
                next.buffer.append(lines);
                next.server_total = total;
                next.ready = true;
                next.error = None;
            }
            LogAction::Live(lines) => {
                next.buffer.append(lines);
            }
            LogAction::Failed(e) => next.error = Some(e),
        }
        Rc::new(next)
    }
}

/// Opens `job_id`'s log for as long as the calling component is mounted.
#[hook]
pub fn use_job_logs(job_id: String) -> UseReducerHandle<LogView> {
    let jobs = use_jobs();
    let view = use_reducer(|| LogView {
        buffer: LogBuffer::new(MAX_LINES),
        ready: false,
        error: None,
        server_total: 0,
    });
    {
        let dispatcher = view.dispatcher();
        use_effect_with(job_id, move |job_id| {
            let alive = Rc::new(std::cell::Cell::new(true));
            {
                let alive = alive.clone();
                let jobs = jobs.clone();
                let job_id = job_id.clone();
                spawn_local(async move {
                    match jobs.api().job_logs_tail(&job_id, BACKFILL_LINES).await {
                        Ok(page) if alive.get() => {
                            let last = page.lines.last().map(|l| l.n).unwrap_or(0);
                            dispatcher.dispatch(LogAction::Backfill {
                                lines: page.lines,
                                total: page.total,
                            });
                            let live = dispatcher.clone();
                            jobs.subscribe_logs(
                                &job_id,
                                last,
                                Callback::from(move |lines| live.dispatch(LogAction::Live(lines))),
                            );
                        }
                        Err(e) if alive.get() => {
                            dispatcher.dispatch(LogAction::Failed(e.to_string()))
                        }
                        _ => {}
                    }
                });
            }
            let job_id = job_id.clone();
            move || {
                alive.set(false);
                jobs.unsubscribe_logs(&job_id);
            }
        });
    }
    view
}
