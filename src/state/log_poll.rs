//! Log lines while the WebSocket cannot be used: open log views are fed by polling
//! `GET /jobs/{id}/logs?after=N`, and say so instead of claiming to follow a live stream.
//!
//! The transport keeps, per subscribed job, the last line number it delivered (the same number
//! the WebSocket subscription resumes from), so lines received by polling and lines received
//! live later are one sequence: each line once, in order.

use crate::state::connection::Connection;
use crate::types::LogLine;

/// Lines asked for per request.
pub const POLL_PAGE_LINES: u64 = 1_000;
/// Requests per job per polling round at most: a job logging faster than this is caught up
/// over the following rounds instead of one round never ending.
pub const POLL_PAGES_PER_ROUND: u32 = 5;

/// What one page answered for a job whose last delivered line is `last`: the lines to deliver
/// (after `last`, ascending, each number once), the new last line, and whether another page
/// should be asked for this round (the page was full).
pub fn take_page(last: u64, mut lines: Vec<LogLine>, page_size: u64) -> (Vec<LogLine>, u64, bool) {
    let full = lines.len() as u64 >= page_size;
    lines.retain(|l| l.n > last);
    lines.sort_by_key(|l| l.n);
    lines.dedup_by_key(|l| l.n);
    let new_last = lines.last().map_or(last, |l| l.n);
    // A full page that brought nothing new would ask for the same page again.
    (lines, new_last, full && new_last > last)
}

/// How an open log view says where its new lines come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineSource {
    /// The live stream.
    Following,
    /// Polling (the WebSocket cannot be used).
    Polling,
    /// Nothing arrives until the connection is back.
    Waiting,
}

impl LineSource {
    pub fn of(connection: &Connection) -> Self {
        match connection {
            Connection::Live => LineSource::Following,
            Connection::Polling { .. } => LineSource::Polling,
            _ => LineSource::Waiting,
        }
    }

    /// The words for a view that is at the bottom of the log.
    pub fn describe(self) -> &'static str {
        match self {
            LineSource::Following => "following",
            LineSource::Polling => "polling for new lines (live stream unavailable)",
            LineSource::Waiting => "waiting for the connection",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::info_line as line;
    use proptest::prelude::*;

    #[test]
    fn keeps_only_lines_after_the_last_in_order() {
        let (lines, last, more) = take_page(3, vec![line(5), line(2), line(4), line(3)], 10);
        assert_eq!(lines.iter().map(|l| l.n).collect::<Vec<_>>(), vec![4, 5]);
        assert_eq!(last, 5);
        assert!(!more);
    }

    #[test]
    fn a_full_page_asks_for_more_unless_it_brought_nothing() {
        let (_, last, more) = take_page(0, (1..=3).map(line).collect(), 3);
        assert_eq!((last, more), (3, true));
        let (lines, last, more) = take_page(3, (1..=3).map(line).collect(), 3);
        assert!(lines.is_empty());
        assert_eq!((last, more), (3, false));
    }

    #[test]
    fn says_where_lines_come_from() {
        assert_eq!(LineSource::of(&Connection::Live), LineSource::Following);
        let polling = Connection::Polling { reason: "x".into() };
        assert_eq!(LineSource::of(&polling), LineSource::Polling);
        assert!(LineSource::Polling.describe().contains("polling"));
        assert_eq!(LineSource::of(&Connection::Connecting), LineSource::Waiting);
    }

    proptest! {
        /// Whatever pages arrive, in whatever order and overlap, the delivered lines are each
        /// number once, ascending, all of them above the starting point.
        #[test]
        fn delivered_lines_are_one_increasing_sequence(
            start in 0u64..50,
            pages in prop::collection::vec(prop::collection::vec(0u64..200, 0..30), 0..10),
        ) {
            let mut last = start;
            let mut delivered = Vec::new();
            for page in pages {
                let (lines, new_last, _) = take_page(last, page.into_iter().map(line).collect(), 30);
                prop_assert!(new_last >= last);
                delivered.extend(lines.iter().map(|l| l.n));
                last = new_last;
            }
            prop_assert!(delivered.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(delivered.iter().all(|n| *n > start));
            prop_assert_eq!(delivered.last().copied().unwrap_or(start), last);
        }
    }
}
