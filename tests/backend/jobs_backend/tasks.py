"""The RQ job function: ``run_job(job_id, attempt)`` profiles or validates a CSV chunk by chunk.

Runs in an RQ work horse. Every step is a store mutation that re-checks the state machine, so a
stale RQ job (cancelled while queued, or superseded by a retry) does nothing, and the worker never
moves a cancelled job. Cancellation is cooperative: the job looks at its status after every chunk
and at least every 50 ms while reading or pausing.
"""

from __future__ import annotations

import csv
import json
import math
import os
import time
import traceback

from . import datasets, jobdoc, synthlog
from .config import Settings
from .store import Change, JobNotFound, JobStore

CHECK_EVERY_S = 0.05
TYPE_SAMPLE_ROWS = 100
DISTINCT_CAP = 1000
OK = "\x1b[32mOK\x1b[0m"
WARN = "\x1b[33mWARN\x1b[0m"

_shutdown_requested = False
_store: JobStore | None = None
_settings: Settings | None = None


class JobCancelled(Exception):
    """The job was asked to stop (status cancelling)."""


class Superseded(Exception):
    """The job is no longer this attempt's to run (cancelled before start, retried, reaped)."""


class WorkerShutdown(Exception):
    """The worker process was asked to stop while the job was running."""


def request_shutdown(signum=None, frame=None) -> None:
    """Signal handler installed in the work horse: abort the running job at the next check."""
    global _shutdown_requested
    _shutdown_requested = True


def _env() -> tuple[Settings, JobStore]:
    global _store, _settings
    if _store is None:
        _settings = Settings.from_env()
        _store = JobStore.from_settings(_settings)
    return _settings, _store


def run_job(job_id: str, attempt: int) -> str:
    settings, store = _env()
    worker = os.environ.get("RQ_WORKER_ID") or f"worker-0.{os.getpid()}"

    def start(job: dict) -> Change:
        if job["attempt"] != attempt or job["status"] != "queued":
            raise Superseded()
        jobdoc.to_running(job, worker, jobdoc.now_ms())
        logs = [("INFO", f"attempt {attempt} started on {worker}: {job['kind']} {job['dataset_name']}")]
        if job["params"]["note"] is not None:
            logs.append(("INFO", job["params"]["note"]))
        logs.append(("DEBUG", "params: " + json.dumps(job["params"])))
        return Change(job, logs)

    try:
        job, _ = store.mutate(job_id, start)
    except (Superseded, JobNotFound):
        return "skipped"

    run = _Run(store, settings, job, attempt)
    try:
        result = run.execute()
    except JobCancelled:
        run.finish_cancelled()
        return "cancelled"
    except Superseded:
        return "superseded"
    except Exception as exc:
        run.finish_failed(exc, traceback.format_exc())
        raise
    run.finish(result)
    return "succeeded"


