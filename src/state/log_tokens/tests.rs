//! Tokenizer tests: ANSI styles and stripping, each semantic kind, hostile and huge input,
//! search marks, and the invariants (no panic, text preserved, no controls) as properties.

use super::*;
use proptest::prelude::*;
use std::time::{Duration, Instant};

fn kinds(text: &str) -> Vec<(TokenKind, String)> {
    tokenize(text)
        .into_iter()
        .map(|t| (t.kind, t.text))
        .collect()
}

fn styles(text: &str) -> Vec<(String, Style)> {
    tokenize(text)
        .into_iter()
        .map(|t| (t.text, t.style))
        .collect()
}

/// The kinds of the tokens whose text is `piece` (first occurrence).
fn kind_of(text: &str, piece: &str) -> Option<TokenKind> {
    tokenize(text)
        .into_iter()
        .find(|t| t.text == piece)
        .map(|t| t.kind)
}

fn fg(c: Color) -> Style {
    Style {
        fg: Some(c),
        ..Style::default()
    }
}

fn joined(tokens: &[Token]) -> String {
    tokens.iter().map(|t| t.text.as_str()).collect()
}

// ---- ANSI ----

#[test]
fn sgr_bold_red_then_reset() {
    let bold_red = Style {
        fg: Some(Color::Named(1)),
        bold: true,
        ..Style::default()
    };
    assert_eq!(
        tokenize("\x1b[1;31mERROR\x1b[0m done"),
        vec![
            Token {
                kind: TokenKind::Level(LogLevel::Error),
                style: bold_red,
                text: "ERROR".into()
            },
            Token {
                kind: TokenKind::Text,
                style: Style::default(),
                text: " done".into()
            },
        ]
    );
}

#[test]
fn named_colours_normal_bright_and_background() {
    assert_eq!(styles("\x1b[37mx")[0].1, fg(Color::Named(7)));
    assert_eq!(styles("\x1b[90mx")[0].1, fg(Color::Named(8)));
    assert_eq!(styles("\x1b[97mx")[0].1, fg(Color::Named(15)));
    assert_eq!(styles("\x1b[40mx")[0].1.bg, Some(Color::Named(0)));
    assert_eq!(styles("\x1b[107mx")[0].1.bg, Some(Color::Named(15)));
    // Bold does not brighten.
    let s = styles("\x1b[1;32mx")[0].1;
    assert_eq!((s.fg, s.bold), (Some(Color::Named(2)), true));
}

#[test]
fn palette_and_truecolour() {
    assert_eq!(styles("\x1b[38;5;208mx")[0].1, fg(Color::Indexed(208)));
    assert_eq!(styles("\x1b[38;5;3mx")[0].1, fg(Color::Named(3)));
    assert_eq!(styles("\x1b[48;5;232mx")[0].1.bg, Some(Color::Indexed(232)));
    assert_eq!(styles("\x1b[38;2;1;2;3mx")[0].1, fg(Color::Rgb(1, 2, 3)));
    assert_eq!(
        styles("\x1b[48;2;255;128;0mx")[0].1.bg,
        Some(Color::Rgb(255, 128, 0))
    );
    // ISO 8613-6 colon forms.
    assert_eq!(styles("\x1b[38:2::1:2:3mx")[0].1, fg(Color::Rgb(1, 2, 3)));
    assert_eq!(styles("\x1b[38:2:1:2:3mx")[0].1, fg(Color::Rgb(1, 2, 3)));
    assert_eq!(styles("\x1b[38:5:200mx")[0].1, fg(Color::Indexed(200)));
    // Parameters after an extended colour still apply.
    let s = styles("\x1b[38;5;200;1;44mx")[0].1;
    assert_eq!(
        (s.fg, s.bold, s.bg),
        (Some(Color::Indexed(200)), true, Some(Color::Named(4)))
    );
}

