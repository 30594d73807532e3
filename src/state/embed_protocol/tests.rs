use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::state::config::resolve;
use crate::types::JobStatus;

fn msg(kind: &str, fields: Value) -> Value {
    let mut v = json!({"protocol": "jobs-page", "version": 1, "type": kind});
    if let (Value::Object(m), Value::Object(f)) = (&mut v, fields) {
        m.extend(f);
    }
    v
}

fn parse(v: &Value) -> Result<HostMessage, Rejection> {
    parse_host_message(&v.to_string())
}

fn config_allowing(origins: &[&str]) -> crate::state::config::Config {
    let mut c = resolve("https://app.example", None, &[]).unwrap();
    c.allowed_parent_origins = origins.iter().map(|s| s.to_string()).collect();
    c
}

/// One valid message of every host type.
fn valid_messages() -> Vec<(Value, HostMessage)> {
    vec![
        (
            msg("auth", json!({"token": "abc.DEF-123_~+/="})),
            HostMessage::Auth {
                token: "abc.DEF-123_~+/=".into(),
            },
        ),
        (
            msg("theme", json!({"theme": "dark"})),
            HostMessage::Theme(Theme::Dark),
        ),
        (
            msg("theme", json!({"theme": "light"})),
            HostMessage::Theme(Theme::Light),
        ),
        (
            msg("filter", json!({"dataset": "ds_sales"})),
            HostMessage::Filter {
                dataset: Some("ds_sales".into()),
            },
        ),
        (
            msg("filter", json!({"dataset": null})),
            HostMessage::Filter { dataset: None },
        ),
        (
            msg("route", json!({"path": "/jobs"})),
            HostMessage::Route(HostRoute::Jobs),
        ),
        (
            msg("route", json!({"path": "/jobs/job_3f2a9c1d4e5b"})),
            HostMessage::Route(HostRoute::Job("job_3f2a9c1d4e5b".into())),
        ),
        (
            msg("diagnostics_request", json!({})),
            HostMessage::DiagnosticsRequest,
        ),
    ]
}

#[test]
fn every_valid_host_message_parses() {
    for (value, expected) in valid_messages() {
        assert_eq!(parse(&value), Ok(expected), "{value}");
    }
}

#[test]
fn wrong_envelope_is_rejected() {
    let ok = msg("theme", json!({"theme": "dark"}));
    let with = |key: &str, v: Value| {
        let mut m = ok.clone();
        m[key] = v;
        m
    };
    let without = |key: &str| {
        let mut m = ok.clone();
        m.as_object_mut().unwrap().remove(key);
        m
    };
    assert_eq!(parse(&with("version", json!(2))), Err(Rejection::Version));
    assert_eq!(parse(&with("version", json!(0))), Err(Rejection::Version));
    assert_eq!(parse(&with("version", json!("1"))), Err(Rejection::Version));
    assert_eq!(parse(&with("version", json!(1.5))), Err(Rejection::Version));
    assert_eq!(parse(&without("version")), Err(Rejection::Version));
    assert_eq!(
        parse(&with("protocol", json!("other"))),
        Err(Rejection::NotProtocol)
    );
    assert_eq!(parse(&without("protocol")), Err(Rejection::NotProtocol));
    assert_eq!(parse(&without("type")), Err(Rejection::NoType));
    assert_eq!(parse(&with("type", json!(7))), Err(Rejection::NoType));
    for not_object in [json!("theme"), json!([1]), json!(null), json!(3)] {
        assert_eq!(parse(&not_object), Err(Rejection::NotObject));
    }
    assert_eq!(parse_host_message("{not json"), Err(Rejection::NotObject));
}

#[test]
fn unknown_types_are_rejected_including_the_pages_own() {
    for kind in [
        "hello",
        "ready",
        "height",
        "summary",
        "token_request",
        "AUTH",
        "",
    ] {
        assert!(
            matches!(parse(&msg(kind, json!({}))), Err(Rejection::UnknownType(_))),
            "{kind}"
        );
    }
}

