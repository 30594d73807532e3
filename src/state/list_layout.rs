//! How the jobs list is laid out: cards (everything about each job) or compact rows (one line
//! a job, for watching a hundred at once). View state like the sort order: kept in the URL
//! (`view=compact`), so a reload or a shared link opens the same layout.

/// The list's layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Layout {
    #[default]
    Cards,
    Compact,
}

impl Layout {
    pub const ALL: [Layout; 2] = [Layout::Cards, Layout::Compact];

    /// The URL value (`view=compact`); the default, cards, is not written.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Cards => "cards",
            Layout::Compact => "compact",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Layout::Cards => "Cards",
            Layout::Compact => "Compact",
        }
    }

    /// An unknown value is no layout: the link still opens, with the default.
    pub fn parse(s: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Height of one list entry including its gap (px). Entries have a fixed height so the
    /// list is virtualised with arithmetic; `styles/jobs.css` sizes them to match
    /// (`.job-scroller .job-card`, `.job-row`).
    pub fn row_height(self) -> u32 {
        match self {
            Layout::Cards => 176,
            Layout::Compact => 22,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_round_trip_through_their_url_value() {
        for l in Layout::ALL {
            assert_eq!(Layout::parse(l.as_str()), Some(l));
        }
        assert_eq!(Layout::parse("Compact"), None);
        assert_eq!(Layout::parse(""), None);
        assert_eq!(Layout::default(), Layout::Cards);
    }

    #[test]
    fn compact_rows_fit_many_to_a_laptop_screen() {
        // The list's viewport at 1280×900 is 600 px (styles/jobs.css): 25 rows or more.
        assert!(600 / Layout::Compact.row_height() >= 25);
        assert!(Layout::Compact.row_height() * 7 <= Layout::Cards.row_height());
    }
}
