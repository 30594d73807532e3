//! What a job's time says. Running jobs: how long they have run (their ETA is `state::eta`'s).
//! Finished jobs: how long they took and when they finished, relative ("finished 3 min ago")
//! with the exact time beside it; an ETA or a running clock would be wrong for them. Queued
//! jobs: since when they wait.

use crate::state::duration::{ago, datetime_utc, duration};
use crate::types::job::Millis;
use crate::types::{Job, JobStatus};

/// The facts, from the job and the status shown (an optimistic status counts: a job being
/// cancelled still runs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timing {
    /// Not started yet: waiting since it was created.
    Waiting { since_ms: Millis },
    /// Started, not finished: run time so far.
    Running { elapsed_ms: i64 },
    /// Succeeded, failed or cancelled: run time (none if it never started) and the end.
    Finished { took_ms: Option<i64>, at_ms: Millis },
}

/// The job's timing at `now_ms` as shown with `status`.
pub fn timing(job: &Job, status: JobStatus, now_ms: i64) -> Timing {
    if status.is_terminal() {
        // A job cancelled while queued has no run; an old backend may omit `finished_at`,
        // and then the last change is when it ended.
        let at_ms = job.finished_at.unwrap_or(job.updated_at);
        let took_ms = job.started_at.map(|s| (at_ms - s).max(0));
        return Timing::Finished { took_ms, at_ms };
    }
    match job.started_at {
        Some(start) => Timing::Running {
            elapsed_ms: (now_ms - start).max(0),
        },
        None => Timing::Waiting {
            since_ms: job.created_at,
        },
    }
}

/// The timing in words: `primary` is what a card or row shows ("took 0.6 s", "elapsed
/// 3 min 05 s"); `when` the relative instant ("finished 3 min ago") with `exact` the absolute
/// time for its tooltip and for screen readers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimingText {
    pub primary: Option<String>,
    pub when: Option<String>,
    pub exact: Option<String>,
    /// The instant `when` and `exact` speak of (epoch ms), for `<time datetime>`.
    pub at_ms: Option<Millis>,
}

/// `timing` in words at `now_ms`.
pub fn describe(t: &Timing, now_ms: i64) -> TimingText {
    match *t {
        Timing::Waiting { since_ms } => TimingText {
            primary: None,
            when: Some(format!("queued {}", ago(since_ms, now_ms))),
            exact: Some(datetime_utc(since_ms)),
            at_ms: Some(since_ms),
        },
        Timing::Running { elapsed_ms } => TimingText {
            primary: Some(format!("elapsed {}", duration(elapsed_ms))),
            when: None,
            exact: None,
            at_ms: None,
        },
        Timing::Finished { took_ms, at_ms } => TimingText {
            primary: took_ms.map(|ms| format!("took {}", duration(ms))),
            when: Some(format!("finished {}", ago(at_ms, now_ms))),
            exact: Some(datetime_utc(at_ms)),
            at_ms: Some(at_ms),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::jobs_store::tests::job;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn finished_jobs_say_how_long_and_when() {
        let mut j = job("a", 1, JobStatus::Succeeded, 1, 0);
        j.started_at = Some(NOW - 200_000);
        j.finished_at = Some(NOW - 199_400);
        let t = timing(&j, JobStatus::Succeeded, NOW);
        assert_eq!(
            t,
            Timing::Finished {
                took_ms: Some(600),
                at_ms: NOW - 199_400
            }
        );
        let text = describe(&t, NOW);
        assert_eq!(text.primary.as_deref(), Some("took 600 ms"));
        assert_eq!(text.when.as_deref(), Some("finished 3 min ago"));
        assert_eq!(text.exact.as_deref(), Some("2027-01-15 07:56:40 UTC"));
        // The relative time moves on; the duration does not.
        let later = describe(&t, NOW + 3_600_000);
        assert_eq!(later.when.as_deref(), Some("finished 1 h ago"));
        assert_eq!(later.primary, text.primary);
    }

    #[test]
    fn a_job_cancelled_before_it_started_took_nothing() {
        let mut j = job("a", 1, JobStatus::Cancelled, 1, 0);
        j.started_at = None;
        j.finished_at = None;
        j.updated_at = NOW - 5_000;
        let text = describe(&timing(&j, JobStatus::Cancelled, NOW), NOW);
        assert_eq!(text.primary, None);
        assert_eq!(text.when.as_deref(), Some("finished 5 s ago"));
    }

    #[test]
    fn running_and_queued_jobs_keep_their_clocks() {
        let mut j = job("a", 1, JobStatus::Running, 1, 0);
        j.started_at = Some(NOW - 850);
        j.finished_at = None;
        let text = describe(&timing(&j, JobStatus::Running, NOW), NOW);
        assert_eq!(text.primary.as_deref(), Some("elapsed 850 ms"));
        assert_eq!(text.when, None);
        // Cancelling is shown while the worker stops: it still runs.
        assert!(matches!(
            timing(&j, JobStatus::Cancelling, NOW),
            Timing::Running { elapsed_ms: 850 }
        ));
        j.started_at = None;
        j.created_at = NOW - 90_000;
        let text = describe(&timing(&j, JobStatus::Queued, NOW), NOW);
        assert_eq!(text.primary, None);
        assert_eq!(text.when.as_deref(), Some("queued 1 min ago"));
    }

    #[test]
    fn an_optimistic_status_decides() {
        // Shown as cancelled while the server confirms: the card stops its clock at once.
        let mut j = job("a", 1, JobStatus::Running, 1, 0);
        j.started_at = Some(NOW - 10_000);
        j.finished_at = None;
        j.updated_at = NOW - 1_000;
        assert!(matches!(
            timing(&j, JobStatus::Cancelled, NOW),
            Timing::Finished {
                took_ms: Some(9_000),
                ..
            }
        ));
    }
}
