//! Tells screen readers when jobs finish, fail or are cancelled (an ARIA live region), so
//! status changes are not conveyed by colour or position alone.
//!
//! It reads the store's transition log (`JobsState::transitions`) from where it last stopped,
//! so a render costs the changes since the last one, not a walk over every job.

use yew::prelude::*;

use crate::components::untrusted_text::UntrustedText;
use crate::hooks::use_jobs;

/// Announcements kept in the region at once.
const KEEP: usize = 3;

#[component]
pub fn StatusAnnouncer() -> Html {
    let jobs = use_jobs();
    let state = jobs.state();
    // `None` until the first render: what was already finished then is not news.
    let cursor = use_mut_ref(|| None::<u64>);
    // (kind, dataset name, new status): the name is untrusted, rendered isolated.
    let messages = use_mut_ref(Vec::<(String, String, String)>::new);
    {
        let mut cursor = cursor.borrow_mut();
        if let Some(at) = *cursor {
            let since = state.transitions.since(at);
            let mut m = messages.borrow_mut();
            for t in since.entries {
                let changed = t.from.is_some_and(|from| from != t.to);
                if !changed || !t.to.is_terminal() {
                    continue;
                }
                if let Some(job) = state.job(&t.job_id) {
                    m.push((
                        job.kind.to_string(),
                        job.dataset_name.clone(),
                        t.to.to_string(),
                    ));
                }
            }
            let excess = m.len().saturating_sub(KEEP);
            m.drain(..excess);
        }
        *cursor = Some(state.transitions.total());
    }
    let text = messages.borrow().iter().enumerate().map(|(i, (kind, name, to))| {
        html! {
            <>
                { if i > 0 { " " } else { "" } }
                { format!("{kind} job on ") }<UntrustedText text={name.clone()} />{ format!(" {to}.") }
            </>
        }
    }).collect::<Html>();
    html! {
        <div class="visually-hidden" role="status" aria-live="polite" data-testid="status-announcer">
            { text }
        </div>
    }
}
