"""Pure functions that build and transform the job document (the Job JSON of docs/api.md).

Every status change goes through ``statemachine.check``; the store bumps ``version`` and
``updated_at`` when it commits.
"""

from __future__ import annotations

import time

from . import statemachine


def now_ms() -> int:
    return int(time.time() * 1000)


def _attempt(number: int) -> dict:
    return {"number": number, "status": "queued", "worker": None, "started_at": None,
            "finished_at": None, "error": None}


def new_job(job_id: str, dataset_id: str, dataset_name: str, kind: str, params: dict, now: int) -> dict:
    return {
        "id": job_id,
        "kind": kind,
        "dataset_id": dataset_id,
        "dataset_name": dataset_name,
        "status": "queued",
        "params": params,
        "progress": {"processed": 0, "total": 0, "unit": "rows", "phase": "queued", "updated_at": now},
        "attempt": 1,
        "attempts": [_attempt(1)],
        "error": None,
        "result": None,
        "created_at": now,
        "started_at": None,
        "finished_at": None,
        "updated_at": now,
        "version": 1,
        "log_count": 0,
    }


def _set_status(job: dict, new: str, detail: str | None = None) -> None:
    statemachine.check(job["status"], new, detail)
    job["status"] = new


def set_progress(job: dict, now: int, processed: int | None = None, total: int | None = None,
                 phase: str | None = None) -> None:
    p = job["progress"]
    if processed is not None:
        p["processed"] = processed
    if total is not None:
        p["total"] = total
    if phase is not None:
        p["phase"] = phase
    p["updated_at"] = now


def to_running(job: dict, worker: str, now: int) -> None:
    _set_status(job, "running")
    job["started_at"] = now
    att = job["attempts"][-1]
    att.update(status="running", worker=worker, started_at=now)
    set_progress(job, now, processed=0, phase="loading")


def to_cancelling(job: dict) -> None:
    _set_status(job, "cancelling")  # the attempt itself keeps status "running" until it ends


def _finish(job: dict, status: str, now: int, phase: str, **attempt: object) -> None:
    """Ends the job and its current attempt in `status` at `now` (`attempt`: more fields of the
    attempt, e.g. its error)."""
    _set_status(job, status)
    job["finished_at"] = now
    job["attempts"][-1].update(status=status, finished_at=now, **attempt)
    set_progress(job, now, phase=phase)


def to_cancelled(job: dict, now: int) -> None:
    _finish(job, "cancelled", now, phase="cancelled")


def to_succeeded(job: dict, result: dict, now: int) -> None:
    _finish(job, "succeeded", now, phase="done")
    job["result"] = result


def to_failed(job: dict, error: dict, now: int) -> None:
    _finish(job, "failed", now, phase="failed", error=error)
    job["error"] = error


def to_retry(job: dict, now: int) -> None:
    old = job["status"]
    _set_status(job, "queued", f"cannot retry a {old} job: only failed or cancelled jobs can be retried")
    job["attempt"] += 1
    job["attempts"].append(_attempt(job["attempt"]))
    job["error"] = None
    job["result"] = None
    job["started_at"] = None
    job["finished_at"] = None
    set_progress(job, now, processed=0, phase="queued")


def rq_job_id(job_id: str, attempt: int) -> str:
    return f"{job_id}-a{attempt}"


def job_id_from_rq(rq_id: str | None) -> str | None:
    if not rq_id:
        return None
    base, sep, tail = rq_id.rpartition("-a")
    return base if sep and tail.isdigit() else rq_id
