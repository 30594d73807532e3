//! What the visible text of a log line says: timestamps, levels, numbers, quoted strings, JSON
//! payloads and Python traceback pieces, found in one left-to-right pass.
//!
//! The scan is linear: words are consumed whole, a quoted string's closing quote is searched
//! at most once per position (a failed search rules out every later opener of that quote), and
//! JSON attempts that fail share a budget proportional to the line's length.

use serde::de::IgnoredAny;

use super::{push_run, LogLevel, TokenKind};
use crate::state::traceback::{self, Kind};

/// `(byte offset, kind from there on)`, ascending; the first starts at 0.
pub(super) type Runs = Vec<(usize, TokenKind)>;

/// The kind runs of `s`, whose sub-lines end at the offsets in `breaks` (spaces that stood for
/// line feeds; traceback pieces are recognised per sub-line).
pub(super) fn scan(s: &str, breaks: &[usize]) -> Runs {
    let mut sc = Scanner {
        s,
        b: s.as_bytes(),
        runs: vec![(0, TokenKind::Text)],
        json_budget: 4 * s.len() + 1024,
    };
    let mut start = 0;
    for &end in breaks.iter().chain(std::iter::once(&s.len())) {
        if end >= start && end <= s.len() {
            sc.line(start, end);
            start = end + 1;
        }
    }
    sc.runs
}

struct Scanner<'a> {
    s: &'a str,
    b: &'a [u8],
    runs: Runs,
    /// Bytes failed JSON attempts may still read.
    json_budget: usize,
}

/// ASCII letters, digits and `_`, or a non-ASCII alphanumeric.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && c.is_alphanumeric())
}

fn digits(b: &[u8], mut j: usize, end: usize) -> usize {
    while j < end && b[j].is_ascii_digit() {
        j += 1;
    }
    j
}

/// Exactly two digits at `j` with a value in `0..=max`.
fn two(b: &[u8], j: usize, end: usize, max: u8) -> Option<usize> {
    if j + 2 <= end && b[j].is_ascii_digit() && b[j + 1].is_ascii_digit() {
        let v = (b[j] - b'0') * 10 + (b[j + 1] - b'0');
        (v <= max).then_some(j + 2)
    } else {
        None
    }
}

fn byte_is(b: &[u8], j: usize, end: usize, c: u8) -> bool {
    j < end && b[j] == c
}

/// `HH:MM[:SS[.frac|,frac]]` at `j`; seconds only optional when `seconds` is false.
fn time(b: &[u8], j: usize, end: usize, seconds: bool) -> Option<usize> {
    let j = two(b, j, end, 23)?;
    if !byte_is(b, j, end, b':') {
        return None;
    }
    let j = two(b, j + 1, end, 59)?;
    let Some(j) = byte_is(b, j, end, b':')
        .then(|| two(b, j + 1, end, 60))
        .flatten()
    else {
        return (!seconds).then_some(j);
    };
    if (byte_is(b, j, end, b'.') || byte_is(b, j, end, b','))
        && j + 1 < end
        && b[j + 1].is_ascii_digit()
    {
        return Some(digits(b, j + 1, end));
    }
    Some(j)
}

/// `Z`, `±HH`, `±HHMM` or `±HH:MM` at `j`, if any.
fn zone(b: &[u8], j: usize, end: usize) -> usize {
    if byte_is(b, j, end, b'Z') {
        return j + 1;
    }
    if !(byte_is(b, j, end, b'+') || byte_is(b, j, end, b'-')) {
        return j;
    }
    let Some(h) = two(b, j + 1, end, 23) else {
        return j;
    };
    let m = if byte_is(b, h, end, b':') { h + 1 } else { h };
    two(b, m, end, 59).unwrap_or(h)
}

/// `YYYY-MM-DD[(T| )time[zone]]` or `HH:MM:SS[.frac][zone]` at `j`.
fn timestamp(b: &[u8], j: usize, end: usize) -> Option<usize> {
    let date = (digits(b, j, end) == j + 4 && byte_is(b, j + 4, end, b'-'))
        .then(|| two(b, j + 5, end, 12))
        .flatten()
        .filter(|&k| byte_is(b, k, end, b'-'))
        .and_then(|k| two(b, k + 1, end, 31));
    match date {
        Some(d) => {
            let with_time = (byte_is(b, d, end, b'T') || byte_is(b, d, end, b' '))
                .then(|| time(b, d + 1, end, false))
                .flatten();
            Some(with_time.map_or(d, |t| zone(b, t, end)))
        }
        None => time(b, j, end, true).map(|t| zone(b, t, end)),
    }
}

