//! The Start Job form as data: what the user chose and typed, the contract's parameter rules
//! (checked before anything is sent), and the server's 422 answers keyed the same way, so the
//! dialog can show every message next to the field it concerns.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::types::error::Detail;
use crate::types::{BulkResponse, Job, JobCreate, JobKind};

/// Error key of the dataset selection.
pub const DATASET: &str = "dataset";
/// Error key of the job kind.
pub const KIND: &str = "kind";
pub const CHUNK_ROWS: &str = "params.chunk_rows";
pub const CHUNK_DELAY_MS: &str = "params.chunk_delay_ms";
pub const FAIL_AT: &str = "params.fail_at";
pub const PASSES: &str = "params.passes";
pub const NOTE: &str = "params.note";
/// Error key of messages that concern no field of the form (shown above the buttons).
pub const GENERAL: &str = "general";

/// Every key a message can be shown next to, in form order.
pub const FIELDS: [&str; 7] = [
    DATASET,
    KIND,
    CHUNK_ROWS,
    CHUNK_DELAY_MS,
    FAIL_AT,
    PASSES,
    NOTE,
];

pub const CHUNK_ROWS_MAX: i64 = 100_000;
pub const CHUNK_DELAY_MS_MAX: i64 = 60_000;
pub const PASSES_MAX: i64 = 1_000;
/// In characters (Unicode scalar values), as the server counts them.
pub const NOTE_MAX_CHARS: usize = 2_000;

/// Messages per field key (`dataset`, `params.chunk_rows`, …, or [`GENERAL`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `message` for `field`; several messages for one field read as one sentence list.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        match self.0.get_mut(field) {
            Some(existing) if existing.split("; ").any(|m| m == message) => {}
            Some(existing) => {
                existing.push_str("; ");
                existing.push_str(&message);
            }
            None => {
                self.0.insert(field.to_string(), message);
            }
        }
    }

    /// Forgets the message of `field` (the user is changing it).
    pub fn remove(&mut self, field: &str) {
        self.0.remove(field);
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `(field, message)` pairs, ordered by field key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The first key, in form order, that has a message (where focus should go).
    pub fn first_field(&self) -> Option<&'static str> {
        FIELDS.into_iter().find(|f| self.0.contains_key(*f))
    }
}

/// What the Start Job form holds. Numeric fields stay the user's text until validation, so the
/// form never rewrites what was typed; an empty field means "the server's default".
#[derive(Clone, Debug, PartialEq)]
pub struct JobForm {
    /// Selected dataset ids, in the order they were chosen.
    pub datasets: Vec<String>,
    pub kind: JobKind,
    pub chunk_rows: String,
    pub chunk_delay_ms: String,
    pub fail_at: String,
    pub passes: String,
    pub note: String,
}

impl Default for JobForm {
    fn default() -> Self {
        Self {
            datasets: Vec::new(),
            kind: JobKind::Profile,
            chunk_rows: String::new(),
            chunk_delay_ms: String::new(),
            fail_at: String::new(),
            passes: String::new(),
            note: String::new(),
        }
    }
}

/// One change the user makes to the form.
#[derive(Clone, Debug, PartialEq)]
pub enum FormEdit {
    /// New text of a numeric or note field, by error key (`params.chunk_rows`, …).
    Text {
        field: &'static str,
        value: String,
    },
    Kind(JobKind),
    Select {
        dataset_id: String,
        selected: bool,
    },
    /// Keep only these datasets selected (after a partial start: the ones that failed).
    KeepOnly(Vec<String>),
}

impl JobForm {
    pub fn apply(&mut self, edit: FormEdit) {
        match edit {
            FormEdit::Text { field, value } => {
                if let Some(text) = self.text_mut(field) {
                    *text = value;
                }
            }
            FormEdit::Kind(kind) => self.kind = kind,
            FormEdit::Select {
                dataset_id,
                selected,
            } => self.set_selected(&dataset_id, selected),
            FormEdit::KeepOnly(ids) => self.datasets.retain(|d| ids.contains(d)),
        }
    }

