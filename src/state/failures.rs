//! Failure patterns: fingerprints of errors and groups of failed jobs.
//!
//! A failure is grouped two ways: by exception type (`ValueError`), and by fingerprint — the
//! type, the message with its variable parts normalised away, and the innermost traceback frame
//! — so "row 7342 could not convert 'n/a'" and "row 12 could not convert 'x'" raised from the
//! same function are one pattern. Keys travel in the URL (`failure=type:ValueError`), so the
//! list can be filtered to exactly the jobs a group counted.

mod normalise;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;

pub use normalise::normalise_message;

use crate::state::sort::sort_by;
use crate::state::traceback::{self, Kind};
use crate::types::job::Millis;
use crate::types::{Job, JobError, JobStatus};

/// The innermost frame of a Python traceback as `file.py:function` (basename and function;
/// the line number is dropped, since it changes between deployments). With chained
/// exceptions the innermost frame of the last block is the last frame line of all, since
/// Python prints the blocks in order. `None` when the text has no frame line.
pub fn innermost_frame(traceback: &str) -> Option<String> {
    traceback.lines().rev().find_map(|l| {
        // Exception groups (3.11+) indent their frames behind `|` bars.
        let l = l.trim_start_matches(|c: char| c.is_whitespace() || c == '|');
        let pieces = traceback::line(l.trim_end());
        let path = pieces.iter().find(|p| p.kind == Kind::Path)?;
        let func = pieces.iter().find(|p| p.kind == Kind::Function)?;
        let file = path.text.rsplit(['/', '\\']).next().unwrap_or(&path.text);
        Some(format!("{file}:{}", func.text.trim()))
    })
}

/// 16 lowercase hex characters identifying an error's pattern: a hash of the type, the
/// normalised message and the innermost frame. FNV-1a 64, written out, because the hash must
/// be the same in every build and on every machine (it is shared in URLs); std's hashers
/// make no such promise.
pub fn fingerprint(err: &JobError) -> String {
    fingerprint_of(
        &err.kind,
        &normalise_message(&err.message),
        innermost_frame(&err.traceback).as_deref(),
    )
}

fn fingerprint_of(kind: &str, normalised: &str, frame: Option<&str>) -> String {
    let h = fnv1a64(&[kind, "\n", normalised, "\n", frame.unwrap_or("")]);
    format!("{h:016x}")
}

/// FNV-1a, 64 bits, over the concatenation of `parts`.
fn fnv1a64(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What a failure group is keyed by; its URL form is [`FailureKey::to_param`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureKey {
    /// The exception type, as the worker recorded it (`ValueError`, `redis.exceptions.X`).
    Type(String),
    /// A [`fingerprint`]: 16 lowercase hex characters.
    Fingerprint(String),
}

impl FailureKey {
    /// `type:ValueError` or `fp:0123456789abcdef` (not yet percent-encoded).
    pub fn to_param(&self) -> String {
        match self {
            FailureKey::Type(t) => format!("type:{t}"),
            FailureKey::Fingerprint(fp) => format!("fp:{fp}"),
        }
    }

    /// The inverse of [`FailureKey::to_param`]; `None` for anything it could not have written
    /// (an empty or padded type, a fingerprint that is not 16 lowercase hex characters).
    pub fn parse(s: &str) -> Option<Self> {
        if let Some(t) = s.strip_prefix("type:") {
            let valid = !t.is_empty() && t.trim() == t && !t.chars().any(char::is_control);
            return valid.then(|| FailureKey::Type(t.to_string()));
        }
        let fp = s.strip_prefix("fp:")?;
        let valid = fp.len() == 16
            && fp
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        valid.then(|| FailureKey::Fingerprint(fp.to_string()))
    }
}

/// Whether `err` belongs to the group keyed by `key`.
pub fn key_matches(key: &FailureKey, err: &JobError) -> bool {
    match key {
        FailureKey::Type(t) => err.kind == *t,
        FailureKey::Fingerprint(fp) => fingerprint(err) == *fp,
    }
}

/// When a failed job failed: its `finished_at`, else its last attempt's (a job record caught
/// mid-update may lack the former).
pub fn failed_at(job: &Job) -> Option<Millis> {
    job.finished_at.or_else(|| {
        job.attempts
            .iter()
            .max_by_key(|a| a.number)
            .and_then(|a| a.finished_at)
    })
}

/// Whether `job` is a failure of the window starting at `since_ms`: failed, with an error,
/// and failed at or after `since_ms` (see [`failed_at`]; with no time at all it is excluded).
pub fn in_window(job: &Job, since_ms: Millis) -> bool {
    job.status == JobStatus::Failed
        && job.error.is_some()
        && failed_at(job).is_some_and(|t| t >= since_ms)
}

/// The start of a window of `within_s` seconds ending at `now_ms` (saturating, so a huge
/// window from a URL means "all time" rather than an overflow).
pub fn window_start(now_ms: Millis, within_s: u64) -> Millis {
    let span = i64::try_from(within_s.saturating_mul(1000)).unwrap_or(i64::MAX);
    now_ms.saturating_sub(span)
}

/// Failed jobs that share a [`FailureKey`].
#[derive(Clone, Debug, PartialEq)]
pub struct FailureGroup {
    pub key: FailureKey,
    /// The type, or `Type: normalised message` for a fingerprint.
    pub label: String,
    /// The exception type.
    pub kind: String,
    pub count: usize,
    /// `count` over the failures in the window, in `[0, 1]`.
    pub share: f64,
    /// `(dataset id, dataset name, failures)`, most affected first.
    pub datasets: Vec<(String, String, usize)>,
    pub first_seen: Millis,
    pub last_seen: Millis,
    /// The newest failure's message, as raised.
    pub example: String,
    /// The newest failure's innermost frame (one frame for a fingerprint group).
    pub frame: Option<String>,
    /// Newest failure first (ties by id).
    pub job_ids: Vec<String>,
}

/// The failures of a window, grouped both ways.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FailureGroups {
    /// Failures in the window (each grouping's counts sum to it).
    pub total_failed: usize,
    pub by_type: Vec<FailureGroup>,
    pub by_fingerprint: Vec<FailureGroup>,
}

/// One failure of the window, with what both groupings need computed once.
struct Failure<'a> {
    job: &'a Job,
    err: &'a JobError,
    at: Millis,
    normalised: String,
    frame: Option<String>,
}