#[test]
fn resets() {
    let all = "\x1b[1;2;3;4;7;31;42m";
    for (reset, expect) in [
        ("0", Style::default()),
        ("", Style::default()),
        (
            "22",
            Style {
                bold: false,
                dim: false,
                ..styles(&format!("{all}x"))[0].1
            },
        ),
    ] {
        assert_eq!(styles(&format!("{all}a\x1b[{reset}mb"))[1].1, expect);
    }
    let s = styles(&format!("{all}a\x1b[23;24;27;39;49mb"))[1].1;
    assert_eq!(
        s,
        Style {
            bold: true,
            dim: true,
            ..Style::default()
        }
    );
    // An empty parameter is a reset too: `;31` = reset, then red.
    assert_eq!(styles("\x1b[1ma\x1b[;31mb")[1].1, fg(Color::Named(1)));
}

#[test]
fn styles_persist_and_nest_within_a_line() {
    let out = styles("\x1b[1ma\x1b[31mb\x1b[4mc\x1b[22md");
    let s: Vec<Style> = out.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        out.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c", "d"]
    );
    assert!(s[0].bold && s[0].fg.is_none());
    assert!(s[1].bold && s[1].fg == Some(Color::Named(1)));
    assert!(s[2].bold && s[2].underline && s[2].fg == Some(Color::Named(1)));
    assert!(!s[3].bold && s[3].underline && s[3].fg == Some(Color::Named(1)));
    // Every line starts unstyled.
    assert_eq!(styles("next")[0].1, Style::default());
    // A no-op change does not split a token.
    assert_eq!(tokenize("\x1b[31mab\x1b[31mcd").len(), 1);
}

#[test]
fn malformed_sgr_is_ignored_safely() {
    for (input, text) in [
        ("\x1b[38;5mx", "x"),
        ("\x1b[38;2;1;2mx", "x"),
        ("\x1b[38;5;999mx", "x"),
        ("\x1b[38;9;1mx", "x"),
        ("\x1b[99999999999999999999mx", "x"),
        ("\x1b[38:2mx", "x"),
        ("\x1b[::;;:mx", "x"),
    ] {
        let t = tokenize(input);
        assert_eq!(joined(&t), text, "{input:?}");
        assert!(t[0].style.fg.is_none(), "{input:?}");
    }
    // `x` is a final byte: a non-SGR sequence, removed; the `m` after it is text.
    assert_eq!(strip_ansi("\x1b[31;xm"), "m");
    // Private markers are not SGR.
    assert_eq!(styles("\x1b[?31mx")[0].1, Style::default());
}

#[test]
fn other_escapes_are_removed() {
    for (input, text) in [
        ("a\x1b[2Jb", "ab"),
        ("a\x1b[1Ab", "ab"),
        ("a\x1b[10;20Hb", "ab"),
        ("a\x1b[Kb", "ab"),
        ("a\x1b[?25lb", "ab"),
        ("a\x1b[6nb", "ab"),
        ("a\x1b(Bb", "ab"),
        ("a\x1b7b\x1b8", "ab"),
        ("a\x1bcb", "ab"),
        ("\x1b]8;;http://evil\x07text\x1b]8;;\x07", "text"),
        ("\x1b]8;;http://evil\x1b\\text\x1b]8;;\x1b\\", "text"),
        ("\x1b]0;title\x1b\\rest", "rest"),
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),
        ("a\x1b_apc\x1b\\b", "ab"),
        // An OSC interrupted by another escape: that escape still works.
        ("a\x1b]8;;x\x1b[31mb", "ab"),
    ] {
        assert_eq!(strip_ansi(input), text, "{input:?}");
        assert_eq!(joined(&tokenize(input)), text, "{input:?}");
    }
    assert_eq!(
        styles("a\x1b]8;;x\x1b[31mb")[1],
        ("b".into(), fg(Color::Named(1)))
    );
}

#[test]
fn unterminated_escapes_at_the_end_are_removed() {
    for input in [
        "abc\x1b",
        "abc\x1b[",
        "abc\x1b[31",
        "abc\x1b[38;5;",
        "abc\x1b]8;;http://evil",
        "abc\x1b]8;;http://evil\x1b",
        "abc\x1b(",
        "abc\x1bP",
    ] {
        assert_eq!(strip_ansi(input), "abc", "{input:?}");
        assert_eq!(joined(&tokenize(input)), "abc", "{input:?}");
    }
    // A broken CSI ends where it broke; what follows is text.
    assert_eq!(strip_ansi("\x1b[31\x1b[0mok"), "ok");
}