#[test]
fn wrong_shapes_are_rejected() {
    let bad = [
        msg("auth", json!({})),
        msg("auth", json!({"token": ""})),
        msg("auth", json!({"token": 42})),
        msg("auth", json!({"token": null})),
        msg("auth", json!({"token": "has space"})),
        msg("auth", json!({"token": "line\nbreak"})),
        msg("auth", json!({"token": "ok", "extra": 1})),
        msg("theme", json!({"theme": "blue"})),
        msg("theme", json!({"theme": "Dark"})),
        msg("theme", json!({"theme": true})),
        msg("theme", json!({})),
        msg("filter", json!({})),
        msg("filter", json!({"dataset": ""})),
        msg("filter", json!({"dataset": 5})),
        msg("filter", json!({"dataset": ["ds"]})),
        msg("filter", json!({"dataset": "ds x"})),
        msg("filter", json!({"dataset": "a/b"})),
        msg("filter", json!({"dataset": "ds", "status": "failed"})),
        msg("route", json!({"path": "/jobs/"})),
        msg("route", json!({"path": "/jobs/a/b"})),
        msg("route", json!({"path": "/jobs/a/logs"})),
        msg("route", json!({"path": "/settings"})),
        msg("route", json!({"path": "jobs"})),
        msg("route", json!({"path": "/jobs?status=failed"})),
        msg("route", json!({"path": "javascript:alert(1)"})),
        msg("route", json!({})),
        msg("diagnostics_request", json!({"all": true})),
    ];
    for value in bad {
        assert!(
            matches!(parse(&value), Err(Rejection::Shape { .. })),
            "{value} gave {:?}",
            parse(&value)
        );
    }
}

#[test]
fn oversize_strings_and_messages_are_rejected() {
    let long_id = "a".repeat(MAX_ID_LEN + 1);
    assert!(parse(&msg("filter", json!({"dataset": long_id}))).is_err());
    assert!(parse(&msg("filter", json!({"dataset": "a".repeat(MAX_ID_LEN)}))).is_ok());
    assert!(parse(&msg("route", json!({"path": format!("/jobs/{long_id}")}))).is_err());
    assert!(parse(&msg(
        "auth",
        json!({"token": "t".repeat(MAX_TOKEN_LEN + 1)})
    ))
    .is_err());
    assert!(parse(&msg("auth", json!({"token": "t".repeat(MAX_TOKEN_LEN)}))).is_ok());
    let huge = msg(
        "theme",
        json!({"theme": "dark", "pad": "x".repeat(MAX_MESSAGE_BYTES)}),
    );
    assert!(matches!(parse(&huge), Err(Rejection::TooLarge(_))));
}

#[test]
fn rejections_never_quote_a_token() {
    let secret = "s3cr3t-token-value";
    let cases = [
        msg("auth", json!({"token": format!("{secret} x")})),
        msg("auth", json!({"token": secret, "extra": secret})),
        msg("auth", json!({"token": secret, "version": 2})),
    ];
    for value in cases {
        let text = parse(&value).unwrap_err().to_string();
        assert!(!text.contains(secret), "{text}");
    }
    let ok = parse(&msg("auth", json!({"token": secret}))).unwrap();
    assert!(!format!("{ok:?}").contains(secret));
}

#[test]
fn page_messages_carry_the_envelope_and_their_fields() {
    let ready = PageMessage::Ready {
        app_version: "0.1.0".into(),
    }
    .to_json();
    assert_eq!(
        ready,
        json!({"protocol": "jobs-page", "version": 1, "type": "ready",
               "app_version": "0.1.0", "protocol_version": 1})
    );
    let cases = [
        (
            PageMessage::Height { px: 812 },
            json!({"type": "height", "px": 812}),
        ),
        (
            PageMessage::Summary(Summary {
                running: 2,
                failed: 1,
            }),
            json!({"type": "summary", "running": 2, "failed": 1}),
        ),
        (
            PageMessage::NavigateDataset {
                dataset_id: "ds_sales".into(),
            },
            json!({"type": "navigate", "target": "dataset", "dataset_id": "ds_sales"}),
        ),
        (
            PageMessage::NavigateJob {
                job_id: "job_1".into(),
            },
            json!({"type": "navigate", "target": "job", "job_id": "job_1", "new_tab": true}),
        ),
        (
            PageMessage::Error {
                message: "boom".into(),
            },
            json!({"type": "error", "message": "boom"}),
        ),
        (PageMessage::TokenRequest, json!({"type": "token_request"})),
        (
            PageMessage::Diagnostics {
                snapshot: json!({"ws": "open"}),
            },
            json!({"type": "diagnostics", "snapshot": {"ws": "open"}}),
        ),
    ];
    for (message, fields) in cases {
        let mut expected = json!({"protocol": "jobs-page", "version": 1});
        expected
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        assert_eq!(message.to_json(), expected);
    }
    let long = PageMessage::Error {
        message: "é".repeat(MAX_ERROR_LEN),
    }
    .to_json();
    assert!(long["message"].as_str().unwrap().len() <= MAX_ERROR_LEN);
}

