//! Durations and instants in words: "850 ms", "12.3 s", "3 min 05 s", "1 h 12 min", "2 d 03 h";
//! estimates ("43 s");
//! "finished 3 min ago" with the absolute time ("2026-12-01 17:42:05 UTC") beside it.
//!
//! Values are truncated, never rounded up: a job that ran 59.96 s did not run a minute, and
//! one that finished 119 s ago finished "1 min ago", not "2 min ago".

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A duration in milliseconds, as precise as it is short: `0 ms`, `850 ms`, `1.2 s`, `59.9 s`,
/// `3 min 05 s`, `1 h 12 min`, `2 d 03 h`. Negative durations (clock skew) read as `0 ms`.
pub fn duration(ms: i64) -> String {
    let ms = ms.max(0);
    match ms {
        0..SECOND => format!("{ms} ms"),
        SECOND..MINUTE => format!("{}.{} s", ms / SECOND, (ms % SECOND) / 100),
        MINUTE..HOUR => format!("{} min {:02} s", ms / MINUTE, (ms % MINUTE) / SECOND),
        HOUR..DAY => format!("{} h {:02} min", ms / HOUR, (ms % HOUR) / MINUTE),
        _ => format!("{} d {:02} h", ms / DAY, (ms % DAY) / HOUR),
    }
}

/// An estimate's duration (an ETA): whole seconds below a minute, since an estimate is not
/// precise to the tenth (`43 s`; anything under a second is `1 s`), then as [`duration`].
pub fn estimate(ms: i64) -> String {
    if ms < MINUTE {
        format!("{} s", (ms.max(0) + SECOND / 2).div_euclid(SECOND).max(1))
    } else {
        duration(ms)
    }
}

/// How long ago `then_ms` was at `now_ms`, in its largest whole unit: `just now` (under a
/// second, or in the future: clocks disagree), `12 s ago`, `3 min ago`, `2 h ago`, `3 d ago`.
pub fn ago(then_ms: i64, now_ms: i64) -> String {
    let d = now_ms.saturating_sub(then_ms);
    match d {
        i64::MIN..SECOND => "just now".to_string(),
        SECOND..MINUTE => format!("{} s ago", d / SECOND),
        MINUTE..HOUR => format!("{} min ago", d / MINUTE),
        HOUR..DAY => format!("{} h ago", d / HOUR),
        _ => format!("{} d ago", d / DAY),
    }
}

/// When `ago(then, now)` next reads differently, in ms from `now_ms` (for a view that updates
/// exactly when its text would change, instead of on a fixed tick).
pub fn ago_changes_in(then_ms: i64, now_ms: i64) -> i64 {
    let d = now_ms.saturating_sub(then_ms);
    let unit = match d {
        i64::MIN..0 => return SECOND.saturating_sub(d),
        0..MINUTE => SECOND,
        MINUTE..HOUR => MINUTE,
        HOUR..DAY => HOUR,
        _ => DAY,
    };
    unit - d.rem_euclid(unit)
}

/// An epoch-ms instant as `2026-12-01 17:42:05 UTC` (proleptic Gregorian calendar).
pub fn datetime_utc(ms: i64) -> String {
    let days = ms.div_euclid(DAY);
    let of_day = ms.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        of_day / HOUR,
        (of_day % HOUR) / MINUTE,
        (of_day % MINUTE) / SECOND
    )
}

/// An epoch-ms instant in ISO 8601 (`2026-12-01T17:42:05Z`), for `<time datetime>`.
pub fn datetime_iso(ms: i64) -> String {
    datetime_utc(ms).replacen(' ', "T", 1).replace(" UTC", "Z")
}

