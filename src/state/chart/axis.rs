//! Axis ranges, tick positions and tick labels: "nice" 1-2-5 value ticks, round clock-time
//! ticks, and short number labels ("1.2k").

use crate::state::format::clock_time;

/// A value axis: the drawn range and the tick positions inside it (ascending).
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<f64>,
}

/// Values beyond this magnitude are clamped, so spans and steps stay finite.
const LIMIT: f64 = 1e300;
/// Magnitudes below this read as 0, so powers of ten never underflow.
const TINY: f64 = 1e-280;
/// More ticks than this are never useful on a screen, and bounding them keeps tick indices
/// exactly representable.
const MAX_TICKS: usize = 1000;

/// A range covering `[lo, hi]` with ticks at a 1, 2 or 5 × 10ⁿ step, at most `max_ticks + 1`
/// ticks (`max_ticks` reads as 1 when 0 and as 1000 above that), the first at `min` and the
/// last at `max`.
///
/// Never fails and never returns NaN: `lo > hi` is swapped; a non-finite bound is replaced by
/// the other one (both non-finite → `[0, 1]`); an empty range (`lo == hi`) is widened (0 →
/// `[0, 1]`, otherwise ±10 % of the value). Magnitudes above 1e300 are clamped and below
/// 1e-280 read as 0.
pub fn nice_axis(lo: f64, hi: f64, max_ticks: usize) -> Axis {
    let (lo, hi) = match (sanitize(lo), sanitize(hi)) {
        (Some(a), Some(b)) => (a.min(b), a.max(b)),
        (Some(a), None) | (None, Some(a)) => (a, a),
        (None, None) => (0.0, 1.0),
    };
    let (lo, hi) = widen(lo, hi);
    let max_ticks = max_ticks.clamp(1, MAX_TICKS);
    let raw = (hi - lo) / max_ticks as f64;
    // Start one decade low (log10 may round either way) and walk up the 1-2-5 ladder; the first
    // step >= raw gives at most max_ticks + 1 intervals, the next ones fewer, so this ends fast.
    let mut exp = raw.log10().floor() as i32 - 1;
    let mut mantissa = 0;
    for _ in 0..16 {
        let m = [1.0, 2.0, 5.0][mantissa];
        if let Some(axis) = ticks_at(lo, hi, m, exp, max_ticks) {
            return axis;
        }
        mantissa += 1;
        if mantissa == 3 {
            mantissa = 0;
            exp += 1;
        }
    }
    Axis {
        min: lo,
        max: hi,
        ticks: vec![lo, hi],
    }
}

fn sanitize(v: f64) -> Option<f64> {
    if !v.is_finite() {
        None
    } else if v.abs() < TINY {
        Some(0.0)
    } else {
        Some(v.clamp(-LIMIT, LIMIT))
    }
}

/// Gives an empty (or numerically empty) range some room.
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    let scale = lo.abs().max(hi.abs());
    if hi - lo > scale * 1e-9 {
        return (lo, hi);
    }
    if scale == 0.0 {
        return (0.0, 1.0);
    }
    let mid = lo / 2.0 + hi / 2.0;
    (mid - scale * 0.1, mid + scale * 0.1)
}

/// Ticks at step `m × 10^exp`, if that step covers `[lo, hi]` within `max_ticks` intervals.
fn ticks_at(lo: f64, hi: f64, m: f64, exp: i32, max_ticks: usize) -> Option<Axis> {
    let scale = 10f64.powi(exp.abs());
    // Dividing by a power of ten (rather than multiplying by 0.1…) gives the closest `f64` to
    // the decimal tick, so labels read "0.3", not "0.30000000000000004".
    let at = |k: f64| {
        if exp >= 0 {
            k * m * scale
        } else {
            k * m / scale
        }
    };
    let step = at(1.0);
    if !(step.is_finite() && step > 0.0) || hi - lo > step * max_ticks as f64 {
        return None;
    }
    let mut k0 = (lo / step).floor();
    let mut k1 = (hi / step).ceil();
    // `lo / step` rounds; nudge so the end ticks really cover the range.
    for _ in 0..3 {
        if at(k0) > lo {
            k0 -= 1.0;
        }
        if at(k1) < hi {
            k1 += 1.0;
        }
    }
    let n = k1 - k0;
    if at(k0) > lo || at(k1) < hi || !(1.0..=max_ticks as f64).contains(&n) {
        return None;
    }
    let mut ticks: Vec<f64> = (0..=n as usize).map(|i| at(k0 + i as f64)).collect();
    ticks.dedup();
    let (&min, &max) = (ticks.first()?, ticks.last()?);
    Some(Axis { min, max, ticks })
}

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Tick steps of a time axis, smallest first; beyond a day, multiples of days are used.
const TIME_STEPS_MS: [i64; 18] = [
    SECOND,
    2 * SECOND,
    5 * SECOND,
    10 * SECOND,
    15 * SECOND,
    30 * SECOND,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
];

