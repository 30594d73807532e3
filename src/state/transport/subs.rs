//! Log subscriptions: per subscribed job, the last line delivered, so lines from the live
//! stream and from polling are one sequence (each line once, in order).
//!
//! Bound: one entry per job some open log view follows; removed on unsubscribe.

use std::collections::BTreeMap;

use crate::types::LogLine;

/// Subscribed jobs and their last delivered line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogSubs {
    last: BTreeMap<String, u64>,
}

impl LogSubs {
    /// Follow `job_id` from after `after_line` (a re-subscription moves the position).
    pub fn subscribe(&mut self, job_id: String, after_line: u64) {
        self.last.insert(job_id, after_line);
    }

    pub fn unsubscribe(&mut self, job_id: &str) {
        self.last.remove(job_id);
    }

    /// Every subscription and its position (what a new socket subscribes with).
    pub fn positions(&self) -> Vec<(String, u64)> {
        self.last.iter().map(|(j, n)| (j.clone(), *n)).collect()
    }

    /// Where `job_id` stands, if subscribed.
    pub fn position(&self, job_id: &str) -> Option<u64> {
        self.last.get(job_id).copied()
    }

    /// A live line: deliver it only if the job is followed and the line is new.
    pub fn accept(&mut self, job_id: &str, line: &LogLine) -> bool {
        match self.last.get_mut(job_id) {
            Some(last) if line.n > *last => {
                *last = line.n;
                true
            }
            _ => false,
        }
    }

    /// A polled page for `job_id` brought `lines` up to `new_last`: the lines still to deliver
    /// (the subscription may have moved on meanwhile), `None` if the job is no longer followed.
    pub fn polled(
        &mut self,
        job_id: &str,
        lines: Vec<LogLine>,
        new_last: u64,
    ) -> Option<Vec<LogLine>> {
        let last = self.last.get_mut(job_id)?;
        let lines: Vec<LogLine> = lines.into_iter().filter(|l| l.n > *last).collect();
        *last = (*last).max(new_last);
        Some(lines)
    }

    pub fn len(&self) -> usize {
        self.last.len()
    }

    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u64) -> LogLine {
        LogLine {
            n,
            ts: 0,
            level: "info".into(),
            attempt: 1,
            text: format!("line {n}"),
        }
    }

    #[test]
    fn live_lines_of_followed_jobs_once_in_order() {
        let mut s = LogSubs::default();
        assert!(!s.accept("j1", &line(1)), "not followed");
        s.subscribe("j1".into(), 2);
        assert!(!s.accept("j1", &line(2)), "already had it");
        assert!(s.accept("j1", &line(3)));
        assert!(!s.accept("j1", &line(3)), "a duplicate");
        assert_eq!(s.position("j1"), Some(3));
        s.unsubscribe("j1");
        assert!(s.is_empty());
        assert!(!s.accept("j1", &line(4)));
    }

    #[test]
    fn polled_pages_skip_what_was_delivered_meanwhile() {
        let mut s = LogSubs::default();
        s.subscribe("j1".into(), 0);
        s.subscribe("j1".into(), 5); // re-subscribed further on
        let got = s.polled("j1", (1..=7).map(line).collect(), 7).unwrap();
        assert_eq!(got.iter().map(|l| l.n).collect::<Vec<_>>(), vec![6, 7]);
        assert_eq!(s.position("j1"), Some(7));
        assert_eq!(s.polled("j2", vec![line(1)], 1), None, "not followed");
        assert_eq!(s.positions(), vec![("j1".to_string(), 7)]);
        assert_eq!(s.len(), 1);
    }
}
