//! What the page reports to the host besides navigation: the badge's counts and the content
//! height, the latter only when it changed.

use crate::types::JobStatus;

/// The host's badge: jobs running and failed, by the server's status (what `GET /jobs`
/// counts), not by a pending action's optimistic one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub running: u64,
    pub failed: u64,
}

impl Summary {
    pub fn of(statuses: impl IntoIterator<Item = JobStatus>) -> Self {
        statuses
            .into_iter()
            .fold(Summary::default(), |mut s, status| {
                match status {
                    JobStatus::Running => s.running += 1,
                    JobStatus::Failed => s.failed += 1,
                    _ => {}
                }
                s
            })
    }
}

/// Content height in whole pixels (rounded up, so the host's iframe never needs a scrollbar).
pub fn height_px(measured: f64) -> u32 {
    if measured.is_finite() && measured > 0.0 {
        measured.ceil().min(u32::MAX as f64) as u32
    } else {
        0
    }
}

/// Remembers the last height sent, so only changes are posted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeightTracker {
    last: Option<u32>,
}

impl HeightTracker {
    /// The height to post for a new measurement, `None` when the host already has it.
    pub fn update(&mut self, measured: f64) -> Option<u32> {
        let px = height_px(measured);
        (self.last != Some(px)).then(|| {
            self.last = Some(px);
            px
        })
    }
}