/// Ticks at round clock times inside `[min_ms, max_ms]` (epoch ms), at most `max_ticks` of them
/// (clamped to 1000), with the smallest step of 1 s, 2 s, 5 s, … 12 h, 1 day (then whole days)
/// that fits. Labels are `HH:MM:SS` for steps under a minute, `HH:MM` otherwise.
///
/// Times are UTC, like `format::clock_time`: the page shows the backend's clock, not the
/// viewer's time zone. Empty when `max_ticks == 0` or `max_ms < min_ms`.
pub fn time_ticks(min_ms: i64, max_ms: i64, max_ticks: usize) -> Vec<(i64, String)> {
    if max_ticks == 0 || max_ms < min_ms {
        return Vec::new();
    }
    let max_ticks = max_ticks.min(MAX_TICKS) as i128;
    let (lo, hi) = (i128::from(min_ms), i128::from(max_ms));
    let first = |step: i128| -((-lo).div_euclid(step)) * step;
    let count = |step: i128| hi.div_euclid(step) - first(step) / step + 1;
    let mut step = TIME_STEPS_MS
        .iter()
        .map(|&s| i128::from(s))
        .find(|&s| count(s) <= max_ticks);
    if step.is_none() {
        // Whole days, doubling: the span of an i64 is under 2^40 days, so this ends.
        let mut days = 2;
        while step.is_none() && days < (1 << 62) {
            let s = days * i128::from(DAY);
            if count(s) <= max_ticks {
                step = Some(s);
            }
            days *= 2;
        }
    }
    let Some(step) = step else {
        return Vec::new();
    };
    let with_seconds = step < i128::from(MINUTE);
    let mut out = Vec::new();
    let mut t = first(step);
    while t <= hi {
        if let Ok(ms) = i64::try_from(t) {
            out.push((ms, clock_label(ms, with_seconds)));
        }
        t += step;
    }
    out
}

fn clock_label(ms: i64, with_seconds: bool) -> String {
    let full = clock_time(ms); // "HH:MM:SS.mmm"
    let len = if with_seconds { 8 } else { 5 };
    full.get(..len).map(str::to_owned).unwrap_or(full)
}

