//! Only compiled under #[cfg(test)] (declared so in state/mod.rs).
//! Hostile WebSocket streams against the whole intake, as `services::live` runs it: text → the
//! transport core ([`Transport`]: [`ServerMessage::decode`], the event chain, the frame routing)
//! → the store ([`JobsState`]), with the snapshot reload the core asks for on a gap, a heartbeat
//! ahead of us or `resync_required` (the documented resync path). A backend's valid history is delivered with malformed, truncated, mistyped,
//! oversized and unknown frames between its frames, some frames twice (also re-sent with the
//! same seq but other content) and some pairs swapped.
//!
//! "Not corrupted" means, after every frame:
//! - per-status counts equal a recount of the held jobs;
//! - every held job is exactly a version the backend sent (nothing made up from a bad frame),
//!   no job's version went backwards, and every progress fraction is in `[0, 1]`;
//! - metric series stay ordered by (attempt, time) without duplicates and within their cap;
//! - a frame that cannot be read, a duplicate and a re-sent seq leave the store equal to what
//!   it was (not even its revision moves) and an unreadable frame gives exactly one log line;
//! - at the end the store holds exactly the backend's final jobs.

use std::collections::HashMap;
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::json;

use crate::state::bad_frame::LogEntry;
use crate::state::jobs_store::tests::job;
use crate::state::jobs_store::{Action, JobsState};
use crate::state::transport::tests::FakeEnv;
use crate::state::transport::{Command, Input, Transport};
use crate::types::ws::MAX_FRAME_BYTES;
use crate::types::{Attempt, Job, JobStatus, ServerMessage};

/// The seq of the snapshot the page starts from.
const BASE_SEQ: u64 = 10;
const IDS: [&str; 5] = ["j0", "j1", "j2", "j3", "j4"];

/// One step of the backend's history.
#[derive(Clone, Debug)]
enum Op {
    /// Moves job `i` along the state machine (`pick` chooses the move), or creates it.
    Job { i: usize, pick: u8 },
    /// A metric sample for job `i`.
    Metric { i: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..IDS.len(), any::<u8>()).prop_map(|(i, pick)| Op::Job { i, pick }),
        1 => (0..IDS.len()).prop_map(|i| Op::Metric { i }),
    ]
}

/// The backend: its jobs and the frames it sent, in order.
struct World {
    initial: Vec<Job>,
    /// Frame text, its seq, and the jobs after it.
    frames: Vec<(String, u64, Vec<Job>)>,
    /// Every job version the backend ever sent, by (id, version).
    sent: HashMap<(String, u64), Job>,
}

impl World {
    fn build(ops: &[Op]) -> World {
        let mut jobs: Vec<Option<Job>> = vec![None; IDS.len()];
        for (i, slot) in jobs.iter_mut().enumerate().take(3) {
            *slot = Some(job(IDS[i], 1, JobStatus::Queued, 1, 0));
        }
        let initial: Vec<Job> = jobs.iter().flatten().cloned().collect();
        let mut sent: HashMap<(String, u64), Job> = initial
            .iter()
            .map(|j| ((j.id.clone(), j.version), j.clone()))
            .collect();
        let mut frames = Vec::new();
        let mut seq = BASE_SEQ;
        for op in ops {
            let prev = seq;
            seq += 1;
            let text = match *op {
                Op::Job { i, pick } => {
                    let (ty, next) = match &jobs[i] {
                        None => ("job.created", job(IDS[i], seq, JobStatus::Queued, 1, 0)),
                        Some(cur) => ("job.updated", step(cur, pick, seq)),
                    };
                    sent.insert((next.id.clone(), next.version), next.clone());
                    let text = json!({"type": ty, "seq": seq, "prev_seq": prev, "job": next});
                    jobs[i] = Some(next);
                    text
                }
                Op::Metric { i } => {
                    let attempt = jobs[i].as_ref().map_or(1, |j| j.attempt);
                    json!({"type": "metric", "seq": seq, "prev_seq": prev, "job_id": IDS[i],
                           "sample": {"t": seq as i64, "processed": seq, "total": 100,
                                      "rate": 1.5, "attempt": attempt}})
                }
            };
            frames.push((
                text.to_string(),
                seq,
                jobs.iter().flatten().cloned().collect(),
            ));
        }
        World {
            initial,
            frames,
            sent,
        }
    }

    /// The backend's jobs and position after its first `n` frames (what a snapshot reload
    /// returns then).
    fn truth_after(&self, n: usize) -> (Vec<Job>, u64) {
        match n.checked_sub(1).and_then(|i| self.frames.get(i)) {
            None => (self.initial.clone(), BASE_SEQ),
            Some((_, seq, jobs)) => (jobs.clone(), *seq),
        }
    }
}

