//! Log levels and the one-line console format `[jobs] LEVEL area: message {fields}`.
//!
//! Pure, so the format and the level rules are tested natively; `services::logger` writes the
//! lines to the console.

use serde::{Deserialize, Serialize};

/// Severity of a log line, lowest first (`log_level` in `config.json` names one of these).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Debug,
    #[default]
    Info,
    Warn,
    Error,
}

impl Level {
    /// The upper-case word printed in the line.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }

    /// Whether a line at `self` is written when the minimum level is `min`.
    pub fn passes(self, min: Level) -> bool {
        self >= min
    }
}

/// One console line. `fields` is appended as compact JSON unless it is `null` (or an empty
/// object), so a line stays greppable and its fields machine-readable.
pub fn format_line(level: Level, area: &str, message: &str, fields: &serde_json::Value) -> String {
    let empty = fields.is_null() || fields.as_object().is_some_and(|o| o.is_empty());
    if empty {
        format!("[jobs] {} {area}: {message}", level.as_str())
    } else {
        format!("[jobs] {} {area}: {message} {fields}", level.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn line_format() {
        assert_eq!(
            format_line(Level::Info, "live", "connected", &json!(null)),
            "[jobs] INFO live: connected"
        );
        assert_eq!(
            format_line(
                Level::Warn,
                "action",
                "cancel refused",
                &json!({"job_id": "j1"})
            ),
            r#"[jobs] WARN action: cancel refused {"job_id":"j1"}"#
        );
        assert_eq!(
            format_line(Level::Debug, "a", "m", &json!({})),
            "[jobs] DEBUG a: m"
        );
    }

    #[test]
    fn levels_order_and_parse() {
        assert!(Level::Debug.passes(Level::Debug));
        assert!(!Level::Debug.passes(Level::Info));
        assert!(Level::Error.passes(Level::Warn));
        assert!(!Level::Info.passes(Level::Warn));
        assert_eq!(Level::default(), Level::Info);
        let l: Level = serde_json::from_str(r#""warn""#).unwrap();
        assert_eq!(l, Level::Warn);
        assert!(serde_json::from_str::<Level>(r#""verbose""#).is_err());
    }
}
