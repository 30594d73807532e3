//! The reducer's step: how each [`Action`] and [`Event`] changes the store, in place. The
//! per-job rule is `merge`, snapshots are `snapshot`, memory bounds are `retain`.

use std::rc::Rc;

use super::samples::insert_sample;
use super::{Action, Event, JobsState};

impl JobsState {
    /// Applies one state change in place.
    pub fn apply(&mut self, action: Action) {
        self.revision = self.revision.wrapping_add(1);
        match action {
            Action::Snapshot {
                jobs,
                seq,
                reset,
                not_loaded,
                more_coming,
            } => {
                self.not_loaded = not_loaded;
                self.loading_more = more_coming;
                self.apply_snapshot(jobs, seq, reset);
                // A snapshot may hold up to `MAX_HELD` jobs: bring them to the bound at once.
                self.retain_now();
            }
            Action::SnapshotMore { jobs, not_loaded } => {
                self.not_loaded = not_loaded;
                self.loading_more = false;
                self.apply_snapshot_more(jobs);
                self.retain_now();
            }
            Action::Batch(events) => {
                for event in events {
                    self.apply_event(event);
                }
            }
            Action::Connection { connection, at_ms } => {
                self.clock_ms = self.clock_ms.max(at_ms);
                self.not_live.on_connection(at_ms, connection.is_live());
                self.connection = connection;
            }
            Action::Queue { queue, at_ms } => {
                self.clock_ms = self.clock_ms.max(at_ms);
                self.queue_history.push(at_ms, &queue);
                self.queue = Some(Rc::new(queue));
            }
            Action::LoadFailed(reason) => self.load_error = Some(reason),
            Action::Optimistic { id, action } => {
                self.changes.record(self.revision, &id);
                self.clear_action_error(&id);
                self.pending.insert(id, action);
            }
            Action::Confirmed { id, job } => {
                self.changes.record(self.revision, &id);
                self.pending.remove(&id);
                // The action is resolved: an older refusal no longer applies.
                self.clear_action_error(&id);
                let seen = self.seq;
                self.merge_job(*job, seen);
            }
            Action::RolledBack { id, reason } => {
                self.changes.record(self.revision, &id);
                self.pending.remove(&id);
                self.record_action_error(id, reason);
            }
            Action::DismissActionError { id } => {
                self.clear_action_error(&id);
            }
            Action::Forget { id } => {
                self.changes.invalidate(self.revision);
                if let Some(old) = self.jobs.remove(&id) {
                    self.count(old.job.status, -1);
                }
                self.metrics.remove(&id);
                self.pending.remove(&id);
                self.clear_action_error(&id);
            }
            Action::Fetched { job } => {
                self.on_fetched(&job);
                let seen = self.seq;
                self.merge_job(*job, seen);
            }
            Action::Tick { now_ms } => {
                self.clock_ms = self.clock_ms.max(now_ms);
                self.on_tick();
            }
            Action::View(view) => self.view = view,
            Action::JobPage { id, open } => {
                if open {
                    self.open_job = Some(id);
                } else if self.open_job.as_ref() == Some(&id) {
                    self.open_job = None;
                }
            }
            Action::Retention(policy) => {
                self.limits.retention = policy;
                self.retain_now();
            }
        }
        // O(1) unless enough jobs finished since the last run (see `retain`).
        self.maybe_retain();
    }

    fn apply_event(&mut self, event: Event) {
        match event {
            Event::Job { seq, job } => {
                self.seq = self.seq.max(seq);
                self.merge_job(*job, seq);
            }
            Event::Metric {
                seq,
                job_id,
                sample,
            } => {
                self.seq = self.seq.max(seq);
                // Samples of jobs the store does not hold would never be read (and never
                // dropped): the job page backfills its own from the API.
                if !self.jobs.contains_key(&job_id) {
                    return;
                }
                let cap = self.limits.metrics_per_job;
                let series = self.metrics.entry(job_id).or_default();
                insert_sample(series, sample, cap);
            }
        }
    }
}