#[test]
fn multi_byte_text_right_after_esc_survives() {
    assert_eq!(strip_ansi("\x1bé"), "é");
    assert_eq!(strip_ansi("\x1b[é"), "é");
    assert_eq!(strip_ansi("\x1b[31é\x1b[0m"), "é");
    assert_eq!(strip_ansi("\x1b(😀"), "😀");
    assert_eq!(strip_ansi("\x1b]é\x07ü"), "ü");
    assert_eq!(strip_ansi("ü\x1b"), "ü");
}

/// Where a VT500 parser (vte, anstyle-parse) would go on swallowing, a log line keeps text: a
/// stray OSC ends at the line feed, and a lone ESC before a control takes only itself.
#[test]
fn a_stray_escape_cannot_swallow_what_follows() {
    assert_eq!(strip_ansi("a\x1b]8;;x\nb"), "a b");
    assert_eq!(strip_ansi("a\x1bP1$r\nnext line"), "a next line");
    assert_eq!(strip_ansi("\x1b\x07[x"), "[x");
    assert_eq!(strip_ansi("\x1b\x1b[31mred"), "red");
    assert_eq!(styles("\x1b\x1b[31mred")[0].1, fg(Color::Named(1)));
}

#[test]
fn controls_are_dropped_tab_kept_line_feeds_become_spaces() {
    assert_eq!(strip_ansi("a\rb\x08c\x00d\x07e\tf\x7fg"), "abcde\tfg");
    assert_eq!(strip_ansi("one\r\ntwo\nthree"), "one two three");
    assert_eq!(
        strip_ansi("progress 10%\rprogress 20%"),
        "progress 10%progress 20%"
    );
    // C1 controls (8-bit CSI U+009B included) are dropped; what followed is text.
    assert_eq!(strip_ansi("a\u{9b}31mb\u{85}c"), "a31mbc");
}

#[test]
fn hostile_markup_stays_plain_text() {
    let hostile = r#"<script>alert(1)</script> <img src=x onerror=alert(1)> &lt; &amp;"#;
    let t = tokenize(hostile);
    assert_eq!(joined(&t), hostile);
    assert!(t.iter().all(|t| t.style == Style::default()));
}

// ---- Semantic kinds ----

#[test]
fn timestamps() {
    for ts in [
        "2026-11-28T23:50:51.751Z",
        "2026-11-28T23:50:51+01:00",
        "2026-11-28 23:50:51,751",
        "2026-11-28T23:50",
        "23:50:51",
        "23:50:51.5",
        "2026-11-28",
    ] {
        let line = format!("at {ts} ok");
        assert_eq!(kind_of(&line, ts), Some(TokenKind::Timestamp), "{ts}");
    }
    assert_eq!(kind_of("at 12:30 ok", "12"), Some(TokenKind::Number));
    assert_eq!(kind_of("2026-13-01", "2026"), Some(TokenKind::Number));
    assert_eq!(kind_of("25:61:00x", "25:61:00x"), None);
}

#[test]
fn levels_as_whole_words() {
    for (word, level) in [
        ("DEBUG", LogLevel::Debug),
        ("INFO", LogLevel::Info),
        ("WARNING", LogLevel::Warning),
        ("WARN", LogLevel::Warning),
        ("ERROR", LogLevel::Error),
        ("CRITICAL", LogLevel::Critical),
        ("FATAL", LogLevel::Critical),
    ] {
        assert_eq!(
            kind_of(&format!("[{word}] x"), word),
            Some(TokenKind::Level(level))
        );
    }
    for not in ["ERRORS", "error", "ERROR_CODE", "xINFO"] {
        assert!(
            tokenize(not).iter().all(|t| t.kind == TokenKind::Text),
            "{not}"
        );
    }
}

