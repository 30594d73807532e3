//! Only compiled under #[cfg(test)] (declared so in diagnostics.rs).
//! The figures against hand-computed values, and their invariants as properties.

use super::*;
use proptest::prelude::*;

fn reconnecting(reason: &str) -> Connection {
    Connection::Reconnecting {
        attempt: 1,
        retry_at_ms: 0,
        reason: reason.into(),
    }
}

fn snap(d: &Diagnostics, now: f64) -> DiagnosticsSnapshot {
    d.snapshot(now, Environment::default())
}

#[test]
fn uptime_reconnects_and_reasons() {
    let mut d = Diagnostics::new(0.0);
    assert_eq!(snap(&d, 10.0).websocket, "connecting");
    assert!(d.on_connection(1_000.0, &Connection::Live, None));
    let s = snap(&d, 61_000.0);
    assert_eq!((s.websocket.as_str(), s.uptime_ms), ("live", Some(60_000)));
    assert!(d.on_connection(62_000.0, &reconnecting("connection closed"), Some(1_500)));
    let s = snap(&d, 63_000.0);
    assert_eq!((s.reconnects, s.uptime_ms), (1, None));
    assert_eq!(s.last_reconnects[0].reason, "connection closed");
    assert_eq!(s.last_reconnects[0].delay_ms, Some(1_500));
    // Polling reports the same state every round: one change, not many.
    let polling = Connection::Polling {
        reason: "WebSocket unavailable".into(),
    };
    assert!(d.on_connection(64_000.0, &polling, None));
    assert!(!d.on_connection(67_000.0, &polling, None));
    let s = snap(&d, 68_000.0);
    assert!(s.polling);
    assert_eq!(s.polling_reason.as_deref(), Some("WebSocket unavailable"));
    // Live again: uptime restarts.
    d.on_connection(70_000.0, &Connection::Live, None);
    assert_eq!(snap(&d, 75_000.0).uptime_ms, Some(5_000));
    assert!(!snap(&d, 75_000.0).polling);
}

#[test]
fn only_the_latest_reasons_are_kept_newest_first() {
    let mut d = Diagnostics::new(0.0);
    for i in 0..25 {
        d.on_connection(i as f64, &reconnecting(&format!("r{i}")), None);
    }
    let s = snap(&d, 30.0);
    assert_eq!(s.reconnects, 25);
    assert_eq!(s.last_reconnects.len(), REASONS_KEPT);
    assert_eq!(s.last_reconnects[0].reason, "r24");
    assert_eq!(s.last_reconnects[REASONS_KEPT - 1].reason, "r15");
}

#[test]
fn event_rate_over_the_last_ten_seconds() {
    let mut d = Diagnostics::new(0.0);
    // A steady 20 events per second for 30 s, in 50 ms batches of one.
    for i in 0..600 {
        d.on_events(i as f64 * 50.0, 1);
    }
    let rate = d.events_per_s(30_000.0);
    assert!((rate - 20.0).abs() < 0.01, "{rate}");
    // Just started: the rate is over the time since start, not diluted by 10 s.
    let mut d = Diagnostics::new(0.0);
    for i in 0..20 {
        d.on_events(i as f64 * 100.0, 5);
    }
    let rate = d.events_per_s(2_000.0);
    assert!((rate - 50.0).abs() < 0.01, "{rate}");
    // Silence: old buckets fall out of the window.
    assert_eq!(d.events_per_s(15_000.0), 0.0);
    let s = snap(&d, 2_400.0);
    assert_eq!(s.last_event_age_ms, Some(500));
    assert_eq!(snap(&Diagnostics::new(0.0), 9.0).last_event_age_ms, None);
}

#[test]
fn latency_percentiles_over_the_last_minute() {
    let mut d = Diagnostics::new(0.0);
    assert_eq!(d.latency(0.0), None);
    for i in 1..=100 {
        d.on_latency(1_000.0 + i as f64, i as f64);
    }
    assert_eq!(d.latency(2_000.0), Some((50.0, 95.0, 100)));
    // A slow minute ago no longer counts.
    d.on_latency(70_000.0, 10.0);
    assert_eq!(d.latency(70_000.0), Some((10.0, 10.0, 1)));
    assert_eq!(d.latency(200_000.0), None);
    // Nonsense is ignored rather than poisoning the percentiles.
    d.on_latency(70_001.0, f64::NAN);
    d.on_latency(70_001.0, -3.0);
    assert_eq!(d.latency(70_002.0), Some((10.0, 10.0, 1)));
}

