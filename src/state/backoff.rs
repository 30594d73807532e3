//! Exponential backoff with "equal jitter" and a cap, for reconnects and failing polls.
//!
//! Delay for attempt `n` (0-based) is uniform in `[c/2, c]` with `c = min(cap, base ×
//! factor^n)`: many clients that lost the same server do not come back in lockstep (the
//! jitter), and no draw is ever close to 0 ms. Full jitter (`[0, c]`) spreads a herd a little
//! better but lets a client retry a server that fails fast at once, several times in a row by
//! chance, and gives no bound on the request rate; with this floor a page sends at most about
//! ten attempts in an outage's first minute and then at most four a minute (cap 30 s). The
//! random number is passed in so the struct stays pure and testable.

/// Backoff settings and the current attempt count.
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    pub base_ms: f64,
    pub factor: f64,
    pub cap_ms: f64,
    attempt: u32,
}

impl Default for Backoff {
    /// 250 ms, ×2, capped at 30 s.
    fn default() -> Self {
        Self::new(250.0, 2.0, 30_000.0)
    }
}

impl Backoff {
    pub fn new(base_ms: f64, factor: f64, cap_ms: f64) -> Self {
        Self {
            base_ms,
            factor,
            cap_ms,
            attempt: 0,
        }
    }

    /// How many delays were handed out since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The upper bound of the next delay.
    pub fn ceiling_ms(&self) -> f64 {
        // powi saturates to inf for big attempts; min() then yields the cap.
        (self.base_ms * self.factor.powi(self.attempt.min(1000) as i32)).min(self.cap_ms)
    }

    /// The lowest the next delay can be: half its ceiling.
    pub fn floor_ms(&self) -> f64 {
        self.ceiling_ms() / 2.0
    }

    /// The next delay, in `[ceiling / 2, ceiling]`; `unit_random` in `[0, 1)`. Advances the
    /// attempt count.
    pub fn next_delay_ms(&mut self, unit_random: f64) -> u64 {
        let ceiling = self.ceiling_ms();
        self.attempt = self.attempt.saturating_add(1);
        (ceiling * (0.5 + 0.5 * unit_random.clamp(0.0, 1.0))).round() as u64
    }

    /// Back to the first delay (after a connection stayed up, or a success).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let mut b = Backoff::default();
        let ceilings: Vec<f64> = (0..10)
            .map(|_| {
                let c = b.ceiling_ms();
                b.next_delay_ms(0.5);
                c
            })
            .collect();
        assert_eq!(
            ceilings,
            vec![250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 30000.0, 30000.0, 30000.0]
        );
        b.reset();
        assert_eq!(b.attempt(), 0);
        assert_eq!(b.ceiling_ms(), 250.0);
    }

    #[test]
    fn equal_jitter_spans_half_the_ceiling_to_the_ceiling() {
        let mut b = Backoff::default();
        for _ in 0..3 {
            b.next_delay_ms(0.0);
        }
        let at = |r| {
            let mut c = b.clone();
            c.next_delay_ms(r)
        };
        assert_eq!(b.floor_ms(), 1000.0);
        assert_eq!(at(0.0), 1000);
        assert_eq!(at(0.5), 1500);
        assert_eq!(at(0.999_999), 2000);
        // Out-of-range randoms are clamped, never below the floor or above the ceiling.
        assert_eq!(at(-3.0), 1000);
        assert_eq!(at(7.0), 2000);
    }

    proptest! {
        #[test]
        fn delays_stay_within_bounds(
            base in 1.0f64..5_000.0,
            factor in 1.0f64..4.0,
            cap in 1.0f64..120_000.0,
            randoms in proptest::collection::vec(0.0f64..1.0, 1..200),
        ) {
            let mut b = Backoff::new(base, factor, cap);
            let mut prev_ceiling = 0.0;
            for r in randoms {
                let ceiling = b.ceiling_ms();
                prop_assert!(ceiling <= cap);
                prop_assert!(ceiling >= prev_ceiling, "ceiling never shrinks before reset");
                let d = b.next_delay_ms(r) as f64;
                prop_assert!(d >= (ceiling / 2.0).round() && d <= ceiling.round());
                prev_ceiling = ceiling;
            }
        }
    }
}