/// A legal next version of `cur` (progress beyond the total included: backends do that).
fn step(cur: &Job, pick: u8, version: u64) -> Job {
    use JobStatus::*;
    let mut next = cur.clone();
    next.version = version;
    next.updated_at = version as i64;
    let options: Vec<JobStatus> = JobStatus::ALL
        .into_iter()
        .filter(|s| cur.status.can_become(*s))
        .collect();
    if cur.status == Running && pick.is_multiple_of(3) {
        next.progress.processed += 150;
    } else if let Some(&to) = options.get(pick as usize % options.len().max(1)) {
        if to == Queued {
            next.attempt += 1;
            next.attempts.push(Attempt {
                number: next.attempt,
                status: Queued,
                worker: None,
                started_at: None,
                finished_at: None,
                error: None,
            });
            next.progress.processed = 0;
        }
        next.status = to;
        if let Some(a) = next.attempts.last_mut() {
            a.status = to;
        }
    }
    next
}

/// What is delivered around each of the backend's frames.
#[derive(Clone, Debug)]
enum Twist {
    Plain,
    /// An earlier frame again (a replay overlapping what the page has).
    Duplicate(usize),
    /// An earlier frame's seq with other content (a lying or broken server): still skipped.
    Forged(usize),
    /// This frame and the next swapped.
    Swap,
    /// A frame that cannot be read, before this one.
    Bad(Bad),
    /// A heartbeat claiming the position of this frame, before it arrives (a gap: reload).
    HeartbeatAhead,
    /// `resync_required` before this frame.
    Resync,
}

#[derive(Clone, Debug)]
enum Bad {
    Junk(usize),
    Truncated(usize),
    WrongType(usize),
    Unknown(String),
    /// This very frame grown over the limit (valid JSON: it would apply if the limit failed).
    Oversized,
}

fn twist() -> impl Strategy<Value = Twist> {
    let bad = prop_oneof![
        any::<usize>().prop_map(Bad::Junk),
        any::<usize>().prop_map(Bad::Truncated),
        any::<usize>().prop_map(Bad::WrongType),
        "[a-z]{1,6}\\.[a-z]{1,6}".prop_map(Bad::Unknown),
        Just(Bad::Oversized),
    ];
    prop_oneof![
        6 => Just(Twist::Plain),
        2 => any::<usize>().prop_map(Twist::Duplicate),
        1 => any::<usize>().prop_map(Twist::Forged),
        2 => Just(Twist::Swap),
        4 => bad.prop_map(Twist::Bad),
        1 => Just(Twist::HeartbeatAhead),
        1 => Just(Twist::Resync),
    ]
}

const JUNK: [&str; 10] = [
    "",
    "not json",
    "{",
    "}",
    "[1,2,3]",
    "null",
    "{\"type\":",
    "{\"type\":null}",
    "{\"seq\":1}",
    "\u{feff}{\"type\":\"hello\"}",
];

/// A frame over the size limit: a valid frame whose job's note is padded (built once).
fn oversized(frame: &str) -> String {
    static PAD: OnceLock<String> = OnceLock::new();
    let pad = PAD.get_or_init(|| "x".repeat(MAX_FRAME_BYTES));
    let mut v: serde_json::Value = serde_json::from_str(frame).unwrap();
    if v.get("job").is_some() {
        v["job"]["params"]["note"] = json!(pad);
    } else {
        v["pad"] = json!(pad);
    }
    v.to_string()
}

/// The text of a bad frame, made from `frame` (the backend frame it goes before).
fn bad_text(bad: &Bad, frame: &str) -> String {
    match bad {
        Bad::Junk(i) => JUNK[i % JUNK.len()].to_string(),
        Bad::Truncated(at) => {
            let cuts: Vec<usize> = frame.char_indices().map(|(i, _)| i).collect();
            frame[..cuts[at % cuts.len()]].to_string()
        }
        Bad::WrongType(i) => {
            let mut v: serde_json::Value = serde_json::from_str(frame).unwrap();
            match i % 4 {
                0 => v["seq"] = json!(v["seq"].to_string()),
                1 => v["prev_seq"] = json!(-1),
                2 if v.get("job").is_some() => v["job"]["status"] = json!("exploded"),
                2 => v["sample"] = json!(null),
                _ if v.get("job").is_some() => {
                    v["job"].as_object_mut().unwrap().remove("progress");
                }
                _ => v["job_id"] = json!(7),
            }
            v.to_string()
        }
        Bad::Unknown(ty) => json!({"type": ty, "seq": 1, "prev_seq": 0}).to_string(),
        Bad::Oversized => oversized(frame),
    }
}

