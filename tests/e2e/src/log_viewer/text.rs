//! Reading the log viewer's texts the way a test compares them: numbers written with
//! thousands separators (`1,234,567`), the number after a label, and a line's text without its
//! ANSI escapes (written independently of the app's tokenizer, for expected values).

/// `1,234,567` (or any digits with separators) as a number; `None` without digits.
pub fn parse_number(s: &str) -> Option<u64> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The first number (with thousands separators) after `prefix` in `text`.
pub(crate) fn number_after(text: &str, prefix: &str) -> Option<u64> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let num: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    parse_number(&num)
}

/// Removes ANSI escape sequences (CSI, and OSC up to BEL or ST) the way a terminal would not
/// print them; written independently of the app's tokenizer, for expected values.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_csi_and_osc_sequences() {
        assert_eq!(strip_ansi("a \u{1b}[32mOK\u{1b}[0m b"), "a OK b");
        assert_eq!(
            strip_ansi("\u{1b}]8;;http://evil.example\u{7}click\u{1b}]8;;\u{7} \u{1b}[2J\u{1b}[1A"),
            "click "
        );
        assert_eq!(strip_ansi("x\u{1b}]0;t\u{1b}\\y"), "xy");
    }
}
