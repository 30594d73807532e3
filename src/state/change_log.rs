//! Which jobs changed since a given store revision, so derived views (the jobs list) can be
//! updated with the changes instead of rebuilt from every job on every batch of events.
//!
//! A ring of `(revision, job id)`: readers ask for the ids changed after the revision they last
//! saw, and get `None` when the ring no longer reaches back that far or a change replaced
//! everything (a snapshot): then they rebuild.

use imbl::Vector;

/// The changes kept (about a second of a 5,000 events/s stream, far more than one render).
pub const CAP: usize = 8_192;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChangeLog {
    /// Oldest first; persistent, so the reducer's per-action copy is O(1).
    entries: Vector<(u64, String)>,
    /// Changes at or before this revision are not all in `entries`.
    complete_after: u64,
}

impl ChangeLog {
    /// Job `id` changed at `revision` (revisions never decrease).
    pub fn record(&mut self, revision: u64, id: &str) {
        self.entries.push_back((revision, id.to_string()));
        if self.entries.len() > CAP {
            if let Some((r, _)) = self.entries.pop_front() {
                self.complete_after = self.complete_after.max(r);
            }
        }
    }

    /// Everything may have changed at `revision` (a snapshot replaced the jobs).
    pub fn invalidate(&mut self, revision: u64) {
        self.entries.clear();
        self.complete_after = revision;
    }

    /// The ids changed after `revision` (repeats possible, oldest first), or `None` if that is
    /// no longer known.
    pub fn since(&self, revision: u64) -> Option<Vec<&str>> {
        if revision < self.complete_after {
            return None;
        }
        // Entries are in revision order: skip the ones already seen.
        let start = self
            .entries
            .binary_search_by(|(r, _)| {
                if *r <= revision {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                }
            })
            .unwrap_or_else(|i| i);
        // Indexed reads are O(log n) each; `iter().skip` would step through the thousands of
        // entries already seen, on every render.
        Some(
            (start..self.entries.len())
                .filter_map(|i| self.entries.get(i).map(|(_, id)| id.as_str()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_changes_after_a_revision() {
        let mut log = ChangeLog::default();
        log.record(1, "a");
        log.record(2, "b");
        log.record(2, "c");
        log.record(3, "a");
        let ids = log.since(1).unwrap();
        assert_eq!(ids, ["b", "c", "a"]);
        assert_eq!(log.since(3).unwrap().len(), 0);
        assert_eq!(log.since(0).unwrap().len(), 4);
    }

    #[test]
    fn a_snapshot_or_an_overflow_forgets_the_past() {
        let mut log = ChangeLog::default();
        log.record(1, "a");
        log.invalidate(5);
        assert!(log.since(4).is_none(), "before the snapshot: unknown");
        assert_eq!(log.since(5).unwrap().len(), 0);
        for r in 6..(6 + CAP as u64 + 10) {
            log.record(r, "x");
        }
        assert!(log.since(6).is_none(), "pushed out of the ring");
        assert!(log.since(20).is_some());
        assert_eq!(
            log.since(20).unwrap().len(),
            (6 + CAP as u64 + 10 - 21) as usize
        );
    }
}
