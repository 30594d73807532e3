//! The store's side of bounded memory: when the retention decision (`state::retention`) runs,
//! what letting a job go updates, and the lifetime of rollback reasons.
//!
//! Cadence: the store counts its held finished jobs in `status_counts`, so checking whether a
//! run is due costs O(1) per action. A run (O(held jobs)) is due when the held finished jobs
//! exceed `retain_at` (the bound, or what the last run had to keep, plus the policy's slack:
//! an eighth of the bound) and once a minute on a `Tick` (the age bound). Each run is paid
//! for by at least `slack` finishes, so the per-event cost stays O(1) amortised.

use std::collections::BTreeSet;

use super::*;
use crate::state::job_filter::JobFilter;
use crate::state::retention::to_evict;

/// A full sweep (age bound, expired action errors) at most this often.
pub const SWEEP_EVERY_MS: i64 = 60_000;
/// A rollback reason older than this is dropped (the card has shown it for that long).
pub const ACTION_ERROR_TTL_MS: i64 = 15 * 60_000;
/// Rollback reasons kept at most (a bulk action over 10,000 jobs may be refused as a whole):
/// beyond it the oldest go, down to seven eighths of it, so trimming is amortised.
pub const ACTION_ERRORS_CAP: usize = 10_000;

/// What the list shows and the user picked, so the retention keeps those jobs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListView {
    /// Selected for a bulk action: never evicted.
    pub selected: Rc<BTreeSet<String>>,
    /// "Show only these jobs" after a bulk action: never evicted.
    pub touched: Option<Rc<BTreeSet<String>>>,
    /// The list's filter when it narrows the list: matching jobs are evicted last.
    pub filter: Option<Rc<JobFilter>>,
}

impl ListView {
    /// The view of the list: its selection, touched set and filter (kept only when it narrows
    /// the list: the default filter matches every job, so it ranks none first).
    pub fn new(
        selected: &BTreeSet<String>,
        touched: Option<Rc<BTreeSet<String>>>,
        filter: &JobFilter,
    ) -> Self {
        let narrows = !filter.status.is_empty()
            || filter.dataset.is_some()
            || filter.kind.is_some()
            || !filter.q.is_empty()
            || filter.failure.is_some();
        Self {
            selected: Rc::new(selected.clone()),
            touched,
            filter: narrows.then(|| Rc::new(filter.clone())),
        }
    }
}

impl JobsState {
    /// Held jobs in a terminal status.
    pub fn finished_held(&self) -> usize {
        JobStatus::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .map(|s| self.status_counts[s.index()] as usize)
            .sum()
    }

    /// Finished jobs let go since the last snapshot (the backend still has them).
    pub fn released_total(&self) -> u64 {
        self.released.iter().sum()
    }

    /// Jobs per server status as the backend has them, as far as the page knows: the held
    /// ones plus those the retention let go.
    pub fn known_counts(&self) -> [u64; 6] {
        let mut c = self.status_counts;
        for (c, r) in c.iter_mut().zip(self.released) {
            *c += r;
        }
        c
    }

    pub(super) fn maybe_retain(&mut self) {
        if self.finished_held() > self.retain_at {
            self.retain_now();
        }
    }

    pub(super) fn on_tick(&mut self) {
        if self.clock_ms - self.swept_ms >= SWEEP_EVERY_MS {
            self.swept_ms = self.clock_ms;
            self.expire_action_errors();
            self.retain_now();
        }
    }

    /// Runs the retention decision and lets its jobs go.
    pub(super) fn retain_now(&mut self) {
        let policy = self.limits.retention;
        let evict = {
            let view = &self.view;
            let open = self.open_job.as_deref();
            let pending = &self.pending;
            let protected = |id: &str| {
                open == Some(id)
                    || view.selected.contains(id)
                    || view.touched.as_ref().is_some_and(|t| t.contains(id))
                    || pending.contains_key(id)
            };
            let now = self.clock_ms;
            let preferred = |job: &Job| {
                view.filter
                    .as_ref()
                    .is_some_and(|f| f.matches_at(job, job.status, now))
            };
            to_evict(
                self.jobs.values().map(|e| &*e.job),
                protected,
                preferred,
                self.clock_ms,
                &policy,
            )
        };
        if !evict.is_empty() {
            // The list rebuilds once (it cannot place a job it no longer has).
            self.changes.invalidate(self.revision);
        }
        for id in evict {
            if let Some(old) = self.jobs.remove(&id) {
                self.count(old.job.status, -1);
                tally(&mut self.released, old.job.status, 1);
            }
            self.metrics.remove(&id);
            self.clear_action_error(&id);
        }
        self.retain_at = self.finished_held().max(policy.max_finished) + policy.slack();
    }

    /// A job the store does not hold arrived in an event. If it was let go and is back because
    /// it was retried (a new attempt: the only way a finished job changes), it leaves the
    /// released counts. The store keeps no list of released ids (that list would grow with
    /// time), so the previous attempt's status in the job itself tells which count to move.
    pub(super) fn on_returning(&mut self, job: &Job) {
        if job.attempt < 2 || job.status.is_terminal() || self.released_total() == 0 {
            return;
        }
        let previous = job
            .attempts
            .iter()
            .find(|a| a.number + 1 == job.attempt)
            .map(|a| a.status);
        if let Some(status) = previous.filter(|s| s.is_terminal()) {
            tally(&mut self.released, status, -1);
        }
    }

    /// A job fetched for its page: a finished one the store does not hold was most likely let
    /// go with the status it still has, so it moves from the released counts to the held ones
    /// (and back when it is let go again), counted once throughout.
    pub(super) fn on_fetched(&mut self, job: &Job) {
        if job.status.is_terminal() && !self.jobs.contains_key(&job.id) {
            tally(&mut self.released, job.status, -1);
        }
    }

    pub(super) fn record_action_error(&mut self, id: String, reason: String) {
        // Only for a held job: a reason shown on no card would never be dismissed.
        if !self.jobs.contains_key(&id) {
            return;
        }
        self.action_error_at.insert(id.clone(), self.clock_ms);
        self.action_errors.insert(id, reason);
        if self.action_errors.len() > ACTION_ERRORS_CAP {
            self.trim_action_errors(ACTION_ERRORS_CAP * 7 / 8);
        }
    }

    pub(super) fn clear_action_error(&mut self, id: &str) {
        self.action_errors.remove(id);
        self.action_error_at.remove(id);
    }

    fn expire_action_errors(&mut self) {
        let cutoff = self.clock_ms - ACTION_ERROR_TTL_MS;
        let old: Vec<String> = self
            .action_error_at
            .iter()
            // 0: recorded before the store knew the time; dated by the cap alone.
            .filter(|(_, at)| **at > 0 && **at < cutoff)
            .map(|(id, _)| id.clone())
            .collect();
        for id in old {
            self.clear_action_error(&id);
        }
    }

    /// Keeps the newest `keep` action errors.
    fn trim_action_errors(&mut self, keep: usize) {
        let mut by_age: Vec<(i64, String)> = self
            .action_error_at
            .iter()
            .map(|(id, at)| (*at, id.clone()))
            .collect();
        if by_age.len() <= keep {
            return;
        }
        let drop = by_age.len() - keep;
        by_age.select_nth_unstable(drop - 1);
        for (_, id) in by_age.into_iter().take(drop) {
            self.clear_action_error(&id);
        }
    }
}