class _Run:
    def __init__(self, store: JobStore, settings: Settings, job: dict, attempt: int):
        self.store, self.settings, self.attempt = store, settings, attempt
        self.job_id = job["id"]
        self.kind = job["kind"]
        self.params = job["params"]
        self.dataset_id = job["dataset_id"]
        self.processed = 0
        self.total = 0
        self.t_start = time.monotonic()
        self.last_check = time.monotonic()

    # ------------------------------------------------------------ store helpers

    def _own(self, job: dict) -> None:
        if job["attempt"] != self.attempt or job["status"] not in ("running", "cancelling"):
            raise Superseded()

    def commit(self, logs=(), metric=None, **progress) -> None:
        """Write progress/logs/metric; raise JobCancelled afterwards if a cancel was requested."""
        def fn(job: dict) -> Change:
            self._own(job)
            jobdoc.set_progress(job, jobdoc.now_ms(), **progress)
            return Change(job, list(logs), metric)

        job, _ = self.store.mutate(self.job_id, fn)
        if job["status"] == "cancelling":
            raise JobCancelled()

    def check(self) -> None:
        self.last_check = time.monotonic()
        if _shutdown_requested:
            raise WorkerShutdown("worker is shutting down; the job was interrupted")
        if self.store.is_cancelling(self.job_id):
            raise JobCancelled()

    def maybe_check(self) -> None:
        if time.monotonic() - self.last_check >= CHECK_EVERY_S:
            self.check()

    def pause(self, ms: int) -> None:
        end = time.monotonic() + ms / 1000
        while True:
            self.check()
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(CHECK_EVERY_S, left))

    def finish_cancelled(self) -> None:
        def fn(job: dict) -> Change:
            if job["attempt"] != self.attempt or job["status"] != "cancelling":
                raise Superseded()
            jobdoc.to_cancelled(job, jobdoc.now_ms())
            return Change(job, [("WARNING", f"cancelled after {self.processed} of {self.total} rows")])
        try:
            self.store.mutate(self.job_id, fn)
        except (Superseded, JobNotFound):
            pass

    def finish_failed(self, exc: BaseException, tb: str) -> None:
        error = {"type": type(exc).__name__, "message": str(exc), "traceback": tb}

        def fn(job: dict) -> Change:
            self._own(job)
            jobdoc.to_failed(job, error, jobdoc.now_ms())
            return Change(job, [("ERROR", f"job failed: {error['type']}: {error['message']}\n{tb.rstrip()}")])
        try:
            self.store.mutate(self.job_id, fn)
        except (Superseded, JobNotFound):
            pass

    def finish(self, result: dict) -> None:
        def fn(job: dict) -> Change:
            self._own(job)
            now = jobdoc.now_ms()
            if job["status"] == "cancelling":  # seen before we could report success: honour it
                jobdoc.to_cancelled(job, now)
                return Change(job, [("WARNING", f"cancelled after {self.processed} of {self.total} rows")])
            jobdoc.to_succeeded(job, result, now)
            secs = time.monotonic() - self.t_start
            return Change(job, [("INFO", f"{OK} {self.kind} finished: {self.processed} rows in {secs:.2f} s")])
        try:
            self.store.mutate(self.job_id, fn)
        except (Superseded, JobNotFound):
            pass

    # ------------------------------------------------------------ the work

    def execute(self) -> dict:
        ds = datasets.find_dataset(self.settings.data_dir, self.dataset_id)
        if ds is None:
            raise FileNotFoundError(f"dataset {self.dataset_id} not found in {self.settings.data_dir}")
        chunk_rows, passes = self.params["chunk_rows"], self.params["passes"]
        self.total = ds.rows * passes
        chunks_per_pass = max(1, math.ceil(ds.rows / chunk_rows))
        phase = "profiling" if self.kind == "profile" else "validating"
        types = self.infer_types(ds.path)
        self.commit(
            logs=[("INFO", f"dataset {ds.name}: {ds.rows} rows x {len(ds.columns)} columns, "
                           f"{passes} pass(es), {self.total} rows in all"),
                  ("DEBUG", "column types: " + json.dumps(types))],
            total=self.total, phase=phase,
        )
        stats: dict[str, _ColumnStats] = {}
        delay_s = self.params["chunk_delay_ms"] / 1000
        chunk_no = 0
        for p in range(1, passes + 1):
            stats = {c: _ColumnStats() for c in ds.columns}
            with open(ds.path, newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh)
                header = next(reader, [])
                row_no = 0
                while True:
                    t_chunk = time.monotonic()
                    chunk = []
                    for row in reader:
                        row_no += 1
                        chunk.append((row_no, row))
                        if len(chunk) >= chunk_rows:
                            break
                        if len(chunk) % 256 == 0:
                            self.maybe_check()
                    if not chunk:
                        break
                    chunk_no += 1
                    nulls = self.process(chunk, header, types, stats)
                    self.processed += len(chunk)
                    # rows per second over this chunk's cycle: reading and processing, plus its pause
                    rate = len(chunk) / max(time.monotonic() - t_chunk + delay_s, 1e-6)
                    self.commit(
                        logs=self.chunk_logs(chunk_no, chunks_per_pass * passes, chunk, p, passes, nulls, stats),
                        metric={"t": jobdoc.now_ms(), "processed": self.processed, "total": self.total,
                                "rate": round(rate, 1), "attempt": self.attempt},
                        processed=self.processed,
                    )
                    fail_at = self.params["fail_at"]
                    if fail_at is not None and self.processed >= fail_at * self.total:
                        raise RuntimeError(
                            f"fail_at={fail_at} reached: simulated failure after {self.processed} "
                            f"of {self.total} rows")
                    self.pause(self.params["chunk_delay_ms"])
        self.commit(logs=[("INFO", "finalizing")], phase="finalizing")
        if self.kind == "profile":
            return {"dataset_id": ds.id, "rows": ds.rows, "passes": passes,
                    "columns": [stats[c].result(c, types[c]) for c in ds.columns]}
        return {"dataset_id": ds.id, "rows_checked": self.processed, "passes": passes,
                "column_types": types, "valid": True}

    def infer_types(self, path) -> dict[str, str]:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            sample = [row for _, row in zip(range(TYPE_SAMPLE_ROWS), reader)]
        types = {}
        for i, col in enumerate(header):
            values = [r[i] for r in sample if i < len(r) and r[i] != ""]
            types[col] = "int" if values and all(_is(int, v) for v in values) else (
                "float" if values and all(_is(float, v) for v in values) else "str")
        return types

    def process(self, chunk, header, types, stats) -> dict[str, int]:
        """Check (validate) or accumulate (profile) one chunk; returns empty-value counts."""
        nulls: dict[str, int] = {}
        for k, (row_no, row) in enumerate(chunk):
            if k % 256 == 0:
                self.maybe_check()
            if len(row) != len(header):
                raise ValueError(f"row {row_no}: expected {len(header)} fields, got {len(row)}")
            for col, value in zip(header, row):
                if value == "":
                    nulls[col] = nulls.get(col, 0) + 1
                if self.kind == "validate":
                    t = types[col]
                    if value != "" and t != "str":
                        try:
                            (int if t == "int" else float)(value)
                        except ValueError as e:
                            raise ValueError(
                                f"row {row_no}: column '{col}': could not convert '{value}' to {t}") from e
                else:
                    stats[col].add(value)
        return nulls

    def chunk_logs(self, i, n, chunk, p, passes, nulls, stats) -> list[tuple[str, str]]:
        first, last = chunk[0][0], chunk[-1][0]
        logs = [("DEBUG", f"read rows {first}-{last} (pass {p}/{passes})")]
        for col, k in nulls.items():
            logs.append(("WARNING", f"{WARN} chunk {i}: {k} empty value(s) in column '{col}'"))
        logs.append(("INFO", f"chunk {i}/{n} done ({len(chunk)} rows) {OK}"))
        if self.kind == "profile" and i % 5 == 0:
            numeric = [(c, s) for c, s in stats.items() if s.numeric and s.count]
            if numeric:
                col, s = numeric[i // 5 % len(numeric)]
                logs.append(("INFO", "stats: " + json.dumps({"column": col, "mean": round(s.total / s.count, 4)})))
        # log_burst: extra synthetic lines, committed with the chunk's own (one round trip)
        logs.extend(synthlog.burst(self.params.get("log_burst", 0), f"{self.job_id}:{self.attempt}", i))
        return logs


def _is(typ, value: str) -> bool:
    try:
        typ(value)
        return True
    except ValueError:
        return False


class _ColumnStats:
    __slots__ = ("count", "nulls", "numeric", "min", "max", "total", "distinct", "capped")

    def __init__(self):
        self.count = self.nulls = 0
        self.numeric = True
        self.min = self.max = None
        self.total = 0.0
        self.distinct: set[str] = set()
        self.capped = False

    def add(self, value: str) -> None:
        if value == "":
            self.nulls += 1
            return
        self.count += 1
        if not self.capped:
            self.distinct.add(value)
            if len(self.distinct) > DISTINCT_CAP:
                self.capped = True
        if self.numeric:
            try:
                x = float(value)
            except ValueError:
                self.numeric = False
                return
            if not math.isfinite(x):
                self.numeric = False
                return
            self.total += x
            self.min = x if self.min is None else min(self.min, x)
            self.max = x if self.max is None else max(self.max, x)

    def result(self, name: str, typ: str) -> dict:
        numeric = self.numeric and self.count > 0
        return {
            "name": name,
            "type": typ,
            "count": self.count,
            "nulls": self.nulls,
            "min": self.min if numeric else None,
            "max": self.max if numeric else None,
            "mean": round(self.total / self.count, 6) if numeric else None,
            "distinct": min(len(self.distinct), DISTINCT_CAP),
            "distinct_capped": self.capped,
        }

