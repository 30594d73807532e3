//! Search in a line's visible text, ignoring case, and cutting its tokens where matches start
//! and end, so that a match spanning several tokens becomes one marked group.

use std::ops::Range;

use super::Token;

/// Byte ranges of `haystack` where `needle` occurs, ignoring case (Unicode lower-casing);
/// ascending, non-overlapping, on char boundaries. An empty needle matches nothing.
pub fn find_matches(haystack: &str, needle: &str) -> Vec<Range<usize>> {
    let needle: String = needle.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() {
        return Vec::new();
    }
    if haystack.is_ascii() {
        return haystack
            .to_ascii_lowercase()
            .match_indices(&needle)
            .map(|(at, m)| at..at + m.len())
            .collect();
    }
    // Lower-casing may change lengths (`İ` → `i̇`): remember, for each char of the folded
    // text, where it starts there and which original char it came from.
    let mut folded = String::with_capacity(haystack.len());
    let mut origin: Vec<(usize, Range<usize>)> = Vec::new();
    for (at, c) in haystack.char_indices() {
        for l in c.to_lowercase() {
            origin.push((folded.len(), at..at + c.len_utf8()));
            folded.push(l);
        }
    }
    let source = |off: usize| {
        let i = origin.partition_point(|o| o.0 <= off).checked_sub(1)?;
        origin.get(i).map(|o| o.1.clone())
    };
    let mut out: Vec<Range<usize>> = Vec::new();
    for (at, m) in folded.match_indices(&needle) {
        let (Some(first), Some(last)) = (source(at), source(at + m.len() - 1)) else {
            continue;
        };
        let start = first.start.max(out.last().map_or(0, |r| r.end));
        if start < last.end {
            out.push(start..last.end);
        }
    }
    out
}

/// A token outside any match, or the pieces of tokens that make up one match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Plain(Token),
    Marked(Vec<Token>),
}

/// `tokens` cut at the boundaries of `ranges` (byte ranges of the tokens' concatenated text,
/// as [`find_matches`] returns), grouped by match.
pub fn mark_matches(tokens: &[Token], ranges: &[Range<usize>]) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut r = 0;
    // The match the last `Marked` piece belongs to.
    let mut open: Option<usize> = None;
    let mut pos = 0;
    for t in tokens {
        let end = pos + t.text.len();
        let mut cut = pos;
        while cut < end {
            while ranges.get(r).is_some_and(|m| m.end <= cut) {
                r += 1;
            }
            let (mut to, marked) = match ranges.get(r) {
                Some(m) if m.start <= cut => (m.end.min(end), Some(r)),
                Some(m) => (m.start.min(end), None),
                None => (end, None),
            };
            while to < end && !t.text.is_char_boundary(to - pos) {
                to += 1;
            }
            let piece = Token {
                kind: t.kind,
                style: t.style,
                text: t.text[cut - pos..to - pos].to_string(),
            };
            match (marked, out.last_mut()) {
                (Some(m), Some(Piece::Marked(group))) if open == Some(m) => group.push(piece),
                (Some(m), _) => {
                    out.push(Piece::Marked(vec![piece]));
                    open = Some(m);
                }
                (None, _) => {
                    out.push(Piece::Plain(piece));
                    open = None;
                }
            }
            cut = to;
        }
        pos = end;
    }
    out
}
