//! Who receives live log lines of which job: several open views may follow one job's log, and
//! the transport delivers each job's lines once; this fans them out.
//!
//! Bound: one entry per job some view follows, holding one receiver per such view; a receiver
//! is removed when its view unsubscribes, the job's entry with its last receiver.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use yew::Callback;

use crate::types::LogLine;

/// One view that receives a job's lines, with the token that unsubscribes it.
struct LogReceiver {
    token: u64,
    on_lines: Callback<Vec<LogLine>>,
}

#[derive(Default)]
struct ReceiverTable {
    next_token: u64,
    by_job: HashMap<String, Vec<LogReceiver>>,
}

/// The receivers of live log lines, shared by the jobs provider and its handles.
#[derive(Clone, Default)]
pub struct LogReceivers(Rc<RefCell<ReceiverTable>>);

impl PartialEq for LogReceivers {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl LogReceivers {
    /// Adds a receiver of `job_id`'s lines; returns the token that removes it.
    pub fn add(&self, job_id: &str, on_lines: Callback<Vec<LogLine>>) -> u64 {
        let mut table = self.0.borrow_mut();
        table.next_token += 1;
        let token = table.next_token;
        table
            .by_job
            .entry(job_id.to_string())
            .or_default()
            .push(LogReceiver { token, on_lines });
        token
    }

    /// Removes the receiver with `token`; returns whether it was the job's last one.
    pub fn remove(&self, job_id: &str, token: u64) -> bool {
        let mut table = self.0.borrow_mut();
        let list = table.by_job.entry(job_id.to_string()).or_default();
        list.retain(|r| r.token != token);
        let empty = list.is_empty();
        if empty {
            table.by_job.remove(job_id);
        }
        empty
    }

    /// Hands `lines` of `job_id` to each of its receivers.
    pub fn deliver(&self, job_id: &str, lines: Vec<LogLine>) {
        // Clone the callbacks out so a receiver may (un)register while handling lines.
        let receivers: Vec<Callback<Vec<LogLine>>> = self
            .0
            .borrow()
            .by_job
            .get(job_id)
            .map(|v| v.iter().map(|r| r.on_lines.clone()).collect())
            .unwrap_or_default();
        // The last receiver takes the lines; only the others get copies.
        let mut lines = Some(lines);
        let last = receivers.len().saturating_sub(1);
        for (i, cb) in receivers.into_iter().enumerate() {
            let batch = if i == last {
                lines.take()
            } else {
                lines.clone()
            };
            cb.emit(batch.unwrap_or_default());
        }
    }
}
