//! The event chain: each `job.*`/`metric` frame names the previous one (`prev_seq`), so a
//! client can tell "in order", "already seen" and "something was lost" apart.

/// What to do with a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The next event in the chain.
    Apply,
    /// Seen before (a replay overlapping what we have): skip.
    Duplicate,
    /// Events between our last and this one are missing: reload the snapshot.
    Gap { expected_prev: u64, got_prev: u64 },
}

/// The last event seq this client has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeqTracker {
    last: u64,
}

impl SeqTracker {
    pub fn at(seq: u64) -> Self {
        Self { last: seq }
    }

    pub fn last(&self) -> u64 {
        self.last
    }

    pub fn check(&mut self, seq: u64, prev_seq: u64) -> Verdict {
        if seq <= self.last {
            Verdict::Duplicate
        } else if prev_seq == self.last {
            self.last = seq;
            Verdict::Apply
        } else {
            Verdict::Gap {
                expected_prev: self.last,
                got_prev: prev_seq,
            }
        }
    }

    /// A heartbeat says which seq the server last sent us; more than we have means loss.
    pub fn heartbeat_consistent(&self, server_seq: u64) -> bool {
        server_seq <= self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_applies_skips_and_detects_gaps() {
        let mut t = SeqTracker::at(10);
        assert_eq!(t.check(11, 10), Verdict::Apply);
        assert_eq!(t.check(14, 11), Verdict::Apply); // 12, 13 were filtered log events
        assert_eq!(t.check(12, 11), Verdict::Duplicate);
        assert_eq!(t.check(14, 11), Verdict::Duplicate);
        assert_eq!(
            t.check(20, 17),
            Verdict::Gap {
                expected_prev: 14,
                got_prev: 17
            }
        );
        assert_eq!(t.last(), 14, "a gap does not advance the position");
        assert!(t.heartbeat_consistent(14));
        assert!(!t.heartbeat_consistent(15));
    }
}