/// `digits[.digits][(e|E)[+-]digits]` at `j` (a digit).
fn number(b: &[u8], j: usize, end: usize) -> usize {
    let mut k = digits(b, j, end);
    if byte_is(b, k, end, b'.') && k + 1 < end && b[k + 1].is_ascii_digit() {
        k = digits(b, k + 1, end);
    }
    if byte_is(b, k, end, b'e') || byte_is(b, k, end, b'E') {
        let sign = usize::from(byte_is(b, k + 1, end, b'+') || byte_is(b, k + 1, end, b'-'));
        let exp = k + 1 + sign;
        if exp < end && b[exp].is_ascii_digit() {
            k = digits(b, exp, end);
        }
    }
    k
}

fn level(word: &str) -> Option<LogLevel> {
    Some(match word {
        "DEBUG" => LogLevel::Debug,
        "INFO" => LogLevel::Info,
        "WARNING" | "WARN" => LogLevel::Warning,
        "ERROR" => LogLevel::Error,
        "CRITICAL" | "FATAL" => LogLevel::Critical,
        _ => return None,
    })
}

/// Length of a Python exception name (`ValueError`, `redis.exceptions.ConnectionError`) at the
/// start of `l`, when followed by `:` or the end of the line.
fn exception_name(l: &str) -> Option<usize> {
    let b = l.as_bytes();
    let mut j = 0;
    loop {
        if !b
            .get(j)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            return None;
        }
        while b
            .get(j)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            j += 1;
        }
        if b.get(j) == Some(&b'.') {
            j += 1;
        } else {
            break;
        }
    }
    let name = &l[..j];
    let last = name.rsplit('.').next().unwrap_or(name);
    let exceptional = ["Error", "Exception", "Interrupt", "Warning", "Exit"]
        .iter()
        .any(|s| last.ends_with(s))
        || last == "StopIteration"
        || last == "StopAsyncIteration";
    (exceptional
        && last.starts_with(|c: char| c.is_ascii_uppercase())
        && matches!(b.get(j), None | Some(b':')))
    .then_some(j)
}

