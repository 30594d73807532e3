//! The form's rules, its edits, and the server's 422 locations mapped to its fields.

use super::*;
use crate::fixtures::{params, JobBuilder};
use crate::types::error::FieldError;
use crate::types::{JobParams, JobStatus};
use serde_json::json;

fn form() -> JobForm {
    JobForm {
        datasets: vec!["ds_sales".into()],
        ..JobForm::default()
    }
}

fn with(field: &str, text: &str) -> JobForm {
    let mut f = form();
    *f.text_mut(field).unwrap() = text.to_string();
    f
}

fn accepts(field: &str, text: &str) -> Option<Value> {
    let jobs = with(field, text)
        .validate()
        .unwrap_or_else(|e| panic!("{field}={text:?} rejected: {e:?}"));
    jobs[0]
        .params
        .as_ref()
        .and_then(|p| p.get(param_name(field)).cloned())
}

fn rejects(field: &str, text: &str) {
    let errors = with(field, text)
        .validate()
        .expect_err(&format!("{field}={text:?} accepted"));
    assert!(errors.get(field).is_some(), "{field}: {errors:?}");
    assert_eq!(errors.len(), 1, "only {field} is wrong: {errors:?}");
}

#[test]
fn an_untouched_form_sends_no_params() {
    let jobs = form().validate().unwrap();
    assert_eq!(
        jobs,
        vec![JobCreate {
            dataset_id: "ds_sales".into(),
            kind: JobKind::Profile,
            params: None,
        }]
    );
    assert_eq!(
        serde_json::to_value(&jobs[0]).unwrap(),
        json!({"dataset_id": "ds_sales", "kind": "profile"})
    );
}

#[test]
fn at_least_one_dataset() {
    let errors = JobForm::default().validate().unwrap_err();
    assert!(errors.get(DATASET).is_some());
    assert_eq!(errors.first_field(), Some(DATASET));
}

#[test]
fn one_job_per_dataset_sharing_kind_and_params() {
    let mut f = form();
    f.set_selected("ds_b", true);
    f.kind = JobKind::Validate;
    f.chunk_rows = "250".into();
    let jobs = f.validate().unwrap();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0].dataset_id, "ds_sales");
    assert_eq!(jobs[1].dataset_id, "ds_b");
    for j in &jobs {
        assert_eq!(j.kind, JobKind::Validate);
        assert_eq!(j.params, Some(json!({"chunk_rows": 250})));
    }
}

#[test]
fn selection_toggles_without_duplicates() {
    let mut f = form();
    f.set_selected("ds_sales", true);
    assert_eq!(f.datasets, vec!["ds_sales"]);
    f.set_selected("ds_sales", false);
    assert!(!f.is_selected("ds_sales"));
    assert!(f.datasets.is_empty());
}

#[test]
fn chunk_rows_is_a_whole_number_from_1_to_100000() {
    assert_eq!(accepts(CHUNK_ROWS, "1"), Some(json!(1)));
    assert_eq!(accepts(CHUNK_ROWS, "100000"), Some(json!(100_000)));
    assert_eq!(accepts(CHUNK_ROWS, " 500 "), Some(json!(500)));
    assert_eq!(accepts(CHUNK_ROWS, ""), None);
    assert_eq!(accepts(CHUNK_ROWS, "   "), None);
    for bad in [
        "0",
        "100001",
        "-1",
        "1.5",
        "1e3",
        "abc",
        "99999999999999999999",
    ] {
        rejects(CHUNK_ROWS, bad);
    }
    assert_eq!(
        with(CHUNK_ROWS, "0")
            .validate()
            .unwrap_err()
            .get(CHUNK_ROWS),
        Some("Enter a whole number from 1 to 100,000, or leave it empty for the default.")
    );
}

#[test]
fn chunk_delay_is_a_whole_number_from_0_to_60000() {
    assert_eq!(accepts(CHUNK_DELAY_MS, "0"), Some(json!(0)));
    assert_eq!(accepts(CHUNK_DELAY_MS, "60000"), Some(json!(60_000)));
    assert_eq!(accepts(CHUNK_DELAY_MS, ""), None);
    for bad in ["-1", "60001", "0.5", "x"] {
        rejects(CHUNK_DELAY_MS, bad);
    }
}

#[test]
fn passes_is_a_whole_number_from_1_to_1000() {
    assert_eq!(accepts(PASSES, "1"), Some(json!(1)));
    assert_eq!(accepts(PASSES, "1000"), Some(json!(1000)));
    assert_eq!(accepts(PASSES, ""), None);
    for bad in ["0", "1001", "2.0", "two"] {
        rejects(PASSES, bad);
    }
}

