"""Worker launcher: ``python -m jobs_backend.worker --processes N``.

Starts N OS processes, each running an RQ (forking) ``Worker`` on queue ``jobs`` named
``worker-<i>.<pid>``. On SIGTERM/SIGINT it stops them all and exits 0: each worker tells its
work horse to abort the running job (which then ends ``failed`` with ``WorkerShutdown``) instead
of waiting for it to finish. A worker process that dies unexpectedly is restarted.

Before starting, jobs left ``running``/``cancelling`` by workers that no longer exist are marked
``failed`` (``WorkerLost``), so a crashed worker does not leave jobs stuck.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import time

import redis
from rq import Worker
from rq import worker_registration

from . import datasets, jobdoc, tasks
from .config import PACKAGE_ROOT, QUEUE_NAME, Settings
from .rqueue import RQ
from .statemachine import IllegalTransition
from .store import Change, JobNotFound, JobStore, status_key

log = logging.getLogger("jobs_backend.worker")
STOP_GRACE_S = 20.0


# Short TTL: an idle worker wakes (and heartbeats) every TTL - 15 s, which bounds how long it
# stays unlisted after Redis lost its registration (restart without persistence).
WORKER_TTL_S = 30


class JobsWorker(Worker):
    """RQ forking worker whose warm shutdown interrupts the running job cooperatively."""

    def heartbeat(self, timeout=None, pipeline=None):
        # Redis was reset under us: register again, or /queue would report no workers forever.
        if pipeline is None:
            try:
                if not self.connection.exists(self.key):
                    log.warning("worker %s: registration lost (Redis reset?); registering again", self.name)
                    self.register_birth()
            except Exception:  # a failing check must not take the worker down
                log.exception("could not re-register worker %s", self.name)
        return super().heartbeat(timeout, pipeline)

    def handle_warm_shutdown_request(self):
        super().handle_warm_shutdown_request()
        pid = self.horse_pid
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def setup_work_horse_signals(self):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, tasks.request_shutdown)

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage):
        """The horse died without reporting (e.g. SIGKILL, OOM): fail the job it was running."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        try:
            job_id, attempt = job.args[0], job.args[1]
            _fail_lost(_store(), job_id, f"the work horse of {self.name} died (wait status {ret_val})",
                       "WorkHorseKilled", attempt)
        except Exception:  # never take the worker down over this
            log.exception("could not mark job of killed work horse as failed")


def _store() -> JobStore:
    return JobStore.from_settings(Settings.from_env())


def _fail_lost(store: JobStore, job_id: str, message: str, etype: str, attempt: int | None = None,
               unless_worker_in: set[str] | None = None) -> bool:
    """Mark a running/cancelling job failed because its worker went away; True if it changed."""
    def fn(job: dict) -> Change | None:
        worker = job["attempts"][-1]["worker"]
        if job["status"] not in ("running", "cancelling"):
            return None
        if attempt is not None and job["attempt"] != attempt:
            return None
        if unless_worker_in is not None and worker in unless_worker_in:
            return None
        error = {"type": etype, "message": message.replace("{worker}", str(worker)), "traceback": ""}
        jobdoc.to_failed(job, error, jobdoc.now_ms())
        return Change(job, [("ERROR", f"job failed: {etype}: {error['message']}")])
    try:
        return store.mutate(job_id, fn)[1]
    except (JobNotFound, IllegalTransition):
        return False


def run_single(index: int, log_level: str) -> None:
    settings = Settings.from_env()
    datasets.ensure_samples(settings.data_dir)
    conn = redis.Redis.from_url(settings.redis_url)
    worker = JobsWorker([QUEUE_NAME], name=f"worker-{index}.{os.getpid()}", connection=conn,
                        log_job_description=False, worker_ttl=WORKER_TTL_S)
    worker.work(logging_level=log_level)


def _alive_on_this_host(w: Worker) -> bool:
    if w.hostname != socket.gethostname() or not w.pid:
        return True  # cannot tell for other hosts: trust the registration
    try:
        os.kill(w.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphans(settings: Settings) -> int:
    """Fail running/cancelling jobs whose worker is gone; drop dead same-host registrations."""
    store = JobStore.from_settings(settings)
    rq = RQ(settings.redis_url)
    live = set()
    for w in Worker.all(connection=rq.conn, queue=rq.queue()):
        if _alive_on_this_host(w):
            live.add(w.name)
        else:
            worker_registration.unregister(w)
            rq.conn.delete(w.key)
    reaped = 0
    for job_id in store.r.sunion(status_key("running"), status_key("cancelling")):
        reaped += _fail_lost(store, job_id, "worker {worker} stopped while running this job", "WorkerLost",
                             unless_worker_in=live)
    return reaped


def supervise(n: int, log_level: str) -> int:
    settings = Settings.from_env()
    datasets.ensure_samples(settings.data_dir)
    try:
        reaped = reap_orphans(settings)
        if reaped:
            log.warning("marked %d orphaned job(s) failed (WorkerLost)", reaped)
    except redis.RedisError as e:
        log.warning("could not check for orphaned jobs: %s", e)

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def spawn(i: int) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "jobs_backend.worker", "--single", "--index", str(i), "--log-level", log_level],
            cwd=str(PACKAGE_ROOT),
        )

    procs = {i: spawn(i) for i in range(1, n + 1)}
    restart_at: dict[int, float] = {}
    while not stopping:
        time.sleep(0.1)
        for i, p in list(procs.items()):
            if stopping or p.poll() is None:
                continue
            if i not in restart_at:
                log.warning("worker process %d (pid %d) exited with %s; restarting", i, p.pid, p.returncode)
                restart_at[i] = time.monotonic() + 1.0
            elif time.monotonic() >= restart_at[i]:
                del restart_at[i]
                procs[i] = spawn(i)

    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for p in procs.values():
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m jobs_backend.worker", description=__doc__.split("\n")[0])
    ap.add_argument("--processes", type=int, default=1, help="number of RQ worker processes (default 1)")
    ap.add_argument("--log-level", default=os.environ.get("WORKER_LOG_LEVEL", "INFO"))
    ap.add_argument("--single", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--index", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.single:
        run_single(args.index, args.log_level)
        return 0
    if args.processes < 1:
        ap.error("--processes must be >= 1")
    return supervise(args.processes, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
