//! Untrusted text next to the app's own words: bidirectional controls made visible.
//!
//! Dataset names, job ids, parameters and errors come from uploaded data nobody vetted. A
//! right-to-left override (U+202E) inside `report<U+202E>vsc.exe` makes it *display* as
//! `reportexe.csv`, and an unclosed embedding reorders the app's own words after it. The page
//! therefore (1) isolates every such string from its surroundings (`<bdi>` in markup, FSI … PDI
//! in plain strings such as titles and announcements, see [`isolate_visible`]) and (2) shows each
//! bidi control as a visible marker, `⟨U+202E⟩`, instead of obeying it. [`segments`] splits a
//! string into the text and the controls for the `UntrustedText` component to render.

/// Whether `c` is one of the controls that reorder text: LRE, RLE, PDF, LRO, RLO
/// (U+202A–U+202E), LRI, RLI, FSI, PDI (U+2066–U+2069), LRM, RLM (U+200E, U+200F) and the
/// Arabic letter mark (U+061C).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// One piece of an untrusted string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Text without bidi controls, shown as it is.
    Text(&'a str),
    /// A bidi control, shown as its [`marker`].
    Control(char),
}

/// Splits `text` into runs of ordinary text and single bidi controls, in order. Joining the
/// pieces (controls as themselves) gives `text` back.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if is_bidi_control(c) {
            if start < i {
                out.push(Segment::Text(&text[start..i]));
            }
            out.push(Segment::Control(c));
            start = i + c.len_utf8();
        }
    }
    if start < text.len() {
        out.push(Segment::Text(&text[start..]));
    }
    out
}

/// The visible stand-in for a control: `⟨U+202E⟩`.
pub fn marker(c: char) -> String {
    format!("⟨U+{:04X}⟩", c as u32)
}

/// The control's name, for a tooltip.
pub fn control_name(c: char) -> &'static str {
    match c {
        '\u{202A}' => "left-to-right embedding",
        '\u{202B}' => "right-to-left embedding",
        '\u{202C}' => "pop directional formatting",
        '\u{202D}' => "left-to-right override",
        '\u{202E}' => "right-to-left override",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{200E}' => "left-to-right mark",
        '\u{200F}' => "right-to-left mark",
        '\u{061C}' => "Arabic letter mark",
        _ => "bidirectional control",
    }
}

/// `text` with every bidi control replaced by its marker (nothing else changes).
pub fn visible(text: &str) -> String {
    if !text.chars().any(is_bidi_control) {
        return text.to_string();
    }
    segments(text)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => t.to_string(),
            Segment::Control(c) => marker(c),
        })
        .collect()
}

/// For plain strings (titles, `aria-label`s, announcements) where `<bdi>` cannot go: the
/// controls made visible and the whole wrapped in FSI … PDI, so even right-to-left letters in
/// it cannot move the words around it.
pub fn isolate_visible(text: &str) -> String {
    format!("\u{2068}{}\u{2069}", visible(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn controls_become_their_own_segments() {
        assert_eq!(
            segments("report\u{202E}vsc.exe"),
            vec![
                Segment::Text("report"),
                Segment::Control('\u{202E}'),
                Segment::Text("vsc.exe")
            ]
        );
        assert_eq!(segments(""), vec![]);
        assert_eq!(segments("plain"), vec![Segment::Text("plain")]);
        assert_eq!(
            segments("\u{2066}\u{2069}"),
            vec![Segment::Control('\u{2066}'), Segment::Control('\u{2069}')]
        );
    }

    #[test]
    fn every_listed_control_and_nothing_else() {
        let listed: Vec<u32> = (0x202A..=0x202E)
            .chain(0x2066..=0x2069)
            .chain([0x200E, 0x200F, 0x061C])
            .collect();
        for cp in 0..=0x10FFFFu32 {
            if let Some(c) = char::from_u32(cp) {
                assert_eq!(is_bidi_control(c), listed.contains(&cp), "U+{cp:04X}");
            }
        }
        // Right-to-left letters are text, not controls: isolation handles them.
        assert!(!is_bidi_control('א'));
        assert!(!is_bidi_control('\u{200B}'));
    }

    #[test]
    fn markers_name_the_code_point() {
        assert_eq!(marker('\u{202E}'), "⟨U+202E⟩");
        assert_eq!(marker('\u{061C}'), "⟨U+061C⟩");
        assert_eq!(visible("report\u{202E}vsc.exe"), "report⟨U+202E⟩vsc.exe");
        assert_eq!(visible("sales.csv"), "sales.csv");
        assert_eq!(isolate_visible("a\u{200F}b"), "\u{2068}a⟨U+200F⟩b\u{2069}");
        assert_eq!(control_name('\u{202E}'), "right-to-left override");
    }

    proptest! {
        #[test]
        fn segments_rebuild_the_text_and_hold_no_hidden_control(
            text in "[a-z\u{202A}-\u{202E}\u{2066}-\u{2069}\u{200E}\u{200F}\u{061C}א ]{0,40}"
        ) {
            let segs = segments(&text);
            let rebuilt: String = segs.iter().map(|s| match s {
                Segment::Text(t) => t.to_string(),
                Segment::Control(c) => c.to_string(),
            }).collect();
            prop_assert_eq!(&rebuilt, &text);
            for s in &segs {
                if let Segment::Text(t) = s {
                    prop_assert!(!t.is_empty());
                    prop_assert!(!t.chars().any(is_bidi_control));
                }
            }
            prop_assert!(!visible(&text).chars().any(is_bidi_control));
            let iso = isolate_visible(&text);
            let inner: Vec<char> = iso.chars().collect();
            prop_assert_eq!(inner[0], '\u{2068}');
            prop_assert_eq!(inner[inner.len() - 1], '\u{2069}');
            prop_assert!(!inner[1..inner.len() - 1].iter().any(|c| is_bidi_control(*c)));
        }
    }
}
