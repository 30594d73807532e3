//! What goes into the transport core and what comes out of it: the inputs the I/O loop feeds
//! ([`Input`], [`Control`]), what it reads from the browser when asked ([`Env`]), and the
//! commands it performs ([`Command`]). No I/O here; `services::live` does it.

use crate::state::bad_frame::LogEntry;
use crate::state::connection::Connection;
use crate::state::jobs_store::Event;
use crate::state::transport::ws_error::WsError;
use crate::types::{ClientMessage, LogLine, QueueStatus};

/// Messages from the page to the transport.
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

/// What the core reads from its surroundings, only when a decision needs it (the I/O loop reads
/// the browser; tests give fixed values). Time and randomness come in here, so the core is
/// deterministic.
pub trait Env {
    /// Epoch milliseconds.
    fn now_ms(&self) -> f64;
    /// A number in `[0, 1)` for the backoff's jitter.
    fn unit_random(&self) -> f64;
    /// The browser reports no network.
    fn offline(&self) -> bool;
    /// The tab is hidden (polling pauses then).
    fn tab_hidden(&self) -> bool;
    /// The bearer token held now.
    fn token(&self) -> Option<String>;
}

/// Why the job list could not be loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum SnapshotError {
    /// HTTP 401 even after one fresh token; `detail` is the server's word.
    Unauthorized { detail: String },
    /// Anything else, in words for the user.
    Failed { message: String },
}

/// Something that happened, fed to [`Transport::handle`](super::Transport::handle).
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Control(Control),
    /// Every page of the list is in (and dispatched); `seq` is its position in the event chain.
    SnapshotLoaded {
        seq: u64,
    },
    SnapshotFailed(SnapshotError),
    /// The subscribed logs were polled once (see [`Command::PollLogs`]).
    LogsPolled,
    /// A text frame from the WebSocket.
    Frame(String),
    /// A binary frame (the protocol has none).
    BinaryFrame,
    /// The timer for the heartbeat deadline fired (it may have been re-armed meanwhile).
    HeartbeatDue,
    /// The socket could not be opened, or it ended.
    SocketEnded(WsError),
    /// The [`Command::Wait`] is over.
    TimerFired,
    /// The host set a token while the core waited for one ([`Command::AwaitToken`]).
    TokenArrived,
    /// What [`Command::RefreshToken`] got (`None`: nothing in time, or no host).
    TokenRefreshed(Option<String>),
}

/// What to do. Effects come first; an *operation* ([`Command::is_operation`]) says what to await
/// next, and replaces the one awaited so far. Deliveries and sends only come during a socket
/// session, which [`Command::CloseSocket`] ends.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Show the link's state (and log and count it); `delay_ms` is the backoff delay, if any.
    SetConnection {
        connection: Connection,
        delay_ms: Option<u64>,
    },
    /// The list could not be loaded: say why on the page.
    LoadFailed(String),
    /// A console warning (`live` area).
    Warn(String),
    /// A console line decided elsewhere (an unreadable frame).
    Log(LogEntry),
    /// Reloading the list to resynchronise (logged and counted).
    Resynced,
    /// An event to batch for the store.
    Apply(Event),
    /// The queue's status, to batch.
    Queue(QueueStatus),
    /// A log line of a subscribed job, to batch (in order, each once).
    LogLine { job_id: String, line: LogLine },
    /// Send on the open socket.
    Send(ClientMessage),
    /// End the socket session: flush what is batched, close the socket.
    CloseSocket,
    /// Operation: load every page of the list; `reset` replaces everything, `early` shows the
    /// first page at once.
    LoadSnapshot { reset: bool, early: bool },
    /// Operation: fetch new lines of every subscribed log once, then feed [`Input::LogsPolled`].
    PollLogs,
    /// Operation: open the WebSocket resuming after `after`, with `token`.
    OpenSocket { after: u64, token: Option<String> },
    /// Operation: wait `ms` (a wake-up may end it sooner), then feed [`Input::TimerFired`].
    Wait { ms: u64 },
    /// Operation: wait for the host to set a token ([`Input::TokenArrived`]).
    AwaitToken,
    /// Operation: ask the host for a fresh token ([`Input::TokenRefreshed`]).
    RefreshToken,
    /// Operation: the transport is done; end the loop.
    Finish,
}

impl Command {
    /// Whether this says what to await next (and so ends what was awaited before). Every
    /// command is named here, so a new one must be classified (and `services::live`, which
    /// performs only the effects outside a session, relies on that).
    pub fn is_operation(&self) -> bool {
        match self {
            Command::LoadSnapshot { .. }
            | Command::PollLogs
            | Command::OpenSocket { .. }
            | Command::Wait { .. }
            | Command::AwaitToken
            | Command::RefreshToken
            | Command::Finish => true,
            Command::SetConnection { .. }
            | Command::LoadFailed(_)
            | Command::Warn(_)
            | Command::Log(_)
            | Command::Resynced
            | Command::Apply(_)
            | Command::Queue(_)
            | Command::LogLine { .. }
            | Command::Send(_)
            | Command::CloseSocket => false,
        }
    }
}
