//! One WebSocket session: open it, feed every frame, close and failure to the core, perform
//! what it answers, and batch what it delivers.
//!
//! Events are gathered until the next animation frame and dispatched there as one batch (one
//! render per frame, painted in that frame), or after [`BATCH_MAX_MS`] when the tab is hidden.

use std::collections::HashMap;
use std::time::Duration;

use futures::channel::oneshot;
use futures::future::{Fuse, FusedFuture};
use futures::stream::SplitSink;
use futures::{select, FutureExt, SinkExt, StreamExt};
use gloo_net::websocket::{futures::WebSocket, Message, WebSocketError};
use gloo_render::{request_animation_frame, AnimationFrame};
use gloo_timers::future::sleep;

use super::{now, warn, Agent, Browser};
use crate::services::diagnostics;
use crate::state::auth::with_token;
use crate::state::jobs_store::{Action, Event};
use crate::state::transport::{Command, Control, Input, WsError};
use crate::types::{ClientMessage, LogLine, QueueStatus};

/// The longest events wait for an animation frame before they are applied anyway (the browser
/// gives hidden tabs none).
const BATCH_MAX_MS: f64 = 250.0;

impl Agent {
    fn ws_url_after(&self, after: u64) -> String {
        let sep = if self.ws_url.contains('?') { '&' } else { '?' };
        format!("{}{sep}after={after}", self.ws_url)
    }

    /// Runs the session the core opened; returns its commands after the session ended.
    pub(super) async fn session(&mut self, after: u64, token: Option<String>) -> Vec<Command> {
        let url = with_token(&self.ws_url_after(after), token.as_deref());
        let ws = match WebSocket::open(&url) {
            Ok(ws) => ws,
            Err(e) => {
                let ended = Input::SocketEnded(WsError::Open(e.to_string()));
                let mut commands = self.core.handle(ended, &Browser);
                commands.retain(|c| *c != Command::CloseSocket);
                return commands;
            }
        };
        let (mut tx, rx) = ws.split();
        let mut rx = rx.fuse();
        let mut batch = Batch::default();
        // One timer for the heartbeat deadline and the batch's latest flush, re-armed only when
        // it fires or must fire sooner: a timer per frame cost two JS calls per event.
        let mut timer = Fuse::terminated();
        let mut timer_at = f64::INFINITY;
        loop {
            let t = now();
            if batch.due_at.is_some_and(|d| t >= d) {
                self.flush(&mut batch);
            }
            let mut want = t + self.core.heartbeat_remaining_ms(t).unwrap_or(0) as f64;
            if let Some(due) = batch.due_at {
                want = want.min(due);
            }
            if timer.is_terminated() || want < timer_at - 1.0 {
                timer = sleep(Duration::from_millis((want - t).max(0.0) as u64 + 1)).fuse();
                timer_at = want;
            }
            let input = select! {
                frame = rx.next() => match frame {
                    Some(Ok(Message::Text(text))) => Input::Frame(text),
                    Some(Ok(Message::Bytes(_))) => Input::BinaryFrame,
                    Some(Err(WebSocketError::ConnectionClose(e))) => {
                        Input::SocketEnded(WsError::from_close(e.code, e.reason))
                    }
                    Some(Err(WebSocketError::ConnectionError)) => Input::SocketEnded(WsError::Failed),
                    Some(Err(e)) => Input::SocketEnded(WsError::Other(e.to_string())),
                    None => Input::SocketEnded(WsError::Ended),
                },
                c = self.ctl.next() => Input::Control(c.unwrap_or(Control::Stop)),
                _ = &mut batch.frame => {
                    // The animation frame the batch waited for: apply it now, so the browser
                    // paints it in this frame (one render per frame, however many events).
                    self.flush(&mut batch);
                    continue;
                },
                _ = timer => {
                    timer_at = f64::INFINITY;
                    // A due batch (no frame came: the tab is hidden) is flushed at the top.
                    Input::HeartbeatDue
                },
            };
            let mut commands = self.core.handle(input, &Browser).into_iter();
            while let Some(c) = commands.next() {
                match c {
                    Command::Apply(event) => batch.push(Pending::Event(event)),
                    Command::Queue(queue) => batch.push(Pending::Queue(queue)),
                    Command::LogLine { job_id, line } => batch.push(Pending::Log(job_id, line)),
                    Command::Send(msg) => send(&mut tx, &msg).await,
                    // The core ends a session with `CloseSocket` before naming what comes next.
                    c if c == Command::CloseSocket || c.is_operation() => {
                        self.flush(&mut batch);
                        // Dropping the halves closes the socket and removes its listeners.
                        drop(tx);
                        let next = (c != Command::CloseSocket).then_some(c);
                        return next.into_iter().chain(commands).collect();
                    }
                    other => self.effect(other),
                }
            }
        }
    }