#[test]
fn rows_say_it_in_words() {
    let mut d = Diagnostics::new(0.0);
    d.on_connection(0.0, &reconnecting("connection closed"), Some(2_000));
    d.on_connection(1_000.0, &Connection::Live, None);
    d.set_jobs_held(1_234);
    d.on_resync();
    for i in 1..=10 {
        d.on_latency(1_000.0, i as f64 * 10.0);
    }
    let s = d.snapshot(
        126_000.0,
        Environment {
            wasm_memory_bytes: 3 * 1024 * 1024,
            app_version: "0.1.0".into(),
            log_level: Level::Debug,
            ..Default::default()
        },
    );
    let rows = rows(&s);
    let get = |label: &str| {
        rows.iter()
            .find(|(l, _)| *l == label)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(get("WebSocket"), "live, up for 2 min 05 s");
    assert_eq!(
        get("Reconnects"),
        "1; latest first: connection closed (retry after 2.0 s)"
    );
    assert_eq!(
        get("Event-to-screen latency"),
        "no events rendered in the last minute"
    );
    assert_eq!(get("Jobs in memory"), "1,234");
    assert_eq!(get("Resyncs"), "1");
    assert_eq!(get("Wasm memory"), "3.0 MiB");
    assert_eq!(get("Log level"), "debug");
    assert_eq!(get("Last event"), "none yet");
    let s = d.snapshot(2_000.0, Environment::default());
    assert_eq!(
        rows_of(&s, "Event-to-screen latency"),
        "p50 50 ms, p95 100 ms (10 samples, last minute)"
    );
    // The host reply is plain JSON.
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["latency_samples"], 10);
    assert_eq!(json["log_level"], "info");
}

fn rows_of(s: &DiagnosticsSnapshot, label: &str) -> String {
    rows(s)
        .into_iter()
        .find(|(l, _)| *l == label)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

proptest! {
    /// The bucketed rate equals the events of the seconds in the window over the time they
    /// cover, however events are spread, and the buckets stay bounded.
    #[test]
    fn rate_matches_a_brute_force_count(
        gaps in proptest::collection::vec((0u32..3_000, 1u64..50), 0..300),
        tail in 0u32..15_000,
    ) {
        let mut d = Diagnostics::new(0.0);
        let mut t = 0.0;
        let mut all = Vec::new();
        for (gap, n) in &gaps {
            t += *gap as f64;
            d.on_events(t, *n);
            all.push((t, *n));
            prop_assert!(d.buckets.len() <= RATE_BUCKETS);
        }
        let now = t + tail as f64;
        let now_sec = (now / 1000.0).floor() as i64;
        let first_sec = now_sec - (RATE_BUCKETS as i64 - 1);
        let count: u64 = all
            .iter()
            .filter(|(at, _)| (at / 1000.0).floor() as i64 >= first_sec)
            .map(|(_, n)| n)
            .sum();
        let span = (now - (first_sec as f64 * 1000.0).max(0.0)).max(1000.0);
        let rate = d.events_per_s(now);
        prop_assert!(rate >= 0.0);
        prop_assert!((rate - count as f64 / (span / 1000.0)).abs() < 1e-9, "rate {} count {}", rate, count);
    }

    /// Percentiles are order statistics of the last minute's samples: p50 <= p95, both among
    /// the samples, and the ring never exceeds its cap.
    #[test]
    fn latency_invariants(samples in proptest::collection::vec((0u32..500, 0u32..5_000), 1..3_000)) {
        let mut d = Diagnostics::new(0.0);
        let mut t = 0.0;
        let mut all = Vec::new();
        for (gap, ms) in &samples {
            t += *gap as f64;
            d.on_latency(t, *ms as f64);
            all.push((t, *ms as f64));
            prop_assert!(d.latency.len() <= LATENCY_SAMPLES_KEPT);
        }
        let window: Vec<f64> = all.iter().filter(|(at, _)| *at >= t - LATENCY_WINDOW_MS).map(|(_, m)| *m).collect();
        let (p50, p95, n) = d.latency(t).expect("the last sample is always in the window");
        prop_assert!(p50 <= p95);
        prop_assert!(n <= window.len());
        prop_assert!(window.contains(&p50) && window.contains(&p95));
        if window.len() <= LATENCY_SAMPLES_KEPT {
            let mut sorted = window.clone();
            sorted.sort_by(f64::total_cmp);
            prop_assert_eq!(n, window.len());
            prop_assert_eq!(p50, percentile(&sorted, 0.5));
            prop_assert_eq!(p95, percentile(&sorted, 0.95));
        }
    }
}
