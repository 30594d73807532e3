//! Child processes the harness owns: each runs in its own process group with its output in a log
//! file, and is killed with everything it forked when its handle drops.
//!
//! Three layers keep a test run from leaving orphans behind:
//! - dropping a [`ManagedProcess`] kills its process group and every descendant found under it
//!   in `/proc` (a grandchild that moved to another group is found too);
//! - SIGINT/SIGTERM/SIGHUP of the test binary (Ctrl-C) kill every live group before the binary
//!   dies, since children in their own groups would not see the terminal's signal;
//! - each direct child gets `PR_SET_PDEATHSIG = SIGKILL`, so it dies even if the test binary is
//!   killed outright (SIGKILL). Linux ties that signal to the *thread* that forked, so every
//!   child is spawned from one keeper thread that lives as long as the process. Grandchildren
//!   (Chromium under chromedriver) do survive a SIGKILL of the test binary: nothing can run then.
//!
//! The test binary also makes itself a child subreaper, so descendants orphaned by a kill are
//! re-parented to it and reaped, rather than left as zombies under a PID 1 that never reaps.
//!
//! One idea over 400 lines: those layers and the handle they protect only work together.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use crate::error::{Context, Error, Result};
use crate::wait::POLL_INTERVAL;

/// A running child process (group leader) whose stdout and stderr go to a log file.
#[derive(Debug)]
pub struct ManagedProcess {
    name: String,
    child: Child,
    log_path: PathBuf,
    exited: Option<ExitStatus>,
}

impl ManagedProcess {
    /// Starts `cmd` as the leader of a new process group, appending its output to `log_path`.
    pub fn spawn(name: &str, mut cmd: Command, log_path: &Path) -> Result<Self> {
        install_signal_handlers();
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path)
            .context(format!("opening log file {}", log_path.display()))?;
        // Restarts append to the same file; a marker keeps the runs apart.
        let _ = writeln!(log, "=== e2e harness: starting {name}: {cmd:?}");
        let stderr = log.try_clone().context("duplicating log file handle")?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(stderr))
            .process_group(0);
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: only async-signal-safe calls (prctl, getppid) between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // The parent may have died before prctl took effect.
                if libc::getppid() != parent {
                    return Err(io::Error::other("parent exited during spawn"));
                }
                Ok(())
            });
        }
        let program = cmd.get_program().to_string_lossy().into_owned();
        let child = spawn_from_keeper(cmd).context(format!("starting {name} ({program})"))?;
        register_group(child.id() as i32);
        Ok(Self {
            name: name.to_string(),
            child,
            log_path: log_path.to_path_buf(),
            exited: None,
        })
    }

    /// The leader's pid (also the process group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The name given at spawn ("api", "redis", ...).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the process's output goes.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// `Some(status)` once the leader has exited (reaping it), `None` while it runs.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited
    }

    /// An error naming the process and quoting its log, if it has exited.
    pub fn check_running(&mut self) -> Result<()> {
        match self.exit_status() {
            None => Ok(()),
            Some(status) => Err(Error::msg(format!(
                "{} exited unexpectedly ({status}); last output:\n{}",
                self.name,
                self.log_tail(40)
            ))),
        }
    }

    /// Polls `check` until it succeeds; fails at once (quoting the log) if the process exits
    /// first, and after `timeout` with `description`, the last error and the log's tail.
    pub async fn wait_ready<F, Fut, T>(
        &mut self,
        description: &str,
        timeout: Duration,
        mut check: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let start = Instant::now();
        let deadline = start + timeout;
        let mut last;
        loop {
            self.check_running()
                .map_err(|e| Error::msg(format!("while waiting for {description}: {e}")))?;
            let remaining = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(remaining.max(POLL_INTERVAL), check()).await {
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(e)) => last = e.to_string(),
                Err(_) => last = "the check did not finish before the deadline".into(),
            }
            if Instant::now() >= deadline {
                return Err(Error::msg(format!(
                    "timed out after {:.1}s waiting for {description}; last observed: {last}\n\
                     last output of {}:\n{}",
                    start.elapsed().as_secs_f64(),
                    self.name,
                    self.log_tail(30)
                )));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Asks the group to stop with SIGTERM, waits up to `grace` for the leader, then kills
    /// whatever is left of the group and its descendants.
    pub fn terminate(&mut self, grace: Duration) {
        if self.exit_status().is_none() {
            signal_group(self.pid(), libc::SIGTERM);
            let deadline = Instant::now() + grace;
            while self.exit_status().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.kill();
    }

    /// Kills the group and every descendant at once (SIGKILL) and reaps the leader.
    pub fn kill(&mut self) {
        let pid = self.pid();
        let descendants = descendants_of(pid as i32);
        signal_group(pid, libc::SIGKILL);
        for &d in &descendants {
            // SAFETY: plain kill(2) on a pid we found under our own child.
            unsafe {
                libc::kill(d, libc::SIGKILL);
            }
        }
        if self.exited.is_none() {
            let _ = self.child.kill();
            self.exited = self.child.wait().ok();
        }
        reap(&descendants);
        unregister_group(pid as i32);
    }

    /// The last `lines` lines of the process's log (reads at most the last 64 KiB).
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log_path, lines)
    }
}

