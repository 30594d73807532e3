//! One log line's text, highlighted: each token is a `<span>` holding a text node (never
//! HTML), with classes for its kind and ANSI style; search matches are wrapped in `<mark>`,
//! even when they span several tokens. Colours beyond the 16 themed ones are inline styles
//! built only from numbers, adjusted to keep 4.5:1 contrast (WCAG AA) in either theme.

use yew::prelude::*;

use crate::state::contrast::{readable_on, AA, DARK_LOG_BG, LIGHT_LOG_BG};
use crate::state::log_tokens::{
    find_matches, mark_matches, tokenize, xterm_rgb, Color, Piece, Token, TokenKind,
};

#[derive(Properties, PartialEq)]
pub struct LogTextProps {
    /// The line's raw text (untrusted; may hold ANSI escapes).
    pub text: AttrValue,
    /// A search term to mark, ignoring case, in the visible text.
    #[prop_or_default]
    pub highlight: Option<AttrValue>,
}

#[component]
pub fn LogText(props: &LogTextProps) -> Html {
    let tokens = use_memo(props.text.clone(), |text| tokenize(text));
    let needle = props.highlight.as_deref().filter(|h| !h.is_empty());
    let Some(needle) = needle else {
        return html! { <>{ for tokens.iter().map(span) }</> };
    };
    let visible: String = tokens.iter().map(|t| t.text.as_str()).collect();
    let ranges = find_matches(&visible, needle);
    let pieces = mark_matches(&tokens, &ranges).into_iter().map(|p| match p {
        Piece::Plain(t) => span(&t),
        Piece::Marked(ts) => html! { <mark class="log-match">{ for ts.iter().map(span) }</mark> },
    });
    html! { <>{ for pieces }</> }
}

fn span(t: &Token) -> Html {
    let class = classes_for(t);
    html! {
        <span class={(!class.is_empty()).then_some(class)} style={style_for(t)}>
            { t.text.clone() }
        </span>
    }
}

/// The class of a token's kind (`None` for plain text).
fn kind_class(kind: TokenKind) -> Option<String> {
    let class = match kind {
        TokenKind::Text => return None,
        TokenKind::Timestamp => "tok-ts",
        TokenKind::Level(l) => return Some(format!("tok-level tok-level-{}", l.name())),
        TokenKind::Number => "tok-num",
        TokenKind::Str => "tok-str",
        TokenKind::JsonKey => "tok-json-key",
        TokenKind::JsonString => "tok-json-str",
        TokenKind::JsonNumber => "tok-json-num",
        TokenKind::JsonLiteral => "tok-json-lit",
        TokenKind::JsonPunct => "tok-json-punct",
        TokenKind::TbHeader => "tok-tb-header",
        TokenKind::TbPath => "tok-tb-path",
        TokenKind::TbLineNo => "tok-tb-lineno",
        TokenKind::TbFunc => "tok-tb-func",
        TokenKind::TbException => "tok-exc",
    };
    Some(class.to_string())
}

/// Foreground and background after `inverse` is applied.
fn colours(t: &Token) -> (Option<Color>, Option<Color>) {
    let s = &t.style;
    if s.inverse {
        (s.bg, s.fg)
    } else {
        (s.fg, s.bg)
    }
}

/// Space-separated classes: the kind's, then ANSI ones (`ansi-fg-N`/`ansi-bg-N` for the 16
/// themed colours, attributes, `ansi-inverse` for the default colours swapped).
pub fn classes_for(t: &Token) -> String {
    let mut classes: Vec<String> = kind_class(t.kind).into_iter().collect();
    let (fg, bg) = colours(t);
    if t.style.inverse {
        classes.push("ansi-inverse".into());
    }
    if let Some(Color::Named(n)) = fg {
        classes.push(format!("ansi-fg-{n}"));
    }
    if themed_fg(t).is_some() {
        classes.push("ansi-fg-themed".into());
    }
    if let Some(Color::Named(n)) = bg {
        classes.push(format!("ansi-bg-{n}"));
    }
    for (on, class) in [
        (t.style.bold, "ansi-bold"),
        (t.style.dim, "ansi-dim"),
        (t.style.italic, "ansi-italic"),
        (t.style.underline, "ansi-underline"),
    ] {
        if on {
            classes.push(class.into());
        }
    }
    classes.join(" ")
}

