"""Redis job store: job documents, status index, logs, metrics, the event and log streams.

Every change is committed by one Lua script (one round trip, however many log lines it carries)
that checks the job's ``version`` (optimistic concurrency: a concurrent writer makes the caller
re-read and re-apply its change) and writes the job, its log lines and metric sample together
with their stream entries, so a job change and everything it announces are atomic.

Two streams, so that log volume can never push job events out:

- ``jb:events`` holds the job events (``job.created``/``job.updated``) and metric samples. Each
  takes one ``seq`` from ``jb:seq`` and is XADDed with the explicit id ``<seq>-0``: ``seq`` grows
  by exactly one per event in commit order, across any number of processes, so a reader that
  sees a jump knows job events were lost (trimmed before it read them) and must resync. Bounded
  by ``events_maxlen`` (50,000 by default).
- ``jb:logstream`` holds the log lines (fields job_id/n/body), numbered by their own counter
  ``jb:logseq`` with ids ``<logseq>-0``, bounded by ``log_stream_maxlen``. It only carries live
  lines to subscribers: every line is also in the job's list ``jb:logs:<id>`` and numbered per
  job (``n``), so a reader that finds log entries trimmed fills the gap from the list. A log
  flood therefore costs a backfill at worst, never a resync of the job list.

Keys (prefix ``jb:``): ``job:<id>`` (JSON string), ``jobs`` (zset, score = creation order),
``st:<status>`` (set of ids), ``logs:<id>`` (list of LogLine JSON, at most ``log_cap``),
``metrics:<id>`` (list of MetricSample JSON, at most ``metrics_cap``), ``seq`` and ``logseq``
(counters), ``events`` (stream, fields type/job_id/body), ``logstream`` (stream, fields
job_id/n/body).
"""

from __future__ import annotations

import copy
import json
import os
import secrets
from dataclasses import dataclass, field
from typing import Callable, Iterator

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import jobdoc
from .models import STATUSES
from .statemachine import TERMINAL, IllegalTransition

K_SEQ = "jb:seq"
K_EVENTS = "jb:events"
K_LOGSEQ = "jb:logseq"
K_LOGSTREAM = "jb:logstream"
K_INDEX = "jb:jobs"
K_ORDER = "jb:job_order"


def job_key(job_id: str) -> str:
    return f"jb:job:{job_id}"


def logs_key(job_id: str) -> str:
    return f"jb:logs:{job_id}"


def metrics_key(job_id: str) -> str:
    return f"jb:metrics:{job_id}"


def status_key(status: str) -> str:
    return f"jb:st:{status}"


def dumps(obj) -> str:
    # ASCII-only: echoed client input (bulk details) may hold lone surrogates, which UTF-8 cannot carry
    return json.dumps(obj, separators=(",", ":"))


COMMIT_LUA = r"""
-- KEYS: job, seq, events, index, order, logs, metrics, old status set, new status set,
--       logseq, logstream
-- ARGV: job_id, expected_version (0 = create), events_maxlen, event_type, job_json,
--       log_cap, metrics_cap, log_stream_maxlen, first_n (n of log_1 minus 1), n_logs,
--       log_1..log_n, metric_json ('' = none)
-- One call commits a whole change, however many log lines it carries (a chunk with a
-- log_burst of 10,000 lines is one round trip). Job and metric events go to the event stream
-- (seq from KEYS[2], contiguous); log lines go to the log stream (their own counter KEYS[10]),
-- so they never take seq numbers or space from job events. Each stream is trimmed once.
local cur = redis.call('GET', KEYS[1])
local expected = tonumber(ARGV[2])
if expected == 0 then
  if cur then return -3 end
else
  if not cur then return -2 end
  if tonumber(cjson.decode(cur)['version']) ~= expected then return -1 end
end
local job_id = ARGV[1]
local n0 = tonumber(ARGV[9])
local n_logs = tonumber(ARGV[10])
local metric = ARGV[11 + n_logs]
local n_events = 1
if metric ~= '' then n_events = 2 end
-- Events get seq numbers first+1 .. first+n_events, in the order they are added below.
local seq = redis.call('INCRBY', KEYS[2], n_events) - n_events
local function emit(etype, body)
  seq = seq + 1
  redis.call('XADD', KEYS[3], seq .. '-0', 'type', etype, 'job_id', job_id, 'body', body)
end
redis.call('SET', KEYS[1], ARGV[5])
if expected == 0 then
  redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[5]), job_id)
end
if KEYS[8] ~= KEYS[9] then redis.call('SREM', KEYS[8], job_id) end
redis.call('SADD', KEYS[9], job_id)
emit(ARGV[4], ARGV[5])
if n_logs > 0 then
  for i = 1, n_logs, 1000 do
    redis.call('RPUSH', KEYS[6], unpack(ARGV, 10 + i, 10 + math.min(i + 999, n_logs)))
  end
  redis.call('LTRIM', KEYS[6], -tonumber(ARGV[6]), -1)
  local lseq = redis.call('INCRBY', KEYS[10], n_logs) - n_logs
  for i = 1, n_logs do
    redis.call('XADD', KEYS[11], (lseq + i) .. '-0', 'job_id', job_id, 'n', n0 + i, 'body', ARGV[10 + i])
  end
  redis.call('XTRIM', KEYS[11], 'MAXLEN', ARGV[8])
end
if metric ~= '' then
  redis.call('RPUSH', KEYS[7], metric)
  redis.call('LTRIM', KEYS[7], -tonumber(ARGV[7]), -1)
  emit('metric', metric)
end
redis.call('XTRIM', KEYS[3], 'MAXLEN', ARGV[3])
return seq
"""