/// Days since 1970-01-01 → (year, month, day); Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_keep_their_precision_when_short() {
        assert_eq!(duration(0), "0 ms");
        assert_eq!(duration(-5), "0 ms");
        assert_eq!(duration(1), "1 ms");
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(999), "999 ms");
        assert_eq!(duration(1_000), "1.0 s");
        assert_eq!(duration(1_250), "1.2 s");
        assert_eq!(duration(59_900), "59.9 s");
        assert_eq!(duration(59_999), "59.9 s");
        assert_eq!(duration(60_000), "1 min 00 s");
        assert_eq!(duration(185_000), "3 min 05 s");
        assert_eq!(duration(3_599_999), "59 min 59 s");
        assert_eq!(duration(3_600_000), "1 h 00 min");
        assert_eq!(duration(4_320_000), "1 h 12 min");
        assert_eq!(duration(86_399_999), "23 h 59 min");
        assert_eq!(duration(86_400_000), "1 d 00 h");
        assert_eq!(
            duration(2 * 86_400_000 + 3 * 3_600_000 + 59 * 60_000),
            "2 d 03 h"
        );
        assert_eq!(duration(400 * 86_400_000), "400 d 00 h");
        assert!(duration(i64::MAX).ends_with(" h"));
    }

    #[test]
    fn estimates_are_whole_seconds_under_a_minute() {
        assert_eq!(estimate(-3), "1 s");
        assert_eq!(estimate(0), "1 s");
        assert_eq!(estimate(400), "1 s");
        assert_eq!(estimate(2_600), "3 s");
        assert_eq!(estimate(43_200), "43 s");
        assert_eq!(estimate(59_400), "59 s");
        assert_eq!(estimate(59_600), "60 s");
        assert_eq!(estimate(60_000), "1 min 00 s");
        assert_eq!(estimate(4_320_000), "1 h 12 min");
    }

    #[test]
    fn ago_uses_the_largest_whole_unit() {
        let now = 1_800_000_000_000;
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now + 5_000, now), "just now");
        assert_eq!(ago(now - 999, now), "just now");
        assert_eq!(ago(now - 1_000, now), "1 s ago");
        assert_eq!(ago(now - 59_999, now), "59 s ago");
        assert_eq!(ago(now - 60_000, now), "1 min ago");
        assert_eq!(ago(now - 119_000, now), "1 min ago");
        assert_eq!(ago(now - 3 * 60_000, now), "3 min ago");
        assert_eq!(ago(now - 3_600_000, now), "1 h ago");
        assert_eq!(ago(now - 86_399_999, now), "23 h ago");
        assert_eq!(ago(now - 3 * 86_400_000, now), "3 d ago");
        assert_eq!(ago(i64::MIN, i64::MAX), ago(0, i64::MAX));
    }

    #[test]
    fn ago_changes_exactly_when_its_text_does() {
        let now = 1_800_000_000_000;
        for then in [
            now,
            now - 1,
            now - 999,
            now - 61_500,
            now - 3_599_999,
            now - 7_200_001,
            now - 90_000_000,
            now + 2_000,
        ] {
            let wait = ago_changes_in(then, now);
            assert!(wait > 0, "{then}: {wait}");
            assert_eq!(
                ago(then, now + wait - 1),
                ago(then, now),
                "{then}: same text until then"
            );
            assert_ne!(
                ago(then, now + wait),
                ago(then, now),
                "{then}: changes then"
            );
        }
    }

    #[test]
    fn datetimes_are_utc_calendar_dates() {
        assert_eq!(datetime_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(datetime_utc(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(datetime_utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(datetime_utc(1_764_370_000_123), "2025-11-28 22:46:40 UTC");
        assert_eq!(datetime_utc(1_796_146_925_000), "2026-12-01 17:42:05 UTC");
        assert_eq!(datetime_iso(1_796_146_925_000), "2026-12-01T17:42:05Z");
    }

    /// The text's value back in ms and the size of its last unit: `3 min 05 s` → (185_000, 1_000).
    fn read_back(text: &str) -> (i64, i64) {
        let words: Vec<&str> = text.split(' ').collect();
        let mut total = 0i64;
        let mut last_unit = 1;
        for pair in words.chunks(2) {
            let unit = match pair[1] {
                "ms" => 1,
                "s" => SECOND,
                "min" => MINUTE,
                "h" => HOUR,
                "d" => DAY,
                other => panic!("unit {other:?} in {text:?}"),
            };
            let (whole, tenths) = match pair[0].split_once('.') {
                Some((w, t)) => (w.parse::<i64>().unwrap(), Some(t.parse::<i64>().unwrap())),
                None => (pair[0].parse::<i64>().unwrap(), None),
            };
            total += whole * unit;
            last_unit = unit;
            if let Some(t) = tenths {
                total += t * unit / 10;
                last_unit = unit / 10;
            }
        }
        (total, last_unit)
    }

    proptest::proptest! {
        /// Whatever the length, the text is the duration truncated to its last unit: never
        /// more than the job took, never a whole unit less.
        #[test]
        fn durations_read_back_as_truncations(ms in 0i64..5_000_000_000_000) {
            let text = duration(ms);
            let (value, unit) = read_back(&text);
            proptest::prop_assert!(value <= ms && ms < value + unit, "{} -> {:?}", ms, text);
            proptest::prop_assert!(text.split(' ').count() <= 4, "compact: {:?}", text);
        }

        /// Later instants never read as more recent: "ago" grows with the distance.
        #[test]
        fn ago_is_monotone(then in 0i64..2_000_000_000_000, a in 0i64..10_000_000_000, b in 0i64..10_000_000_000) {
            let (near, far) = (a.min(b), a.max(b));
            let (tn, tf) = (read_ago(&ago(then, then + near)), read_ago(&ago(then, then + far)));
            proptest::prop_assert!(tn <= tf, "{} ms read {} but {} ms read {}", near, tn, far, tf);
        }
    }

    fn read_ago(text: &str) -> i64 {
        if text == "just now" {
            return 0;
        }
        let (value, _) = read_back(text.trim_end_matches(" ago"));
        value
    }
}
