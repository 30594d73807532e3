//! Theme colours for charts: canvas drawing cannot use CSS variables, so the drawer reads the
//! custom properties' text (`--chart-line: #1d6fd8`) and parses it here.

/// An opaque colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Parses `#rgb`, `#rrggbb` and `rgb(r, g, b)` (what computed styles return); `None` for
/// anything else, so the caller falls back to its default instead of drawing black.
pub fn parse_color(text: &str) -> Option<Rgb> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix('#') {
        let digit = |i: usize| u8::from_str_radix(hex.get(i..i + 1)?, 16).ok();
        return match hex.len() {
            3 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
            6 => {
                let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
                Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
            }
            _ => None,
        };
    }
    let inner = t
        .strip_prefix("rgb(")
        .or_else(|| t.strip_prefix("rgba("))?
        .strip_suffix(')')?;
    let mut parts = inner.split(',').map(|p| p.trim().parse::<f64>().ok());
    let mut next = || -> Option<u8> { Some(parts.next()??.clamp(0.0, 255.0).round() as u8) };
    Some(Rgb(next()?, next()?, next()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_stylesheets_and_computed_styles_give() {
        assert_eq!(parse_color(" #1d6fd8"), Some(Rgb(0x1d, 0x6f, 0xd8)));
        assert_eq!(parse_color("#fff"), Some(Rgb(255, 255, 255)));
        assert_eq!(parse_color("rgb(12, 34, 56)"), Some(Rgb(12, 34, 56)));
        assert_eq!(parse_color("rgba(12, 34, 56, 0.5)"), Some(Rgb(12, 34, 56)));
    }

    #[test]
    fn anything_else_is_none() {
        for bad in [
            "",
            "#12",
            "#ggg",
            "blue",
            "rgb(1,2)",
            "#1234567",
            "rgb(a,b,c)",
        ] {
            assert_eq!(parse_color(bad), None, "{bad}");
        }
    }
}
