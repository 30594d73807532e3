//! The jobs page's one-line texts about the list and the queue: "37 of 1,204 jobs · 900 older
//! jobs not loaded …", the capacity line, the touched-jobs chip. Pure, so the wording is
//! pinned natively and the page only places it.

use crate::state::format::thousands;
use crate::state::snapshot_pages::MAX_HELD;
use crate::types::QueueStatus;

/// What the list summary is built from (all plain counts from the store and the list).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SummaryInput {
    /// Jobs the filter lets through.
    pub shown: usize,
    /// Jobs the page holds.
    pub held: usize,
    /// Older jobs are being fetched now.
    pub loading_more: bool,
    /// Older jobs the backend has that the page has not loaded.
    pub not_loaded: u64,
    /// `job_list::released_note`: finished jobs the retention let go.
    pub released: Option<String>,
}

/// "37 of 1,204 jobs", then what is still loading or not loaded, then the retention's note.
pub fn list_summary(input: &SummaryInput) -> String {
    let mut out = format!(
        "{} of {} jobs",
        thousands(input.shown as u64),
        thousands(input.held as u64)
    );
    if input.loading_more {
        out.push_str(&format!(
            " · loading {} older jobs…",
            thousands(input.not_loaded)
        ));
    } else if input.not_loaded > 0 {
        out.push_str(&format!(
            " · {} older jobs not loaded (the page holds the newest {})",
            thousands(input.not_loaded),
            thousands(MAX_HELD)
        ));
    }
    if let Some(note) = &input.released {
        out.push_str(note);
    }
    out
}

/// The header's capacity line: "2 workers · 5 queued · 1 running · Redis ok".
pub fn capacity_text(q: &QueueStatus) -> String {
    let redis = if q.redis.ok {
        "Redis ok"
    } else {
        "Redis unreachable"
    };
    format!(
        "{} workers · {} queued · {} running · {redis}",
        q.workers.len(),
        q.queued,
        q.running
    )
}

/// The chip shown while the list is narrowed to the jobs the last bulk action touched.
pub fn touched_text(n: usize) -> String {
    format!(
        "Showing the {} jobs the last bulk action touched. ",
        thousands(n as u64)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{RedisHealth, WorkerInfo};
    use proptest::prelude::*;

    #[test]
    fn shown_of_held() {
        let s = SummaryInput {
            shown: 37,
            held: 1_204,
            ..SummaryInput::default()
        };
        assert_eq!(list_summary(&s), "37 of 1,204 jobs");
    }

    #[test]
    fn loading_wins_over_not_loaded() {
        let s = SummaryInput {
            shown: 5,
            held: 10,
            loading_more: true,
            not_loaded: 12_000,
            released: None,
        };
        assert_eq!(
            list_summary(&s),
            "5 of 10 jobs · loading 12,000 older jobs…"
        );
    }

    #[test]
    fn not_loaded_names_the_cap_and_the_retention_note_follows() {
        let s = SummaryInput {
            shown: 50_000,
            held: 50_000,
            loading_more: false,
            not_loaded: 3,
            released: Some(" · 7 older finished jobs not held (x)".into()),
        };
        assert_eq!(
            list_summary(&s),
            concat!(
                "50,000 of 50,000 jobs · 3 older jobs not loaded (the page holds the newest ",
                "50,000) · 7 older finished jobs not held (x)"
            )
        );
    }

    fn queue(workers: usize, ok: bool) -> QueueStatus {
        QueueStatus {
            queued: 5,
            running: 1,
            workers: (0..workers)
                .map(|i| WorkerInfo {
                    name: format!("w{i}"),
                    state: "idle".into(),
                    current_job: None,
                })
                .collect(),
            redis: RedisHealth {
                ok,
                version: None,
                latency_ms: None,
                used_memory_bytes: None,
            },
        }
    }

    #[test]
    fn capacity_line() {
        assert_eq!(
            capacity_text(&queue(2, true)),
            "2 workers · 5 queued · 1 running · Redis ok"
        );
        assert_eq!(
            capacity_text(&queue(0, false)),
            "0 workers · 5 queued · 1 running · Redis unreachable"
        );
    }

    #[test]
    fn touched_chip() {
        assert_eq!(
            touched_text(1_500),
            "Showing the 1,500 jobs the last bulk action touched. "
        );
    }

    proptest! {
        /// The summary always starts with "shown of held jobs", and mentions older jobs only
        /// when some are loading or not loaded.
        #[test]
        fn summary_shape(shown in 0usize..100_000, held in 0usize..100_000,
                         loading_more in any::<bool>(), not_loaded in 0u64..100_000) {
            let s = SummaryInput { shown, held, loading_more, not_loaded, released: None };
            let text = list_summary(&s);
            let head = format!("{} of {} jobs", thousands(shown as u64), thousands(held as u64));
            prop_assert!(text.starts_with(&head));
            prop_assert_eq!(text.contains("older jobs"), loading_more || not_loaded > 0);
        }
    }
}
