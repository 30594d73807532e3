//! How a bulk action's run reads while it goes and once it is done: "Cancel: 40 of 120
//! jobs…", "Retry finished: 37 done, 2 failed", and the cap on the rows its result list
//! renders. Pure, so the wording is pinned natively.

use crate::state::bulk::BulkKind;
use crate::state::format::thousands;

/// Result rows rendered at most; the rest are counted ("…and 12 more."), so a bulk action over
/// every job cannot put tens of thousands of rows in one dialog.
pub const SHOWN_RESULTS: usize = 500;

/// The progress line while requests are under way.
pub fn progress_text(kind: BulkKind, done: usize, total: usize) -> String {
    format!(
        "{}: {} of {} jobs…",
        kind.verb(),
        thousands(done as u64),
        thousands(total as u64)
    )
}

/// Jobs done and failed, from each job's outcome.
pub fn tally(oks: impl Iterator<Item = bool>) -> (usize, usize) {
    oks.fold((0, 0), |(ok, failed), x| {
        if x {
            (ok + 1, failed)
        } else {
            (ok, failed + 1)
        }
    })
}

/// The results dialog's title.
pub fn results_title(kind: BulkKind, ok: usize, failed: usize) -> String {
    format!("{} finished: {ok} done, {failed} failed", kind.verb())
}

/// The line under a capped result list, when some rows were left out.
pub fn more_text(items: usize) -> Option<String> {
    (items > SHOWN_RESULTS).then(|| format!("…and {} more.", items - SHOWN_RESULTS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn progress_and_title() {
        assert_eq!(
            progress_text(BulkKind::Cancel, 1_000, 12_000),
            "Cancel: 1,000 of 12,000 jobs…"
        );
        assert_eq!(
            results_title(BulkKind::Retry, 37, 2),
            "Retry finished: 37 done, 2 failed"
        );
    }

    #[test]
    fn tally_counts_both_outcomes() {
        assert_eq!(tally([true, false, true].into_iter()), (2, 1));
        assert_eq!(tally(std::iter::empty()), (0, 0));
    }

    #[test]
    fn more_only_past_the_cap() {
        assert_eq!(more_text(0), None);
        assert_eq!(more_text(SHOWN_RESULTS), None);
        assert_eq!(more_text(SHOWN_RESULTS + 12), Some("…and 12 more.".into()));
    }

    proptest! {
        /// Every outcome is counted once.
        #[test]
        fn tally_adds_up(oks in proptest::collection::vec(any::<bool>(), 0..200)) {
            let (ok, failed) = tally(oks.iter().copied());
            prop_assert_eq!(ok + failed, oks.len());
            prop_assert_eq!(ok, oks.iter().filter(|x| **x).count());
        }

        /// Rendered rows plus the counted rest are all the items.
        #[test]
        fn shown_plus_more_is_all(n in 0usize..2_000) {
            let rest = more_text(n)
                .map(|t| t.trim_start_matches("…and ").trim_end_matches(" more.").parse::<usize>())
                .transpose()
                .map_err(|e| TestCaseError::fail(e.to_string()))?
                .unwrap_or(0);
            prop_assert_eq!(n.min(SHOWN_RESULTS) + rest, n);
        }
    }
}