    /// The form filled like `job` was started ("Run again like this").
    pub fn from_job(job: &Job) -> Self {
        let p = &job.params;
        Self {
            datasets: vec![job.dataset_id.clone()],
            kind: job.kind,
            chunk_rows: p.chunk_rows.to_string(),
            chunk_delay_ms: p.chunk_delay_ms.to_string(),
            fail_at: p.fail_at.map(|f| f.to_string()).unwrap_or_default(),
            passes: p.passes.to_string(),
            note: p.note.clone().unwrap_or_default(),
        }
    }

    pub fn is_selected(&self, dataset_id: &str) -> bool {
        self.datasets.iter().any(|d| d == dataset_id)
    }

    /// Selects or deselects one dataset.
    pub fn set_selected(&mut self, dataset_id: &str, selected: bool) {
        self.datasets.retain(|d| d != dataset_id);
        if selected {
            self.datasets.push(dataset_id.to_string());
        }
    }

    /// The text of the field with error key `field` (empty for keys without text).
    pub fn text(&self, field: &str) -> &str {
        match field {
            CHUNK_ROWS => &self.chunk_rows,
            CHUNK_DELAY_MS => &self.chunk_delay_ms,
            FAIL_AT => &self.fail_at,
            PASSES => &self.passes,
            NOTE => &self.note,
            _ => "",
        }
    }

    /// The text of the field with error key `field` (for the numeric and note fields).
    pub fn text_mut(&mut self, field: &str) -> Option<&mut String> {
        match field {
            CHUNK_ROWS => Some(&mut self.chunk_rows),
            CHUNK_DELAY_MS => Some(&mut self.chunk_delay_ms),
            FAIL_AT => Some(&mut self.fail_at),
            PASSES => Some(&mut self.passes),
            NOTE => Some(&mut self.note),
            _ => None,
        }
    }

    /// One `JobCreate` per selected dataset, or every rule the form breaks.
    pub fn validate(&self) -> Result<Vec<JobCreate>, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut params = Map::new();
        if self.datasets.is_empty() {
            errors.add(DATASET, "Choose at least one dataset.");
        }
        let integers = [
            (CHUNK_ROWS, &self.chunk_rows, 1, CHUNK_ROWS_MAX),
            (CHUNK_DELAY_MS, &self.chunk_delay_ms, 0, CHUNK_DELAY_MS_MAX),
            (PASSES, &self.passes, 1, PASSES_MAX),
        ];
        for (field, text, min, max) in integers {
            match parse_integer(text, min, max) {
                Ok(Some(n)) => {
                    params.insert(param_name(field).to_string(), Value::from(n));
                }
                Ok(None) => {}
                Err(message) => errors.add(field, message),
            }
        }
        match parse_fraction(&self.fail_at) {
            Ok(Some(f)) => {
                params.insert(param_name(FAIL_AT).to_string(), Value::from(f));
            }
            Ok(None) => {}
            Err(message) => errors.add(FAIL_AT, message),
        }
        let note_chars = self.note.chars().count();
        if note_chars > NOTE_MAX_CHARS {
            errors.add(
                NOTE,
                format!(
                    "The note can be at most {} characters long; it has {}.",
                    group(NOTE_MAX_CHARS as i64),
                    group(note_chars as i64)
                ),
            );
        } else if !self.note.is_empty() {
            params.insert(param_name(NOTE).to_string(), Value::from(self.note.clone()));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let params = (!params.is_empty()).then_some(Value::Object(params));
        Ok(self
            .datasets
            .iter()
            .map(|dataset_id| JobCreate {
                dataset_id: dataset_id.clone(),
                kind: self.kind,
                params: params.clone(),
            })
            .collect())
    }
}

/// The key of `params` for an error key (`params.chunk_rows` → `chunk_rows`); also the name
/// used in element ids and test ids.
pub fn param_name(field: &str) -> &str {
    field.strip_prefix("params.").unwrap_or(field)
}

/// A whole number in `min..=max`; empty (or blank) means "not given".
fn parse_integer(text: &str, min: i64, max: i64) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(format!(
            "Enter a whole number from {} to {}, or leave it empty for the default.",
            group(min),
            group(max)
        )),
    }
}

