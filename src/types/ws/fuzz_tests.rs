//! Only compiled under #[cfg(test)] (declared so in ws.rs).
//! Hostile frames against [`ServerMessage::decode`]: arbitrary text, every truncation of every
//! frame, fields of the wrong type or missing, unknown types and oversized frames. The decoder
//! must never panic, must refuse what is not a frame of the contract, and must agree with the
//! derived (buffering) reader on anything it accepts.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::tests::frames;
use super::*;

/// The frame types of the contract.
const KNOWN: [&str; 9] = [
    "hello",
    "resync_required",
    "job.created",
    "job.updated",
    "metric",
    "log",
    "heartbeat",
    "queue",
    "error",
];

fn queue_frame() -> Value {
    json!({"type": "queue", "queue": {"queued": 1, "running": 2, "workers": [],
           "redis": {"ok": true, "version": "7", "latency_ms": 0.2, "used_memory_bytes": 1}}})
}

/// Every variant as text (the queue frame included, which `frames()` leaves out).
fn frame_texts() -> Vec<String> {
    let mut all = frames();
    all.push(queue_frame());
    all.iter().map(|v| v.to_string()).collect()
}

/// Values of every JSON type, to put where a field of another type belongs.
fn wrong_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
        Just(json!([1, "x", null])),
        Just(json!({"a": {"b": []}})),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
    ]
}

/// Reads a frame with the derived, buffering reader (the reference `decode` must agree with).
fn derived(text: &str) -> Option<ServerMessage> {
    serde_json::from_str(text).ok()
}

/// Changes one field of `v` (at any depth): replaced by `with`, or removed.
fn mutate(v: &mut Value, pick: usize, with: Value, remove: bool) {
    fn paths(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
        if let Value::Object(map) = v {
            for (k, child) in map {
                let mut p = at.clone();
                p.push(k.clone());
                out.push(p.clone());
                paths(child, p, out);
            }
        }
    }
    let mut all = Vec::new();
    paths(v, Vec::new(), &mut all);
    // The tag stays: a frame without its `type` is covered by the arbitrary-text cases.
    all.retain(|p| p != &["type".to_string()]);
    let Some(path) = all.get(pick % all.len().max(1)).cloned() else {
        return;
    };
    let mut cur = v;
    for k in &path[..path.len() - 1] {
        cur = &mut cur[k.as_str()];
    }
    if let Value::Object(map) = cur {
        let last = &path[path.len() - 1];
        if remove {
            map.remove(last);
        } else {
            map.insert(last.clone(), with);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Any text at all: an answer, never a panic; what is accepted is what the derived
    /// reader reads too.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        if let Ok(m) = ServerMessage::decode(&text) {
            prop_assert_eq!(Some(m), derived(&text));
        }
    }

    /// Text made of JSON's own pieces (more likely to get deep into the parser).
    #[test]
    fn json_like_text_never_panics(parts in prop::collection::vec(prop_oneof![
        Just("{"), Just("}"), Just("["), Just("]"), Just(":"), Just(","), Just("\"type\""),
        Just("\"job.updated\""), Just("\"seq\""), Just("1"), Just("-1"), Just("1e999"),
        Just("null"), Just("\"\\u0000\""), Just("\"\\ud800\""), Just(" "), Just("\"job\""),
    ], 0..40)) {
        let text: String = parts.concat();
        if let Ok(m) = ServerMessage::decode(&text) {
            prop_assert_eq!(Some(m), derived(&text));
        }
    }

    /// A field of the wrong type, or missing, in a valid frame of every kind: refused exactly
    /// when the derived reader refuses it, and read alike otherwise (optional fields take
    /// `null`; unknown extra fields are ignored).
    #[test]
    fn wrong_types_and_missing_fields(
        which in 0usize..9, pick in any::<usize>(), with in wrong_value(), remove in any::<bool>(),
        extra in prop::option::of(("[a-z_]{1,8}", wrong_value())),
    ) {
        let mut all = frames();
        all.push(queue_frame());
        let mut v = all[which % all.len()].clone();
        mutate(&mut v, pick, with, remove);
        if let (Some((k, x)), Value::Object(map)) = (extra, &mut v) {
            if k != "type" {
                map.entry(k).or_insert(x);
            }
        }
        let text = v.to_string();
        let ours = ServerMessage::decode(&text);
        let theirs = derived(&text);
        match ours {
            Ok(m) => prop_assert_eq!(Some(m), theirs, "{}", text),
            Err(DecodeError::Json(_)) => prop_assert!(theirs.is_none(), "{}", text),
            Err(e) => prop_assert!(false, "{}: unexpected {:?}", text, e),
        }
    }

    /// A type this page does not know is named in the error, whatever else the frame holds.
    #[test]
    fn unknown_types_are_named(ty in "[a-z._]{1,20}", body in wrong_value()) {
        prop_assume!(!KNOWN.contains(&ty.as_str()));
        let text = json!({"type": ty, "payload": body}).to_string();
        match ServerMessage::decode(&text) {
            Err(DecodeError::UnknownType(t)) => prop_assert_eq!(t, ty),
            other => prop_assert!(false, "{:?}", other),
        }
    }
}