/// The page's side: the transport core, the store, and what it logged.
struct Page {
    core: Transport,
    env: FakeEnv,
    store: JobsState,
    logged: Vec<LogEntry>,
    resyncs: u32,
    versions: HashMap<String, u64>,
}

impl Page {
    /// Loaded at the backend's initial state and live.
    fn start(world: &World) -> Page {
        let mut page = Page {
            core: Transport::default(),
            env: FakeEnv::default(),
            store: JobsState::default(),
            logged: Vec::new(),
            resyncs: 0,
            versions: HashMap::new(),
        };
        let out = page.core.start(&page.env);
        page.perform(out, world, 0);
        assert_eq!(page.core.seq(), Some(BASE_SEQ));
        page
    }

    /// One text frame, through the transport core as `services::live` feeds it. `sent` is how
    /// many of the backend's frames exist by now (what a reload would see).
    fn receive(&mut self, text: &str, world: &World, sent: usize) {
        let out = self.core.handle(Input::Frame(text.to_string()), &self.env);
        self.perform(out, world, sent);
    }

    /// Does what the core asks, as the I/O loop would, until it awaits the next frame: events to
    /// the store, a reload answered with the backend's state after `sent` frames, waits over at
    /// once, a new socket greeted by the server.
    fn perform(&mut self, mut out: Vec<Command>, world: &World, sent: usize) {
        loop {
            let mut next = None;
            for c in out {
                match c {
                    Command::Apply(event) => self.store.apply(Action::Batch(vec![event])),
                    Command::Log(entry) => self.logged.push(entry),
                    Command::Resynced => self.resyncs += 1,
                    Command::LoadSnapshot { reset, .. } => {
                        let (jobs, seq) = world.truth_after(sent);
                        self.store.apply(Action::Snapshot {
                            jobs,
                            seq,
                            reset,
                            not_loaded: 0,
                            more_coming: false,
                        });
                        next = Some(Input::SnapshotLoaded { seq });
                    }
                    Command::Wait { .. } => next = Some(Input::TimerFired),
                    Command::OpenSocket { .. } => {
                        let hello = json!({"type": "hello", "seq": 0, "server_time": 0,
                                           "heartbeat_ms": 5_000, "resumed": true});
                        next = Some(Input::Frame(hello.to_string()));
                    }
                    _ => {}
                }
            }
            match next {
                Some(input) => out = self.core.handle(input, &self.env),
                None => return,
            }
        }
    }

    fn check_invariants(&mut self, world: &World) -> Result<(), TestCaseError> {
        let s = &self.store;
        for status in JobStatus::ALL {
            let recount = s.jobs.values().filter(|e| e.job.status == status).count() as u64;
            prop_assert_eq!(s.held_with(status), recount, "count of {}", status);
        }
        for (id, e) in s.jobs.iter() {
            prop_assert_eq!(id, &e.job.id);
            let sent = world.sent.get(&(id.clone(), e.job.version));
            prop_assert_eq!(Some(&*e.job), sent, "a version the backend sent");
            if let Some(f) = e.job.progress.fraction() {
                prop_assert!((0.0..=1.0).contains(&f));
            }
            let before = self.versions.insert(id.clone(), e.job.version);
            prop_assert!(
                before.is_none_or(|v| v <= e.job.version),
                "{} went back",
                id
            );
        }
        for series in s.metrics.values() {
            prop_assert!(series.len() <= s.limits.metrics_per_job);
            let keys: Vec<(u32, i64)> = series.iter().map(|m| (m.attempt, m.t)).collect();
            prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "{:?}", keys);
        }
        Ok(())
    }
}

