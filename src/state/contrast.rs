//! Text contrast (WCAG 2 relative luminance): the check behind the theme's colours, and the
//! adjustment that keeps colours a log line chose itself (256-colour and truecolour ANSI)
//! readable on the log's background, as terminals with a minimum-contrast setting do.

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// WCAG AA for normal text.
pub const AA: f64 = 4.5;

/// The darkest background log text sits on in the light theme: a marked row, `--row-mark`
/// (8 % `--accent`) over `--bg` (styles/main.css; a test below keeps them in step). Text
/// readable there is readable on the plain `--bg` too, which is lighter.
pub const LIGHT_LOG_BG: Rgb = (0xe6, 0xeb, 0xf6);
/// The lightest in the dark theme: 16 % `--accent` over `--bg`.
pub const DARK_LOG_BG: Rgb = (0x23, 0x2c, 0x41);

fn channel(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.03928 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Relative luminance, 0 (black) to 1 (white).
pub fn luminance((r, g, b): Rgb) -> f64 {
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// The contrast ratio, 1 to 21, whichever colour is lighter.
pub fn ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `a` mixed with `b`: `t` = 0 is `a`, 1 is `b`.
pub fn mix(a: Rgb, b: Rgb, t: f64) -> Rgb {
    let m = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    (m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// `fg` itself when it has at least `min` contrast on `bg`; else the least change towards
/// black (on a light background) or white (on a dark one) that reaches it, so the hue a
/// program chose stays recognisable.
pub fn readable_on(fg: Rgb, bg: Rgb, min: f64) -> Rgb {
    if ratio(fg, bg) >= min {
        return fg;
    }
    let towards = if ratio((0, 0, 0), bg) >= ratio((255, 255, 255), bg) {
        (0, 0, 0)
    } else {
        (255, 255, 255)
    };
    // Luminance grows monotonically along the mix, so the first step that reaches `min` is
    // the least change (in 1/64ths).
    (1..=64)
        .map(|i| mix(fg, towards, f64::from(i) / 64.0))
        .find(|&c| ratio(c, bg) >= min)
        .unwrap_or(towards)
}

/// `#rrggbb` (as in the stylesheets).
pub fn parse_hex(s: &str) -> Option<Rgb> {
    let h = s.strip_prefix('#').filter(|h| h.len() == 6)?;
    let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn ratios_match_wcag() {
        assert!((ratio((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
        assert!((ratio((255, 255, 255), (255, 255, 255)) - 1.0).abs() < 1e-9);
        // #767676 on white is the well-known 4.54:1.
        let grey = ratio((0x76, 0x76, 0x76), (255, 255, 255));
        assert!((grey - 4.54).abs() < 0.01, "{grey}");
        assert_eq!(parse_hex("#0087ff"), Some((0, 0x87, 0xff)));
        assert_eq!(parse_hex("0087ff"), None);
        assert_eq!(parse_hex("#fff"), None);
        assert_eq!(parse_hex("#gg0000"), None);
    }

    #[test]
    fn readable_colours_are_kept_and_others_adjusted_a_little() {
        let ok = (0x11, 0x63, 0x29);
        assert_eq!(readable_on(ok, LIGHT_LOG_BG, AA), ok);
        // The synthetic logs' truecolour blue, 3.3:1 on the light background.
        let blue = (0, 0x87, 0xff);
        let fixed = readable_on(blue, LIGHT_LOG_BG, AA);
        assert!(ratio(fixed, LIGHT_LOG_BG) >= AA);
        assert!(
            fixed.2 > fixed.0 && fixed.2 > fixed.1,
            "still blue: {fixed:?}"
        );
        // Near black on the dark background goes lighter.
        let dark = readable_on((8, 8, 8), DARK_LOG_BG, AA);
        assert!(dark.0 > 8 && ratio(dark, DARK_LOG_BG) >= AA, "{dark:?}");
    }

    proptest! {
        #[test]
        fn readable_on_always_reaches_aa(fg in any::<(u8, u8, u8)>(), bg in any::<(u8, u8, u8)>()) {
            let c = readable_on(fg, bg, AA);
            prop_assert!(ratio(c, bg) >= AA, "{:?} on {:?} -> {:?}", fg, bg, c);
            if ratio(fg, bg) >= AA {
                prop_assert_eq!(c, fg);
            }
        }
    }

    // ---- the stylesheets' palette meets WCAG AA in both themes ----------------------------

    const CSS: [&str; 2] = [
        include_str!("../../styles/main.css"),
        include_str!("../../styles/logs.css"),
    ];

    fn strip_comments(css: &str) -> String {
        let mut out = String::new();
        let mut rest = css;
        while let Some((before, after)) = rest.split_once("/*") {
            out.push_str(before);
            rest = after.split_once("*/").map_or("", |(_, a)| a);
        }
        out.push_str(rest);
        out
    }

    /// `--name: #rrggbb` declarations of the light (`:root {`) or dark
    /// (`:root[data-theme="dark"] {`) blocks, the dark ones over the light ones.
    fn palette(dark: bool) -> BTreeMap<String, Rgb> {
        let mut vars = BTreeMap::new();
        for pass in [false, true].into_iter().filter(|p| !*p || dark) {
            let head = if pass {
                ":root[data-theme=\"dark\"] {"
            } else {
                ":root {"
            };
            for css in CSS.map(strip_comments) {
                for block in css.split(head).skip(1) {
                    let body = block.split('}').next().unwrap_or_default();
                    for decl in body.split(';') {
                        if let Some((k, v)) = decl.split_once(':') {
                            if let (Some(k), Some(v)) =
                                (k.trim().strip_prefix("--"), parse_hex(v.trim()))
                            {
                                vars.insert(k.to_string(), v);
                            }
                        }
                    }
                }
            }
        }
        vars
    }

    fn var(p: &BTreeMap<String, Rgb>, k: &str) -> Rgb {
        *p.get(k)
            .unwrap_or_else(|| panic!("--{k} missing from the stylesheets"))
    }

    #[test]
    fn log_backgrounds_are_the_stylesheets() {
        for (dark, pct, want) in [(false, 8, LIGHT_LOG_BG), (true, 16, DARK_LOG_BG)] {
            let p = palette(dark);
            let mark = mix(var(&p, "bg"), var(&p, "accent"), f64::from(pct) / 100.0);
            let close = |a: u8, b: u8| a.abs_diff(b) <= 1;
            assert!(
                close(mark.0, want.0) && close(mark.1, want.1) && close(mark.2, want.2),
                "dark={dark}: --row-mark over --bg is {mark:?}, the constant {want:?}"
            );
        }
        assert_ne!(
            palette(true)["bg"],
            palette(false)["bg"],
            "the dark block was not read"
        );
        let main = CSS[0];
        assert!(main.contains("--row-mark: color-mix(in srgb, var(--accent) 8%, transparent);"));
        assert!(main.contains("--row-mark: color-mix(in srgb, var(--accent) 16%, transparent);"));
    }

    #[test]
    fn every_text_colour_meets_aa_on_every_background() {
        let text = [
            "text",
            "muted",
            "accent",
            "queued",
            "running",
            "cancelling",
            "succeeded",
            "failed",
            "cancelled",
        ];
        let mut bad = Vec::new();
        for dark in [false, true] {
            let p = palette(dark);
            let mark = if dark { DARK_LOG_BG } else { LIGHT_LOG_BG };
            let ansi = (0..16).map(|i| format!("ansi-{i}"));
            let fgs = text.iter().map(|s| s.to_string()).chain(ansi);
            let mut check = |fg: &str, c: Rgb, bg_name: &str, bg: Rgb| {
                let r = ratio(c, bg);
                if r < AA {
                    bad.push(format!("dark={dark}: --{fg} on {bg_name}: {r:.2}"));
                }
            };
            for fg in fgs {
                let c = var(&p, &fg);
                check(&fg, c, "--bg", var(&p, "bg"));
                check(&fg, c, "--surface", var(&p, "surface"));
                check(&fg, c, "a marked row", mark);
            }
            let on = var(&p, "on-accent");
            check("on-accent", on, "--accent", var(&p, "accent"));
            check("on-accent", on, "--failed", var(&p, "failed"));
            check("surface", var(&p, "surface"), "--accent", var(&p, "accent"));
            check("text", var(&p, "text"), "--log-match", var(&p, "log-match"));
        }
        assert!(bad.is_empty(), "below 4.5:1:\n{}", bad.join("\n"));
    }
}
