//! The flood server's job set: N jobs of the contract's shape (built from the app's own
//! `jobs_page::types`, so every field name is the one the app decodes), the live part of the
//! running ones, and their JSON — cached for jobs that never change, rendered from a
//! pre-split template for running ones, so an update costs a few string pushes rather than a
//! serde pass (the server has to keep up with 20,000 updates a second in a debug build).
//!
//! One idea over 400 lines: the job set and the views of it the routes serve (a sorted,
//! filtered page of the list; the counts; one job's JSON) share the cached JSON, so they stay
//! together.

use std::fmt::Write as _;

use jobs_page::types::{Dataset, Job, JobKind, JobStatus, StatusCounts};

use super::generate;

/// The marker job is the newest one, so it is the first card in the default (newest) sort.
pub const MARKER_INDEX: usize = 0;
/// The job whose log the log benchmark streams (the second newest, a running job).
pub const LOG_JOB_INDEX: usize = 1;

/// Rows processed per update of a running job.
const CHUNK: u64 = 100;

/// What changes when a running job is updated.
#[derive(Clone, Debug, PartialEq)]
pub struct RunState {
    pub processed: u64,
    pub updated_at: i64,
    pub version: u64,
    pub phase: String,
}

/// A field of a running job's JSON that is filled in per render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Processed,
    ProgressUpdatedAt,
    UpdatedAt,
    Version,
    Phase,
}

// Sentinels serialised in place of the live fields, then cut out of the JSON. Unique: no id,
// name or number of a generated job contains them.
const S_PROCESSED: u64 = 911_111_111_111_111_111;
const S_PROGRESS_AT: i64 = 922_222_222_222_222_222;
const S_UPDATED_AT: i64 = 933_333_333_333_333_333;
const S_VERSION: u64 = 944_444_444_444_444_444;
const S_PHASE: &str = "@@live-phase@@";

/// A running job's JSON cut at its live fields: `pieces[0] slot[0] pieces[1] … pieces[n]`.
#[derive(Clone, Debug)]
struct Template {
    pieces: Vec<String>,
    slots: Vec<Slot>,
}

impl Template {
    fn new(job: &Job) -> Self {
        let mut j = job.clone();
        j.progress.processed = S_PROCESSED;
        j.progress.updated_at = Some(S_PROGRESS_AT);
        j.updated_at = S_UPDATED_AT;
        j.version = S_VERSION;
        j.progress.phase = S_PHASE.to_string();
        let json = serde_json::to_string(&j).unwrap_or_default();
        let marks = [
            (S_PROCESSED.to_string(), Slot::Processed),
            (S_PROGRESS_AT.to_string(), Slot::ProgressUpdatedAt),
            (S_UPDATED_AT.to_string(), Slot::UpdatedAt),
            (S_VERSION.to_string(), Slot::Version),
            (format!("\"{S_PHASE}\""), Slot::Phase),
        ];
        let mut found: Vec<(usize, usize, Slot)> = marks
            .iter()
            .filter_map(|(m, s)| json.find(m.as_str()).map(|at| (at, m.len(), *s)))
            .collect();
        found.sort_by_key(|f| f.0);
        let (mut pieces, mut slots, mut from) = (Vec::new(), Vec::new(), 0);
        for (at, len, slot) in found {
            pieces.push(json[from..at].to_string());
            slots.push(slot);
            from = at + len;
        }
        pieces.push(json[from..].to_string());
        Self { pieces, slots }
    }

    fn render(&self, live: &RunState, out: &mut String) {
        for (piece, slot) in self.pieces.iter().zip(&self.slots) {
            out.push_str(piece);
            // Writing to a String cannot fail.
            let _ = match slot {
                Slot::Processed => write!(out, "{}", live.processed),
                Slot::ProgressUpdatedAt | Slot::UpdatedAt => write!(out, "{}", live.updated_at),
                Slot::Version => write!(out, "{}", live.version),
                // Phases are generated here (`profiling`, `m<ms>`): nothing to escape.
                Slot::Phase => write!(out, "\"{}\"", live.phase),
            };
        }
        if let Some(last) = self.pieces.last() {
            out.push_str(last);
        }
    }
}

/// How `GET /jobs` orders its items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListSort {
    #[default]
    Newest,
    Oldest,
    Progress,
    Status,
}

impl ListSort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "newest" => Some(Self::Newest),
            "oldest" => Some(Self::Oldest),
            "progress" => Some(Self::Progress),
            "status" => Some(Self::Status),
            _ => None,
        }
    }
}