#[test]
fn fail_at_is_empty_or_a_fraction_in_0_excluded_to_1() {
    assert_eq!(accepts(FAIL_AT, ""), None);
    assert_eq!(accepts(FAIL_AT, "1"), Some(json!(1.0)));
    assert_eq!(accepts(FAIL_AT, "0.5"), Some(json!(0.5)));
    assert_eq!(accepts(FAIL_AT, ".25"), Some(json!(0.25)));
    assert_eq!(accepts(FAIL_AT, "0.0001"), Some(json!(0.0001)));
    for bad in ["0", "0.0", "-0.5", "1.0001", "2", "NaN", "inf", "half"] {
        rejects(FAIL_AT, bad);
    }
}

#[test]
fn note_is_at_most_2000_characters() {
    let exact = "é".repeat(NOTE_MAX_CHARS); // 4,000 bytes but 2,000 characters
    assert_eq!(accepts(NOTE, &exact), Some(json!(exact)));
    assert_eq!(accepts(NOTE, ""), None);
    assert_eq!(
        accepts(NOTE, "<b>kept verbatim</b> "),
        Some(json!("<b>kept verbatim</b> "))
    );
    rejects(NOTE, &"x".repeat(NOTE_MAX_CHARS + 1));
    assert_eq!(
        with(NOTE, &"x".repeat(2_001))
            .validate()
            .unwrap_err()
            .get(NOTE),
        Some("The note can be at most 2,000 characters long; it has 2,001.")
    );
}

#[test]
fn every_broken_rule_is_reported_at_once() {
    let f = JobForm {
        datasets: vec![],
        kind: JobKind::Profile,
        chunk_rows: "0".into(),
        chunk_delay_ms: "-1".into(),
        fail_at: "0".into(),
        passes: "0".into(),
        note: "x".repeat(2_001),
    };
    let errors = f.validate().unwrap_err();
    let keys: Vec<&str> = errors.iter().map(|(k, _)| k).collect();
    assert_eq!(errors.len(), 6, "{keys:?}");
    assert_eq!(errors.first_field(), Some(DATASET));
}

#[test]
fn all_params_given_are_sent_and_only_those() {
    let f = JobForm {
        datasets: vec!["ds_a".into()],
        kind: JobKind::Validate,
        chunk_rows: "10".into(),
        chunk_delay_ms: "0".into(),
        fail_at: "0.5".into(),
        passes: "3".into(),
        note: "hello".into(),
    };
    let jobs = f.validate().unwrap();
    assert_eq!(
        jobs[0].params,
        Some(
            json!({"chunk_rows": 10, "chunk_delay_ms": 0, "fail_at": 0.5, "passes": 3, "note": "hello"})
        )
    );
    let mut f = form();
    f.passes = "2".into();
    assert_eq!(f.validate().unwrap()[0].params, Some(json!({"passes": 2})));
}

/// A failed validate job with `params` (also the bulk-start tests' fixture).
pub(crate) fn job(params: JobParams) -> Job {
    JobBuilder::new("job_1")
        .kind(JobKind::Validate)
        .dataset("ds_x", "x.csv")
        .status(JobStatus::Failed)
        .params(params)
        .build()
}

#[test]
fn run_again_prefills_from_the_job_and_validates_to_the_same_request() {
    let j = job(JobParams {
        chunk_rows: 250,
        chunk_delay_ms: 0,
        fail_at: Some(0.75),
        passes: 2,
        note: Some("again".into()),
        log_burst: 0,
    });
    let f = JobForm::from_job(&j);
    assert_eq!(f.datasets, vec!["ds_x"]);
    assert_eq!(f.kind, JobKind::Validate);
    assert_eq!(f.chunk_rows, "250");
    assert_eq!(f.chunk_delay_ms, "0");
    assert_eq!(f.fail_at, "0.75");
    assert_eq!(f.passes, "2");
    assert_eq!(f.note, "again");
    let jobs = f.validate().unwrap();
    let sent: JobParams = serde_json::from_value(jobs[0].params.clone().unwrap()).unwrap();
    assert_eq!(sent, j.params);

    let plain = JobForm::from_job(&job(params()));
    assert_eq!(plain.fail_at, "");
    assert_eq!(plain.note, "");
    assert_eq!(
        JobForm::from_job(&job(JobParams {
            fail_at: Some(1.0),
            ..j.params.clone()
        }))
        .fail_at,
        "1"
    );
}

fn field_error(loc: Value, msg: &str) -> FieldError {
    FieldError {
        loc: loc.as_array().unwrap().clone(),
        msg: msg.into(),
        kind: "value_error".into(),
    }
}

