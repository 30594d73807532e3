//! Terminal escapes in untrusted log text: SGR sequences become [`Style`] runs, every other
//! escape and control character is removed, so only printable text (and TAB) reaches the page.
//!
//! Parsing follows the shape of a VT500 parser, simplified for a log line: it never executes
//! anything, and any sequence it cannot finish is dropped up to where it stopped making sense.

use super::{push_run, Color, Style};

const ESC: u8 = 0x1B;
const BEL: u8 = 0x07;

/// The printable text of a line and where its styles change.
pub(super) struct Cleaned {
    /// The visible text: no escapes, no controls but TAB; line feeds are spaces.
    pub text: String,
    /// `(byte offset in text, style from there on)`, ascending; the first starts at 0.
    pub styles: Vec<(usize, Style)>,
    /// Byte offsets in `text` of the spaces that stand for line feeds.
    pub breaks: Vec<usize>,
}

/// Removes escapes and controls from `input`, recording SGR styles and line feeds.
pub(super) fn clean(input: &str) -> Cleaned {
    let b = input.as_bytes();
    let mut out = Cleaned {
        text: String::with_capacity(input.len()),
        styles: vec![(0, Style::default())],
        breaks: Vec::new(),
    };
    let mut style = Style::default();
    // `input[plain..i]` is text not yet copied; cuts only happen at ASCII bytes or before a
    // UTF-8 lead byte, so every slice is on char boundaries.
    let mut plain = 0;
    let mut i = 0;
    while i < b.len() {
        let cut = match b[i] {
            ESC => {
                let (end, sgr) = escape(b, i);
                if let Some(params) = sgr {
                    out.text.push_str(&input[plain..i]);
                    apply_sgr(&mut style, params);
                    push_run(&mut out.styles, out.text.len(), style);
                    plain = end;
                    i = end;
                    continue;
                }
                end - i
            }
            b'\t' => 0,
            b'\n' => {
                out.text.push_str(&input[plain..i]);
                out.breaks.push(out.text.len());
                out.text.push(' ');
                i += 1;
                plain = i;
                continue;
            }
            0x00..=0x1F | 0x7F => 1,
            // C1 controls (U+0080..=U+009F) are two bytes in UTF-8: 0xC2 0x80..=0x9F.
            0xC2 if matches!(b.get(i + 1), Some(0x80..=0x9F)) => 2,
            _ => 0,
        };
        if cut == 0 {
            i += 1;
        } else {
            out.text.push_str(&input[plain..i]);
            i += cut;
            plain = i;
        }
    }
    out.text.push_str(&input[plain..]);
    out
}

/// The escape starting at `b[i] == ESC`: where it ends, and its parameters if it is an SGR.
fn escape(b: &[u8], i: usize) -> (usize, Option<&[u8]>) {
    match b.get(i + 1) {
        Some(b'[') => csi(b, i + 2),
        // OSC, DCS, SOS, PM, APC: a string up to its terminator.
        Some(b']' | b'P' | b'X' | b'^' | b'_') => (string_end(b, i + 2), None),
        // `ESC ( B` and friends: intermediates, then a final byte.
        Some(0x20..=0x2F) => {
            let mut j = i + 2;
            while matches!(b.get(j), Some(0x20..=0x2F)) {
                j += 1;
            }
            match b.get(j) {
                Some(0x30..=0x7E) => (j + 1, None),
                _ => (j, None),
            }
        }
        // Two-byte escapes (`ESC 7`, `ESC c`, `ESC M`, ...).
        Some(0x30..=0x7E) => (i + 2, None),
        // A lone ESC (end of line, before a control or a non-ASCII character): only it goes.
        _ => (i + 1, None),
    }
}

/// A control sequence whose parameters start at `start`; unterminated or broken ones end where
/// they broke (the breaking byte is kept for the caller to look at).
fn csi(b: &[u8], start: usize) -> (usize, Option<&[u8]>) {
    let mut j = start;
    while matches!(b.get(j), Some(0x30..=0x3F)) {
        j += 1;
    }
    let params_end = j;
    while matches!(b.get(j), Some(0x20..=0x2F)) {
        j += 1;
    }
    match b.get(j) {
        Some(&f @ 0x40..=0x7E) => {
            let params = &b[start..params_end];
            let sgr = f == b'm'
                && j == params_end
                && params
                    .iter()
                    .all(|c| c.is_ascii_digit() || *c == b';' || *c == b':');
            (j + 1, sgr.then_some(params))
        }
        _ => (j, None),
    }
}