#[test]
fn the_page_posts_only_to_an_allowed_parent() {
    let own = "https://app.example";
    let none = config_allowing(&[]);
    let shell = config_allowing(&["https://shell.example"]);
    let any = config_allowing(&["*"]);
    assert_eq!(post_target(&shell, own, None), None, "standalone");
    assert_eq!(
        post_target(&shell, own, Some("https://shell.example")).as_deref(),
        Some("https://shell.example")
    );
    assert_eq!(post_target(&shell, own, Some("https://evil.example")), None);
    assert_eq!(post_target(&none, own, Some("https://shell.example")), None);
    assert_eq!(post_target(&none, own, Some(own)).as_deref(), Some(own));
    // `*` allows any parent, but the page still names it: never a `*` target.
    assert_eq!(
        post_target(&any, own, Some("https://evil.example")).as_deref(),
        Some("https://evil.example")
    );
    assert_eq!(post_target(&any, own, Some("null")), None);
    assert_eq!(post_target(&any, own, Some("")), None);
}

#[test]
fn messages_are_read_only_from_the_parent_at_the_validated_origin() {
    let shell = Some("https://shell.example");
    assert_eq!(accept_origin(shell, "https://shell.example", true), Ok(()));
    assert!(matches!(
        accept_origin(shell, "https://evil.example", true),
        Err(Rejection::Origin(_))
    ));
    assert!(matches!(
        accept_origin(shell, "https://shell.example.evil", true),
        Err(Rejection::Origin(_))
    ));
    assert_eq!(
        accept_origin(shell, "https://shell.example", false),
        Err(Rejection::NotFromParent)
    );
    assert_eq!(
        accept_origin(None, "https://app.example", true),
        Err(Rejection::NoParent)
    );
}

#[test]
fn routes() {
    assert_eq!(parse_route("/jobs"), Some(HostRoute::Jobs));
    assert_eq!(parse_route("/jobs/j1"), Some(HostRoute::Job("j1".into())));
    assert_eq!(parse_route("/jobsx"), None);
    assert_eq!(parse_route("/jobs/"), None);
    assert_eq!(
        route_hash(&HostRoute::Job("j1".into()), "#/jobs"),
        "#/jobs/j1"
    );
    assert_eq!(
        route_hash(&HostRoute::Jobs, "#/jobs?status=failed"),
        "#/jobs?status=failed"
    );
    assert_eq!(route_hash(&HostRoute::Jobs, "#/jobs/j1"), "#/jobs");
}

#[test]
fn filter_keeps_the_lists_other_filters() {
    assert_eq!(
        filter_hash("#/jobs", Some("ds_sales")),
        "#/jobs?dataset=ds_sales"
    );
    assert_eq!(
        filter_hash("#/jobs?status=failed&dataset=ds_a&q=x", Some("ds_b")),
        "#/jobs?status=failed&dataset=ds_b&q=x"
    );
    assert_eq!(filter_hash("#/jobs?dataset=ds_a", None), "#/jobs");
    assert!(is_list_hash("#/jobs"));
    assert!(is_list_hash("#/jobs?dataset=x"));
    assert!(!is_list_hash("#/jobs/j1"));
    assert!(!is_list_hash("#/jobs/j1/logs?line=3"));
    assert!(!is_list_hash(""));
}

#[test]
fn summary_counts_running_and_failed_only() {
    use JobStatus::*;
    let s = Summary::of([
        Running, Failed, Running, Queued, Cancelling, Succeeded, Cancelled,
    ]);
    assert_eq!(
        s,
        Summary {
            running: 2,
            failed: 1
        }
    );
    assert_eq!(Summary::of([]), Summary::default());
}

#[test]
fn height_is_posted_only_when_it_changes() {
    let mut t = HeightTracker::default();
    assert_eq!(t.update(400.2), Some(401));
    assert_eq!(t.update(400.9), None);
    assert_eq!(t.update(401.0), None);
    assert_eq!(t.update(650.0), Some(650));
    assert_eq!(t.update(f64::NAN), Some(0));
    assert_eq!(height_px(-3.0), 0);
    assert_eq!(height_px(f64::INFINITY), 0);
}