fn rgb(c: Color) -> Option<(u8, u8, u8)> {
    match c {
        Color::Named(_) => None,
        Color::Indexed(n) => Some(xterm_rgb(n)),
        Color::Rgb(r, g, b) => Some((r, g, b)),
    }
}

/// A 256-palette or truecolour foreground on the log's own background (no background of the
/// line's choosing): its colour depends on the theme, so it is set through `--fg-light` /
/// `--fg-dark` and the `ansi-fg-themed` class (logs.css).
fn themed_fg(t: &Token) -> Option<(u8, u8, u8)> {
    let (fg, bg) = colours(t);
    fg.and_then(rgb).filter(|_| bg.is_none())
}

fn css_rgb((r, g, b): (u8, u8, u8)) -> String {
    format!("rgb({r}, {g}, {b})")
}

/// Inline style for 256-palette and truecolour colours, built only from numbers. A colour that
/// would read below 4.5:1 on its background is darkened or lightened just enough (on the
/// theme's log background for each theme, or on the line's own background colour).
pub fn style_for(t: &Token) -> Option<String> {
    let (fg, bg) = colours(t);
    let mut decls = Vec::new();
    if let Some(c) = themed_fg(t) {
        decls.push(format!(
            "--fg-light: {}; --fg-dark: {}",
            css_rgb(readable_on(c, LIGHT_LOG_BG, AA)),
            css_rgb(readable_on(c, DARK_LOG_BG, AA))
        ));
    } else if let Some(c) = fg.and_then(rgb) {
        // On a palette background (theme-dependent) it is kept as chosen.
        let c = bg.and_then(rgb).map_or(c, |b| readable_on(c, b, AA));
        decls.push(format!("color: {}", css_rgb(c)));
    }
    if let Some(b) = bg.and_then(rgb) {
        decls.push(format!("background-color: {}", css_rgb(b)));
    }
    (!decls.is_empty()).then(|| decls.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::log_tokens::{LogLevel, Style};

    fn token(kind: TokenKind, style: Style) -> Token {
        Token {
            kind,
            style,
            text: "x".into(),
        }
    }

    /// A token of `kind` in `fg` on `bg`, without attributes.
    fn in_colours(kind: TokenKind, fg: Option<Color>, bg: Option<Color>) -> Token {
        token(
            kind,
            Style {
                fg,
                bg,
                ..Style::default()
            },
        )
    }

    fn true_colour(r: u8, g: u8, b: u8) -> Option<Color> {
        Some(Color::Rgb(r, g, b))
    }

    #[test]
    fn plain_text_has_no_class_and_no_style() {
        let t = token(TokenKind::Text, Style::default());
        assert_eq!(classes_for(&t), "");
        assert_eq!(style_for(&t), None);
    }

    #[test]
    fn kinds_map_to_classes() {
        let plain = Style::default();
        for (kind, class) in [
            (TokenKind::Timestamp, "tok-ts"),
            (
                TokenKind::Level(LogLevel::Error),
                "tok-level tok-level-error",
            ),
            (
                TokenKind::Level(LogLevel::Warning),
                "tok-level tok-level-warning",
            ),
            (TokenKind::Number, "tok-num"),
            (TokenKind::Str, "tok-str"),
            (TokenKind::JsonKey, "tok-json-key"),
            (TokenKind::JsonString, "tok-json-str"),
            (TokenKind::JsonNumber, "tok-json-num"),
            (TokenKind::JsonLiteral, "tok-json-lit"),
            (TokenKind::JsonPunct, "tok-json-punct"),
            (TokenKind::TbHeader, "tok-tb-header"),
            (TokenKind::TbPath, "tok-tb-path"),
            (TokenKind::TbLineNo, "tok-tb-lineno"),
            (TokenKind::TbFunc, "tok-tb-func"),
            (TokenKind::TbException, "tok-exc"),
        ] {
            assert_eq!(classes_for(&token(kind, plain)), class);
        }
    }

    #[test]
    fn named_colours_and_attributes_are_classes() {
        let style = Style {
            fg: Some(Color::Named(1)),
            bg: Some(Color::Named(12)),
            bold: true,
            dim: true,
            italic: true,
            underline: true,
            inverse: false,
        };
        let t = token(TokenKind::Level(LogLevel::Error), style);
        assert_eq!(
            classes_for(&t),
            "tok-level tok-level-error ansi-fg-1 ansi-bg-12 ansi-bold ansi-dim ansi-italic ansi-underline"
        );
        assert_eq!(style_for(&t), None);
    }

    /// The classes and inline style of a text token in `fg` on `bg`.
    fn rendered(fg: Option<Color>, bg: Option<Color>) -> (String, String) {
        let t = in_colours(TokenKind::Text, fg, bg);
        (classes_for(&t), style_for(&t).unwrap_or_default())
    }

    #[test]
    fn colours_on_the_log_background_are_per_theme_and_readable() {
        // Dark enough for the light theme, too dark for the dark one.
        let (classes, style) = rendered(true_colour(0x11, 0x63, 0x29), None);
        assert_eq!(classes, "ansi-fg-themed");
        assert!(
            style.starts_with("--fg-light: rgb(17, 99, 41); --fg-dark: rgb("),
            "{style}"
        );
        assert!(!style.ends_with("rgb(17, 99, 41)"), "{style}");
        // The synthetic logs' truecolour blue is darkened for light and lightened for dark
        // (a number token: the kind does not change the colour).
        let blue = in_colours(TokenKind::Number, true_colour(0, 135, 255), None);
        let style = style_for(&blue).unwrap_or_default();
        assert!(
            !style.starts_with("--fg-light: rgb(0, 135, 255)"),
            "{style}"
        );
        assert!(!style.ends_with("--fg-dark: rgb(0, 135, 255)"), "{style}");
        // A light blue is kept as it is in the dark theme.
        let (_, style) = rendered(true_colour(0x79, 0xc0, 0xff), None);
        assert!(style.ends_with("--fg-dark: rgb(121, 192, 255)"), "{style}");
    }

    #[test]
    fn a_colour_on_its_own_background_is_made_readable_on_it() {
        let (classes, style) = rendered(true_colour(90, 90, 90), true_colour(80, 80, 80));
        assert_eq!(classes, "");
        assert!(
            style.ends_with("; background-color: rgb(80, 80, 80)"),
            "{style}"
        );
        assert!(!style.starts_with("color: rgb(90, 90, 90)"), "{style}");
    }

    #[test]
    fn palette_and_truecolour_are_inline_rgb() {
        assert_eq!(
            rendered(Some(Color::Indexed(208)), true_colour(1, 2, 3)),
            (
                String::new(),
                "color: rgb(255, 135, 0); background-color: rgb(1, 2, 3)".to_string()
            )
        );
    }

    #[test]
    fn inverse_swaps_colours() {
        let inverse = |mut t: Token| {
            t.style.inverse = true;
            t
        };
        let t = inverse(in_colours(
            TokenKind::Text,
            Some(Color::Named(2)),
            Some(Color::Indexed(232)),
        ));
        assert_eq!(classes_for(&t), "ansi-inverse ansi-bg-2");
        assert_eq!(style_for(&t).as_deref(), Some("color: rgb(8, 8, 8)"));
        let default_inverse = inverse(token(TokenKind::Text, Style::default()));
        assert_eq!(classes_for(&default_inverse), "ansi-inverse");
    }
}