/// The query of `GET /jobs`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListQuery {
    pub status: Vec<JobStatus>,
    pub dataset: Option<String>,
    pub kind: Option<JobKind>,
    pub q: Option<String>,
    pub sort: ListSort,
    pub offset: usize,
    pub limit: usize,
}

/// Every job, newest first (index 0 is the marker), and the datasets they run on.
#[derive(Debug)]
pub struct JobSet {
    pub jobs: Vec<Job>,
    /// Cached JSON of jobs that never change (everything but the running ones).
    fixed: Vec<Option<String>>,
    templates: Vec<Option<Template>>,
    /// Index into `jobs` of every running job, the marker first.
    pub running: Vec<usize>,
    /// For each job, its position in `running` (running jobs only).
    run_slot: Vec<Option<usize>>,
    pub datasets: Vec<Dataset>,
    counts: StatusCounts,
    /// The version every job starts at is below this: the first event's seq.
    pub initial_seq: u64,
}

impl JobSet {
    /// `n` jobs (at least 2), `running` of them running (the marker among them), created every
    /// ~7 s back from `now_ms`; the rest queued (a few, among the newest), then succeeded,
    /// failed and cancelled (80/12/8). `log_lines` is the log job's initial `log_count`.
    pub fn generate(
        n: usize,
        running: usize,
        now_ms: i64,
        log_lines: u64,
    ) -> (Self, Vec<RunState>) {
        let n = n.max(2);
        let running = running.clamp(2, n);
        let datasets = generate::datasets(now_ms);
        let statuses = generate::statuses(n, running);
        let mut set = JobSet {
            jobs: Vec::with_capacity(n),
            fixed: Vec::with_capacity(n),
            templates: Vec::with_capacity(n),
            running: Vec::new(),
            run_slot: vec![None; n],
            datasets,
            counts: StatusCounts::default(),
            initial_seq: n as u64 + 1,
        };
        let mut live = Vec::new();
        for (i, status) in statuses.into_iter().enumerate() {
            let mut job = generate::job(i, status, now_ms, &set.datasets);
            if i == LOG_JOB_INDEX {
                job.log_count = log_lines;
            }
            match status {
                JobStatus::Queued => set.counts.queued += 1,
                JobStatus::Running => set.counts.running += 1,
                JobStatus::Cancelling => set.counts.cancelling += 1,
                JobStatus::Succeeded => set.counts.succeeded += 1,
                JobStatus::Failed => set.counts.failed += 1,
                JobStatus::Cancelled => set.counts.cancelled += 1,
            }
            if status == JobStatus::Running {
                set.run_slot[i] = Some(set.running.len());
                set.running.push(i);
                live.push(RunState {
                    processed: job.progress.processed,
                    updated_at: job.updated_at,
                    version: job.version,
                    phase: job.progress.phase.clone(),
                });
                set.templates.push(Some(Template::new(&job)));
                set.fixed.push(None);
            } else {
                set.fixed
                    .push(Some(serde_json::to_string(&job).unwrap_or_default()));
                set.templates.push(None);
            }
            set.jobs.push(job);
        }
        (set, live)
    }

    /// Per-status counts (statuses never change here).
    pub fn counts(&self) -> &StatusCounts {
        &self.counts
    }

    /// The id of job `i`.
    pub fn id(&self, i: usize) -> &str {
        &self.jobs[i].id
    }

    /// The index of the job with this id.
    pub fn find(&self, id: &str) -> Option<usize> {
        // Ids are the only lookup key and requests for single jobs are rare: a scan will do.
        self.jobs.iter().position(|j| j.id == id)
    }

    /// Appends job `i`'s current JSON.
    pub fn render(&self, i: usize, live: &[RunState], out: &mut String) {
        match (&self.fixed[i], &self.templates[i], self.run_slot[i]) {
            (Some(json), _, _) => out.push_str(json),
            (None, Some(t), Some(slot)) => t.render(&live[slot], out),
            _ => out.push_str("null"),
        }
    }

    /// Advances running job `slot` (a position in `running`) to `version` at `now_ms` and
    /// appends its `job.updated` frame text. `phase` replaces the phase when given (markers).
    pub fn update_frame(
        &self,
        slot: usize,
        live: &mut [RunState],
        update: Update<'_>,
        out: &mut String,
    ) {
        let i = self.running[slot];
        let total = self.jobs[i].progress.total.max(1);
        let state = &mut live[slot];
        if update.phase.is_none() {
            state.processed = (state.processed + CHUNK) % total;
        }
        if let Some(phase) = update.phase {
            state.phase.clear();
            state.phase.push_str(phase);
        }
        state.updated_at = update.now_ms;
        state.version = update.seq;
        let _ = write!(
            out,
            "{{\"type\":\"job.updated\",\"seq\":{},\"prev_seq\":{},\"job\":",
            update.seq, update.prev_seq
        );
        self.render(i, live, out);
        out.push('}');
    }

