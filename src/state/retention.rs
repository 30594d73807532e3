//! Which finished jobs the page stops holding, so its memory does not grow with how long it
//! stays open (operators leave it open for days while the backend finishes hundreds of
//! thousands of jobs).
//!
//! A pure decision, in the shape of the store's other cores: given the held jobs, the ids that
//! must stay, the time and the policy, [`to_evict`] returns the ids to let go. The store
//! (`jobs_store`) calls it at a bounded cadence and does the bookkeeping (counts, buffers).
//! Rules, in order:
//! - unfinished jobs (queued, running, cancelling) are never evicted, nor are protected ones
//!   (selected for a bulk action, the open job page, a pending action);
//! - a finished job older than `max_age_ms` (by `finished_at`, else `updated_at`) is evicted;
//! - of the rest, the newest `max_finished` finished jobs (protected ones counted first) are
//!   kept, jobs matching the list's current filter ranked before the others, so a filtered
//!   view keeps its jobs while unrelated ones go first.
//!
//! Evicted jobs are not lost: the backend still has them; the job page fetches one again when
//! it is opened (`hooks::use_jobs::use_job`), and the list's summary says how many it left out.

use crate::types::Job;

/// Default of `retain_finished_jobs`: finished jobs held at most.
pub const DEFAULT_MAX_FINISHED: usize = 20_000;
/// Default of `retain_finished_hours`: finished jobs older than this are let go.
pub const DEFAULT_MAX_AGE_MS: i64 = 24 * 3_600_000;

/// How many finished jobs the page holds, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RetentionPolicy {
    /// Finished jobs held at most (the newest kept).
    pub max_finished: usize,
    /// Finished jobs older than this (ms) are let go; `None`: no age bound.
    pub max_age_ms: Option<i64>,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            max_finished: DEFAULT_MAX_FINISHED,
            max_age_ms: Some(DEFAULT_MAX_AGE_MS),
        }
    }
}

impl RetentionPolicy {
    /// Finished jobs that may arrive between two runs before a run is due: an eighth of the
    /// bound (at least 256), so a run's O(held) cost is spread over that many finishes.
    pub fn slack(&self) -> usize {
        (self.max_finished / 8).max(256)
    }

    /// "the newest 20,000 finished jobs, finished within 24 h", for the list's summary.
    pub fn describe(&self) -> String {
        let count = crate::state::format::thousands(self.max_finished as u64);
        match self.max_age_ms {
            Some(ms) if ms % 3_600_000 == 0 => {
                format!(
                    "the newest {count} finished jobs, finished within {} h",
                    ms / 3_600_000
                )
            }
            Some(ms) => format!(
                "the newest {count} finished jobs, finished within {} min",
                ms / 60_000
            ),
            None => format!("the newest {count} finished jobs"),
        }
    }
}

/// When a finished job finished, for age and "newest" (a job the backend sent without
/// `finished_at` counts from its last update).
pub fn finished_key(job: &Job) -> i64 {
    job.finished_at.unwrap_or(job.updated_at)
}

/// The ids of the finished jobs to let go. `protected(id)`: must stay. `preferred(job)`:
/// matches the list's current filter (ranked before other jobs for the count bound). `now_ms`
/// is epoch ms (0 when unknown: then the age bound is not applied). O(held) time: one pass and
/// one selection, no sort.
pub fn to_evict<'a>(
    jobs: impl IntoIterator<Item = &'a Job>,
    protected: impl Fn(&str) -> bool,
    preferred: impl Fn(&Job) -> bool,
    now_ms: i64,
    policy: &RetentionPolicy,
) -> Vec<String> {
    let cutoff = match policy.max_age_ms {
        Some(age) if now_ms > 0 => Some(now_ms.saturating_sub(age)),
        _ => None,
    };
    let mut evict = Vec::new();
    let mut kept_protected = 0usize;
    // (preferred, finished, id) of the finished, unprotected, young-enough jobs.
    let mut candidates: Vec<(bool, i64, &'a str)> = Vec::new();
    for job in jobs {
        if !job.status.is_terminal() {
            continue;
        }
        if protected(&job.id) {
            kept_protected += 1;
            continue;
        }
        let at = finished_key(job);
        if cutoff.is_some_and(|c| at < c) {
            evict.push(job.id.clone());
        } else {
            candidates.push((preferred(job), at, job.id.as_str()));
        }
    }
    let budget = policy.max_finished.saturating_sub(kept_protected);
    if candidates.len() > budget {
        // Best first: preferred, then newest, ties by id (so the result is deterministic).
        let rank = |a: &(bool, i64, &str), b: &(bool, i64, &str)| {
            b.0.cmp(&a.0)
                .then_with(|| b.1.cmp(&a.1))
                .then_with(|| b.2.cmp(a.2))
        };
        if budget > 0 {
            candidates.select_nth_unstable_by(budget - 1, rank);
        }
        evict.extend(candidates[budget..].iter().map(|c| c.2.to_string()));
    }
    evict
}

#[cfg(test)]
mod tests;
