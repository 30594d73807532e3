//! Applying a list from `GET /jobs`: the snapshot is the backend's truth, reconciled with the
//! events that may already have brought newer versions (or jobs created after it), and the
//! rest of a paged first load added to what the first page showed.

use std::rc::Rc;

use imbl::HashMap;

use crate::state::job_transitions::transition;
use crate::types::Job;

use super::{Entry, JobsState};

impl JobsState {
    pub(super) fn apply_snapshot(&mut self, jobs: Vec<Job>, seq: u64, reset: bool) {
        let mut next: HashMap<String, Entry> = HashMap::new();
        for job in jobs {
            let id = job.id.clone();
            // The snapshot is the backend's truth, but an event may already have brought a
            // newer version than the snapshot holds.
            let keep_ours = !reset
                && self
                    .jobs
                    .get(&id)
                    .is_some_and(|cur| cur.job.version >= job.version);
            let entry = match (keep_ours, self.jobs.get(&id)) {
                (true, Some(cur)) => cur.clone(),
                (_, cur) => {
                    // The first load is not a change the page saw; later snapshots (resyncs,
                    // polling) are.
                    if self.loaded {
                        let old = cur.map(|c| &*c.job);
                        if let Some(t) = transition(old, &job) {
                            self.transitions.push(t);
                        }
                    }
                    Entry {
                        job: Rc::new(job),
                        seen_seq: seq,
                    }
                }
            };
            next.insert(id, entry);
        }
        if !reset {
            // A job missing from the snapshot but delivered by a newer event than the snapshot
            // was created after it: keep it. One known at or before the snapshot is gone.
            for (id, entry) in self.jobs.iter() {
                if entry.seen_seq > seq && !next.contains_key(id) {
                    next.insert(id.clone(), entry.clone());
                }
            }
        }
        self.metrics.retain(|id, _| next.contains_key(id));
        self.pending.retain(|id, _| next.contains_key(id));
        self.action_errors.retain(|id, _| next.contains_key(id));
        self.action_error_at.retain(|id, _| next.contains_key(id));
        // The snapshot is the backend's list again: nothing is let go of it yet.
        self.released = [0; 6];
        self.changes.invalidate(self.revision);
        self.status_counts = [0; 6];
        for entry in next.values() {
            self.count(entry.job.status, 1);
        }
        self.jobs = next;
        self.seq = if reset { seq } else { self.seq.max(seq) };
        self.loaded = true;
        self.load_error = None;
    }

    /// The other pages of a first load: added to what is held, the newer version kept.
    pub(super) fn apply_snapshot_more(&mut self, jobs: Vec<Job>) {
        self.changes.invalidate(self.revision);
        let seen = self.seq;
        for job in jobs {
            let newer_held = self
                .jobs
                .get(&job.id)
                .is_some_and(|cur| cur.job.version >= job.version);
            if newer_held {
                continue;
            }
            self.count(job.status, 1);
            let entry = Entry {
                job: Rc::new(job),
                seen_seq: seen,
            };
            if let Some(old) = self.jobs.insert(entry.job.id.clone(), entry) {
                self.count(old.job.status, -1);
            }
        }
    }
}
