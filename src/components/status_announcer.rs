//! Tells screen readers when jobs finish, fail or are cancelled (an ARIA live region), so
//! status changes are not conveyed by colour or position alone.

use std::collections::HashMap;

use yew::prelude::*;

use crate::hooks::use_jobs;
use crate::types::JobStatus;

/// Announcements kept in the region at once.
const KEEP: usize = 3;

#[component]
pub fn StatusAnnouncer() -> Html {
    let jobs = use_jobs();
    let state = jobs.state();
    let seen = use_mut_ref(HashMap::<String, JobStatus>::new);
    let messages = use_mut_ref(Vec::<String>::new);
    {
        let mut seen = seen.borrow_mut();
        let first_load = seen.is_empty();
        for entry in state.jobs.values() {
            let job = &entry.job;
            let before = seen.insert(job.id.clone(), job.status);
            if first_load || before == Some(job.status) || !job.status.is_terminal() {
                continue;
            }
            if before.is_some() {
                let mut m = messages.borrow_mut();
                m.push(format!(
                    "{} job on {} {}.",
                    job.kind, job.dataset_name, job.status
                ));
                let excess = m.len().saturating_sub(KEEP);
                m.drain(..excess);
            }
        }
        seen.retain(|id, _| state.jobs.contains_key(id));
    }
    let text = messages.borrow().join(" ");
    html! {
        <div class="visually-hidden" role="status" aria-live="polite" data-testid="status-announcer">
            { text }
        </div>
    }
}