#[test]
fn server_locations_map_to_form_fields() {
    let detail = Detail::Fields(vec![
        field_error(json!(["body", "params", "chunk_rows"]), "too small"),
        field_error(json!(["body", "kind"]), "bad kind"),
        field_error(json!(["body", "dataset_id"]), "missing"),
        field_error(json!(["body", "params", "fail_at"]), "too big"),
    ]);
    let errors = server_errors(&detail);
    assert_eq!(errors.get(CHUNK_ROWS), Some("too small"));
    assert_eq!(errors.get(KIND), Some("bad kind"));
    assert_eq!(errors.get(DATASET), Some("missing"));
    assert_eq!(errors.get(FAIL_AT), Some("too big"));
    assert_eq!(errors.get(GENERAL), None);
}

#[test]
fn bulk_locations_lose_their_job_index() {
    let detail = Detail::Fields(vec![
        field_error(
            json!(["body", "jobs", 0, "params", "chunk_rows"]),
            "too small",
        ),
        field_error(
            json!(["body", "jobs", 1, "params", "chunk_rows"]),
            "too small",
        ),
        field_error(json!(["body", "jobs", 12, "params", "note"]), "too long"),
    ]);
    let errors = server_errors(&detail);
    assert_eq!(errors.get(CHUNK_ROWS), Some("too small"), "deduplicated");
    assert_eq!(errors.get(NOTE), Some("too long"));
    assert_eq!(errors.len(), 2);
}

#[test]
fn messages_without_a_form_field_are_kept_as_general() {
    let detail = Detail::Fields(vec![
        field_error(json!(["body"]), "JSON decode error"),
        field_error(
            json!(["body", "params", "colour"]),
            "Extra inputs are not permitted",
        ),
        field_error(
            json!(["body", "jobs"]),
            "List should have at most 1000 items",
        ),
        field_error(json!(["body", "params", "passes"]), "too big"),
        field_error(json!(["body", "params", "passes"]), "not an integer"),
    ]);
    let errors = server_errors(&detail);
    assert_eq!(
        errors.get(GENERAL),
        Some(
            "JSON decode error; params.colour: Extra inputs are not permitted; \
             jobs: List should have at most 1000 items"
        )
    );
    assert_eq!(errors.get(PASSES), Some("too big; not an integer"));
    assert_eq!(
        server_errors(&Detail::Message("dataset ds_x not found".into())).get(GENERAL),
        Some("dataset ds_x not found")
    );
    assert_eq!(
        server_errors(&Detail::Other(json!({"odd": 1}))).get(GENERAL),
        Some(r#"{"odd":1}"#)
    );
}

#[test]
fn edits_change_only_their_field() {
    let mut f = form();
    f.apply(FormEdit::Text {
        field: CHUNK_ROWS,
        value: "9".into(),
    });
    f.apply(FormEdit::Text {
        field: NOTE,
        value: "n".into(),
    });
    f.apply(FormEdit::Kind(JobKind::Validate));
    f.apply(FormEdit::Select {
        dataset_id: "ds_b".into(),
        selected: true,
    });
    f.apply(FormEdit::Select {
        dataset_id: "ds_c".into(),
        selected: true,
    });
    assert_eq!(f.chunk_rows, "9");
    assert_eq!(f.text(CHUNK_ROWS), "9");
    assert_eq!(f.note, "n");
    assert_eq!(f.text(DATASET), "");
    assert_eq!(f.passes, "");
    assert_eq!(f.kind, JobKind::Validate);
    assert_eq!(f.datasets, vec!["ds_sales", "ds_b", "ds_c"]);
    f.apply(FormEdit::KeepOnly(vec!["ds_c".into(), "ds_gone".into()]));
    assert_eq!(f.datasets, vec!["ds_c"]);
}

#[test]
fn field_errors_clear_per_field() {
    let mut e = FieldErrors::new();
    e.add(PASSES, "a");
    e.add(NOTE, "b");
    e.remove(PASSES);
    assert_eq!(e.get(PASSES), None);
    assert_eq!(e.first_field(), Some(NOTE));
}

#[test]
fn labels_count_jobs_and_workers() {
    assert_eq!(submit_label(0), "Start jobs");
    assert_eq!(submit_label(1), "Start 1 job");
    assert_eq!(submit_label(7), "Start 7 jobs");
    assert_eq!(capacity_summary(4, 3), "4 workers available, 3 jobs queued");
    assert_eq!(capacity_summary(1, 1), "1 worker available, 1 job queued");
    assert_eq!(capacity_summary(0, 0), "0 workers available, 0 jobs queued");
}