#[test]
fn numbers_as_whole_words() {
    assert_eq!(
        kinds("chunk 3/40 done (500 rows) mean -12.5 eps 1e-5"),
        vec![
            (TokenKind::Text, "chunk ".into()),
            (TokenKind::Number, "3".into()),
            (TokenKind::Text, "/".into()),
            (TokenKind::Number, "40".into()),
            (TokenKind::Text, " done (".into()),
            (TokenKind::Number, "500".into()),
            (TokenKind::Text, " rows) mean ".into()),
            (TokenKind::Number, "-12.5".into()),
            (TokenKind::Text, " eps ".into()),
            (TokenKind::Number, "1e-5".into()),
        ]
    );
    for not in [
        "v2", "12ms", "10.0.0.1", "abc123", "x_1", "0x1f", "1.2.3", "émoji5",
    ] {
        assert!(
            tokenize(not).iter().all(|t| t.kind == TokenKind::Text),
            "{not}"
        );
    }
    assert_eq!(kind_of("rows 1-500.", "500"), Some(TokenKind::Number));
    assert_eq!(kind_of("(-1)", "-1"), Some(TokenKind::Number));
    for not in ["utf-8", "sha-256", "job_0123"] {
        assert!(
            tokenize(not).iter().all(|t| t.kind == TokenKind::Text),
            "{not}"
        );
    }
}