    fn flush(&self, batch: &mut Batch) {
        batch.due_at = None;
        batch.frame = Fuse::terminated();
        batch.frame_handle = None;
        let arrived_at = batch.first_arrival.take();
        diagnostics::events_arrived(std::mem::take(&mut batch.arrived));
        if !batch.events.is_empty() {
            let events = std::mem::take(&mut batch.events);
            let n = events.len();
            self.sinks.dispatch.emit(Action::Batch(events));
            diagnostics::events_applied(n);
        }
        if let Some(q) = batch.queue.take() {
            self.sinks.dispatch.emit(Action::Queue {
                queue: q,
                at_ms: now() as i64,
            });
        }
        for (job_id, lines) in batch.logs.drain() {
            self.sinks.logs.emit((job_id, lines));
        }
        if let Some(at) = arrived_at {
            diagnostics::batch_dispatched(at);
        }
    }
}

/// One delivery for the batch.
enum Pending {
    Event(Event),
    Queue(QueueStatus),
    Log(String, LogLine),
}

/// Events gathered until the next animation frame.
///
/// Bounded by time, not count: it is flushed at the next animation frame, or after
/// `BATCH_MAX_MS` when no frame comes (a hidden tab), whatever arrived meanwhile.
struct Batch {
    events: Vec<Event>,
    logs: HashMap<String, Vec<LogLine>>,
    queue: Option<QueueStatus>,
    /// Flush by then even if no animation frame came.
    due_at: Option<f64>,
    /// Fires at the animation frame requested for this batch.
    frame: Fuse<oneshot::Receiver<()>>,
    /// Keeps that frame requested (dropping it cancels the request).
    frame_handle: Option<AnimationFrame>,
    /// Events accepted since the last flush (diagnostics count them per flush).
    arrived: u64,
    /// When its oldest event arrived (`diagnostics::now_ms()`), for event-to-screen latency.
    first_arrival: Option<f64>,
}

impl Default for Batch {
    fn default() -> Self {
        Self {
            events: Vec::new(),
            logs: HashMap::new(),
            queue: None,
            due_at: None,
            frame: Fuse::terminated(),
            frame_handle: None,
            arrived: 0,
            first_arrival: None,
        }
    }
}

impl Batch {
    /// Adds to the batch, counts it, and asks for a frame if it is the first.
    fn push(&mut self, item: Pending) {
        match item {
            Pending::Event(e) => self.events.push(e),
            Pending::Queue(q) => self.queue = Some(q),
            Pending::Log(job_id, line) => self.logs.entry(job_id).or_default().push(line),
        }
        self.arrived += 1;
        if self.due_at.is_none() {
            self.due_at = Some(now() + BATCH_MAX_MS);
            self.first_arrival = Some(diagnostics::now_ms());
            let (tx, rx) = oneshot::channel();
            self.frame = rx.fuse();
            self.frame_handle = Some(request_animation_frame(move |_| {
                let _ = tx.send(());
            }));
        }
    }
}

async fn send(tx: &mut SplitSink<WebSocket, Message>, msg: &ClientMessage) {
    match serde_json::to_string(msg) {
        Ok(text) => {
            if let Err(e) = tx.send(Message::Text(text)).await {
                warn(&format!("live: could not send {msg:?}: {e}"));
            }
        }
        Err(e) => warn(&format!("live: could not encode {msg:?}: {e}")),
    }
}
