//! The live transport: one long-lived loop that keeps the job store equal to the backend.
//!
//! WebSocket first (resume with `after=<seq>`, replay, heartbeat deadline), exponential
//! backoff with equal jitter between attempts (`state::backoff`), a snapshot over HTTP when
//! the event chain breaks or the server asks for a resync, and HTTP polling when the WebSocket
//! cannot be used while HTTP works. Started by the jobs provider; stopped by its cleanup (`LiveHandle::stop`).
//! Events are gathered until the next animation frame and dispatched there as one batch (one
//! render per frame, painted in that frame), or after `BATCH_MAX_MS` when the tab is hidden.

use std::cell::Cell;
use std::collections::HashMap;
use std::time::Duration;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::channel::oneshot;
use futures::future::{Fuse, FusedFuture};
use futures::stream::SplitSink;
use futures::{select, FutureExt, SinkExt, StreamExt};
use gloo_net::websocket::{futures::WebSocket, Message, WebSocketError};
use gloo_render::{request_animation_frame, AnimationFrame};
use gloo_timers::future::sleep;
use yew::platform::spawn_local;
use yew::Callback;

use crate::services::api::{ApiClient, ApiError, JobQuery};
use crate::services::auth;
use crate::services::diagnostics;
use crate::services::logger::{self, Level};
use crate::state::auth::{
    is_refusal_close, redact, refreshed, unauthorized_message, with_token, ws_refusal_is_new, Next,
    RefreshBudget, REFRESH_TIMEOUT_MS,
};
use crate::state::backoff::Backoff;
use crate::state::bad_frame::bad_frame_log;
use crate::state::connection::Connection;
use crate::state::heartbeat::Heartbeat;
use crate::state::jobs_store::{Action, Event};
use crate::state::log_poll::{take_page, POLL_PAGES_PER_ROUND, POLL_PAGE_LINES};
use crate::state::sequence::{SeqTracker, Verdict};
use crate::state::snapshot_pages::{Pages, FIRST_PAGE_LIMIT, MAX_HELD};
use crate::types::{ClientMessage, Job, LogLine, QueueStatus, ServerMessage};

/// The longest events wait for an animation frame before they are applied anyway (the browser
/// gives hidden tabs none).
const BATCH_MAX_MS: f64 = 250.0;
/// A connection live this long resets the backoff.
const STABLE_MS: f64 = 10_000.0;
/// Deadline for the server's hello after opening.
const HELLO_TIMEOUT_MS: u64 = 10_000;
/// Consecutive WebSocket failures (while HTTP answers) before falling back to polling.
const WS_FAILURES_BEFORE_POLLING: u32 = 3;
/// Polling: the minimum interval between two polls, and how often the WebSocket is retried.
const POLL_INTERVAL_MS: u64 = 3_000;
const WS_PROBE_INTERVAL_MS: f64 = 15_000.0;

/// Messages from the page to the loop.
#[derive(Clone, Debug, PartialEq)]
pub enum Control {
    Stop,
    /// Retry now: the user pressed "retry now", the browser came online or the tab became visible.
    Wake,
    /// Deliver a job's log lines after `after_line`, now and after every reconnect.
    Subscribe {
        job_id: String,
        after_line: u64,
    },
    Unsubscribe {
        job_id: String,
    },
}

/// Where the loop delivers what it learns.
#[derive(Clone)]
pub struct Sinks {
    pub dispatch: Callback<Action>,
    /// Log lines of subscribed jobs, in order, without duplicates.
    pub logs: Callback<(String, Vec<LogLine>)>,
}

/// Talks to a running loop. Dropping the handle does not stop it: call [`LiveHandle::stop`].
#[derive(Clone, Debug)]
pub struct LiveHandle {
    tx: UnboundedSender<Control>,
}

impl PartialEq for LiveHandle {
    fn eq(&self, other: &Self) -> bool {
        self.tx.same_receiver(&other.tx)
    }
}

impl LiveHandle {
    pub fn send(&self, control: Control) {
        // A closed channel means the loop already ended; nothing left to tell it.
        let _ = self.tx.unbounded_send(control);
    }

    pub fn stop(&self) {
        self.send(Control::Stop);
        self.tx.close_channel();
    }
}

thread_local! {
    static RUNNING: Cell<u32> = const { Cell::new(0) };
}

/// How many loops are running (tests check that unmounting stops them).
pub fn running_loops() -> u32 {
    RUNNING.with(Cell::get)
}

