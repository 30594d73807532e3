//! Which colour theme is shown, and why: the host's theme (or `?theme=` on the URL, which
//! counts as the host's) wins; else the user's remembered choice; else the system setting.
//!
//! Pure: `services/theme.rs` feeds in what it learns (host messages, the theme control,
//! `localStorage`, `prefers-color-scheme`) and writes [`ThemeState::shown`] to `data-theme`.

/// A theme the stylesheets know (`data-theme="light|dark"` on `<html>`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    /// `"light"` or `"dark"`, exactly (what the host protocol, `?theme=` and `data-theme` use).
    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The `data-theme` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The system's theme from `prefers-color-scheme: dark`.
    pub fn from_dark(dark: bool) -> Theme {
        if dark {
            Theme::Dark
        } else {
            Theme::Light
        }
    }
}

/// What the user picked in the theme control (remembered across visits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Choice {
    /// Follow the system setting (also the default when nothing is remembered).
    #[default]
    System,
    Light,
    Dark,
}

impl Choice {
    /// In the order the control lists them.
    pub const ALL: [Choice; 3] = [Choice::System, Choice::Light, Choice::Dark];

    /// A remembered value; anything unknown (an old or edited entry) is `None`, so it falls
    /// back to the system rather than failing.
    pub fn parse(s: &str) -> Option<Choice> {
        match s {
            "system" => Some(Choice::System),
            "light" => Some(Choice::Light),
            "dark" => Some(Choice::Dark),
            _ => None,
        }
    }

    /// The stored and `<option value>` form.
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::System => "system",
            Choice::Light => "light",
            Choice::Dark => "dark",
        }
    }

    /// The words in the control.
    pub fn label(self) -> &'static str {
        match self {
            Choice::System => "System",
            Choice::Light => "Light",
            Choice::Dark => "Dark",
        }
    }

    fn theme(self) -> Option<Theme> {
        match self {
            Choice::System => None,
            Choice::Light => Some(Theme::Light),
            Choice::Dark => Some(Theme::Dark),
        }
    }
}

/// Who decided the theme shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The embedding host, or `?theme=` on the page URL.
    Host,
    /// The theme control.
    User,
    /// `prefers-color-scheme`.
    System,
}

impl Source {
    /// `host`, `user` or `system` (the control's `data-source`).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Host => "host",
            Source::User => "user",
            Source::System => "system",
        }
    }
}

/// Everything the theme depends on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThemeState {
    /// Set by the host (or `?theme=`); never cleared while the page is open.
    pub host: Option<Theme>,
    pub choice: Choice,
    pub system: Theme,
}

impl ThemeState {
    /// The theme to show.
    pub fn shown(&self) -> Theme {
        self.host.or(self.choice.theme()).unwrap_or(self.system)
    }

    /// Who decided [`shown`](Self::shown).
    pub fn source(&self) -> Source {
        if self.host.is_some() {
            Source::Host
        } else if self.choice.theme().is_some() {
            Source::User
        } else {
            Source::System
        }
    }

    /// Whether the user's control has any effect now (not while the host decides).
    pub fn choice_applies(&self) -> bool {
        self.host.is_none()
    }

    /// The control's `<option>` text: the system option says what the system is now.
    pub fn option_label(&self, choice: Choice) -> String {
        match choice {
            Choice::System => format!("System ({})", self.system.as_str()),
            other => other.label().to_string(),
        }
    }

    /// A note beside the control when it does not decide the theme, in words.
    pub fn note(&self) -> Option<String> {
        self.host
            .map(|t| format!("Set by the host page ({})", t.as_str()))
    }
}

/// `?theme=light|dark` among the page's query pairs (the first valid one); other values are
/// ignored, so a typo falls back to the user's choice or the system.
pub fn from_query(pairs: &[(String, String)]) -> Option<Theme> {
    pairs
        .iter()
        .filter(|(k, _)| k == "theme")
        .find_map(|(_, v)| Theme::parse(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(host: Option<Theme>, choice: Choice, system: Theme) -> ThemeState {
        ThemeState {
            host,
            choice,
            system,
        }
    }

    #[test]
    fn host_wins_over_choice_and_system() {
        for choice in Choice::ALL {
            for system in [Theme::Light, Theme::Dark] {
                for host in [Theme::Light, Theme::Dark] {
                    let s = state(Some(host), choice, system);
                    assert_eq!(s.shown(), host, "{s:?}");
                    assert_eq!(s.source(), Source::Host);
                    assert!(!s.choice_applies());
                }
            }
        }
    }

    #[test]
    fn choice_wins_over_system() {
        for system in [Theme::Light, Theme::Dark] {
            let s = state(None, Choice::Dark, system);
            assert_eq!((s.shown(), s.source()), (Theme::Dark, Source::User));
            let s = state(None, Choice::Light, system);
            assert_eq!((s.shown(), s.source()), (Theme::Light, Source::User));
        }
    }

    #[test]
    fn system_choice_follows_the_system() {
        for system in [Theme::Light, Theme::Dark] {
            let s = state(None, Choice::System, system);
            assert_eq!((s.shown(), s.source()), (system, Source::System));
            assert!(s.choice_applies());
            assert_eq!(s.note(), None);
        }
        assert_eq!(ThemeState::default().shown(), Theme::Light);
    }

    #[test]
    fn values_round_trip_and_unknown_ones_are_rejected() {
        for t in [Theme::Light, Theme::Dark] {
            assert_eq!(Theme::parse(t.as_str()), Some(t));
        }
        for c in Choice::ALL {
            assert_eq!(Choice::parse(c.as_str()), Some(c));
        }
        for bad in ["", "Dark", " dark", "auto", "light\n", "<script>"] {
            assert_eq!(Theme::parse(bad), None, "{bad:?}");
            assert_eq!(Choice::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Theme::parse("system"), None);
        assert_eq!(Theme::from_dark(true), Theme::Dark);
        assert_eq!(Theme::from_dark(false), Theme::Light);
    }

    #[test]
    fn query_theme_is_the_first_valid_one() {
        let q = |pairs: &[(&str, &str)]| {
            from_query(
                &pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(q(&[]), None);
        assert_eq!(q(&[("theme", "dark")]), Some(Theme::Dark));
        assert_eq!(
            q(&[("theme", "blue"), ("theme", "light")]),
            Some(Theme::Light)
        );
        assert_eq!(q(&[("x", "dark"), ("theme", "purple")]), None);
    }

    #[test]
    fn the_control_says_what_it_does() {
        let s = state(None, Choice::System, Theme::Dark);
        assert_eq!(s.option_label(Choice::System), "System (dark)");
        assert_eq!(s.option_label(Choice::Light), "Light");
        let hosted = state(Some(Theme::Light), Choice::Dark, Theme::Dark);
        assert_eq!(
            hosted.note().as_deref(),
            Some("Set by the host page (light)")
        );
        assert_eq!(hosted.source().as_str(), "host");
        assert_eq!(s.source().as_str(), "system");
        assert_eq!(
            state(None, Choice::Light, Theme::Dark).source().as_str(),
            "user"
        );
    }
}