/// Every strict prefix of every frame (cut at every character) is refused.
#[test]
fn every_truncation_is_refused() {
    for text in frame_texts() {
        assert!(ServerMessage::decode(&text).is_ok(), "{text}");
        for (cut, _) in text.char_indices().skip(1) {
            let head = &text[..cut];
            assert!(
                ServerMessage::decode(head).is_err(),
                "a frame cut at {cut} was accepted: {head}"
            );
        }
        assert!(ServerMessage::decode("").is_err());
    }
}

/// A frame followed by anything (a second frame glued on, junk) is refused, not half-read.
#[test]
fn trailing_bytes_are_refused() {
    for text in frame_texts() {
        for tail in ["x", "{}", &text, "\u{0}", "]"] {
            let glued = format!("{text}{tail}");
            assert!(ServerMessage::decode(&glued).is_err(), "{glued}");
        }
        // Whitespace around a frame is still a frame.
        assert!(ServerMessage::decode(&format!(" {text}\n")).is_ok());
    }
}

/// A log frame whose text makes it exactly `bytes` long.
fn log_frame_of(bytes: usize) -> String {
    let empty = json!({"type": "log", "job_id": "j", "line": {"n": 1, "ts": 0, "level": "INFO",
                       "attempt": 1, "text": ""}})
    .to_string();
    let text = "a".repeat(bytes - empty.len());
    let frame = empty.replacen("\"text\":\"\"", &format!("\"text\":\"{text}\""), 1);
    assert_eq!(frame.len(), bytes);
    frame
}

#[test]
fn frames_over_the_limit_are_refused_before_parsing() {
    // At the limit: a valid frame is read.
    let at = log_frame_of(MAX_FRAME_BYTES);
    assert!(matches!(
        ServerMessage::decode(&at),
        Ok(ServerMessage::Log { .. })
    ));
    // One byte over: refused even though it is valid JSON of a known type.
    let over = log_frame_of(MAX_FRAME_BYTES + 1);
    assert!(derived(&over).is_some(), "the frame itself is well formed");
    match ServerMessage::decode(&over) {
        Err(e @ DecodeError::TooLarge { bytes }) => {
            assert_eq!(bytes, MAX_FRAME_BYTES + 1);
            assert_eq!(e.kind(), "too_large");
            assert!(e.to_string().contains("1048576-byte limit"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // Not parsed at all: junk over the limit is "too large", not "malformed".
    let junk = "{".repeat(MAX_FRAME_BYTES + 1);
    assert!(matches!(
        ServerMessage::decode(&junk),
        Err(DecodeError::TooLarge { .. })
    ));
    // Multi-byte text counts bytes, not characters.
    let wide = "é".repeat(MAX_FRAME_BYTES / 2 + 1);
    assert!(matches!(
        ServerMessage::decode(&wide),
        Err(DecodeError::TooLarge { .. })
    ));
}

#[test]
fn deeply_nested_frames_are_refused_without_overflowing_the_stack() {
    // serde_json stops at 128 levels: a bomb of brackets is an error, not a stack overflow.
    for open in ["[", "{\"a\":"] {
        let bomb = format!(
            "{{\"type\":\"job.updated\",\"seq\":1,\"prev_seq\":0,\"job\":{}",
            open.repeat(100_000)
        );
        assert!(matches!(
            ServerMessage::decode(&bomb),
            Err(DecodeError::Json(_))
        ));
        let tail = format!("{{\"x\":{},\"type\":\"hello\"}}", open.repeat(100_000));
        assert!(ServerMessage::decode(&tail).is_err());
    }
}

#[test]
fn kinds_are_stable_names() {
    assert_eq!(
        ServerMessage::decode("nope").unwrap_err().kind(),
        "malformed"
    );
    assert_eq!(
        ServerMessage::decode(r#"{"type":"x"}"#).unwrap_err().kind(),
        "unknown_type"
    );
}