/// An earlier frame of the backend's with the same seq but other content.
fn forged(frame: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(frame).unwrap();
    if v.get("job").is_some() {
        v["job"]["status"] = json!("cancelled");
        v["job"]["version"] = json!(u64::MAX);
        v["job"]["dataset_name"] = json!("forged");
    } else {
        v["sample"]["processed"] = json!(u64::MAX);
    }
    v.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn hostile_streams_never_corrupt_the_store(
        ops in prop::collection::vec(op(), 1..40),
        twists in prop::collection::vec(twist(), 40),
    ) {
        let world = World::build(&ops);
        let mut page = Page::start(&world);
        page.check_invariants(&world)?;
        let mut bad_sent = 0usize;
        let n = world.frames.len();
        let mut i = 0;
        while i < n {
            let frame = world.frames[i].0.as_str();
            // Frames that must change nothing (delivered before this one).
            let mut inert: Vec<(String, bool)> = Vec::new();
            let mut order = vec![i];
            match &twists[i] {
                Twist::Plain => {}
                Twist::Duplicate(k) if i > 0 => {
                    inert.push((world.frames[k % i].0.clone(), false));
                }
                Twist::Forged(k) if i > 0 => inert.push((forged(&world.frames[k % i].0), false)),
                Twist::Duplicate(_) | Twist::Forged(_) => {}
                Twist::Swap if i + 1 < n => order = vec![i + 1, i],
                Twist::Swap => {}
                Twist::Bad(b) => inert.push((bad_text(b, frame), true)),
                Twist::HeartbeatAhead | Twist::Resync => {}
            }
            for (text, bad) in &inert {
                let before = page.store.clone();
                let logged = page.logged.len();
                // Only the frames before this one exist yet (i of them).
                page.receive(text, &world, i);
                prop_assert_eq!(&page.store, &before, "{:.200}", text);
                if *bad {
                    bad_sent += 1;
                    prop_assert_eq!(page.logged.len(), logged + 1, "logged once: {:.200}", text);
                    let head = page.logged[logged].fields["head"].as_str().unwrap_or("");
                    prop_assert!(text.starts_with(head));
                } else {
                    prop_assert_eq!(page.logged.len(), logged);
                }
                page.check_invariants(&world)?;
            }
            let resyncs = page.resyncs;
            match &twists[i] {
                Twist::HeartbeatAhead => {
                    let hb = json!({"type": "heartbeat", "seq": world.frames[i].1, "server_time": 0});
                    page.receive(&hb.to_string(), &world, i + 1);
                    prop_assert_eq!(page.resyncs, resyncs + 1, "a heartbeat ahead reloads");
                }
                Twist::Resync => {
                    let r = json!({"type": "resync_required", "seq": world.frames[i].1, "reason": "x"});
                    page.receive(&r.to_string(), &world, i + 1);
                    prop_assert_eq!(page.resyncs, resyncs + 1);
                }
                _ => {}
            }
            let sent = order.iter().max().map_or(0, |m| m + 1);
            for k in order {
                page.receive(&world.frames[k].0, &world, sent);
                page.check_invariants(&world)?;
            }
            i = sent;
        }
        prop_assert_eq!(page.logged.len(), bad_sent, "one line per unreadable frame");
        // Converged on the backend's final state.
        let (truth, _) = world.truth_after(n);
        prop_assert_eq!(page.store.jobs.len(), truth.len());
        for j in &truth {
            prop_assert_eq!(page.store.job(&j.id).map(|j| &**j), Some(j));
        }
    }
}

/// A frame that would apply if the size limit were not enforced is skipped whole.
#[test]
fn an_oversized_next_event_is_not_applied() {
    let world = World::build(&[Op::Job { i: 0, pick: 0 }]);
    let mut page = Page::start(&world);
    let before = page.store.clone();
    let big = oversized(&world.frames[0].0);
    assert!(serde_json::from_str::<ServerMessage>(&big).is_ok());
    page.receive(&big, &world, 0);
    assert_eq!(page.store, before);
    assert_eq!(page.logged.len(), 1);
    assert_eq!(page.logged[0].fields["reason"], "too_large");
    // The real frame still applies afterwards: the chain did not move.
    page.receive(&world.frames[0].0.clone(), &world, 1);
    assert_eq!(page.store.job("j0").unwrap().status, JobStatus::Running);
    assert_eq!(page.resyncs, 0);
}

/// An illegal transition inside a perfect chain (a backend bug) is refused and counted; the
/// counts stay true.
#[test]
fn an_illegal_transition_is_refused_and_counted() {
    let world = World::build(&[]);
    let mut page = Page::start(&world);
    let mut done = job("j0", 20, JobStatus::Succeeded, 1, 1000);
    done.attempts[0].status = JobStatus::Succeeded;
    let back = job("j0", 21, JobStatus::Running, 1, 10);
    for (seq, j) in [(11, done), (12, back)] {
        let text = json!({"type": "job.updated", "seq": seq, "prev_seq": seq - 1, "job": j});
        page.receive(&text.to_string(), &world, 0);
    }
    assert_eq!(page.store.job("j0").unwrap().status, JobStatus::Succeeded);
    assert_eq!(page.store.rejected, 1);
    assert_eq!(page.store.held_with(JobStatus::Running), 0);
    assert_eq!(page.store.held_with(JobStatus::Succeeded), 1);
}