impl Scanner<'_> {
    fn span(&mut self, start: usize, end: usize, kind: TokenKind) {
        if start < end {
            push_run(&mut self.runs, start, kind);
            push_run(&mut self.runs, end, TokenKind::Text);
        }
    }

    fn prev(&self, i: usize) -> Option<char> {
        self.s.get(..i).and_then(|p| p.chars().next_back())
    }

    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i..).and_then(|p| p.chars().next())
    }

    /// A word or number may start at `i`: the previous character is not part of a word or a
    /// dotted name.
    fn boundary_before(&self, i: usize) -> bool {
        self.prev(i).is_none_or(|c| !is_word(c) && c != '.')
    }

    /// A number may start at `i`: at a word boundary, and not after a hyphen that follows a
    /// letter (`utf-8`, `sha-256`), while `1-500` is two numbers.
    fn number_may_start(&self, i: usize) -> bool {
        if !self.boundary_before(i) {
            return false;
        }
        i == 0
            || self.b[i - 1] != b'-'
            || self
                .prev(i - 1)
                .is_none_or(|c| c.is_ascii_digit() || !is_word(c))
    }

    /// A word or number may end at `i` (`end` is the sub-line's end).
    fn boundary_after(&self, i: usize, end: usize) -> bool {
        i >= end
            || !(self.at(i).is_some_and(is_word)
                || (self.b[i] == b'.' && i + 1 < end && self.b[i + 1].is_ascii_digit()))
    }

    /// End of the word (letters, digits, `_`, non-ASCII alphanumerics) starting at `i`.
    fn word_end(&self, mut i: usize, end: usize, dots: bool) -> usize {
        while i < end {
            match self.at(i) {
                Some(c) if is_word(c) || (dots && c == '.') => i += c.len_utf8(),
                _ => break,
            }
        }
        i
    }

    fn line(&mut self, start: usize, end: usize) {
        let l = &self.s[start..end];
        let trimmed = l.trim_start();
        let indented = trimmed.len() != l.len();
        if trimmed.starts_with("Traceback (most recent call last)")
            || trimmed.starts_with("During handling of the above exception")
            || trimmed.starts_with("The above exception was the direct cause")
        {
            self.span(start, end, TokenKind::TbHeader);
            return;
        }
        if trimmed.starts_with("File \"") && self.frame(start, l) {
            return;
        }
        let mut i = start;
        if !indented {
            if let Some(n) = exception_name(l) {
                self.span(start, start + n, TokenKind::TbException);
                i = start + n;
            }
        }
        self.inline(i, end);
    }

    /// `File "path", line N, in func`, split by the traceback module; false if `l` is not one.
    fn frame(&mut self, start: usize, l: &str) -> bool {
        let pieces = traceback::line(l);
        let whole = pieces.iter().map(|p| p.text.len()).sum::<usize>() == l.len();
        if !whole || !pieces.iter().any(|p| p.kind == Kind::LineNo) {
            return false;
        }
        let mut at = start;
        for p in pieces {
            let kind = match p.kind {
                Kind::Path => TokenKind::TbPath,
                Kind::LineNo => TokenKind::TbLineNo,
                Kind::Function => TokenKind::TbFunc,
                _ => TokenKind::Text,
            };
            self.span(at, at + p.text.len(), kind);
            at += p.text.len();
        }
        true
    }

    /// Numbers, timestamps, levels, strings and JSON in `start..end`.
    fn inline(&mut self, start: usize, end: usize) {
        let b = self.b;
        // Per quote (`"`, `'`): no closing quote after this point in the sub-line.
        let mut unclosed = [false; 2];
        let mut i = start;
        while i < end {
            let c = b[i];
            match c {
                b'0'..=b'9' if self.number_may_start(i) => {
                    if let Some(t) = timestamp(b, i, end).filter(|&t| self.boundary_after(t, end)) {
                        self.span(i, t, TokenKind::Timestamp);
                        i = t;
                        continue;
                    }
                    let n = number(b, i, end);
                    if self.boundary_after(n, end) {
                        self.span(i, n, TokenKind::Number);
                        i = n;
                    } else {
                        // `12ms`, `10.0.0.1`, `0x1f`: not numbers, and no numbers inside.
                        i = self.word_end(i, end, true);
                    }
                }
                b'-' if i + 1 < end && b[i + 1].is_ascii_digit() && self.boundary_before(i) => {
                    let n = number(b, i + 1, end);
                    if self.boundary_after(n, end) {
                        self.span(i, n, TokenKind::Number);
                        i = n;
                    } else {
                        i = self.word_end(i + 1, end, true);
                    }
                }
                b'"' | b'\'' => {
                    let q = usize::from(c == b'\'');
                    if !unclosed[q] && self.boundary_before(i) {
                        if let Some(j) = self.closing_quote(i, end, c) {
                            self.span(i, j + 1, TokenKind::Str);
                            i = j + 1;
                            continue;
                        }
                        unclosed[q] = true;
                    }
                    i += 1;
                }
                b'{' | b'[' if self.boundary_before(i) => match self.json(i, end) {
                    Some(j) => i = j,
                    None => i += 1,
                },
                b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                    let w = self.word_end(i, end, false);
                    if let Some(lv) = level(&self.s[i..w]).filter(|_| self.boundary_before(i)) {
                        self.span(i, w, TokenKind::Level(lv));
                    }
                    i = w;
                }
                0x80.. => match self.at(i) {
                    Some(ch) if is_word(ch) => i = self.word_end(i, end, false),
                    Some(ch) => i += ch.len_utf8(),
                    None => i += 1,
                },
                _ => i += 1,
            }
        }
    }

    /// The closing `q` of a string opened at `i`: not escaped, not followed by a word
    /// character. Whether a quote closes does not depend on where the string opened, so a
    /// failed search means no later opener can close either.
    fn closing_quote(&self, i: usize, end: usize, q: u8) -> Option<usize> {
        let b = self.b;
        let mut escaped = false;
        for (j, &c) in b.iter().enumerate().take(end).skip(i + 1) {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == q && self.boundary_after(j + 1, end) {
                return Some(j);
            }
        }
        None
    }

    /// A JSON object or array starting at `i`: its pieces are recorded and its end returned.
    fn json(&mut self, i: usize, end: usize) -> Option<usize> {
        if self.json_budget == 0 {
            return None;
        }
        let slice = &self.s[i..end];
        let mut values = serde_json::Deserializer::from_str(slice).into_iter::<IgnoredAny>();
        let len = match values.next() {
            Some(Ok(_)) => values.byte_offset(),
            Some(Err(e)) => {
                self.json_budget = self.json_budget.saturating_sub(e.column().max(1));
                return None;
            }
            None => return None,
        };
        let e = i + len.min(slice.len());
        self.json_pieces(i, e);
        Some(e)
    }

    /// Splits valid JSON in `i..e` into keys, strings, numbers, literals and punctuation.
    fn json_pieces(&mut self, mut i: usize, e: usize) {
        let b = self.b;
        while i < e {
            match b[i] {
                b'"' => {
                    let mut j = i + 1;
                    while j < e && b[j] != b'"' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    let close = (j + 1).min(e);
                    let mut k = close;
                    while k < e && b[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    let kind = if byte_is(b, k, e, b':') {
                        TokenKind::JsonKey
                    } else {
                        TokenKind::JsonString
                    };
                    self.span(i, close, kind);
                    i = close;
                }
                b'-' | b'0'..=b'9' => {
                    let mut j = i + 1;
                    while j < e && matches!(b[j], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                        j += 1;
                    }
                    self.span(i, j, TokenKind::JsonNumber);
                    i = j;
                }
                b't' | b'f' | b'n' => {
                    let mut j = i + 1;
                    while j < e && b[j].is_ascii_alphabetic() {
                        j += 1;
                    }
                    self.span(i, j, TokenKind::JsonLiteral);
                    i = j;
                }
                _ => {
                    self.span(i, i + 1, TokenKind::JsonPunct);
                    i += 1;
                }
            }
        }
    }
}
