//! Error messages with their variable parts (values, ids, paths, numbers) replaced by
//! placeholders, so two failures of the same bug read, and hash, the same.
//!
//! The rules, applied left to right in one pass:
//! - whitespace runs collapse to one space; the ends are trimmed;
//! - `'…'` and `"…"` become `'<s>'` / `"<s>"` when the quote opens a value (it does not follow
//!   a letter, digit or `_`, so the apostrophe in `can't` stays) and a closing quote follows;
//! - a path becomes `<path>`: `/a/b.csv`, `./x`, `../x`, `~/x`, `C:\x`, `C:/x`, `\\host\x`, when
//!   it starts a token (after a space, the start, or one of `( [ { = , : ;`); it runs to a space,
//!   a quote or a bracket, and trailing `.`/`:` stay outside it (a URL's `//host/…` reads as
//!   a path too: `redis://h:6379/0` → `redis:<path>`);
//! - a UUID, a word of 8+ hex characters with a digit in it (`3f2a9c1d`), and an identifier
//!   with a `_`-separated part of 6+ hex characters with a digit (`job_3f2a9c1d4e5b`) become
//!   `<id>`;
//! - a number becomes `<n>`: `7342`, `-5`, `3.14`, `.5`, `1e-5`, `1,234,567`, `0x1f`. In a word
//!   that starts with a digit, each digit run is a number and the letters stay (`12ms` →
//!   `<n>ms`, `05T10` → `<n>T<n>`);
//! - a word that starts with a letter or `_` and is not an id is kept whole, digits and all:
//!   `utf8`, `int64`, `float32`, `row_7342` name things, they do not vary per run.
//!
//! The placeholders are fixed points of these rules, so normalising twice changes nothing.