/// End of an OSC-like string starting at `start`: after BEL or ST (`ESC \`), after CAN/SUB, or
/// before an ESC that starts something else. A line feed also ends it (and is kept), so a stray
/// `ESC ]` cannot swallow the rest of a multi-line message.
fn string_end(b: &[u8], start: usize) -> usize {
    let mut j = start;
    while j < b.len() {
        match b[j] {
            BEL | 0x18 | 0x1A => return j + 1,
            ESC if b.get(j + 1) == Some(&b'\\') => return j + 2,
            ESC | b'\n' => return j,
            _ => j += 1,
        }
    }
    b.len()
}

/// A decimal parameter; empty means 0, overflow means "not a number".
fn number(p: &[u8]) -> Option<u32> {
    p.iter().try_fold(0u32, |n, d| {
        if d.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        } else {
            None
        }
    })
}

fn byte(p: Option<&[u8]>) -> Option<u8> {
    p.and_then(number).and_then(|n| u8::try_from(n).ok())
}

/// Colour for a 256-palette index: the 16 base colours are `Named`.
fn indexed(n: u8) -> Color {
    if n < 16 {
        Color::Named(n)
    } else {
        Color::Indexed(n)
    }
}

/// Truecolour from the first three of `parts`.
fn rgb(parts: &[&[u8]]) -> Option<Color> {
    match parts {
        [r, g, b, ..] => Some(Color::Rgb(byte(Some(r))?, byte(Some(g))?, byte(Some(b))?)),
        _ => None,
    }
}

/// An extended colour (`5;n` or `2;r;g;b`) from the parameters after 38/48; `None` if malformed.
fn extended<'a>(mut rest: impl Iterator<Item = &'a [u8]>) -> Option<Color> {
    match rest.next().and_then(number)? {
        5 => byte(rest.next()).map(indexed),
        2 => Some(Color::Rgb(
            byte(rest.next())?,
            byte(rest.next())?,
            byte(rest.next())?,
        )),
        _ => None,
    }
}

/// Applies the parameters of one SGR sequence (`1;31;44`, `38;5;208`, `38:2::1:2:3`, ...).
/// Unknown or malformed parameters are ignored.
fn apply_sgr(style: &mut Style, params: &[u8]) {
    let mut groups = params.split(|c| *c == b';');
    while let Some(group) = groups.next() {
        if group.contains(&b':') {
            // ISO 8613-6 sub-parameters: `38:5:n`, `38:2:[id]:r:g:b`, `4:3`.
            let subs: Vec<&[u8]> = group.split(|c| *c == b':').collect();
            match subs.first().and_then(|s| number(s)) {
                Some(code @ (38 | 48)) => {
                    let colour = match subs.get(1).and_then(|s| number(s)) {
                        Some(5) => byte(subs.get(2).copied()).map(indexed),
                        // With 6+ parts the third is a colour-space id (often empty).
                        Some(2) => {
                            let first = if subs.len() >= 6 { 3 } else { 2 };
                            subs.get(first..).and_then(rgb)
                        }
                        _ => None,
                    };
                    if let Some(c) = colour {
                        set_colour(style, code, c);
                    }
                }
                Some(4) => style.underline = subs.get(1).and_then(|s| number(s)) != Some(0),
                Some(code) => apply_code(style, code),
                None => {}
            }
            continue;
        }
        match number(group) {
            Some(code @ (38 | 48)) => {
                if let Some(c) = extended(&mut groups) {
                    set_colour(style, code, c);
                }
            }
            Some(code) => apply_code(style, code),
            None => {}
        }
    }
}

fn set_colour(style: &mut Style, code: u32, colour: Color) {
    if code == 38 {
        style.fg = Some(colour);
    } else {
        style.bg = Some(colour);
    }
}

fn apply_code(style: &mut Style, code: u32) {
    // Each range bounds `code`, so the narrowing casts below cannot truncate.
    match code {
        0 => *style = Style::default(),
        1 => style.bold = true,
        2 => style.dim = true,
        3 => style.italic = true,
        4 => style.underline = true,
        7 => style.inverse = true,
        22 => {
            style.bold = false;
            style.dim = false;
        }
        23 => style.italic = false,
        24 => style.underline = false,
        27 => style.inverse = false,
        30..=37 => style.fg = Some(Color::Named((code - 30) as u8)),
        39 => style.fg = None,
        40..=47 => style.bg = Some(Color::Named((code - 40) as u8)),
        49 => style.bg = None,
        90..=97 => style.fg = Some(Color::Named((code - 90 + 8) as u8)),
        100..=107 => style.bg = Some(Color::Named((code - 100 + 8) as u8)),
        _ => {}
    }
}