    /// The fraction done of job `i` now (for the `progress` sort).
    fn fraction(&self, i: usize, live: &[RunState]) -> f64 {
        let p = &self.jobs[i].progress;
        let processed = self.run_slot[i].map_or(p.processed, |s| live[s].processed);
        if p.total == 0 {
            0.0
        } else {
            processed as f64 / p.total as f64
        }
    }

    fn matches(&self, i: usize, q: &ListQuery, needle: Option<&str>) -> bool {
        let j = &self.jobs[i];
        if !q.status.is_empty() && !q.status.contains(&j.status) {
            return false;
        }
        if q.dataset.as_deref().is_some_and(|d| d != j.dataset_id) {
            return false;
        }
        if q.kind.is_some_and(|k| k != j.kind) {
            return false;
        }
        let Some(needle) = needle else {
            return true;
        };
        j.id.contains(needle)
            || j.dataset_name.to_lowercase().contains(needle)
            || j.kind.as_str().contains(needle)
            || j.error
                .as_ref()
                .is_some_and(|e| e.message.to_lowercase().contains(needle))
    }

    /// The `GET /jobs` body for `q` at event position `seq`.
    pub fn list_body(&self, q: &ListQuery, live: &[RunState], seq: u64) -> String {
        let needle = q.q.as_ref().map(|s| s.to_lowercase());
        let mut idx: Vec<usize> = (0..self.jobs.len())
            .filter(|&i| self.matches(i, q, needle.as_deref()))
            .collect();
        // Index order is newest first (created_at strictly decreases with the index).
        match q.sort {
            ListSort::Newest => {}
            ListSort::Oldest => idx.reverse(),
            ListSort::Progress => {
                idx.sort_by(|&a, &b| {
                    self.fraction(b, live)
                        .total_cmp(&self.fraction(a, live))
                        .then(a.cmp(&b))
                });
            }
            ListSort::Status => idx.sort_by_key(|&i| (status_rank(self.jobs[i].status), i)),
        }
        let total = idx.len();
        let page = idx.iter().skip(q.offset).take(q.limit);
        let mut out = String::with_capacity(q.limit.min(total) * 1200 + 256);
        out.push_str("{\"items\":[");
        for (k, &i) in page.enumerate() {
            if k > 0 {
                out.push(',');
            }
            self.render(i, live, &mut out);
        }
        let c = &self.counts;
        let _ = write!(
            out,
            "],\"total\":{total},\"offset\":{},\"limit\":{},\"counts\":{{\"queued\":{},\"running\":{},\
             \"cancelling\":{},\"succeeded\":{},\"failed\":{},\"cancelled\":{}}},\"seq\":{seq}}}",
            q.offset, q.limit, c.queued, c.running, c.cancelling, c.succeeded, c.failed, c.cancelled
        );
        out
    }

    /// The `GET /stats` body: the contract's figures over jobs finished in the window.
    pub fn stats_body(&self, now_ms: i64, window_s: u64, bucket_s: u64) -> String {
        let since = now_ms - window_s as i64 * 1000;
        let bucket_ms = bucket_s.max(1) as i64 * 1000;
        let first = since - since.rem_euclid(bucket_ms);
        let buckets = (((now_ms - first) / bucket_ms) + 1).clamp(1, 10_000) as usize;
        let mut series = vec![[0u64; 3]; buckets];
        let (mut succeeded, mut failed, mut cancelled) = (0u64, 0u64, 0u64);
        let mut by_type: Vec<(String, Vec<String>)> = Vec::new();
        for j in &self.jobs {
            let Some(at) = j.finished_at.filter(|&t| t >= since) else {
                continue;
            };
            let b = (((at - first) / bucket_ms) as usize).min(buckets - 1);
            match j.status {
                JobStatus::Succeeded => {
                    succeeded += 1;
                    series[b][0] += 1;
                }
                JobStatus::Failed => {
                    failed += 1;
                    series[b][1] += 1;
                    let kind = j.error.as_ref().map_or("Error", |e| e.kind.as_str());
                    match by_type.iter_mut().find(|(k, _)| k == kind) {
                        Some((_, ids)) => ids.push(j.id.clone()),
                        None => by_type.push((kind.to_string(), vec![j.id.clone()])),
                    }
                }
                JobStatus::Cancelled => {
                    cancelled += 1;
                    series[b][2] += 1;
                }
                _ => {}
            }
        }
        let finished = succeeded + failed + cancelled;
        let rate = |n: u64| {
            if finished == 0 {
                0.0
            } else {
                n as f64 / finished as f64
            }
        };
        by_type.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        let body = serde_json::json!({
            "window_s": window_s, "since": since, "finished": finished,
            "succeeded": succeeded, "failed": failed, "cancelled": cancelled,
            "completion_rate": rate(succeeded), "failure_rate": rate(failed),
            "failures_by_type": by_type.iter().map(|(k, ids)| serde_json::json!({
                "type": k, "count": ids.len(), "job_ids": ids,
            })).collect::<Vec<_>>(),
            "bucket_s": bucket_s,
            "series": series.iter().enumerate().map(|(i, s)| serde_json::json!({
                "t": first + i as i64 * bucket_ms,
                "succeeded": s[0], "failed": s[1], "cancelled": s[2],
            })).collect::<Vec<_>>(),
        });
        body.to_string()
    }
}