class JobNotFound(Exception):
    def __init__(self, job_id: str):
        self.job_id = job_id
        super().__init__(f"job {job_id} not found")


@dataclass
class Change:
    """What a mutation produces: the new job document plus log lines and a metric sample."""

    job: dict
    logs: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    metric: dict | None = None


def connect(url: str, **kw) -> redis.Redis:
    kw.setdefault("socket_connect_timeout", 2)
    kw.setdefault("retry", Retry(NoBackoff(), 1))
    return redis.Redis.from_url(url, decode_responses=True, protocol=2, **kw)


class JobStore:
    def __init__(self, url: str, events_maxlen: int = 50_000, log_cap: int = 1_000_000,
                 metrics_cap: int = 2_000, log_stream_maxlen: int = 50_000):
        self.url = url
        self.events_maxlen = events_maxlen
        self.log_stream_maxlen = log_stream_maxlen
        self.log_cap = log_cap
        self.metrics_cap = metrics_cap
        self._pid = -1
        self._r: redis.Redis | None = None
        self._commit = None

    @classmethod
    def from_settings(cls, s) -> "JobStore":
        """The store the API and the workers share (both write events, so both need the limits)."""
        return cls(s.redis_url, s.events_maxlen, s.log_cap, s.metrics_cap, s.log_stream_maxlen)

    @property
    def r(self) -> redis.Redis:
        """A client per process (workers fork; sockets must not be shared)."""
        if self._r is None or self._pid != os.getpid():
            self._r = connect(self.url)
            self._commit = self._r.register_script(COMMIT_LUA)
            self._pid = os.getpid()
        return self._r

    # ------------------------------------------------------------ reads

    def seq(self) -> int:
        return int(self.r.get(K_SEQ) or 0)

    def get_raw(self, job_id: str) -> str | None:
        return self.r.get(job_key(job_id))

    def get(self, job_id: str) -> dict | None:
        raw = self.get_raw(job_id)
        return json.loads(raw) if raw else None

    def require(self, job_id: str) -> dict:
        job = self.get(job_id)
        if job is None:
            raise JobNotFound(job_id)
        return job

    def all_jobs(self) -> list[tuple[str, dict]]:
        """Every job as (raw JSON, parsed), oldest first."""
        ids = self.r.zrange(K_INDEX, 0, -1)
        out: list[tuple[str, dict]] = []
        for i in range(0, len(ids), 1000):
            chunk = ids[i:i + 1000]
            for raw in self.r.mget([job_key(j) for j in chunk]):
                if raw:
                    out.append((raw, json.loads(raw)))
        return out

    def counts(self) -> dict[str, int]:
        pipe = self.r.pipeline(transaction=False)
        for s in STATUSES:
            pipe.scard(status_key(s))
        return dict(zip(STATUSES, pipe.execute()))

    def is_cancelling(self, job_id: str) -> bool:
        return bool(self.r.sismember(status_key("cancelling"), job_id))

    # ------------------------------------------------------------ writes

    def _commit_change(self, old: dict | None, change: Change, now: int) -> dict:
        new = change.job
        expected = 0 if old is None else old["version"]
        if old is not None:
            new["version"] = old["version"] + 1
            new["updated_at"] = now
        base_n = old["log_count"] if old else 0
        lines = [
            dumps({"n": base_n + i + 1, "ts": now, "level": level, "attempt": new["attempt"], "text": text})
            for i, (level, text) in enumerate(change.logs)
        ]
        new["log_count"] = base_n + len(lines)
        job_id = new["id"]
        old_status = old["status"] if old else new["status"]
        keys = [job_key(job_id), K_SEQ, K_EVENTS, K_INDEX, K_ORDER, logs_key(job_id),
                metrics_key(job_id), status_key(old_status), status_key(new["status"]), K_LOGSEQ, K_LOGSTREAM]
        args = [job_id, expected, self.events_maxlen, "job.created" if old is None else "job.updated",
                dumps(new), self.log_cap, self.metrics_cap, self.log_stream_maxlen, base_n, len(lines), *lines,
                dumps(change.metric) if change.metric is not None else ""]
        self.r  # ensure client/script for this process
        res = int(self._commit(keys=keys, args=args))
        if res == -1:
            raise _Conflict()
        if res == -2:
            raise JobNotFound(job_id)
        if res == -3:
            raise RuntimeError(f"job id collision: {job_id}")
        return new

    def create(self, dataset_id: str, dataset_name: str, kind: str, params: dict) -> dict:
        now = jobdoc.now_ms()
        while True:
            job = jobdoc.new_job(f"job_{secrets.token_hex(6)}", dataset_id, dataset_name, kind, params, now)
            try:
                return self._commit_change(None, Change(job), now)
            except RuntimeError:
                continue  # 48-bit id collision: pick another

    def mutate(self, job_id: str, fn: Callable[[dict], Change | None], max_tries: int = 100) -> tuple[dict, bool]:
        """Apply ``fn`` to the current job and commit atomically, re-reading on conflicts.

        ``fn`` gets a private copy of the job and returns a Change, or None for "no change".
        It may raise (e.g. IllegalTransition); nothing is written then.
        Returns (job as stored, changed?).
        """
        for _ in range(max_tries):
            old = self.require(job_id)
            change = fn(copy.deepcopy(old))
            if change is None:
                return old, False
            try:
                return self._commit_change(old, change, jobdoc.now_ms()), True
            except _Conflict:
                continue
        raise RuntimeError(f"job {job_id}: too many concurrent updates")

    # ------------------------------------------------------------ API actions

    def cancel(self, job_id: str) -> tuple[dict, bool, bool]:
        """Cancel: returns (job, changed, was_queued). Raises JobNotFound / IllegalTransition."""
        was_queued = False

        def fn(job: dict) -> Change | None:
            nonlocal was_queued
            st = job["status"]
            if st == "cancelling":
                return None
            if st in TERMINAL:
                raise IllegalTransition(st, "cancelled", f"job is already {st}")
            now = jobdoc.now_ms()
            if st == "queued":
                was_queued = True
                jobdoc.to_cancelled(job, now)
                return Change(job, [("WARNING", "cancelled before it started")])
            was_queued = False
            jobdoc.to_cancelling(job)
            return Change(job, [("WARNING", "cancel requested: stopping after the current chunk")])

        job, changed = self.mutate(job_id, fn)
        return job, changed, was_queued

    def retry(self, job_id: str) -> dict:
        def fn(job: dict) -> Change:
            jobdoc.to_retry(job, jobdoc.now_ms())
            return Change(job, [("INFO", f"retry requested: attempt {job['attempt']} queued")])

        job, _ = self.mutate(job_id, fn)
        return job

    # ------------------------------------------------------------ logs and metrics

    def _log_window(self, job_id: str) -> tuple[dict, int]:
        """(job, n of the first kept line), read consistently in one transaction."""
        pipe = self.r.pipeline(transaction=True)
        pipe.get(job_key(job_id))
        pipe.llen(logs_key(job_id))
        raw, llen = pipe.execute()
        if not raw:
            raise JobNotFound(job_id)
        job = json.loads(raw)
        return job, job["log_count"] - llen + 1

    def log_range(self, job_id: str, first_kept: int, lo: int, hi: int) -> list[str]:
        """Raw lines with lo <= n <= hi (clamped to what is kept)."""
        lo = max(lo, first_kept)
        if hi < lo:
            return []
        return self.r.lrange(logs_key(job_id), lo - first_kept, hi - first_kept)

    def logs_page(self, job_id: str, after: int | None, before: int | None, tail: int | None,
                  limit: int) -> tuple[list[str], int]:
        job, first = self._log_window(job_id)
        total = job["log_count"]
        if tail is not None:
            lo, hi = total - tail + 1, total
        elif before is not None:
            hi = min(before - 1, total)
            lo = max(hi - limit + 1, (after or 0) + 1)
        else:
            lo = (after or 0) + 1
            hi = min(lo + limit - 1, total)
        return self.log_range(job_id, first, lo, hi), total

    def iter_logs(self, job_id: str, page: int = 5000) -> Iterator[dict]:
        job, first = self._log_window(job_id)
        n = first
        while n <= job["log_count"]:
            raws = self.log_range(job_id, first, n, min(n + page - 1, job["log_count"]))
            if not raws:
                break
            for raw in raws:
                yield json.loads(raw)
            n += len(raws)

    def metrics(self, job_id: str) -> list[str]:
        pipe = self.r.pipeline(transaction=True)
        pipe.exists(job_key(job_id))
        pipe.lrange(metrics_key(job_id), 0, -1)
        exists, samples = pipe.execute()
        if not exists:
            raise JobNotFound(job_id)
        return samples


class _Conflict(Exception):
    """The job's version moved between read and commit."""