/// Characters after which a `-` is a sign and a `/` starts a path (rather than being an
/// operator or a separator inside a word, as in `5-3` or `n/a`).
fn starts_token(last: Option<char>) -> bool {
    match last {
        None => true,
        Some(c) => c.is_whitespace() || matches!(c, '(' | '[' | '{' | '=' | ',' | ':' | ';'),
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `msg` with its variable parts replaced by placeholders (see the module docs for the rules).
pub fn normalise_message(msg: &str) -> String {
    let chars: Vec<char> = msg.chars().collect();
    let mut out = Out::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let last = out.last();
        if c.is_whitespace() {
            out.space();
            i += 1;
        } else if (c == '\'' || c == '"') && !last.is_some_and(is_word) {
            match chars[i + 1..].iter().position(|&x| x == c) {
                Some(len) => {
                    out.push_str(&format!("{c}<s>{c}"));
                    i += len + 2;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else if let Some(end) = starts_token(last).then(|| path_end(&chars, i)).flatten() {
            out.push_str("<path>");
            i = end;
        } else if let Some(end) = uuid_end(&chars, i).filter(|_| !last.is_some_and(is_word)) {
            out.push_str("<id>");
            i = end;
        } else if c.is_ascii_digit() && !last.is_some_and(is_word) {
            i = number_word(&chars, i, &mut out);
        } else if starts_token(last)
            && ((c == '-' && number_start(&chars, i + 1))
                || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
        {
            // A sign or a leading decimal point belongs to the number (`-5`, `.5`, `-.5`).
            let start = if c == '-' { i + 1 } else { i };
            i = number_literal(&chars, start);
            out.push_str("<n>");
            i = digit_runs(&chars, i, &mut out);
        } else if is_word(c) {
            let end = word_end(&chars, i);
            let word: String = chars[i..end].iter().collect();
            if is_hex_id(&word) || has_hex_id_part(&word) {
                out.push_str("<id>");
            } else {
                out.push_str(&word);
            }
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out.s
}

/// The output, with whitespace held back until something follows it (collapse and trim).
#[derive(Default)]
struct Out {
    s: String,
    pending_space: bool,
}

impl Out {
    fn last(&self) -> Option<char> {
        if self.pending_space {
            Some(' ')
        } else {
            self.s.chars().next_back()
        }
    }
    fn space(&mut self) {
        self.pending_space = !self.s.is_empty();
    }
    fn flush(&mut self) {
        if std::mem::take(&mut self.pending_space) {
            self.s.push(' ');
        }
    }
    fn push(&mut self, c: char) {
        self.flush();
        self.s.push(c);
    }
    fn push_str(&mut self, t: &str) {
        self.flush();
        self.s.push_str(t);
    }
}

fn word_end(chars: &[char], i: usize) -> usize {
    i + chars[i..].iter().take_while(|&&c| is_word(c)).count()
}

/// A word of 8+ hex characters with at least one digit (and, so it is no plain number, at
/// least one letter): hashes, object ids. Requiring a digit keeps words like `deadbeef`.
fn is_hex_id(word: &str) -> bool {
    word.len() >= 8
        && word.chars().all(|c| c.is_ascii_hexdigit())
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic())
}

/// `job_3f2a9c1d4e5b`, `ds_20240105ab`: a prefix, then a part of 6+ hex characters with a
/// digit. `ds_sales`, `float_64` and `row_7342` (too short) stay.
fn has_hex_id_part(word: &str) -> bool {
    word.split('_').skip(1).any(|part| {
        part.len() >= 6
            && part.chars().all(|c| c.is_ascii_hexdigit())
            && part.chars().any(|c| c.is_ascii_digit())
    })
}

/// End of a UUID (`8-4-4-4-12` hex) starting at `i`, if one does and no word character
/// follows it.
fn uuid_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    for (n, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if n > 0 {
            (chars.get(j) == Some(&'-')).then_some(())?;
            j += 1;
        }
        let run = chars.get(j..j + len)?;
        run.iter().all(|c| c.is_ascii_hexdigit()).then_some(())?;
        j += len;
    }
    (!chars.get(j).copied().is_some_and(is_word)).then_some(j)
}

/// End of a path starting at `i`, if one does.
fn path_end(chars: &[char], i: usize) -> Option<usize> {
    let at = |k: usize| chars.get(i + k).copied();
    let body = |k: usize| at(k).is_some_and(|c| !stops_path(c));
    let sep = |k: usize| matches!(at(k), Some('/' | '\\'));
    let starts = match at(0)? {
        // `/a`, but not a lone `/` or `//` with nothing after it.
        '/' => body(1) && (at(1) != Some('/') || body(2)),
        '\\' => at(1) == Some('\\') && body(2),
        '.' => (sep(1) || (at(1) == Some('.') && sep(2))) && body(if sep(1) { 2 } else { 3 }),
        '~' => sep(1) && body(2),
        c if c.is_ascii_alphabetic() => at(1) == Some(':') && sep(2) && body(3),
        _ => false,
    };
    if !starts {
        return None;
    }
    let mut end = i + chars[i..].iter().take_while(|&&c| !stops_path(c)).count();
    // `… /data/x.csv: not found.` — sentence punctuation is not part of the path.
    while end > i + 1 && matches!(chars[end - 1], '.' | ':') {
        end -= 1;
    }
    Some(end)
}

fn stops_path(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\'' | '"' | '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>' | ',' | ';'
        )
}

/// Whether a number's digits start at `i` (`5` or `.5`).
fn number_start(chars: &[char], i: usize) -> bool {
    match chars.get(i) {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => chars.get(i + 1).is_some_and(char::is_ascii_digit),
        _ => false,
    }
}

/// A word starting with a digit at `i`: an id, a hex literal, or a number with letters
/// glued on (units, date separators). Returns where it ends.
fn number_word(chars: &[char], i: usize, out: &mut Out) -> usize {
    let end = word_end(chars, i);
    let word: String = chars[i..end].iter().collect();
    if is_hex_id(&word) || has_hex_id_part(&word) {
        out.push_str("<id>");
        return end;
    }
    let hex_literal = word.len() > 2
        && (word.starts_with("0x") || word.starts_with("0X"))
        && word[2..].chars().all(|c| c.is_ascii_hexdigit());
    if hex_literal {
        out.push_str("<n>");
        return end;
    }
    let j = number_literal(chars, i);
    out.push_str("<n>");
    digit_runs(chars, j, out)
}

/// Letters of the word continuing at `i` stay; each digit run in it becomes `<n>`.
fn digit_runs(chars: &[char], mut i: usize, out: &mut Out) -> usize {
    while let Some(&c) = chars.get(i).filter(|&&c| is_word(c)) {
        if c.is_ascii_digit() {
            i += chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            out.push_str("<n>");
        } else {
            out.push(c);
            i += 1;
        }
    }
    i
}

/// End of the numeric literal starting at `i` (digits or `.digit`): thousands groups,
/// fraction, exponent.
fn number_literal(chars: &[char], i: usize) -> usize {
    let digits_from = |k: usize| {
        chars[k.min(chars.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut j = i;
    let lead = digits_from(j);
    j += lead;
    // `1,234,567`: only after 1-3 leading digits, each group exactly 3 digits.
    if (1..=3).contains(&lead) {
        while chars.get(j) == Some(&',') && digits_from(j + 1) == 3 {
            j += 4;
        }
    }
    if chars.get(j) == Some(&'.') && digits_from(j + 1) > 0 {
        j += 1 + digits_from(j + 1);
    }
    if matches!(chars.get(j), Some('e' | 'E')) {
        let sign = usize::from(matches!(chars.get(j + 1), Some('+' | '-')));
        let exp = digits_from(j + 1 + sign);
        if exp > 0 {
            j += 1 + sign + exp;
        }
    }
    j
}