/// One update: its event position and time, and a phase text for markers.
#[derive(Clone, Copy, Debug)]
pub struct Update<'a> {
    pub seq: u64,
    pub prev_seq: u64,
    pub now_ms: i64,
    pub phase: Option<&'a str>,
}

/// The contract's `status` sort: running, cancelling, queued, failed, cancelled, succeeded.
fn status_rank(s: JobStatus) -> u8 {
    match s {
        JobStatus::Running => 0,
        JobStatus::Cancelling => 1,
        JobStatus::Queued => 2,
        JobStatus::Failed => 3,
        JobStatus::Cancelled => 4,
        JobStatus::Succeeded => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_jobs_decode_as_the_apps_type_with_the_live_fields() {
        let (set, mut live) = JobSet::generate(300, 50, 1_764_370_000_000, 1000);
        assert_eq!(set.counts().running, 50);
        assert_eq!(set.running[0], MARKER_INDEX);
        let mut out = String::new();
        set.update_frame(
            0,
            &mut live,
            Update {
                seq: 9_001,
                prev_seq: 9_000,
                now_ms: 1_764_370_000_123,
                phase: Some("m1764370000123"),
            },
            &mut out,
        );
        let msg: jobs_page::types::ServerMessage = serde_json::from_str(&out).expect(&out);
        let jobs_page::types::ServerMessage::JobUpdated { seq, prev_seq, job } = msg else {
            panic!("not a job.updated frame: {out}");
        };
        assert_eq!((seq, prev_seq), (9_001, 9_000));
        assert_eq!(job.version, 9_001);
        assert_eq!(job.progress.phase, "m1764370000123");
        assert_eq!(job.updated_at, 1_764_370_000_123);
        // Everything else is the generated job.
        let mut expected = set.jobs[MARKER_INDEX].clone();
        expected.version = 9_001;
        expected.updated_at = 1_764_370_000_123;
        expected.progress.updated_at = Some(1_764_370_000_123);
        expected.progress.phase = "m1764370000123".into();
        assert_eq!(job, expected);
    }

    #[test]
    fn lists_page_sort_and_decode() {
        let (set, live) = JobSet::generate(500, 80, 1_764_370_000_000, 0);
        let q = ListQuery {
            limit: 200,
            offset: 100,
            ..ListQuery::default()
        };
        let list: jobs_page::types::JobList =
            serde_json::from_str(&set.list_body(&q, &live, 77)).expect("decodes");
        assert_eq!(
            (list.total, list.offset, list.items.len(), list.seq),
            (500, 100, 200, 77)
        );
        assert!(list
            .items
            .windows(2)
            .all(|w| w[0].created_at > w[1].created_at));
        let oldest = ListQuery {
            sort: ListSort::Oldest,
            limit: 5,
            ..q.clone()
        };
        let list: jobs_page::types::JobList =
            serde_json::from_str(&set.list_body(&oldest, &live, 1)).expect("decodes");
        assert!(list.items[0].created_at < list.items[1].created_at);
        let failed = ListQuery {
            status: vec![JobStatus::Failed],
            limit: 5000,
            offset: 0,
            ..ListQuery::default()
        };
        let list: jobs_page::types::JobList =
            serde_json::from_str(&set.list_body(&failed, &live, 1)).expect("decodes");
        assert_eq!(list.total, set.counts().failed);
        assert!(list.items.iter().all(|j| j.error.is_some()));
        let stats: jobs_page::types::Stats =
            serde_json::from_str(&set.stats_body(1_764_370_000_000, 86_400, 60)).expect("stats");
        assert!(stats.finished > 0 && stats.failed > 0);
    }
}