/// A number in `(0, 1]`; empty (or blank) means "never fail".
fn parse_fraction(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() && f > 0.0 && f <= 1.0 => Ok(Some(f)),
        _ => Err(
            "Enter a fraction greater than 0 and at most 1 (e.g. 0.5), or leave it empty \
                  to never fail."
                .to_string(),
        ),
    }
}

/// `100000` → `100,000` (negative numbers are not needed here).
fn group(n: i64) -> String {
    crate::state::format::thousands(n.unsigned_abs())
}

/// The server's 422 `detail` as messages keyed like [`JobForm::validate`]'s.
///
/// FastAPI locations such as `["body", "params", "chunk_rows"]` become `params.chunk_rows`; a bulk
/// request's `["body", "jobs", 0, "params", "chunk_rows"]` loses its `jobs.<i>.` prefix (every job
/// of the form shares its parameters); `dataset_id` is the `dataset` field. Anything else goes to
/// [`GENERAL`], naming its location so no message is lost.
pub fn server_errors(detail: &Detail) -> FieldErrors {
    let mut errors = FieldErrors::new();
    match detail {
        Detail::Message(message) => errors.add(GENERAL, message.clone()),
        Detail::Other(value) => errors.add(GENERAL, value.to_string()),
        Detail::Fields(fields) => {
            for f in fields {
                let field = form_field(&f.field());
                if FIELDS.contains(&field.as_str()) {
                    errors.add(&field, f.msg.clone());
                } else if field.is_empty() {
                    errors.add(GENERAL, f.msg.clone());
                } else {
                    errors.add(GENERAL, format!("{field}: {}", f.msg));
                }
            }
        }
    }
    errors
}

/// `jobs.3.params.chunk_rows` → `params.chunk_rows`; `dataset_id` → `dataset`.
fn form_field(path: &str) -> String {
    let path = match path.strip_prefix("jobs.") {
        Some(rest) => match rest.split_once('.') {
            Some((index, tail)) if index.chars().all(|c| c.is_ascii_digit()) => tail,
            _ => path,
        },
        None => path,
    };
    match path {
        "dataset_id" => DATASET.to_string(),
        other => other.to_string(),
    }
}

/// How starting one dataset's job went.
#[derive(Clone, Debug, PartialEq)]
pub struct StartResult {
    pub dataset_id: String,
    /// The created job, when it was started.
    pub job_id: Option<String>,
    /// The server's reason, when it was not.
    pub error: Option<String>,
}

impl StartResult {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// A bulk start's answer, per requested dataset (in request order), plus the jobs it created.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkOutcome {
    pub results: Vec<StartResult>,
    pub started: Vec<Job>,
}

impl BulkOutcome {
    pub fn all_ok(&self) -> bool {
        self.results.iter().all(StartResult::ok)
    }

    /// Datasets whose job was not started.
    pub fn failed_datasets(&self) -> Vec<String> {
        self.results
            .iter()
            .filter(|r| !r.ok())
            .map(|r| r.dataset_id.clone())
            .collect()
    }
}

/// Matches a bulk response to the request by each result's `index`; a request item the server
/// did not answer counts as failed, so nothing is silently reported as started.
pub fn bulk_outcome(requested: &[JobCreate], response: BulkResponse) -> BulkOutcome {
    let mut results: Vec<StartResult> = requested
        .iter()
        .map(|j| StartResult {
            dataset_id: j.dataset_id.clone(),
            job_id: None,
            error: Some("the server did not answer for this dataset".to_string()),
        })
        .collect();
    let mut started = Vec::new();
    for item in response.results {
        let Some(slot) = results.get_mut(item.index as usize) else {
            continue;
        };
        if item.ok {
            slot.job_id = item.job.as_ref().map(|j| j.id.clone()).or(item.id);
            slot.error = None;
            started.extend(item.job);
        } else {
            let detail = item
                .detail
                .unwrap_or_else(|| "the server refused it".to_string());
            slot.error = Some(format!("{detail} (HTTP {})", item.status_code));
        }
    }
    BulkOutcome { results, started }
}

