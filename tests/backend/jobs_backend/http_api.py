"""HTTP endpoints of docs/api.md under /api/v1.

Job documents are stored as JSON in Redis in exactly the contract's shape, so single jobs and
lists are sent as stored (the response models document them in /openapi.json; the tests check
that every response validates against them).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

import re

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from . import datasets, queries
from .jobdoc import now_ms
from .models import (JOB_ID_PATTERN, MAX_ID_LEN, MAX_INT, MAX_QUERY_LEN, STATUSES, BulkResponse, BulkScopeRequest,
                     BulkStartRequest, DatasetList, ErrorResponse, Job, JobCreate, JobKind, JobList, LogPage,
                     MetricList, QueueInfo, Stats)
from .rqueue import RQ, queue_snapshot
from .statemachine import IllegalTransition
from .store import JobNotFound, JobStore, dumps

router = APIRouter(prefix="/api/v1")

# Every route's job id: malformed ids are a 422 before any lookup (and never reach a header,
# such as the download's file name).
JobIdPath = Path(pattern=JOB_ID_PATTERN, description="job id, e.g. job_3f2a9c1d4e5b")
_JOB_ID = re.compile(JOB_ID_PATTERN)

E404 = {404: {"model": ErrorResponse, "description": "unknown job or dataset"}}
E409 = {409: {"model": ErrorResponse, "description": "illegal in the job's current state"}}
E503 = {503: {"model": ErrorResponse, "description": "Redis is unreachable"}}


def _store(request: Request) -> JobStore:
    return request.app.state.store


def _rq(request: Request) -> RQ:
    return request.app.state.rq


def _json(text: str, status_code: int = 200) -> Response:
    return Response(content=text, status_code=status_code, media_type="application/json")


def _status_filter(values: list[str] | None) -> set[str] | None:
    if not values:
        return None
    out = set()
    for raw in values:
        for s in raw.split(","):
            s = s.strip()
            if not s:
                continue
            if s not in STATUSES:
                raise RequestValidationError([{
                    "type": "literal_error", "loc": ("query", "status"), "input": s,
                    "msg": "Input should be " + ", ".join(f"'{x}'" for x in STATUSES),
                }])
            out.add(s)
    return out or None


# ------------------------------------------------------------------ jobs

@router.get("/jobs", response_model=JobList, responses=E503, summary="List jobs")
def list_jobs(
    request: Request,
    status: list[str] | None = Query(None, description="repeatable or comma-separated"),
    dataset: str | None = Query(None, max_length=MAX_ID_LEN, description="dataset id"),
    kind: JobKind | None = None,
    q: str | None = Query(None, max_length=MAX_QUERY_LEN,
                          description="case-insensitive substring of id, dataset name, kind, error message"),
    sort: Literal["newest", "oldest", "progress", "status"] = "newest",
    offset: int = Query(0, ge=0, le=MAX_INT),
    limit: int = Query(500, ge=1, le=5000),
):
    statuses = _status_filter(status)
    store = _store(request)
    seq = store.seq()  # read first: the snapshot below is at least this new
    rows = store.all_jobs()
    counts = store.counts()
    picked = queries.select(rows, statuses, dataset, kind, q, sort)
    page = picked[offset:offset + limit]
    return _json('{"items":[' + ",".join(raw for raw, _ in page) + "],"
                 f'"total":{len(picked)},"offset":{offset},"limit":{limit},'
                 f'"counts":{dumps(counts)},"seq":{seq}}}')


@router.get("/jobs/{job_id}", response_model=Job, responses={**E404, **E503}, summary="Get a job")
def get_job(request: Request, job_id: str = JobIdPath):
    raw = _store(request).get_raw(job_id)
    if raw is None:
        raise JobNotFound(job_id)
    return _json(raw)


def _create(request: Request, body: JobCreate) -> dict:
    ds = datasets.find_dataset(request.app.state.settings.data_dir, body.dataset_id)
    if ds is None:
        raise HTTPException(404, f"dataset {body.dataset_id} not found")
    job = _store(request).create(ds.id, ds.name, body.kind, body.params.model_dump())
    _rq(request).enqueue(job["id"], job["attempt"])
    return job


@router.post("/jobs", response_model=Job, status_code=201, responses={**E404, **E503}, summary="Create a job")
def create_job(request: Request, body: JobCreate):
    return _json(dumps(_create(request, body)), 201)


def _cancel(request: Request, job_id: str) -> dict:
    job, changed, was_queued = _store(request).cancel(job_id)
    if changed and was_queued:
        _rq(request).cancel(job_id, job["attempt"])
    return job


def _retry(request: Request, job_id: str) -> dict:
    job = _store(request).retry(job_id)
    _rq(request).enqueue(job_id, job["attempt"])
    return job


# ------------------------------------------------------------------ bulk

def _item(index, job_id, ok, code, detail, job) -> dict:
    return {"id": job_id, "index": index, "ok": ok, "status_code": code, "detail": detail, "job": job}


def _bulk_response(results: list[dict]) -> Response:
    ok = sum(1 for r in results if r["ok"])
    return _json(dumps({"results": results, "ok": ok, "failed": len(results) - ok}))


def _validation_summary(e: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'item'}: {err['msg']}" for err in e.errors())


@router.post("/jobs/bulk/start", response_model=BulkResponse, responses=E503, summary="Create many jobs")
def bulk_start(request: Request, body: BulkStartRequest):
    results = []
    for i, item in enumerate(body.jobs):
        try:
            job = _create(request, JobCreate.model_validate(item))
            results.append(_item(i, job["id"], True, 201, None, job))
        except ValidationError as e:
            results.append(_item(i, None, False, 422, _validation_summary(e), None))
        except HTTPException as e:
            results.append(_item(i, None, False, e.status_code, str(e.detail), None))
    return _bulk_response(results)


def _bulk_scope(request: Request, body: BulkScopeRequest, action) -> Response:
    if body.ids is not None:
        ids = body.ids
    else:
        f = body.filter
        rows = _store(request).all_jobs()
        ids = [job["id"] for _, job in queries.select(rows, set(f.status or []) or None, f.dataset, f.kind, f.q)]
    results = []
    for i, job_id in enumerate(ids):
        if not _JOB_ID.fullmatch(job_id):
            results.append(_item(i, job_id, False, 422, f"ids.{i}: not a job id (letters, digits, '_' "
                                 f"and '-', 1 to {MAX_ID_LEN} characters)", None))
            continue
        try:
            results.append(_item(i, job_id, True, 200, None, action(request, job_id)))
        except JobNotFound as e:
            results.append(_item(i, job_id, False, 404, str(e), None))
        except IllegalTransition as e:
            results.append(_item(i, job_id, False, 409, e.detail, None))
    return _bulk_response(results)


@router.post("/jobs/bulk/cancel", response_model=BulkResponse, responses=E503, summary="Cancel many jobs")
def bulk_cancel(request: Request, body: BulkScopeRequest):
    return _bulk_scope(request, body, _cancel)


@router.post("/jobs/bulk/retry", response_model=BulkResponse, responses=E503, summary="Retry many jobs")
def bulk_retry(request: Request, body: BulkScopeRequest):
    return _bulk_scope(request, body, _retry)


# ------------------------------------------------------------------ single-job actions
# (after the bulk routes: /jobs/{job_id}/cancel would otherwise match /jobs/bulk/cancel)

@router.post("/jobs/{job_id}/cancel", response_model=Job, responses={**E404, **E409, **E503}, summary="Cancel a job")
def cancel_job(request: Request, job_id: str = JobIdPath):
    return _json(dumps(_cancel(request, job_id)))


@router.post("/jobs/{job_id}/retry", response_model=Job, responses={**E404, **E409, **E503}, summary="Retry a job")
def retry_job(request: Request, job_id: str = JobIdPath):
    return _json(dumps(_retry(request, job_id)))


# ------------------------------------------------------------------ logs and metrics

@router.get("/jobs/{job_id}/logs", response_model=LogPage, responses={**E404, **E503}, summary="Page through a job's log")
def get_logs(
    request: Request,
    job_id: str = JobIdPath,
    after: int | None = Query(None, ge=0, le=MAX_INT, description="page forward: lines with n > after"),
    before: int | None = Query(None, ge=1, le=MAX_INT,
                               description="page backward: the last `limit` lines with n < before"),
    tail: int | None = Query(None, ge=1, le=10_000, description="the last N lines"),
    limit: int = Query(1000, ge=1, le=10_000),
):
    lines, total = _store(request).logs_page(job_id, after, before, tail, limit)
    return _json(f'{{"job_id":{dumps(job_id)},"lines":[' + ",".join(lines) + f'],"total":{total}}}')


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts / 1000, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@router.get("/jobs/{job_id}/logs/download", response_class=StreamingResponse, responses={
    200: {"content": {"text/plain": {"example": "2025-11-28T22:33:20.123Z INFO [attempt 1] chunk 3/40 done\n"}},
          "description": "the whole log as text"}, **E404, **E503}, summary="Download a job's log")
def download_logs(request: Request, job_id: str = JobIdPath):
    store = _store(request)
    store.require(job_id)

    def lines():
        for line in store.iter_logs(job_id):
            # continuation lines of multi-line text are indented so every entry starts a line
            text = "\n    ".join(line["text"].splitlines() or [""])
            yield f"{_iso(line['ts'])} {line['level']} [attempt {line['attempt']}] {text}\n"

    return StreamingResponse(lines(), media_type="text/plain; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{job_id}.log"'})


@router.get("/jobs/{job_id}/metrics", response_model=MetricList, responses={**E404, **E503}, summary="Metric samples")
def get_metrics(request: Request, job_id: str = JobIdPath):
    samples = _store(request).metrics(job_id)
    return _json(f'{{"job_id":{dumps(job_id)},"samples":[' + ",".join(samples) + "]}")


# ------------------------------------------------------------------ overview

@router.get("/stats", response_model=Stats, responses=E503, summary="Completion and failure statistics")
def get_stats(
    request: Request,
    window_s: int = Query(3600, ge=1, le=366 * 86400),
    bucket_s: int = Query(60, ge=1, le=86400, description=(
        f"width of one bucket of `series` (seconds); at most {queries.MAX_BUCKETS:,} buckets per window")),
):
    need = queries.max_buckets(window_s, bucket_s)
    if need > queries.MAX_BUCKETS:
        raise RequestValidationError([{
            "type": "value_error", "loc": ("query", "bucket_s"), "input": bucket_s,
            "msg": (f"window_s={window_s} with bucket_s={bucket_s} needs up to {need} buckets, more than "
                    f"{queries.MAX_BUCKETS}; use a bucket_s of at least {_min_bucket_s(window_s)}"),
        }])
    jobs = [job for _, job in _store(request).all_jobs()]
    return queries.stats(jobs, window_s, now_ms(), bucket_s)


def _min_bucket_s(window_s: int) -> int:
    """The smallest bucket_s that keeps ``window_s`` within the bucket limit."""
    return -(-window_s // (queries.MAX_BUCKETS - 1))


@router.get("/queue", response_model=QueueInfo, summary="Queue, workers and Redis health (200 even when Redis is down)")
def get_queue(request: Request):
    return queue_snapshot(_store(request), _rq(request))


@router.get("/datasets", response_model=DatasetList, summary="Datasets")
def list_datasets(request: Request):
    return {"items": [d.to_json() for d in datasets.list_datasets(request.app.state.settings.data_dir)]}