/// Starts the loop.
pub fn start(api: ApiClient, ws_url: String, sinks: Sinks) -> LiveHandle {
    let (tx, rx) = unbounded();
    let agent = Agent {
        api,
        ws_url,
        sinks,
        ctl: rx,
        backoff: Backoff::default(),
        poll_backoff: Backoff::new(POLL_INTERVAL_MS as f64, 2.0, 30_000.0),
        tracker: None,
        reset_next: false,
        subs: HashMap::new(),
        ws_failures: 0,
        auth_budget: RefreshBudget::default(),
        polling: None,
        next_probe_at: 0.0,
        last_resync_at: f64::NEG_INFINITY,
        loaded_once: false,
    };
    spawn_local(agent.run());
    LiveHandle { tx }
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn warn(msg: &str) {
    logger::warn("live", msg);
}

fn tab_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

fn browser_offline() -> bool {
    web_sys::window().is_some_and(|w| !w.navigator().on_line())
}

/// How a WebSocket session ended.
enum End {
    Stopped,
    /// The event chain broke or the server asked for it: reload the snapshot, reconnect.
    Resync,
    Lost {
        reason: String,
        got_hello: bool,
        live_ms: f64,
    },
    /// The server refused the token (close code 4401).
    Unauthorized {
        /// The token the socket was opened with.
        sent: Option<String>,
        /// The close reason.
        reason: String,
        /// How long it was live; `None` if refused before its hello.
        live_ms: Option<f64>,
    },
}

/// How a pause ended.
enum Wait {
    Elapsed,
    Woken,
    Stopped,
}

struct Agent {
    api: ApiClient,
    ws_url: String,
    sinks: Sinks,
    ctl: UnboundedReceiver<Control>,
    backoff: Backoff,
    poll_backoff: Backoff,
    /// Position in the event chain; `None` until a snapshot is loaded.
    tracker: Option<SeqTracker>,
    /// The next snapshot replaces everything (the backend lost its history).
    reset_next: bool,
    /// Subscribed jobs and the last log line delivered for each (one per open log view;
    /// removed on unsubscribe).
    subs: HashMap<String, u64>,
    ws_failures: u32,
    /// One fresh token per refusal of the WebSocket's token (see `state::auth`).
    auth_budget: RefreshBudget,
    /// `Some(reason)` while in the polling fallback.
    polling: Option<String>,
    next_probe_at: f64,
    last_resync_at: f64,
    /// A snapshot was applied once (later ones are not shown page by page).
    loaded_once: bool,
}

impl Agent {
    async fn run(mut self) {
        RUNNING.with(|r| r.set(r.get() + 1));
        self.main_loop().await;
        RUNNING.with(|r| r.set(r.get().saturating_sub(1)));
    }

    fn set_connection(&self, c: Connection) {
        let delay_ms = match &c {
            Connection::Reconnecting { retry_at_ms, .. } => {
                Some((*retry_at_ms as f64 - now()).max(0.0) as u64)
            }
            _ => None,
        };
        self.set_connection_delayed(c, delay_ms);
    }

    /// Like [`set_connection`](Self::set_connection), naming the backoff delay for the log and
    /// the diagnostics (`Offline` carries no retry time of its own).
    fn set_connection_delayed(&self, c: Connection, delay_ms: Option<u64>) {
        // Polling re-reports its state every round: log and count changes only.
        if diagnostics::connection_changed(&c, delay_ms) {
            log_connection(&c, delay_ms);
        }
        self.sinks.dispatch.emit(Action::Connection {
            connection: c,
            at_ms: now() as i64,
        });
    }

    fn on_control(&mut self, c: Option<Control>) -> Option<Wait> {
        match c {
            None | Some(Control::Stop) => Some(Wait::Stopped),
            Some(Control::Wake) => Some(Wait::Woken),
            Some(Control::Subscribe { job_id, after_line }) => {
                self.subs.insert(job_id, after_line);
                None
            }
            Some(Control::Unsubscribe { job_id }) => {
                self.subs.remove(&job_id);
                None
            }
        }
    }

    /// Sleeps `ms`, unless woken or stopped first.
    async fn pause(&mut self, ms: u64) -> Wait {
        let mut timer = sleep(Duration::from_millis(ms)).fuse();
        loop {
            select! {
                _ = timer => return Wait::Elapsed,
                c = self.ctl.next() => {
                    if let Some(w) = self.on_control(c) {
                        return w;
                    }
                }
            }
        }
    }

    /// Loads the job list, every page of it (see `state::snapshot_pages`); `None` when stopped
    /// meanwhile.
    async fn load_snapshot(&mut self) -> Option<Result<(), ApiError>> {
        let api = self.api.clone();
        let reset = self.reset_next;
        // On the first load the first page is shown at once (see `load_pages`); later loads
        // (resyncs, polling) replace the list in one step, so it never shrinks meanwhile.
        let early = (!self.loaded_once).then(|| self.sinks.dispatch.clone());
        let mut fetch = Box::pin(load_pages(api, early, reset).fuse());
        let result = loop {
            select! {
                r = fetch => break r,
                c = self.ctl.next() => {
                    if let Some(Wait::Stopped) = self.on_control(c) {
                        return None;
                    }
                }
            }
        };
        Some(result.map(|loaded| {
            self.reset_next = false;
            self.loaded_once = true;
            let Loaded { jobs, pages, early } = loaded;
            logger::log(
                Level::Debug,
                "live",
                "job list loaded",
                serde_json::json!({"jobs": jobs.len(), "seq": pages.seq(), "reset": reset, "not_loaded": pages.not_loaded(), "first_page_early": early}),
            );
            self.tracker = Some(SeqTracker::at(pages.seq()));
            self.sinks.dispatch.emit(if early {
                Action::SnapshotMore {
                    jobs,
                    not_loaded: pages.not_loaded(),
                }
            } else {
                Action::Snapshot {
                    jobs,
                    seq: pages.seq(),
                    reset,
                    not_loaded: pages.not_loaded(),
                    more_coming: false,
                }
            });
        }))
    }

    async fn main_loop(&mut self) {
        loop {
            if self.polling.is_some() {
                match self.poll_round().await {
                    Wait::Stopped => return,
                    Wait::Elapsed | Wait::Woken => {}
                }
                if now() < self.next_probe_at {
                    continue;
                }
                self.next_probe_at = now() + WS_PROBE_INTERVAL_MS;
            } else if self.tracker.is_none() {
                match self.load_snapshot().await {
                    None => return,
                    Some(Ok(())) => {}
                    Some(Err(ApiError::Unauthorized(detail))) => {
                        // The funnel already tried one fresh token.
                        let reason = unauthorized_message(&detail);
                        match self.unauthorised(reason, auth::token()).await {
                            Wait::Stopped => return,
                            _ => continue,
                        }
                    }
                    Some(Err(e)) => {
                        self.sinks.dispatch.emit(Action::LoadFailed(e.to_string()));
                        match self.wait_before_retry(e.to_string()).await {
                            Wait::Stopped => return,
                            _ => continue,
                        }
                    }
                }
            }
            match self.session().await {
                End::Stopped => return,
                End::Unauthorized {
                    sent,
                    reason,
                    live_ms,
                } => {
                    if ws_refusal_is_new(live_ms) {
                        self.auth_budget.reset();
                    }
                    if let Wait::Stopped = self.on_refused(sent, reason).await {
                        return;
                    }
                }
                End::Resync => {
                    diagnostics::resynced();
                    logger::info("live", "reloading the job list to resynchronise");
                    self.tracker = None;
                    self.polling = None;
                    // A server that keeps asking for resyncs must not make us spin.
                    let again = now() - self.last_resync_at < 5_000.0;
                    self.last_resync_at = now();
                    if again {
                        if let Wait::Stopped = self
                            .wait_before_retry("resynchronising with the server".into())
                            .await
                        {
                            return;
                        }
                    }
                }
                End::Lost {
                    reason,
                    got_hello,
                    live_ms,
                } => {
                    if got_hello {
                        self.ws_failures = 0;
                        if live_ms >= STABLE_MS {
                            self.backoff.reset();
                        }
                    } else {
                        self.ws_failures += 1;
                    }
                    if self.polling.is_some() {
                        continue; // still polling; probe again later
                    }
                    if self.ws_failures >= WS_FAILURES_BEFORE_POLLING {
                        // Is it only the WebSocket? If HTTP answers, poll instead.
                        match self.load_snapshot().await {
                            None => return,
                            Some(Ok(())) => {
                                self.polling = Some(format!("WebSocket unavailable: {reason}"));
                                self.next_probe_at = now() + WS_PROBE_INTERVAL_MS;
                                self.poll_backoff.reset();
                                continue;
                            }
                            Some(Err(_)) => {}
                        }
                    }
                    if let Wait::Stopped = self.wait_before_retry(reason).await {
                        return;
                    }
                }
            }
        }
    }

    /// Shows "reconnecting" (or "offline") and waits out the next backoff delay.
    async fn wait_before_retry(&mut self, reason: String) -> Wait {
        let delay = self.backoff.next_delay_ms(js_sys::Math::random());
        if browser_offline() {
            self.set_connection_delayed(
                Connection::Offline {
                    reason: "The browser reports no network connection.".into(),
                },
                Some(delay),
            );
        } else {
            self.set_connection(Connection::Reconnecting {
                attempt: self.backoff.attempt(),
                retry_at_ms: (now() + delay as f64) as i64,
                reason,
            });
        }
        self.pause(delay).await
    }

    /// One polling step: fetch the list (unless the tab is hidden), then wait.
    async fn poll_round(&mut self) -> Wait {
        let reason = self.polling.clone().unwrap_or_default();
        if tab_hidden() {
            self.set_connection(Connection::Polling {
                reason: format!("{reason}. Paused while the tab is hidden."),
            });
            // Woken by visibilitychange; the long timeout only bounds the wait.
            return self.pause(60_000).await;
        }
        let delay = match self.load_snapshot().await {
            None => return Wait::Stopped,
            Some(Ok(())) => {
                self.poll_logs().await;
                self.poll_backoff.reset();
                self.set_connection(Connection::Polling {
                    reason: reason.clone(),
                });
                POLL_INTERVAL_MS
            }
            Some(Err(ApiError::Unauthorized(detail))) => {
                return self
                    .unauthorised(unauthorized_message(&detail), auth::token())
                    .await;
            }
            Some(Err(e)) => {
                self.sinks.dispatch.emit(Action::LoadFailed(e.to_string()));
                let d = self
                    .poll_backoff
                    .next_delay_ms(js_sys::Math::random())
                    .max(POLL_INTERVAL_MS);
                self.set_connection(Connection::Reconnecting {
                    attempt: self.poll_backoff.attempt(),
                    retry_at_ms: (now() + d as f64) as i64,
                    reason: e.to_string(),
                });
                d
            }
        };
        match self.pause(delay).await {
            // Polls keep their minimum interval even when woken; only stop is immediate.
            Wait::Woken => Wait::Elapsed,
            other => other,
        }
    }

    /// Polls every subscribed job's log from its last delivered line (see `state::log_poll`), so
    /// open log views keep receiving lines while the WebSocket cannot be used. A failed request
    /// leaves the line number where it was: the next round (or the live stream) resumes there.
    async fn poll_logs(&mut self) {
        let jobs: Vec<(String, u64)> = self.subs.iter().map(|(j, n)| (j.clone(), *n)).collect();
        for (job_id, mut last) in jobs {
            for _ in 0..POLL_PAGES_PER_ROUND {
                let page = match self
                    .api
                    .job_logs_after(&job_id, last, POLL_PAGE_LINES)
                    .await
                {
                    Ok(page) => page,
                    Err(e) => {
                        warn(&format!("live: polling the log of {job_id}: {e}"));
                        break;
                    }
                };
                let (lines, new_last, more) = take_page(last, page.lines, POLL_PAGE_LINES);
                // Unsubscribed while the request was out: nothing to deliver.
                let Some(sub) = self.subs.get_mut(&job_id) else {
                    break;
                };
                // The subscription may have moved on meanwhile (re-subscribed further on).
                let lines: Vec<LogLine> = lines.into_iter().filter(|l| l.n > *sub).collect();
                *sub = (*sub).max(new_last);
                last = *sub;
                if !lines.is_empty() {
                    self.sinks.logs.emit((job_id.clone(), lines));
                }
                if !more {
                    break;
                }
            }
        }
    }

    fn ws_url_after(&self, after: u64) -> String {
        let sep = if self.ws_url.contains('?') { '&' } else { '?' };
        format!("{}{sep}after={after}", self.ws_url)
    }

    async fn session(&mut self) -> End {
        let after = self.tracker.map(|t| t.last()).unwrap_or(0);
        let sent = auth::token();
        let url = with_token(&self.ws_url_after(after), sent.as_deref());
        let ws = match WebSocket::open(&url) {
            Ok(ws) => ws,
            Err(e) => {
                return End::Lost {
                    // The browser's message may quote the URL, token included.
                    reason: redact(&format!("cannot open the WebSocket: {e}"), sent.as_deref()),
                    got_hello: false,
                    live_ms: 0.0,
                };
            }
        };
        let (mut tx, rx) = ws.split();
        let mut rx = rx.fuse();
        let mut hb = Heartbeat::new(HELLO_TIMEOUT_MS / 3, now() as i64);
        let mut live_since: Option<f64> = None;
        let mut batch = Batch::default();
        // One timer for the heartbeat deadline and the batch's latest flush, re-armed only when
        // it fires or must fire sooner: a timer per frame cost two JS calls per event.
        let mut timer = Fuse::terminated();
        let mut timer_at = f64::INFINITY;
        let end = loop {
            let t = now();
            if batch.due_at.is_some_and(|d| t >= d) {
                self.flush(&mut batch);
            }
            let mut want = t + hb.remaining_ms(t as i64) as f64;
            if let Some(due) = batch.due_at {
                want = want.min(due);
            }
            if timer.is_terminated() || want < timer_at - 1.0 {
                timer = sleep(Duration::from_millis((want - t).max(0.0) as u64 + 1)).fuse();
                timer_at = want;
            }
            select! {
                frame = rx.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        hb.frame(now() as i64);
                        if let Some(end) = self.on_frame(&text, &mut tx, &mut hb, &mut batch, &mut live_since).await {
                            break end;
                        }
                    }
                    Some(Ok(Message::Bytes(_))) => warn("live: ignoring a binary frame"),
                    Some(Err(WebSocketError::ConnectionClose(e))) if is_refusal_close(e.code) => {
                        break End::Unauthorized {
                            sent,
                            reason: e.reason,
                            live_ms: live_since.map(|s| now() - s),
                        };
                    }
                    Some(Err(e)) => break self.lost(format!("connection lost ({e})"), live_since),
                    None => break self.lost("connection closed".into(), live_since),
                },
                c = self.ctl.next() => {
                    let subscribe = match &c {
                        Some(Control::Subscribe { job_id, after_line }) => Some(ClientMessage::SubscribeLogs {
                            job_id: job_id.clone(),
                            after_line: *after_line,
                        }),
                        Some(Control::Unsubscribe { job_id }) => Some(ClientMessage::UnsubscribeLogs {
                            job_id: job_id.clone(),
                        }),
                        _ => None,
                    };
                    match self.on_control(c) {
                        Some(Wait::Stopped) => break End::Stopped,
                        Some(_) => {} // already connected: nothing to retry
                        None => {
                            if let (Some(msg), Some(_)) = (subscribe, live_since) {
                                send(&mut tx, &msg).await;
                            }
                        }
                    }
                },
                _ = &mut batch.frame => {
                    // The animation frame the batch waited for: apply it now, so the browser
                    // paints it in this frame (one render per frame, however many events).
                    self.flush(&mut batch);
                },
                _ = timer => {
                    timer_at = f64::INFINITY;
                    if hb.is_dead(now() as i64) {
                        let secs = hb.deadline_ms / 1000;
                        break self.lost(format!("no message from the server for {secs} s"), live_since);
                    }
                    // A due batch (no frame came: the tab is hidden) is flushed at the top.
                }
            }
        };
        self.flush(&mut batch);
        // Dropping the halves closes the socket and removes its listeners.
        drop(tx);
        end
    }

    /// The WebSocket's token was refused: reconnect with a token another request already got,
    /// or ask the host for one once; else tell the user and wait.
    async fn on_refused(&mut self, sent: Option<String>, reason: String) -> Wait {
        let current = auth::token();
        match self
            .auth_budget
            .on_refused(sent.as_deref(), current.as_deref())
        {
            Next::RetryWithCurrent => return Wait::Elapsed,
            Next::Refresh => {
                self.set_connection(Connection::Reconnecting {
                    attempt: 1,
                    retry_at_ms: now() as i64,
                    reason:
                        "The server refused the sign-in token; asking the platform for a new one."
                            .into(),
                });
                match self.refresh_token().await {
                    None => return Wait::Stopped,
                    Some(Some(_)) => return Wait::Elapsed,
                    Some(None) => {} // no new token: give up
                }
            }
            Next::GiveUp => {}
        }
        self.unauthorised(unauthorized_message(&reason), sent).await
    }

    /// [`auth::refresh`]: a fresh token, `Some(None)` if none came, `None` if stopped meanwhile.
    async fn refresh_token(&mut self) -> Option<Option<String>> {
        let mut refresh = Box::pin(auth::refresh(REFRESH_TIMEOUT_MS).fuse());
        loop {
            select! {
                token = refresh => return Some(token.filter(|t| refreshed(Some(t)))),
                c = self.ctl.next() => {
                    if let Some(Wait::Stopped) = self.on_control(c) {
                        return None;
                    }
                }
            }
        }
    }

    /// Says in words that the session is not authorised, and waits for a new token from the host
    /// (or a wake-up: retry now, back online, tab visible) instead of reconnecting in a loop.
    /// `refused` is the token the server refused.
    async fn unauthorised(&mut self, reason: String, refused: Option<String>) -> Wait {
        self.set_connection(Connection::Unauthorized {
            reason: reason.clone(),
        });
        self.sinks.dispatch.emit(Action::LoadFailed(reason));
        // Start again from a snapshot: it also clears the message once a token works.
        self.tracker = None;
        let current = auth::token();
        if current.is_some() && current != refused {
            self.auth_budget.reset();
            return Wait::Woken;
        }
        let mut next = Box::pin(auth::next_token().fuse());
        loop {
            select! {
                _ = next => {
                    self.auth_budget.reset();
                    return Wait::Woken;
                }
                c = self.ctl.next() => {
                    if let Some(w) = self.on_control(c) {
                        return w;
                    }
                }
            }
        }
    }

    fn lost(&self, reason: String, live_since: Option<f64>) -> End {
        End::Lost {
            reason,
            got_hello: live_since.is_some(),
            live_ms: live_since.map(|s| now() - s).unwrap_or(0.0),
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

    /// Handles one text frame; `Some` ends the session.
    async fn on_frame(
        &mut self,
        text: &str,
        tx: &mut SplitSink<WebSocket, Message>,
        hb: &mut Heartbeat,
        batch: &mut Batch,
        live_since: &mut Option<f64>,
    ) -> Option<End> {
        let msg = match ServerMessage::decode(text) {
            Ok(m) => m,
            Err(e) => {
                // One line per unreadable frame (see `state::bad_frame`); nothing else changes.
                let entry = bad_frame_log(text, &e);
                logger::log(entry.level, entry.area, entry.message, entry.fields);
                return None;
            }
        };
        let mut tracker = self.tracker.unwrap_or_default();
        let end = match msg {
            ServerMessage::Hello { heartbeat_ms, .. } => {
                *hb = Heartbeat::new(heartbeat_ms, now() as i64);
                *live_since = Some(now());
                self.ws_failures = 0;
                self.polling = None;
                self.set_connection(Connection::Live);
                for (job_id, after_line) in self.subs.clone() {
                    send(tx, &ClientMessage::SubscribeLogs { job_id, after_line }).await;
                }
                None
            }
            ServerMessage::ResyncRequired { seq, reason } => {
                warn(&format!("live: resync required: {reason}"));
                // A server position behind ours means the backend lost its history.
                self.reset_next = seq < tracker.last();
                Some(End::Resync)
            }
            ServerMessage::JobCreated { seq, prev_seq, job }
            | ServerMessage::JobUpdated { seq, prev_seq, job } => self.chain(
                &mut tracker,
                seq,
                prev_seq,
                batch,
                Event::Job {
                    seq,
                    job: Box::new(job),
                },
            ),
            ServerMessage::Metric {
                seq,
                prev_seq,
                job_id,
                sample,
            } => self.chain(
                &mut tracker,
                seq,
                prev_seq,
                batch,
                Event::Metric {
                    seq,
                    job_id,
                    sample,
                },
            ),
            ServerMessage::Heartbeat { seq, .. } => {
                if tracker.heartbeat_consistent(seq) {
                    None
                } else {
                    warn(&format!(
                        "live: server sent up to {seq}, we have {}: reloading",
                        tracker.last()
                    ));
                    Some(End::Resync)
                }
            }
            ServerMessage::Queue { queue } => {
                batch.queue = Some(queue);
                batch.arm();
                None
            }
            ServerMessage::Log { job_id, line } => {
                if let Some(last) = self.subs.get_mut(&job_id) {
                    if line.n > *last {
                        *last = line.n;
                        batch.logs.entry(job_id).or_default().push(line);
                        batch.arm();
                    }
                }
                None
            }
            ServerMessage::Error { detail } => {
                warn(&format!("live: server reported: {detail}"));
                None
            }
        };
        if self.tracker.is_some() {
            self.tracker = Some(tracker);
        }
        end
    }

    fn chain(
        &mut self,
        tracker: &mut SeqTracker,
        seq: u64,
        prev_seq: u64,
        batch: &mut Batch,
        event: Event,
    ) -> Option<End> {
        match tracker.check(seq, prev_seq) {
            Verdict::Apply => {
                batch.events.push(event);
                batch.arm();
                None
            }
            Verdict::Duplicate => None,
            Verdict::Gap {
                expected_prev,
                got_prev,
            } => {
                warn(&format!(
                    "live: event gap (have {expected_prev}, server continued from {got_prev}): reloading"
                ));
                Some(End::Resync)
            }
        }
    }
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
    /// An event joined the batch: count it, and ask for a frame if it is the first.
    fn arm(&mut self) {
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

/// One line per connection change, with the reason and the backoff delay.
fn log_connection(c: &Connection, delay_ms: Option<u64>) {
    use serde_json::json;
    let (level, message, fields) = match c {
        Connection::Connecting => (Level::Info, "connecting", json!(null)),
        Connection::Live => (Level::Info, "live", json!(null)),
        Connection::Reconnecting {
            attempt, reason, ..
        } => (
            Level::Warn,
            "reconnecting",
            json!({"reason": reason, "attempt": attempt, "delay_ms": delay_ms}),
        ),
        Connection::Polling { reason } => (Level::Warn, "polling", json!({"reason": reason})),
        Connection::Offline { reason } => (
            Level::Warn,
            "offline",
            json!({"reason": reason, "delay_ms": delay_ms}),
        ),
        Connection::Unauthorized { reason } => {
            (Level::Error, "unauthorised", json!({"reason": reason}))
        }
    };
    logger::log(level, "live", message, fields);
}

/// What [`load_pages`] loaded.
struct Loaded {
    /// Every job, or, when `early`, those after the first page.
    jobs: Vec<Job>,
    pages: Pages,
    /// The first page was already dispatched as a `Snapshot` with `more_coming`.
    early: bool,
}

/// Every page of `GET /jobs`, newest first, up to `MAX_HELD` jobs: a small first one, then the rest
/// at once (the browser runs up to six requests to one host in parallel), then any that jobs
/// created meanwhile pushed past the end. With `early`, a first page that is not the whole
/// list is dispatched at once, so the newest jobs show while the others load.
async fn load_pages(
    api: ApiClient,
    early: Option<Callback<Action>>,
    reset: bool,
) -> Result<Loaded, ApiError> {
    let page = |offset: u64, limit: u64| {
        let api = api.clone();
        async move {
            api.list_jobs(&JobQuery {
                sort: Some("newest".into()),
                offset: Some(offset),
                limit: Some(limit),
                ..Default::default()
            })
            .await
            .map(|list| (limit, list))
        }
    };
    let mut pages = Pages::new(MAX_HELD);
    let (limit, first) = page(0, FIRST_PAGE_LIMIT.min(MAX_HELD)).await?;
    pages.add(limit, first.items.len() as u64, first.total, first.seq);
    let rest_planned = pages.rest();
    let mut jobs = Vec::new();
    let early = match early {
        Some(dispatch) if !rest_planned.is_empty() => {
            let shown = first.items.len() as u64;
            dispatch.emit(Action::Snapshot {
                jobs: first.items,
                seq: pages.seq(),
                reset,
                not_loaded: first.total.saturating_sub(shown),
                more_coming: true,
            });
            true
        }
        _ => {
            jobs = first.items;
            false
        }
    };
    let rest = futures::future::try_join_all(rest_planned.into_iter().map(|(o, l)| page(o, l)));
    for (limit, list) in rest.await? {
        pages.add(limit, list.items.len() as u64, list.total, list.seq);
        jobs.extend(list.items);
    }
    // Jobs created meanwhile pushed the oldest ones further down: fetch on until the end.
    while let Some((offset, limit)) = pages.next() {
        let (limit, list) = page(offset, limit).await?;
        pages.add(limit, list.items.len() as u64, list.total, list.seq);
        jobs.extend(list.items);
    }
    Ok(Loaded { jobs, pages, early })
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