/// The submit button's name: `Start 1 job`, `Start 3 jobs` (`Start jobs` before a choice).
pub fn submit_label(jobs: usize) -> String {
    match jobs {
        0 => "Start jobs".to_string(),
        1 => "Start 1 job".to_string(),
        n => format!("Start {n} jobs"),
    }
}

/// `4 workers available, 3 jobs queued`.
pub fn capacity_summary(workers: usize, queued: u64) -> String {
    let w = if workers == 1 { "worker" } else { "workers" };
    let j = if queued == 1 { "job" } else { "jobs" };
    format!("{workers} {w} available, {queued} {j} queued")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::error::FieldError;
    use crate::types::{BulkItemResult, JobParams, JobStatus, Progress};
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

    fn job(params: JobParams) -> Job {
        Job {
            id: "job_1".into(),
            kind: JobKind::Validate,
            dataset_id: "ds_x".into(),
            dataset_name: "x.csv".into(),
            status: JobStatus::Failed,
            params,
            progress: Progress {
                processed: 0,
                total: 0,
                unit: "rows".into(),
                phase: "queued".into(),
                updated_at: None,
            },
            attempt: 1,
            attempts: vec![],
            error: None,
            result: None,
            created_at: 0,
            started_at: None,
            finished_at: None,
            updated_at: 0,
            version: 1,
            log_count: 0,
        }
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

        let plain = JobForm::from_job(&job(JobParams {
            chunk_rows: 500,
            chunk_delay_ms: 200,
            fail_at: None,
            passes: 1,
            note: None,
            log_burst: 0,
        }));
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

    fn item(index: u32, ok: bool, job_id: Option<&str>, detail: Option<&str>) -> BulkItemResult {
        BulkItemResult {
            id: None,
            index,
            ok,
            status_code: if ok { 201 } else { 404 },
            detail: detail.map(String::from),
            job: job_id.map(|id| Job {
                id: id.into(),
                ..job(JobParams {
                    chunk_rows: 500,
                    chunk_delay_ms: 200,
                    fail_at: None,
                    passes: 1,
                    note: None,
                    log_burst: 0,
                })
            }),
        }
    }

    fn requested(ids: &[&str]) -> Vec<JobCreate> {
        ids.iter()
            .map(|id| JobCreate {
                dataset_id: id.to_string(),
                kind: JobKind::Profile,
                params: None,
            })
            .collect()
    }

    #[test]
    fn bulk_results_follow_the_request_order() {
        let req = requested(&["ds_a", "ds_b", "ds_c"]);
        let outcome = bulk_outcome(
            &req,
            BulkResponse {
                // Out of order on purpose: `index` says which item each result is.
                results: vec![
                    item(2, true, Some("job_c"), None),
                    item(0, true, Some("job_a"), None),
                    item(1, false, None, Some("dataset ds_b not found")),
                ],
                ok: 2,
                failed: 1,
            },
        );
        assert!(!outcome.all_ok());
        assert_eq!(outcome.failed_datasets(), vec!["ds_b"]);
        let ids: Vec<_> = outcome.started.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, vec!["job_c", "job_a"]);
        assert_eq!(outcome.results[0].job_id.as_deref(), Some("job_a"));
        assert_eq!(
            outcome.results[1].error.as_deref(),
            Some("dataset ds_b not found (HTTP 404)")
        );
        assert_eq!(outcome.results[2].dataset_id, "ds_c");
    }

    #[test]
    fn unanswered_items_count_as_failed() {
        let req = requested(&["ds_a", "ds_b"]);
        let outcome = bulk_outcome(
            &req,
            BulkResponse {
                results: vec![
                    item(0, true, Some("job_a"), None),
                    item(7, true, Some("x"), None),
                ],
                ok: 2,
                failed: 0,
            },
        );
        assert!(!outcome.all_ok());
        assert_eq!(outcome.failed_datasets(), vec!["ds_b"]);
        assert_eq!(outcome.started.len(), 1);
        let all = bulk_outcome(
            &req,
            BulkResponse {
                results: vec![
                    item(0, true, Some("a"), None),
                    item(1, true, Some("b"), None),
                ],
                ok: 2,
                failed: 0,
            },
        );
        assert!(all.all_ok());
        assert_eq!(all.started.len(), 2);
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
}