impl Drop for ManagedProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The last `lines` lines of a text file, or a note saying why it could not be read.
pub fn log_tail(path: &Path, lines: usize) -> String {
    let mut buf = Vec::new();
    let read = File::open(path).and_then(|mut f| {
        let len = f.metadata()?.len();
        f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)))?;
        f.read_to_end(&mut buf)
    });
    if let Err(e) = read {
        return format!("(cannot read {}: {e})", path.display());
    }
    let text = String::from_utf8_lossy(&buf);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Reaps killed descendants that were re-parented to this process (it is a child subreaper),
/// so they do not linger as zombies: where PID 1 does not reap (containers), a zombie still
/// answers `kill(pid, 0)` and looks alive to code that checks worker liveness that way.
fn reap(pids: &[i32]) {
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut pending: Vec<i32> = pids.to_vec();
    while !pending.is_empty() && Instant::now() < deadline {
        pending.retain(|&pid| {
            let mut status = 0;
            // SAFETY: waitpid(2) on one pid, non-blocking; ECHILD (not our child) is fine.
            unsafe {
                libc::waitpid(pid, &mut status, libc::WNOHANG);
            }
            Path::new(&format!("/proc/{pid}")).exists()
        });
        if !pending.is_empty() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn signal_group(pgid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) with a negative pid signals the group; errors (ESRCH) are fine to ignore.
    unsafe {
        libc::kill(-(pgid as libc::pid_t), signal);
    }
}

/// Every live descendant of `root` (children, grandchildren, ...), read from `/proc`.
pub fn descendants_of(root: i32) -> Vec<i32> {
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for (pid, ppid, _) in proc_table() {
        children.entry(ppid).or_default().push(pid);
    }
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(p) = stack.pop() {
        if let Some(kids) = children.get(&p) {
            for &k in kids {
                out.push(k);
                stack.push(k);
            }
        }
    }
    out
}

/// Whether `pid` exists and is not a zombie.
pub fn is_alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => parse_stat(&stat).is_some_and(|(_, _, state)| state != 'Z' && state != 'X'),
        Err(_) => false,
    }
}

/// `(pid, ppid, state)` of every process in `/proc`.
fn proc_table() -> Vec<(i32, i32, char)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|entry| {
        let name = entry.ok()?.file_name();
        let pid: i32 = name.to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (ppid, _pgrp, state) = parse_stat(&stat)?;
        Some((pid, ppid, state))
    })
    .collect()
}

/// `(ppid, pgrp, state)` from a `/proc/<pid>/stat` line; the command name may hold spaces and
/// parentheses, so fields are counted from the last `)`.
fn parse_stat(stat: &str) -> Option<(i32, i32, char)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((ppid, pgrp, state))
}

// ---- keeper thread -------------------------------------------------------------------------

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

fn spawn_from_keeper(cmd: Command) -> io::Result<Child> {
    static KEEPER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("e2e-process-keeper".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("e2e harness: cannot start the process keeper thread");
        Mutex::new(tx)
    });
    let (reply_tx, reply_rx) = mpsc::channel();
    keeper
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .send((cmd, reply_tx))
        .map_err(|_| io::Error::other("process keeper thread is gone"))?;
    reply_rx
        .recv()
        .map_err(|_| io::Error::other("process keeper thread dropped the request"))?
}

// ---- groups killed on SIGINT/SIGTERM/SIGHUP ---------------------------------------------------

const SLOTS: usize = 256;
static GROUPS: [AtomicI32; SLOTS] = [const { AtomicI32::new(0) }; SLOTS];

fn register_group(pgid: i32) {
    for slot in &GROUPS {
        if slot
            .compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
    }
}

fn unregister_group(pgid: i32) {
    for slot in &GROUPS {
        let _ = slot.compare_exchange(pgid, 0, Ordering::SeqCst, Ordering::SeqCst);
    }
}

extern "C" fn kill_groups_on_signal(signal: libc::c_int) {
    for slot in &GROUPS {
        let pgid = slot.load(Ordering::SeqCst);
        if pgid > 0 {
            // SAFETY: kill(2) is async-signal-safe.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
    // SA_RESETHAND restored the default action: die of the same signal.
    // SAFETY: raise(3) is async-signal-safe.
    unsafe {
        libc::raise(signal);
    }
}

fn install_signal_handlers() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Orphaned descendants (a worker's children after the worker is killed) are re-parented
        // to this process instead of PID 1, so they stay findable and get reaped by `kill`.
        // SAFETY: prctl with constant arguments.
        unsafe {
            libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: a zeroed sigaction with a valid handler, empty mask and SA_RESETHAND.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = kill_groups_on_signal as *const () as libc::sighandler_t;
                action.sa_flags = libc::SA_RESETHAND;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_spaces_and_parens_in_name() {
        let stat = "4242 (my (weird) name) S 17 4242 4242 0 -1 4194560";
        assert_eq!(parse_stat(stat), Some((17, 4242, 'S')));
    }

    #[test]
    fn killing_a_process_kills_its_grandchildren() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg("sleep 300 & sleep 300 & wait");
        let mut p =
            ManagedProcess::spawn("sleepers", cmd, &dir.path().join("s.log")).expect("spawn sh");
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut kids = descendants_of(p.pid() as i32);
        while kids.len() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            kids = descendants_of(p.pid() as i32);
        }
        assert_eq!(kids.len(), 2, "sh should have two sleep children");
        p.kill();
        let deadline = Instant::now() + Duration::from_secs(5);
        while kids.iter().any(|&k| is_alive(k)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(kids.iter().all(|&k| !is_alive(k)), "grandchildren survived");
        assert!(p.exit_status().is_some());
    }
}
