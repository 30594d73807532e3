//! Log text as styled tokens: ANSI colours and attributes from the terminal escapes in the
//! text, layered with what the visible text is (timestamp, level, number, string, JSON, Python
//! traceback piece). Pure; the view renders each token as a text node with classes, never as
//! HTML.
//!
//! The text is untrusted. Only SGR sequences (`ESC [ … m`) have an effect; every other escape
//! (cursor movement, OSC hyperlinks and titles, charset switches, unterminated sequences) and
//! every control character but TAB is removed. A line feed becomes a space, so a multi-line
//! message stays one row; traceback pieces are still recognised per original line. Each log
//! line starts unstyled.
//!
//! Tokens own their text (`Token::text`), and their concatenation is exactly
//! [`strip_ansi`] of the input. Lines whose visible text is longer than [`MAX_STYLED`] bytes
//! keep their ANSI styles but get no semantic kinds (all [`TokenKind::Text`]).

mod ansi;
mod search;
mod semantic;
#[cfg(test)]
mod tests;

pub use search::{find_matches, mark_matches, Piece};

/// Visible text (bytes) above which semantic highlighting is skipped.
pub const MAX_STYLED: usize = 10_000;

/// A terminal colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Color {
    /// One of the 16 themed colours (0–7 normal, 8–15 bright).
    Named(u8),
    /// An entry 16–255 of the xterm 256-colour palette (see [`xterm_rgb`]).
    Indexed(u8),
    /// Truecolour.
    Rgb(u8, u8, u8),
}

/// SGR attributes in effect. `inverse` is kept as such; the view swaps the colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Style {
    pub fg: Option<Color>,
    pub bg: Option<Color>,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
    pub inverse: bool,
}

/// A level word in the text. `WARN` counts as `Warning`, `FATAL` as `Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogLevel {
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

impl LogLevel {
    /// Lower-case name, for class names.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warning => "warning",
            LogLevel::Error => "error",
            LogLevel::Critical => "critical",
        }
    }
}

/// What a piece of visible text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Text,
    /// `2026-11-28T23:50:51.751Z`, `2026-11-28 23:50:51,751`, `23:50:51`, `2026-11-28`.
    Timestamp,
    /// `DEBUG`, `INFO`, `WARNING`/`WARN`, `ERROR`, `CRITICAL`/`FATAL` as whole upper-case words.
    Level(LogLevel),
    /// An integer or decimal that is a whole word (`-3`, `12.5`, `1e-5`; not `v2`, `12ms`).
    Number,
    /// A single- or double-quoted string, quotes included.
    Str,
    /// An object key in a JSON payload, quotes included.
    JsonKey,
    JsonString,
    JsonNumber,
    /// `true`, `false`, `null`.
    JsonLiteral,
    /// Braces, brackets, commas, colons and whitespace inside a JSON payload.
    JsonPunct,
    /// `Traceback (most recent call last):` and the chained-exception headers.
    TbHeader,
    TbPath,
    TbLineNo,
    TbFunc,
    /// The exception name at the start of a line (`ValueError`, `redis.exceptions.Timeout…`).
    TbException,
}

/// A run of visible text with one kind and one style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub style: Style,
    pub text: String,
}

/// The tokens of one log line's text. Never panics; adjacent tokens differ in kind or style.
pub fn tokenize(text: &str) -> Vec<Token> {
    let cleaned = ansi::clean(text);
    let s = cleaned.text.as_str();
    let kinds = if s.len() > MAX_STYLED {
        vec![(0, TokenKind::Text)]
    } else {
        semantic::scan(s, &cleaned.breaks)
    };
    merge(s, &cleaned.styles, &kinds)
}

/// The visible text: what [`tokenize`]'s tokens concatenate to (escapes and controls removed,
/// line feeds as spaces). For search and copy.
pub fn strip_ansi(text: &str) -> String {
    ansi::clean(text).text
}

/// The RGB value of an xterm 256-colour palette entry: the 16 base colours (xterm's defaults),
/// the 6×6×6 cube (16–231) and the 24 greys (232–255).
pub fn xterm_rgb(index: u8) -> (u8, u8, u8) {
    const BASE: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
    match index {
        0..=15 => BASE[usize::from(index)],
        16..=231 => {
            let i = index - 16;
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let g = 8 + 10 * (index - 232);
            (g, g, g)
        }
    }
}

/// Records in `runs` (`(start, value)`, ascending) that `value` applies from `at`, keeping the
/// runs minimal: no two neighbours equal, no empty run.
fn push_run<T: PartialEq>(runs: &mut Vec<(usize, T)>, at: usize, value: T) {
    if let Some(last) = runs.last_mut() {
        if last.1 == value {
            return;
        }
        if last.0 == at {
            last.1 = value;
            let n = runs.len();
            if n >= 2 && runs[n - 2].1 == runs[n - 1].1 {
                runs.pop();
            }
            return;
        }
    }
    runs.push((at, value));
}

/// Cuts `s` wherever its style or its kind changes.
fn merge(s: &str, styles: &[(usize, Style)], kinds: &[(usize, TokenKind)]) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let (mut a, mut k) = (0, 0);
    let mut pos = 0;
    while pos < s.len() {
        while a + 1 < styles.len() && styles[a + 1].0 <= pos {
            a += 1;
        }
        while k + 1 < kinds.len() && kinds[k + 1].0 <= pos {
            k += 1;
        }
        let next_style = styles.get(a + 1).map_or(s.len(), |r| r.0);
        let next_kind = kinds.get(k + 1).map_or(s.len(), |r| r.0);
        let mut next = next_style.min(next_kind).clamp(pos + 1, s.len());
        while !s.is_char_boundary(next) {
            next += 1;
        }
        let style = styles.get(a).map_or_else(Style::default, |r| r.1);
        let kind = kinds.get(k).map_or(TokenKind::Text, |r| r.1);
        let piece = &s[pos..next];
        match tokens.last_mut() {
            Some(last) if last.kind == kind && last.style == style => last.text.push_str(piece),
            _ => tokens.push(Token {
                kind,
                style,
                text: piece.to_string(),
            }),
        }
        pos = next;
    }
    tokens
}
