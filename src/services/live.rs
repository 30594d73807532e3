//! The live transport's I/O: one long-lived loop that performs what the transport core
//! (`state::transport`, where every decision is made and tested) asks for, and feeds it what
//! happened: the WebSocket session (`live/session.rs`), loading the list and polling logs over
//! HTTP (`live/http.rs`), timers, token waits, and the page's controls. Started by the jobs
//! provider; stopped by its cleanup (`LiveHandle::stop`).

mod http;
mod session;

use std::cell::Cell;
use std::time::Duration;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::future::LocalBoxFuture;
use futures::{select, FutureExt, StreamExt};
use gloo_timers::future::sleep;
use yew::platform::spawn_local;
use yew::Callback;

use crate::services::api::ApiClient;
use crate::services::auth;
use crate::services::diagnostics;
use crate::services::logger;
use crate::state::auth::REFRESH_TIMEOUT_MS;
use crate::state::jobs_store::Action;
use crate::state::transport::{Command, Env, Input, Transport};
use crate::types::LogLine;

pub use crate::state::transport::Control;

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
        core: Transport::default(),
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

/// The browser, as the core's surroundings: read only when a decision needs it.
struct Browser;

impl Env for Browser {
    fn now_ms(&self) -> f64 {
        now()
    }

    fn unit_random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn offline(&self) -> bool {
        web_sys::window().is_some_and(|w| !w.navigator().on_line())
    }

    fn tab_hidden(&self) -> bool {
        web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden())
    }

    fn token(&self) -> Option<String> {
        auth::token()
    }
}

struct Agent {
    api: ApiClient,
    ws_url: String,
    sinks: Sinks,
    ctl: UnboundedReceiver<Control>,
    core: Transport,
}

impl Agent {
    async fn run(mut self) {
        RUNNING.with(|r| r.set(r.get() + 1));
        self.main_loop().await;
        RUNNING.with(|r| r.set(r.get().saturating_sub(1)));
    }

    /// Performs the effects, then the operation the core asks for, until it says finish.
    async fn main_loop(&mut self) {
        let mut commands = self.core.start(&Browser);
        loop {
            let mut operation = None;
            for c in commands {
                if c.is_operation() {
                    operation = Some(c);
                } else {
                    self.effect(c);
                }
            }
            commands = match operation {
                Some(Command::OpenSocket { after, token }) => self.session(after, token).await,
                Some(Command::PollLogs) => {
                    // Not interrupted by controls (they wait in the channel meanwhile).
                    self.poll_logs().await;
                    self.core.handle(Input::LogsPolled, &Browser)
                }
                Some(Command::Finish) => return,
                Some(op) => self.await_operation(op).await,
                None => {
                    // Every answer to an operation names the next one; this is a bug, not a state.
                    warn("live: the transport has nothing to do; stopping");
                    return;
                }
            };
        }
    }

    /// Waits for a timer, a load or a token, answering controls meanwhile; returns the core's
    /// next commands (the first that hold an operation).
    async fn await_operation(&mut self, op: Command) -> Vec<Command> {
        let work: LocalBoxFuture<'static, Input> = match op {
            Command::Wait { ms } => sleep(Duration::from_millis(ms))
                .map(|_| Input::TimerFired)
                .boxed_local(),
            Command::LoadSnapshot { reset, early } => {
                let (api, dispatch) = (self.api.clone(), self.sinks.dispatch.clone());
                http::load_snapshot(api, dispatch, reset, early).boxed_local()
            }
            Command::AwaitToken => auth::next_token()
                .map(|_| Input::TokenArrived)
                .boxed_local(),
            Command::RefreshToken => auth::refresh(REFRESH_TIMEOUT_MS)
                .map(Input::TokenRefreshed)
                .boxed_local(),
            // The others are performed by `main_loop` itself.
            _ => return vec![Command::Finish],
        };
        let mut work = work.fuse();
        loop {
            select! {
                input = work => return self.core.handle(input, &Browser),
                c = self.ctl.next() => {
                    let c = c.unwrap_or(Control::Stop);
                    let commands = self.core.handle(Input::Control(c), &Browser);
                    if commands.iter().any(Command::is_operation) {
                        return commands;
                    }
                    for c in commands {
                        self.effect(c);
                    }
                }
            }
        }
    }

    /// Performs an effect (deliveries and sends are the session's, see `session.rs`).
    fn effect(&self, c: Command) {
        match c {
            Command::SetConnection {
                connection,
                delay_ms,
            } => {
                // Polling re-reports its state every round: log and count changes only.
                if diagnostics::connection_changed(&connection, delay_ms) {
                    let e = connection.log_entry(delay_ms);
                    logger::log(e.level, e.area, e.message, e.fields);
                }
                self.sinks.dispatch.emit(Action::Connection {
                    connection,
                    at_ms: now() as i64,
                });
            }
            Command::LoadFailed(reason) => self.sinks.dispatch.emit(Action::LoadFailed(reason)),
            Command::Warn(msg) => warn(&msg),
            Command::Log(e) => logger::log(e.level, e.area, e.message, e.fields),
            Command::Resynced => {
                diagnostics::resynced();
                logger::info("live", "reloading the job list to resynchronise");
            }
            // Operations (`Command::is_operation`, which names every command) are awaited by
            // `main_loop`; the socket's commands (apply, queue, log line, send, close) mean
            // nothing outside a session, where no socket is open.
            _ => {}
        }
    }
}
