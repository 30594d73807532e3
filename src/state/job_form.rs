//! The Start Job form as data: what the user chose and typed, the contract's parameter rules
//! (checked before anything is sent), and the server's 422 answers keyed the same way, so the
//! dialog can show every message next to the field it concerns; plus the form's own labels.
//! How a sent request turned out per dataset is `state::bulk_start`; the form as a yew reducer
//! is [`reducer`].

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::types::error::Detail;
use crate::types::{Job, JobCreate, JobKind};

mod reducer;

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
pub(crate) mod tests;
