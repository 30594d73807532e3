//! How the log viewer classifies one line for its filters: the level bucket it is counted and
//! filtered in, and whether its visible text matches the search.

use crate::state::log_tokens::strip_ansi;

/// Level buckets, in display order.
pub const LEVELS: [&str; 5] = ["DEBUG", "INFO", "WARNING", "ERROR", "OTHER"];

/// The bucket of a level name.
pub fn level_index(level: &str) -> usize {
    match level {
        "DEBUG" => 0,
        "INFO" => 1,
        "WARNING" | "WARN" => 2,
        "ERROR" | "CRITICAL" | "FATAL" => 3,
        _ => 4,
    }
}

/// Whether the visible text of `text` (see [`strip_ansi`]) contains `needle`, already
/// lower-cased, ignoring case. Printable ASCII lines (most of them) are searched in place,
/// without copying.
pub fn line_matches(text: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let plain = text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\t');
    if plain {
        let (t, n) = (text.as_bytes(), needle.as_bytes());
        return needle.is_ascii()
            && t.len() >= n.len()
            && t.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    strip_ansi(text).to_lowercase().contains(needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn levels_fall_in_their_buckets() {
        assert_eq!(LEVELS[level_index("WARN")], "WARNING");
        assert_eq!(LEVELS[level_index("CRITICAL")], "ERROR");
        assert_eq!(LEVELS[level_index("trace")], "OTHER");
        assert!(
            !line_matches("anything", ""),
            "an empty search matches nothing"
        );
    }

    proptest! {
        /// The in-place search finds exactly what searching the visible, lower-cased text does.
        #[test]
        fn line_matches_equals_searching_the_visible_text(
            text in "[a-zA-Z \\t\\n\\x1b\\[0-9;m\u{e9}\u{130}]{0,30}",
            needle in "[a-zA-Z\u{e9}\u{130} ]{1,3}",
        ) {
            let needle = needle.to_lowercase();
            let slow = strip_ansi(&text).to_lowercase().contains(&needle);
            prop_assert_eq!(line_matches(&text, &needle), slow);
        }
    }
}
