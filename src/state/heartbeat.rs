//! Liveness of a connection: silent past its deadline means dead, whatever the socket says.

/// Tracks when a frame last arrived.
#[derive(Clone, Debug, PartialEq)]
pub struct Heartbeat {
    /// How long a connection may stay silent (the contract: 3 × the server's heartbeat).
    pub deadline_ms: i64,
    last_frame_ms: i64,
}

impl Heartbeat {
    /// Starts the clock at `now_ms`; `server_interval_ms` is the hello's `heartbeat_ms`.
    pub fn new(server_interval_ms: u64, now_ms: i64) -> Self {
        Self {
            deadline_ms: (server_interval_ms as i64).saturating_mul(3).max(1_000),
            last_frame_ms: now_ms,
        }
    }

    /// Any frame counts as a sign of life.
    pub fn frame(&mut self, now_ms: i64) {
        self.last_frame_ms = self.last_frame_ms.max(now_ms);
    }

    pub fn is_dead(&self, now_ms: i64) -> bool {
        now_ms - self.last_frame_ms > self.deadline_ms
    }

    /// Milliseconds until the connection counts as dead (0 when it already does).
    pub fn remaining_ms(&self, now_ms: i64) -> i64 {
        (self.last_frame_ms + self.deadline_ms - now_ms).max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_only_after_three_silent_intervals() {
        let mut h = Heartbeat::new(5_000, 1_000);
        assert_eq!(h.deadline_ms, 15_000);
        assert!(!h.is_dead(16_000));
        assert!(h.is_dead(16_001));
        h.frame(10_000);
        assert!(!h.is_dead(25_000));
        assert_eq!(h.remaining_ms(20_000), 5_000);
        assert!(h.is_dead(25_001));
        assert_eq!(h.remaining_ms(30_000), 0);
    }

    #[test]
    fn frames_from_the_past_do_not_rewind_the_clock() {
        let mut h = Heartbeat::new(1_000, 10_000);
        h.frame(5_000);
        assert!(h.is_dead(13_001));
    }

    #[test]
    fn tiny_server_intervals_get_a_floor() {
        assert_eq!(Heartbeat::new(10, 0).deadline_ms, 1_000);
    }
}