/// Groups the failures among `jobs` since `since_ms` (see [`in_window`]). Sorted by count,
/// then most recent, then key. Only what the caller holds is grouped — the page's jobs, which
/// the store already bounds — so the groups' `job_ids` together hold at most one id per job
/// given; nothing here grows beyond its input. Pass each job once.
pub fn group_failures<'a>(
    jobs: impl IntoIterator<Item = &'a Job>,
    since_ms: Millis,
) -> FailureGroups {
    let mut failures: Vec<Failure<'a>> = jobs
        .into_iter()
        .filter(|j| in_window(j, since_ms))
        .filter_map(|job| {
            let err = job.error.as_ref()?;
            Some(Failure {
                job,
                err,
                at: failed_at(job)?,
                normalised: normalise_message(&err.message),
                frame: innermost_frame(&err.traceback),
            })
        })
        .collect();
    // Newest first, so every group's first member is its newest and `job_ids` come in order.
    sort_by(&mut failures, |a, b| {
        b.at.cmp(&a.at).then_with(|| a.job.id.cmp(&b.job.id))
    });
    let total = failures.len();

    let mut by_type: BTreeMap<FailureKey, Vec<&Failure>> = BTreeMap::new();
    let mut by_fp: BTreeMap<FailureKey, Vec<&Failure>> = BTreeMap::new();
    for f in &failures {
        let fp = fingerprint_of(&f.err.kind, &f.normalised, f.frame.as_deref());
        by_type
            .entry(FailureKey::Type(f.err.kind.clone()))
            .or_default()
            .push(f);
        by_fp
            .entry(FailureKey::Fingerprint(fp))
            .or_default()
            .push(f);
    }
    FailureGroups {
        total_failed: total,
        by_type: build(by_type, total),
        by_fingerprint: build(by_fp, total),
    }
}

fn build(groups: BTreeMap<FailureKey, Vec<&Failure>>, total: usize) -> Vec<FailureGroup> {
    let mut out: Vec<FailureGroup> = groups
        .into_iter()
        .filter_map(|(key, members)| group(key, &members, total))
        .collect();
    sort_by(&mut out, |a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

/// One group from its members, newest first; `None` for no members.
fn group(key: FailureKey, members: &[&Failure], total: usize) -> Option<FailureGroup> {
    let newest = members.first()?;
    let mut datasets: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
    for f in members {
        datasets
            .entry(&f.job.dataset_id)
            .or_insert((&f.job.dataset_name, 0))
            .1 += 1;
    }
    let mut datasets: Vec<(String, String, usize)> = datasets
        .into_iter()
        .map(|(id, (name, n))| (id.to_string(), name.to_string(), n))
        .collect();
    sort_by(&mut datasets, |a, b| {
        b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0))
    });
    let kind = newest.err.kind.clone();
    let label = match key {
        FailureKey::Type(_) => kind.clone(),
        FailureKey::Fingerprint(_) => format!("{kind}: {}", newest.normalised),
    };
    Some(FailureGroup {
        key,
        label,
        kind,
        count: members.len(),
        share: members.len() as f64 / total.max(1) as f64,
        datasets,
        first_seen: members.iter().map(|f| f.at).min().unwrap_or(newest.at),
        last_seen: newest.at,
        example: newest.err.message.clone(),
        frame: newest.frame.clone(),
        job_ids: members.iter().map(|f| f.job.id.clone()).collect(),
    })
}