#[test]
fn quoted_strings() {
    assert_eq!(
        kinds("could not convert 'n/a' to \"float\""),
        vec![
            (TokenKind::Text, "could not convert ".into()),
            (TokenKind::Str, "'n/a'".into()),
            (TokenKind::Text, " to ".into()),
            (TokenKind::Str, "\"float\"".into()),
        ]
    );
    assert_eq!(
        kind_of(r#"say "a \"b\" c" now"#, r#""a \"b\" c""#),
        Some(TokenKind::Str)
    );
    // Apostrophes and unterminated quotes are not strings.
    for not in ["don't won't", "\"unterminated", "it's 'open"] {
        assert!(
            tokenize(not).iter().all(|t| t.kind == TokenKind::Text),
            "{not}"
        );
    }
}

#[test]
fn json_payloads_are_split() {
    assert_eq!(
        kinds(r#"stats: {"column": "amount", "mean": 12.5, "ok": [true, null]}"#),
        vec![
            (TokenKind::Text, "stats: ".into()),
            (TokenKind::JsonPunct, "{".into()),
            (TokenKind::JsonKey, "\"column\"".into()),
            (TokenKind::JsonPunct, ": ".into()),
            (TokenKind::JsonString, "\"amount\"".into()),
            (TokenKind::JsonPunct, ", ".into()),
            (TokenKind::JsonKey, "\"mean\"".into()),
            (TokenKind::JsonPunct, ": ".into()),
            (TokenKind::JsonNumber, "12.5".into()),
            (TokenKind::JsonPunct, ", ".into()),
            (TokenKind::JsonKey, "\"ok\"".into()),
            (TokenKind::JsonPunct, ": [".into()),
            (TokenKind::JsonLiteral, "true".into()),
            (TokenKind::JsonPunct, ", ".into()),
            (TokenKind::JsonLiteral, "null".into()),
            (TokenKind::JsonPunct, "]}".into()),
        ]
    );
    assert_eq!(kind_of("[1, -2e3] x", "-2e3"), Some(TokenKind::JsonNumber));
    assert_eq!(
        kind_of(r#"{"k\"ey": "v"}"#, r#""k\"ey""#),
        Some(TokenKind::JsonKey)
    );
    // Not JSON: Python reprs, bracketed labels, indexing.
    assert_eq!(kind_of("{'a': 1}", "'a'"), Some(TokenKind::Str));
    assert_eq!(kind_of("{'a': 1}", "1"), Some(TokenKind::Number));
    assert_eq!(kind_of("chunk [1/40]", "1"), Some(TokenKind::Number));
    assert!(!tokenize("values[0]")
        .iter()
        .any(|t| t.kind == TokenKind::JsonNumber));
    assert!(tokenize(r#"{"a": 1"#)
        .iter()
        .all(|t| !matches!(t.kind, TokenKind::JsonKey | TokenKind::JsonPunct)));
}

#[test]
fn json_keeps_its_ansi_style() {
    let t = tokenize("\x1b[2m{\"a\": 1}\x1b[0m");
    assert!(t.iter().all(|t| t.style.dim));
    assert_eq!(t[1].kind, TokenKind::JsonKey);
}

#[test]
fn traceback_pieces() {
    assert_eq!(
        kinds("Traceback (most recent call last):"),
        vec![(
            TokenKind::TbHeader,
            "Traceback (most recent call last):".into()
        )]
    );
    assert_eq!(
        kinds("  File \"/srv/jobs/tasks.py\", line 272, in process"),
        vec![
            (TokenKind::Text, "  File \"".into()),
            (TokenKind::TbPath, "/srv/jobs/tasks.py".into()),
            (TokenKind::Text, "\", line ".into()),
            (TokenKind::TbLineNo, "272".into()),
            (TokenKind::Text, ", in ".into()),
            (TokenKind::TbFunc, "process".into()),
        ]
    );
    assert_eq!(
        kinds("ValueError: row 7342: could not convert 'n/a'"),
        vec![
            (TokenKind::TbException, "ValueError".into()),
            (TokenKind::Text, ": row ".into()),
            (TokenKind::Number, "7342".into()),
            (TokenKind::Text, ": could not convert ".into()),
            (TokenKind::Str, "'n/a'".into()),
        ]
    );
    assert_eq!(
        kind_of(
            "redis.exceptions.ConnectionError",
            "redis.exceptions.ConnectionError"
        ),
        Some(TokenKind::TbException)
    );
    assert_eq!(
        kind_of("KeyboardInterrupt", "KeyboardInterrupt"),
        Some(TokenKind::TbException)
    );
    // Ordinary `word: text` lines and `File "x"` without a line number are not tracebacks.
    assert_eq!(kind_of("stats: x", "stats: x"), Some(TokenKind::Text));
    assert_eq!(
        kind_of("File \"x\" not found", "\"x\""),
        Some(TokenKind::Str)
    );
    assert_eq!(
        kind_of("  ValueError: x", "  ValueError: x"),
        Some(TokenKind::Text)
    );
}

#[test]
fn multi_line_error_keeps_traceback_pieces_per_line() {
    // The backend's failure line: message, then the traceback on the following lines.
    let text = "job failed: ValueError: bad\nTraceback (most recent call last):\n  File \"/srv/t.py\", line 9, in run\n    raise ValueError(\"bad\")\nValueError: bad";
    let t = tokenize(text);
    assert_eq!(joined(&t), text.replace('\n', " "));
    let of = |k: TokenKind| -> Vec<&str> {
        t.iter()
            .filter(|t| t.kind == k)
            .map(|t| t.text.as_str())
            .collect()
    };
    assert_eq!(
        of(TokenKind::TbHeader),
        ["Traceback (most recent call last):"]
    );
    assert_eq!(of(TokenKind::TbPath), ["/srv/t.py"]);
    assert_eq!(of(TokenKind::TbLineNo), ["9"]);
    assert_eq!(of(TokenKind::TbFunc), ["run"]);
    assert_eq!(of(TokenKind::TbException), ["ValueError"]);
    assert_eq!(of(TokenKind::Str), ["\"bad\""]);
}

#[test]
fn backend_lines() {
    let t = tokenize("\x1b[33mWARN\x1b[0m chunk 4: 2 empty value(s) in column 'amount'");
    assert_eq!(t[0].kind, TokenKind::Level(LogLevel::Warning));
    assert_eq!(t[0].style.fg, Some(Color::Named(3)));
    let t = tokenize("chunk 3/40 done (500 rows) \x1b[32mOK\x1b[0m");
    assert_eq!(t.last().map(|t| t.text.as_str()), Some("OK"));
    assert_eq!(t.last().and_then(|t| t.style.fg), Some(Color::Named(2)));
}

// ---- Size and speed ----

#[test]
fn a_200_kb_line_keeps_styles_and_skips_kinds() {
    let body = "ERROR 12 {\"a\": 1} ".repeat(200_000 / 19);
    let text = format!("\x1b[31m{body}\x1b[0mend");
    let started = Instant::now();
    let t = tokenize(&text);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(joined(&t), format!("{body}end"));
    assert_eq!(t.len(), 2);
    assert!(t.iter().all(|t| t.kind == TokenKind::Text));
    assert_eq!(t[0].style.fg, Some(Color::Named(1)));
    assert_eq!(strip_ansi(&text).len(), body.len() + 3);
}

#[test]
fn lines_up_to_max_styled_are_highlighted() {
    let text = format!("{} 42", "x".repeat(MAX_STYLED - 3));
    assert_eq!(text.len(), MAX_STYLED);
    assert_eq!(tokenize(&text)[1].kind, TokenKind::Number);
    assert_eq!(tokenize(&format!("{text} "))[0].kind, TokenKind::Text);
    assert_eq!(tokenize(&format!("{text} ")).len(), 1);
}

#[test]
fn pathological_lines_stay_fast() {
    let n = MAX_STYLED;
    let inputs = [
        "[".repeat(n),
        "{".repeat(n),
        "[1,".repeat(n / 3),
        "{\"a\":".repeat(n / 5),
        "\"".repeat(n),
        " '".repeat(n / 2),
        " \"a\\".repeat(n / 4),
        "[\" ".repeat(n / 3),
        "\x1b[".repeat(n / 2),
        "\x1b]".repeat(n / 2),
        "1.".repeat(n / 2),
        " 2026-11-28T".repeat(n / 12),
        "\x1b[38;5;".repeat(n / 7),
    ];
    for text in inputs {
        let started = Instant::now();
        let t = tokenize(&text);
        let took = started.elapsed();
        assert_eq!(joined(&t), strip_ansi(&text));
        assert!(
            took < Duration::from_millis(500),
            "{took:?} for {:?}…",
            &text[..12]
        );
    }
}

// ---- Palette ----

#[test]
fn xterm_palette() {
    assert_eq!(xterm_rgb(0), (0, 0, 0));
    assert_eq!(xterm_rgb(1), (205, 0, 0));
    assert_eq!(xterm_rgb(15), (255, 255, 255));
    assert_eq!(xterm_rgb(16), (0, 0, 0));
    assert_eq!(xterm_rgb(21), (0, 0, 255));
    assert_eq!(xterm_rgb(196), (255, 0, 0));
    assert_eq!(xterm_rgb(208), (255, 135, 0));
    assert_eq!(xterm_rgb(231), (255, 255, 255));
    assert_eq!(xterm_rgb(232), (8, 8, 8));
    assert_eq!(xterm_rgb(255), (238, 238, 238));
}

// ---- Search marks ----

#[test]
fn matches_ignore_case() {
    assert_eq!(
        find_matches("Error error ERROR", "error"),
        vec![0..5, 6..11, 12..17]
    );
    assert_eq!(find_matches("aaa", "aa"), vec![0..2]);
    assert_eq!(
        find_matches("abc", ""),
        Vec::<std::ops::Range<usize>>::new()
    );
    assert_eq!(find_matches("Größe GRÖSSE", "grö"), vec![0..4, 8..12]);
    // Lower-casing `İ` gives two chars; the match maps back to the whole original char.
    assert_eq!(find_matches("xİy", "i"), vec![1..3]);
    assert_eq!(find_matches("İİ", "i̇"), vec![0..2, 2..4]);
}

#[test]
fn a_match_spanning_tokens_is_one_group() {
    let tokens = tokenize("\x1b[31mERR\x1b[0mOR 42");
    let visible = joined(&tokens);
    let ranges = find_matches(&visible, "rror 4");
    assert_eq!(ranges, vec![1..7]);
    let pieces = mark_matches(&tokens, &ranges);
    let texts: Vec<(bool, Vec<&str>)> = pieces
        .iter()
        .map(|p| match p {
            Piece::Plain(t) => (false, vec![t.text.as_str()]),
            Piece::Marked(ts) => (true, ts.iter().map(|t| t.text.as_str()).collect()),
        })
        .collect();
    assert_eq!(
        texts,
        vec![
            (false, vec!["E"]),
            (true, vec!["RR", "OR", " ", "4"]),
            (false, vec!["2"]),
        ]
    );
    if let Piece::Marked(ts) = &pieces[1] {
        // The level word keeps its kind across the style change; the search cut is extra.
        assert_eq!(ts[0].style.fg, Some(Color::Named(1)));
        assert_eq!(ts[1].kind, TokenKind::Level(LogLevel::Error));
        assert_eq!(ts[1].style, Style::default());
        assert_eq!(ts[3].kind, TokenKind::Number);
    }
}

#[test]
fn adjacent_matches_stay_separate_groups() {
    let tokens = tokenize("abab");
    let pieces = mark_matches(&tokens, &find_matches("abab", "ab"));
    assert_eq!(pieces.len(), 2);
    assert!(pieces
        .iter()
        .all(|p| matches!(p, Piece::Marked(ts) if ts.len() == 1)));
}

// ---- Properties ----

fn fragments() -> impl Strategy<Value = String> {
    let pieces: Vec<&'static str> = vec![
        "\x1b",
        "[",
        "]",
        ";",
        ":",
        "m",
        "0",
        "1",
        "3",
        "5",
        "8",
        "38;5;",
        "48;2;",
        "\x07",
        "\\",
        "\"",
        "'",
        "{",
        "}",
        ",",
        " ",
        "\t",
        "\n",
        "\r",
        "\x08",
        "\x00",
        "-",
        ".",
        "e",
        "E",
        "T",
        "Z",
        "a",
        "é",
        "😀",
        "\u{9b}",
        "\u{85}",
        "İ",
        "ERROR",
        "WARN",
        "2026-11-28",
        "23:50:51",
        "{\"a\": 1}",
        "[1, true]",
        "null",
        "Traceback (most recent call last):",
        "  File \"",
        "\", line ",
        ", in ",
        "ValueError",
        "<img src=x onerror=alert(1)>",
        "\x1b]8;;",
        "\x1b\\",
    ];
    proptest::collection::vec(proptest::sample::select(pieces), 0..60).prop_map(|v| v.concat())
}

fn check(input: &str) -> Result<(), TestCaseError> {
    let tokens = tokenize(input);
    prop_assert_eq!(joined(&tokens), strip_ansi(input));
    for t in &tokens {
        prop_assert!(!t.text.is_empty());
        prop_assert!(
            !t.text.chars().any(|c| c.is_control() && c != '\t'),
            "control in {:?}",
            t.text
        );
    }
    for pair in tokens.windows(2) {
        prop_assert!(pair[0].kind != pair[1].kind || pair[0].style != pair[1].style);
    }
    Ok(())
}

proptest! {
    #[test]
    fn fragments_tokenize_safely(input in fragments()) {
        check(&input)?;
    }

    #[test]
    fn any_string_tokenizes_safely(input in any::<String>()) {
        check(&input)?;
    }

    #[test]
    fn marks_preserve_text_and_cover_matches(input in fragments(), needle in "[a-zA-Z0-9 \"{:]{1,4}") {
        let tokens = tokenize(&input);
        let visible = joined(&tokens);
        let ranges = find_matches(&visible, &needle);
        let pieces = mark_matches(&tokens, &ranges);
        let mut all = String::new();
        let mut marked = Vec::new();
        for p in &pieces {
            match p {
                Piece::Plain(t) => all.push_str(&t.text),
                Piece::Marked(ts) => {
                    let m: String = ts.iter().map(|t| t.text.as_str()).collect();
                    all.push_str(&m);
                    marked.push(m);
                }
            }
        }
        prop_assert_eq!(&all, &visible);
        prop_assert_eq!(marked.len(), ranges.len());
        for (m, r) in marked.iter().zip(&ranges) {
            prop_assert_eq!(m.as_str(), &visible[r.clone()]);
        }
    }
}