/// A compact axis label: `950`, `12.5`, `0.25`, `1.2k`, `3.4M`, `2G`; "—" when not finite.
pub fn short_number(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    let decimals = match a {
        a if a >= 100.0 => 0,
        a if a >= 10.0 => 1,
        a if a >= 1.0 => 2,
        _ => 3,
    };
    let plain = trim_zeros(format!("{a:.decimals$}"));
    if plain == "0" {
        return plain;
    }
    if plain != "1000" && a < 1000.0 {
        return format!("{sign}{plain}");
    }
    const UNITS: [(f64, &str); 5] = [(1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T"), (1e15, "P")];
    let mut label = String::new();
    for (div, suffix) in UNITS {
        let r = (a / div * 10.0).round() / 10.0;
        label = format!("{sign}{}{suffix}", trim_zeros(format!("{r:.1}")));
        // 999 960 rounds to "1000.0k": say "1M" instead.
        if r < 1000.0 {
            break;
        }
    }
    label
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nice_ticks_use_1_2_5_steps() {
        let axis = nice_axis(0.0, 97.0, 5);
        assert_eq!(axis.ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!((axis.min, axis.max), (0.0, 100.0));
        let axis = nice_axis(0.0, 1.0, 10);
        assert_eq!(axis.ticks[3], 0.3);
        // A step of 5 would need three intervals (-5..10): too many for 2.
        assert_eq!(nice_axis(-3.0, 7.0, 2).ticks, vec![-10.0, 0.0, 10.0]);
    }

    #[test]
    fn degenerate_ranges_still_give_an_axis() {
        assert_eq!(nice_axis(0.0, 0.0, 5).min, 0.0);
        assert_eq!(nice_axis(0.0, 0.0, 5).max, 1.0);
        let axis = nice_axis(5.0, 5.0, 5);
        assert!(axis.min < 5.0 && axis.max > 5.0);
        let axis = nice_axis(f64::NAN, f64::INFINITY, 5);
        assert_eq!((axis.min, axis.max), (0.0, 1.0));
        let axis = nice_axis(f64::NAN, 40.0, 4);
        assert!(axis.min <= 40.0 && axis.max >= 40.0 && axis.min < axis.max);
        let axis = nice_axis(10.0, 2.0, 0);
        assert!(axis.min <= 2.0 && axis.max >= 10.0 && axis.ticks.len() <= 2);
    }

    #[test]
    fn time_ticks_pick_round_steps() {
        // 10:00:00 .. 10:01:00 UTC with at most 4 ticks: 15 s would give 5, so 30 s.
        let ten = 10 * HOUR;
        let ticks = time_ticks(ten, ten + MINUTE, 4);
        assert_eq!(
            ticks,
            vec![
                (ten, "10:00:00".to_string()),
                (ten + 30 * SECOND, "10:00:30".to_string()),
                (ten + MINUTE, "10:01:00".to_string()),
            ]
        );
        let ticks = time_ticks(ten + 1, ten + HOUR, 6);
        assert_eq!(ticks.len(), 6);
        assert_eq!(ticks[0], (ten + 10 * MINUTE, "10:10".to_string()));
        assert!(time_ticks(ten, ten - 1, 5).is_empty());
        assert!(time_ticks(ten, ten + HOUR, 0).is_empty());
    }

    #[test]
    fn time_ticks_go_beyond_a_day() {
        let ticks = time_ticks(0, 30 * DAY, 5);
        assert!(!ticks.is_empty() && ticks.len() <= 5);
        assert!(ticks.iter().all(|(t, l)| t % DAY == 0 && l == "00:00"));
        assert!(time_ticks(i64::MIN, i64::MAX, 10).len() <= 10);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(0.0), "0");
        assert_eq!(short_number(950.0), "950");
        assert_eq!(short_number(12.5), "12.5");
        assert_eq!(short_number(0.25), "0.25");
        assert_eq!(short_number(1234.0), "1.2k");
        assert_eq!(short_number(2000.0), "2k");
        assert_eq!(short_number(999.7), "1k");
        assert_eq!(short_number(3_400_000.0), "3.4M");
        assert_eq!(short_number(999_960.0), "1M");
        assert_eq!(short_number(-1500.0), "-1.5k");
        assert_eq!(short_number(-0.0001), "0");
        assert_eq!(short_number(f64::NAN), "—");
    }

    fn bound() -> impl Strategy<Value = f64> {
        prop_oneof![
            8 => -1e9f64..1e9,
            2 => -1e-3f64..1e-3,
            1 => Just(0.0),
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(1e250),
        ]
    }

    proptest! {
        #[test]
        fn nice_axis_invariants(a in bound(), b in bound(), max_ticks in 0usize..20) {
            let axis = nice_axis(a, b, max_ticks);
            prop_assert!(axis.min.is_finite() && axis.max.is_finite());
            prop_assert!(axis.min < axis.max);
            for v in [a, b].into_iter().filter(|v| v.is_finite()) {
                prop_assert!(axis.min <= v && v <= axis.max, "{v} outside {axis:?}");
            }
            prop_assert!(!axis.ticks.is_empty());
            prop_assert!(axis.ticks.len() <= max_ticks.max(1) + 1);
            prop_assert!(axis.ticks.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(axis.ticks.iter().all(|t| axis.min <= *t && *t <= axis.max));
        }

        #[test]
        fn time_ticks_invariants(min in -1i64 << 45..1i64 << 45, span in 0i64..1 << 35, max_ticks in 0usize..15) {
            let ticks = time_ticks(min, min + span, max_ticks);
            prop_assert!(ticks.len() <= max_ticks);
            prop_assert!(ticks.windows(2).all(|w| w[0].0 < w[1].0));
            prop_assert!(ticks.iter().all(|(t, _)| min <= *t && *t <= min + span));
            prop_assert!(ticks.iter().all(|(t, _)| t % SECOND == 0));
        }
    }
}
