//! Human-readable numbers for the UI (durations are `state::duration`'s).

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Time of day of an epoch-ms instant, UTC, as `HH:MM:SS.mmm`.
pub fn clock_time(ms: i64) -> String {
    let ms_of_day = ms.rem_euclid(86_400_000);
    let (h, rest) = (ms_of_day / 3_600_000, ms_of_day % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    format!("{h:02}:{m:02}:{:02}.{:03}", rest / 1000, rest % 1000)
}

/// `612345` → `598 KB`; binary multiples, one decimal below 10.
pub fn size_label(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// A job's progress in words and as a whole percentage: `1,500 / 6,000 rows (25%)` and
/// `Some(25)`; without a total, `1,500 rows` and `None`.
pub fn progress_text(p: &crate::types::Progress) -> (String, Option<u32>) {
    let pct = p.fraction().map(|f| (f * 100.0).round() as u32);
    let text = match pct {
        Some(pct) => format!(
            "{} / {} {} ({pct}%)",
            thousands(p.processed),
            thousands(p.total),
            p.unit
        ),
        None => format!("{} {}", thousands(p.processed), p.unit),
    };
    (text, pct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn clock_time_is_utc_time_of_day() {
        assert_eq!(clock_time(0), "00:00:00.000");
        assert_eq!(clock_time(1_764_370_000_123), "22:46:40.123");
        assert_eq!(clock_time(-1), "23:59:59.999");
    }

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(size_label(0), "0 bytes");
        assert_eq!(size_label(1023), "1023 bytes");
        assert_eq!(size_label(1024), "1.0 KB");
        assert_eq!(size_label(612_345), "598 KB");
        assert_eq!(size_label(5 * 1024 * 1024 + 512 * 1024), "5.5 MB");
        assert_eq!(size_label(3 * 1024u64.pow(4)), "3.0 TB");
    }

    #[test]
    fn progress_reads_with_and_without_a_total() {
        let mut p = crate::fixtures::JobBuilder::new("j")
            .progress(1500, 6000)
            .build()
            .progress;
        assert_eq!(
            progress_text(&p),
            ("1,500 / 6,000 rows (25%)".to_string(), Some(25))
        );
        p.total = 0;
        assert_eq!(progress_text(&p), ("1,500 rows".to_string(), None));
    }
}
