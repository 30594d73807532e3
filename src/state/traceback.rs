//! Splits a Python traceback into styled pieces: the header, frame lines (file path, line
//! number, function), source lines and the final exception line. Pure; the view renders each
//! piece as a text node with a class, never as HTML.

/// What a piece of a traceback is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Header,
    Path,
    LineNo,
    Function,
    Source,
    ExceptionType,
    ExceptionMessage,
    Plain,
}

/// One styled piece.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub kind: Kind,
    pub text: String,
}

fn piece(kind: Kind, text: &str) -> Piece {
    Piece {
        kind,
        text: text.to_string(),
    }
}

/// Pieces of one line (without its newline).
pub fn line(l: &str) -> Vec<Piece> {
    let trimmed = l.trim_start();
    let indent = &l[..l.len() - trimmed.len()];
    if trimmed.starts_with("Traceback (most recent call last)")
        || trimmed.starts_with("During handling of the above exception")
        || trimmed.starts_with("The above exception was the direct cause")
    {
        return vec![piece(Kind::Header, l)];
    }
    // `File "path", line N, in func`
    if let Some(rest) = trimmed.strip_prefix("File \"") {
        if let Some((path, after)) = rest.split_once('"') {
            let mut out = vec![
                piece(Kind::Plain, &format!("{indent}File \"")),
                piece(Kind::Path, path),
            ];
            if let Some(after_line) = after.strip_prefix(", line ") {
                let digits: String = after_line
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let tail = &after_line[digits.len()..];
                out.push(piece(Kind::Plain, "\", line "));
                out.push(piece(Kind::LineNo, &digits));
                if let Some(func) = tail.strip_prefix(", in ") {
                    out.push(piece(Kind::Plain, ", in "));
                    out.push(piece(Kind::Function, func));
                } else if !tail.is_empty() {
                    out.push(piece(Kind::Plain, tail));
                }
            } else {
                out.push(piece(Kind::Plain, &format!("\"{after}")));
            }
            return out;
        }
    }
    if !indent.is_empty() {
        return vec![piece(Kind::Source, l)];
    }
    // `ValueError: message` or a bare `KeyboardInterrupt`; dotted names allowed.
    let (name, message) = match l.split_once(':') {
        Some((n, m)) => (n, Some(m)),
        None => (l, None),
    };
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && (name.ends_with("Error")
            || name.ends_with("Exception")
            || name.ends_with("Interrupt")
            || message.is_some());
    if is_name {
        let mut out = vec![piece(Kind::ExceptionType, name)];
        if let Some(m) = message {
            out.push(piece(Kind::ExceptionMessage, &format!(":{m}")));
        }
        return out;
    }
    vec![piece(Kind::Plain, l)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(l: &str) -> Vec<(Kind, String)> {
        line(l).into_iter().map(|p| (p.kind, p.text)).collect()
    }

    #[test]
    fn frames_are_split_into_path_line_and_function() {
        assert_eq!(
            kinds("  File \"/srv/jobs/tasks.py\", line 272, in process"),
            vec![
                (Kind::Plain, "  File \"".into()),
                (Kind::Path, "/srv/jobs/tasks.py".into()),
                (Kind::Plain, "\", line ".into()),
                (Kind::LineNo, "272".into()),
                (Kind::Plain, ", in ".into()),
                (Kind::Function, "process".into()),
            ]
        );
    }

    #[test]
    fn header_source_and_exception_lines() {
        assert_eq!(
            kinds("Traceback (most recent call last):")[0].0,
            Kind::Header
        );
        assert_eq!(kinds("    raise ValueError(")[0].0, Kind::Source);
        assert_eq!(
            kinds("ValueError: row 7342: could not convert 'n/a'"),
            vec![
                (Kind::ExceptionType, "ValueError".into()),
                (
                    Kind::ExceptionMessage,
                    ": row 7342: could not convert 'n/a'".into()
                ),
            ]
        );
        assert_eq!(
            kinds("redis.exceptions.ConnectionError")[0].0,
            Kind::ExceptionType
        );
        assert_eq!(kinds("just words here")[0].0, Kind::Plain);
    }

    #[test]
    fn pieces_concatenate_back_to_the_line() {
        for l in [
            "  File \"a b.py\", line 3, in <module>",
            "  File \"x.py\", line 9",
            "  File \"unterminated",
            "<script>alert(1)</script>: x",
            "",
        ] {
            let joined: String = line(l).into_iter().map(|p| p.text).collect();
            assert_eq!(joined, l);
        }
    }
}
