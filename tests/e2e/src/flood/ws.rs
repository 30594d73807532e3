//! One WebSocket connection of the flood server: `hello` (and `resync_required` for a position
//! it cannot resume), then, every tick, the events due at the current rate (markers last),
//! heartbeats, `queue` frames and the log lines of subscribed jobs, in one buffer written with
//! one `write_all`. Events more than 50 ms behind schedule are skipped, not queued, so what is
//! counted as sent is what the client took.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::churn::ChurnFrame;
use super::data::Update;
use super::generate::push_log_line;
use super::{now_ms, wire, Shared};

/// What the reader half tells the writer.
enum Control {
    Close,
    Ping(Vec<u8>),
    Subscribe { job: usize, after_line: u64 },
    Unsubscribe { job: usize },
    Error(String),
}

/// Most events per tick (a setting far above what the server can send stays bounded in memory).
const MAX_BURST: u64 = 4_096;
/// Most log lines per tick and subscription (a page catching up gets them over a few ticks).
const MAX_LOG_LINES_PER_TICK: u64 = 2_000;

pub(super) async fn run_ws(
    shared: Arc<Shared>,
    stream: TcpStream,
    leftover: Vec<u8>,
    after: Option<u64>,
) {
    let c = &shared.counters;
    c.ws_connections.fetch_add(1, Ordering::SeqCst);
    c.ws_open.fetch_add(1, Ordering::SeqCst);
    let (mut rd, mut wr) = stream.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let reader = {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut buf = leftover;
            loop {
                let frame = match wire::read_frame(&mut rd, &mut buf).await {
                    Ok(Some(f)) => f,
                    _ => break,
                };
                let msg = match frame.opcode {
                    wire::OP_CLOSE => break,
                    wire::OP_PING => Control::Ping(frame.payload),
                    wire::OP_TEXT => client_message(&shared, &frame.payload),
                    _ => continue,
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
            let _ = tx.send(Control::Close);
        })
    };

    // Resumed or not, this connection's chain starts at the current position: a resync
    // restarts it there too.
    let head = shared.live().head;
    let resumed = after == Some(head);
    let mut last_sent = head;
    let mut buf = Vec::with_capacity(256 * 1024);
    let mut text = String::with_capacity(4096);
    let hello = serde_json::json!({"type": "hello", "seq": head, "server_time": now_ms(),
                                   "heartbeat_ms": shared.cfg.heartbeat_ms, "resumed": resumed});
    wire::push_text_frame(&mut buf, hello.to_string().as_bytes());
    if after.is_some() && !resumed {
        let reason = format!(
            "after={} cannot be resumed: the flood server keeps no events (position {head})",
            after.unwrap_or(0)
        );
        let frame = serde_json::json!({"type": "resync_required", "seq": head, "reason": reason});
        wire::push_text_frame(&mut buf, frame.to_string().as_bytes());
        c.resyncs_sent.fetch_add(1, Ordering::SeqCst);
    }

    let tick = Duration::from_millis(shared.cfg.tick_ms.max(1));
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let start = Instant::now();
    let mut next_hb = start + Duration::from_millis(shared.cfg.heartbeat_ms);
    let mut next_queue = start;
    let mut next_marker = start;
    let (mut my_gen, mut origin, mut scheduled) = (u64::MAX, start, 0u64);
    let mut subs: BTreeMap<usize, u64> = BTreeMap::new();
    // Churn frames due this tick (emptied every tick).
    let mut churned: Vec<ChurnFrame> = Vec::new();
    let running = shared.set.running.len();
    // What the buffer holds, counted once it is handed to the socket.
    let (mut pending_events, mut pending_marker, mut pending_logs) = (0u64, None::<i64>, 0u64);
    'outer: loop {
        if !buf.is_empty() {
            // What the socket takes at once; the rest waits for the client to read, and that
            // wait is the client's backpressure.
            let done = match wr.try_write(&buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
                Err(_) => break,
            };
            if done < buf.len() {
                let waited = Instant::now();
                let rest = wr.write_all(&buf[done..]);
                let write = tokio::time::timeout(Duration::from_secs(30), rest).await;
                let us = waited.elapsed().as_micros() as u64;
                c.blocked_us.fetch_add(us, Ordering::Relaxed);
                if !matches!(write, Ok(Ok(()))) {
                    break;
                }
            }
            c.ws_bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
            c.events_sent.fetch_add(pending_events, Ordering::Relaxed);
            c.log_lines_sent.fetch_add(pending_logs, Ordering::Relaxed);
            if let Some(ms) = pending_marker.take() {
                c.markers_sent.fetch_add(1, Ordering::Relaxed);
                c.last_marker_ms.store(ms, Ordering::SeqCst);
            }
            (pending_events, pending_logs) = (0, 0);
            buf.clear();
        }
        ticker.tick().await;
        while let Ok(msg) = rx.try_recv() {
            match msg {
                Control::Close => {
                    let mut bye = Vec::new();
                    wire::push_frame(&mut bye, wire::OP_CLOSE, &1000u16.to_be_bytes());
                    let _ = wr.write_all(&bye).await;
                    break 'outer;
                }
                Control::Ping(p) => wire::push_frame(&mut buf, 0xA, &p),
                Control::Subscribe { job, after_line } => {
                    subs.insert(job, after_line);
                }
                Control::Unsubscribe { job } => {
                    subs.remove(&job);
                }
                Control::Error(detail) => {
                    let f = serde_json::json!({"type": "error", "detail": detail});
                    wire::push_text_frame(&mut buf, f.to_string().as_bytes());
                }
            }
        }
        let now = Instant::now();
        let gen = shared.rate_gen.load(Ordering::SeqCst);
        let rate = shared.rate.load(Ordering::SeqCst);
        if gen != my_gen {
            (my_gen, origin, scheduled) = (gen, now, 0);
        }
        let due_total = (now.duration_since(origin).as_secs_f64() * rate as f64) as u64;
        let mut due = due_total.saturating_sub(scheduled);
        // More than 50 ms behind: the page is not reading; skip rather than pile up.
        let cap = (rate / 20).clamp(1, MAX_BURST);
        if due > cap {
            c.skipped.fetch_add(due - cap, Ordering::Relaxed);
            due = cap;
        }
        scheduled = due_total;
        let marker = shared.markers.load(Ordering::SeqCst) && now >= next_marker;
        if due > 0 || marker {
            let mut guard = shared.live();
            let live = &mut *guard;
            for _ in 0..due {
                // Round robin over the running jobs but the marker (slot 0).
                live.cursor = 1 + live.cursor % (running - 1);
                let seq = live.head + 1;
                live.head = seq;
                text.clear();
                let update = Update {
                    seq,
                    prev_seq: last_sent,
                    now_ms: now_ms(),
                    phase: None,
                };
                shared
                    .set
                    .update_frame(live.cursor, &mut live.run, update, &mut text);
                wire::push_text_frame(&mut buf, text.as_bytes());
                last_sent = seq;
            }
            if marker {
                let marker_ms = now_ms();
                let phase = format!("m{marker_ms}");
                let seq = live.head + 1;
                live.head = seq;
                text.clear();
                let update = Update {
                    seq,
                    prev_seq: last_sent,
                    now_ms: marker_ms,
                    phase: Some(&phase),
                };
                shared.set.update_frame(0, &mut live.run, update, &mut text);
                wire::push_text_frame(&mut buf, text.as_bytes());
                last_sent = seq;
                next_marker = now + Duration::from_millis(shared.cfg.marker_ms);
                pending_marker = Some(marker_ms);
            }
            pending_events += due + marker as u64;
        }
        shared.churn().due(now, now_ms(), &mut churned);
        if !churned.is_empty() {
            let mut live = shared.live();
            for frame in churned.drain(..) {
                let seq = live.head + 1;
                live.head = seq;
                text.clear();
                match frame {
                    ChurnFrame::Job(job) => {
                        text.push_str(&format!(
                            "{{\"type\":\"job.updated\",\"seq\":{seq},\"prev_seq\":{last_sent},\"job\":{job}}}"
                        ));
                    }
                    ChurnFrame::Metric { job_id, sample } => {
                        text.push_str(&format!(
                            "{{\"type\":\"metric\",\"seq\":{seq},\"prev_seq\":{last_sent},\"job_id\":\"{job_id}\",\"sample\":{sample}}}"
                        ));
                    }
                }
                wire::push_text_frame(&mut buf, text.as_bytes());
                last_sent = seq;
                pending_events += 1;
            }
        }
        if now >= next_hb {
            let hb = format!(
                "{{\"type\":\"heartbeat\",\"seq\":{last_sent},\"server_time\":{}}}",
                now_ms()
            );
            wire::push_text_frame(&mut buf, hb.as_bytes());
            c.heartbeats_sent.fetch_add(1, Ordering::Relaxed);
            next_hb = now + Duration::from_millis(shared.cfg.heartbeat_ms);
        }
        if now >= next_queue {
            let q = format!("{{\"type\":\"queue\",\"queue\":{}}}", shared.queue_json);
            wire::push_text_frame(&mut buf, q.as_bytes());
            next_queue = now + Duration::from_millis(shared.cfg.queue_ms);
        }
        for (&job, last) in subs.iter_mut() {
            let upto = shared
                .log_count(job, now)
                .min(*last + MAX_LOG_LINES_PER_TICK);
            for n in *last + 1..=upto {
                text.clear();
                text.push_str("{\"type\":\"log\",\"job_id\":\"");
                text.push_str(shared.set.id(job));
                text.push_str("\",\"line\":");
                push_log_line(&mut text, shared.started_ms, n);
                text.push('}');
                wire::push_text_frame(&mut buf, text.as_bytes());
                pending_logs += 1;
            }
            *last = upto.max(*last);
        }
    }
    reader.abort();
    c.ws_open.fetch_sub(1, Ordering::SeqCst);
}

fn client_message(shared: &Shared, payload: &[u8]) -> Control {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(payload) else {
        return Control::Error("invalid JSON".into());
    };
    let job = v["job_id"].as_str().and_then(|id| shared.set.find(id));
    match (v["type"].as_str(), job) {
        (Some("subscribe_logs"), Some(job)) => Control::Subscribe {
            job,
            after_line: v["after_line"].as_u64().unwrap_or(0),
        },
        (Some("unsubscribe_logs"), Some(job)) => Control::Unsubscribe { job },
        (Some("subscribe_logs" | "unsubscribe_logs"), None) => {
            Control::Error(format!("unknown job {}", v["job_id"]))
        }
        (t, _) => Control::Error(format!("unknown frame type {t:?}")),
    }
}
