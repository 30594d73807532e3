"""RQ glue: enqueueing attempts, cancelling queued RQ jobs, and the queue/worker snapshot."""

from __future__ import annotations

import os
import threading
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job as RQJob

from .config import QUEUE_NAME
from .jobdoc import job_id_from_rq, rq_job_id
from .store import JobStore, status_key

TASK = "jobs_backend.tasks.run_job"


class RQ:
    """Per-process RQ access (RQ wants a client without decode_responses)."""

    def __init__(self, url: str):
        self.url = url
        self._pid = -1
        self._conn: redis.Redis | None = None

    @property
    def conn(self) -> redis.Redis:
        if self._conn is None or self._pid != os.getpid():
            self._conn = redis.Redis.from_url(self.url, socket_connect_timeout=2, retry=Retry(NoBackoff(), 1))
            self._pid = os.getpid()
        return self._conn

    def queue(self) -> Queue:
        return Queue(QUEUE_NAME, connection=self.conn)

    def enqueue(self, job_id: str, attempt: int) -> None:
        self.queue().enqueue(
            TASK, job_id, attempt,
            job_id=rq_job_id(job_id, attempt),
            job_timeout=-1,  # jobs may run for as long as their params make them
            result_ttl=600,
            failure_ttl=3600,
            description=f"{job_id} attempt {attempt}",
        )

    def cancel(self, job_id: str, attempt: int) -> None:
        """Take a queued attempt off the RQ queue (the task also skips it if it still runs)."""
        try:
            RQJob.fetch(rq_job_id(job_id, attempt), connection=self.conn).cancel()
        except (NoSuchJobError, InvalidJobOperation):
            pass

    def workers(self) -> list[dict]:
        out = []
        for w in Worker.all(connection=self.conn, queue=self.queue()):
            try:
                current = job_id_from_rq(w.get_current_job_id())
            except redis.RedisError:
                raise
            except Exception:  # an execution record that vanished mid-read
                current = None
            out.append({"name": w.name, "state": str(getattr(w.get_state(), "value", w.get_state())),
                        "current_job": current})
        return sorted(out, key=lambda w: w["name"])


def queue_snapshot(store: JobStore, rq: RQ) -> dict:
    """The GET /queue body; never raises for Redis trouble (redis.ok = false instead)."""
    try:
        r = store.r
        t0 = time.perf_counter()
        r.ping()
        latency = (time.perf_counter() - t0) * 1000
        info = r.info()
        pipe = r.pipeline(transaction=False)
        for s in ("queued", "running", "cancelling"):
            pipe.scard(status_key(s))
        queued, running, cancelling = pipe.execute()
        workers = rq.workers()
        return {
            "queued": queued,
            "running": running + cancelling,
            "workers": workers,
            "redis": {"ok": True, "version": str(info.get("redis_version")),
                      "latency_ms": round(latency, 3), "used_memory_bytes": int(info.get("used_memory", 0))},
        }
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return {"queued": 0, "running": 0, "workers": [],
                "redis": {"ok": False, "version": None, "latency_ms": None, "used_memory_bytes": None}}


class CachedSnapshot:
    """Queue snapshot cached for ``ttl`` seconds, shared by the WebSocket connections of a process."""

    def __init__(self, store: JobStore, rq: RQ, ttl: float = 1.0):
        self.store, self.rq, self.ttl = store, rq, ttl
        self._lock = threading.Lock()
        self._at = 0.0
        self._value: dict | None = None

    def get(self) -> dict:
        with self._lock:
            if self._value is None or time.monotonic() - self._at > self.ttl:
                self._value = queue_snapshot(self.store, self.rq)
                self._at = time.monotonic()
            return self._value