/// Any JSON value built from the protocol's own keys and a few other ones.
fn arb_message() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(1)),
        Just(json!("jobs-page")),
        Just(json!("dark")),
        Just(json!("/jobs")),
        "[ -~]{0,12}".prop_map(Value::from),
    ];
    let key = prop_oneof![
        Just("protocol".to_string()),
        Just("version".to_string()),
        Just("type".to_string()),
        Just("token".to_string()),
        Just("theme".to_string()),
        Just("dataset".to_string()),
        Just("path".to_string()),
        "[a-z]{1,6}",
    ];
    let kind = prop_oneof![
        Just("auth"),
        Just("theme"),
        Just("filter"),
        Just("route"),
        Just("diagnostics_request"),
        Just("ready"),
        Just("other"),
    ];
    (
        proptest::collection::btree_map(key, leaf, 0..6),
        kind,
        any::<bool>(),
    )
        .prop_map(|(fields, kind, envelope)| {
            let mut m: Map<String, Value> = fields.into_iter().collect();
            if envelope {
                m.insert("protocol".into(), json!(PROTOCOL));
                m.insert("version".into(), json!(1));
                m.insert("type".into(), json!(kind));
            }
            Value::Object(m)
        })
}

/// The key set each accepted type must have exactly.
fn expected_keys(kind: &str) -> Option<Vec<&'static str>> {
    let fields: &[&str] = match kind {
        "auth" => &["token"],
        "theme" => &["theme"],
        "filter" => &["dataset"],
        "route" => &["path"],
        "diagnostics_request" => &[],
        _ => return None,
    };
    let mut keys = vec!["protocol", "type", "version"];
    keys.extend(fields);
    keys.sort();
    Some(keys)
}

proptest! {
    /// Whatever arrives, an accepted message had the exact envelope, a known type and
    /// exactly that type's keys; and parsing never panics.
    #[test]
    fn accepted_messages_have_exactly_the_right_shape(value in arb_message()) {
        if let Ok(parsed) = parse(&value) {
            let obj = value.as_object().unwrap();
            prop_assert_eq!(&obj["protocol"], &json!(PROTOCOL));
            prop_assert_eq!(&obj["version"], &json!(1));
            prop_assert_eq!(obj["type"].as_str(), Some(parsed.kind()));
            let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            keys.sort();
            prop_assert_eq!(Some(keys), expected_keys(parsed.kind()));
        }
    }

    /// Adding any unknown field to a valid message makes it invalid.
    #[test]
    fn unknown_fields_are_rejected(i in 0usize..8, key in "[a-z]{1,8}", v in any::<i32>()) {
        let (mut value, _) = valid_messages().swap_remove(i);
        prop_assume!(value.get(&key).is_none());
        value[&key] = json!(v);
        let shape_error = matches!(parse(&value), Err(Rejection::Shape { .. }));
        prop_assert!(shape_error, "{} was accepted", value);
    }

    /// Any other version makes a valid message invalid.
    #[test]
    fn other_versions_are_rejected(i in 0usize..8, version in any::<i64>()) {
        prop_assume!(version != 1);
        let (mut value, _) = valid_messages().swap_remove(i);
        value["version"] = json!(version);
        prop_assert_eq!(parse(&value), Err(Rejection::Version));
    }

    /// Only the validated parent origin is read, whatever the origin string.
    #[test]
    fn foreign_origins_are_rejected(origin in "[ -~]{0,40}", from_parent in any::<bool>()) {
        let target = "https://shell.example";
        let accepted = accept_origin(Some(target), &origin, from_parent).is_ok();
        prop_assert_eq!(accepted, origin == target && from_parent);
    }

    /// Ids pass validation exactly when they are short and URL-safe.
    #[test]
    fn filter_ids_are_bounded_and_url_safe(id in "[ -~]{0,140}") {
        let ok = parse(&msg("filter", json!({"dataset": id.clone()}))).is_ok();
        let safe = !id.is_empty()
            && id.len() <= MAX_ID_LEN
            && id.chars().all(|c| c.is_ascii_alphanumeric() || "_-.:~".contains(c));
        prop_assert_eq!(ok, safe);
    }
}
