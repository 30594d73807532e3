"""Pydantic models: request bodies and every response/WebSocket shape of docs/api.md.

Response models forbid extra fields so the tests can check that what the store writes is
exactly what /openapi.json documents.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, field_validator, model_validator
from typing_extensions import Annotated

JobStatus = Literal["queued", "running", "cancelling", "succeeded", "failed", "cancelled"]
JobKind = Literal["profile", "validate"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
STATUSES: tuple[str, ...] = ("queued", "running", "cancelling", "succeeded", "failed", "cancelled")
KINDS: tuple[str, ...] = ("profile", "validate")

# Input bounds. Ids are opaque to clients, but the ones this backend issues are short and plain
# (``job_<12 hex>``, ``ds_<file stem>``), so anything else is refused before it reaches a Redis key,
# a log or an error message.
JOB_ID_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"
MAX_ID_LEN = 128
MAX_QUERY_LEN = 1000  # the list's free-text search
MAX_INT = 2**63 - 1  # Redis integers; line numbers and seqs never get near it
JobId = Annotated[str, StringConstraints(pattern=JOB_ID_PATTERN)]
DatasetId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_LEN)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ data shapes

class JobParams(Strict):
    chunk_rows: int = Field(500, ge=1, le=100_000, description="rows per chunk")
    chunk_delay_ms: int = Field(200, ge=0, le=60_000, description="pause after each chunk (ms)")
    fail_at: float | None = Field(
        None, gt=0, le=1, description="raise RuntimeError once this fraction is processed"
    )
    passes: int = Field(1, ge=1, le=1000, description="how many times the dataset is read")
    note: str | None = Field(None, max_length=2000, description="written verbatim to the log at start")
    log_burst: int = Field(0, ge=0, le=10_000,
                           description="extra synthetic log lines written after each chunk (log-volume tests)")

    @field_validator("note")
    @classmethod
    def _encodable(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("note must be valid Unicode text (no lone surrogates)") from None
        return v

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"chunk_rows": 500, "chunk_delay_ms": 200, "fail_at": None,
                                         "passes": 1, "note": None, "log_burst": 0}]},
    )


class JobParamsOut(Strict):
    """``params`` as the server reports them: always complete."""

    chunk_rows: int
    chunk_delay_ms: int
    fail_at: float | None
    passes: int
    note: str | None
    log_burst: int


class Progress(Strict):
    processed: int
    total: int
    unit: str
    phase: str
    updated_at: int


class ErrorInfo(Strict):
    type: str
    message: str
    traceback: str

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "type": "ValueError",
            "message": "row 1201: column 'amount': could not convert 'n/a' to float",
            "traceback": "Traceback (most recent call last):\n  File \"/.../tasks.py\", line 88, in ...\n",
        }]},
    )


class Attempt(Strict):
    number: int
    status: JobStatus
    worker: str | None
    started_at: int | None
    finished_at: int | None
    error: ErrorInfo | None


JOB_EXAMPLE = {
    "id": "job_3f2a9c1d4e5b", "kind": "profile", "dataset_id": "ds_sales", "dataset_name": "sales.csv",
    "status": "running",
    "params": {"chunk_rows": 500, "chunk_delay_ms": 200, "fail_at": None, "passes": 1, "note": None,
               "log_burst": 0},
    "progress": {"processed": 1500, "total": 20000, "unit": "rows", "phase": "profiling",
                 "updated_at": 1764370000000},
    "attempt": 1,
    "attempts": [{"number": 1, "status": "running", "worker": "worker-1.4242",
                  "started_at": 1764369995000, "finished_at": None, "error": None}],
    "error": None, "result": None, "created_at": 1764369990000, "started_at": 1764369995000,
    "finished_at": None, "updated_at": 1764370000000, "version": 17, "log_count": 42,
}


class Job(Strict):
    id: str
    kind: JobKind
    dataset_id: str
    dataset_name: str
    status: JobStatus
    params: JobParamsOut
    progress: Progress
    attempt: int
    attempts: list[Attempt]
    error: ErrorInfo | None
    result: dict[str, Any] | None
    created_at: int
    started_at: int | None
    finished_at: int | None
    updated_at: int
    version: int
    log_count: int

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [JOB_EXAMPLE]})


class LogLine(Strict):
    n: int
    ts: int
    level: LogLevel
    attempt: int
    text: str

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"n": 57, "ts": 1764370000123, "level": "INFO", "attempt": 1, "text": "chunk 3/40 done (500 rows)"}]})


class MetricSample(Strict):
    t: int
    processed: int
    total: int
    rate: float
    attempt: int

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"t": 1764370000123, "processed": 1500, "total": 20000, "rate": 2480.5, "attempt": 1}]})


class Dataset(Strict):
    id: str
    name: str
    rows: int
    columns: list[str]
    size_bytes: int
    created_at: int

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "ds_sales", "name": "sales.csv", "rows": 20000, "columns": ["date", "region", "amount"],
         "size_bytes": 612345, "created_at": 1764360000000}]})


# ------------------------------------------------------------------ requests

class JobCreate(Strict):
    dataset_id: DatasetId
    kind: JobKind
    params: JobParams = Field(default_factory=JobParams)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"dataset_id": "ds_sales", "kind": "profile", "params": {"chunk_rows": 500, "chunk_delay_ms": 200}}]})


class BulkStartRequest(Strict):
    # Items are validated one by one (a bad item fails alone), so the body only requires a list.
    jobs: Annotated[
        list[Any],
        Field(min_length=1, max_length=1000),
        WithJsonSchema({"type": "array", "minItems": 1, "maxItems": 1000,
                        "items": {"$ref": "#/components/schemas/JobCreate"}}),
    ]


class JobFilter(Strict):
    status: list[JobStatus] | None = Field(None, max_length=len(STATUSES))
    dataset: DatasetId | None = None
    kind: JobKind | None = None
    q: str | None = Field(None, max_length=MAX_QUERY_LEN)


class BulkScopeRequest(Strict):
    # Each id's format is checked per item (a malformed one fails alone, as 422); the length
    # bound keeps what a result echoes back small.
    ids: list[Annotated[str, StringConstraints(max_length=MAX_ID_LEN)]] | None = Field(None, min_length=1,
                                                                                      max_length=10_000)
    filter: JobFilter | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "BulkScopeRequest":
        if (self.ids is None) == (self.filter is None):
            raise ValueError("give exactly one of 'ids' or 'filter'")
        return self

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"ids": ["job_3f2a9c1d4e5b"]}, {"filter": {"status": ["running"], "dataset": None, "kind": None, "q": None}}]})


# ------------------------------------------------------------------ responses

class ErrorResponse(Strict):
    detail: str


class Counts(Strict):
    queued: int
    running: int
    cancelling: int
    succeeded: int
    failed: int
    cancelled: int


class JobList(Strict):
    items: list[Job]
    total: int
    offset: int
    limit: int
    counts: Counts
    seq: int


class BulkItemResult(Strict):
    id: str | None
    index: int
    ok: bool
    status_code: int
    detail: str | None
    job: Job | None


class BulkResponse(Strict):
    results: list[BulkItemResult]
    ok: int
    failed: int


class LogPage(Strict):
    job_id: str
    lines: list[LogLine]
    total: int


class MetricList(Strict):
    job_id: str
    samples: list[MetricSample]


class FailureGroup(Strict):
    type: str
    count: int
    job_ids: list[str]


class StatsBucket(Strict):
    """Jobs that finished in ``[t, t + bucket_s * 1000)``, by outcome."""

    t: int = Field(description="bucket start (epoch ms), a multiple of bucket_s * 1000")
    succeeded: int
    failed: int
    cancelled: int

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"t": 1764369960000, "succeeded": 12, "failed": 1, "cancelled": 0}]})


class Stats(Strict):
    window_s: int
    since: int
    finished: int
    succeeded: int
    failed: int
    cancelled: int
    completion_rate: float
    failure_rate: float
    failures_by_type: list[FailureGroup]
    bucket_s: int = Field(description="width of one bucket of series (seconds)")
    series: list[StatsBucket] = Field(
        description="finished jobs per bucket, oldest first, from the bucket containing since to the one "
                    "containing now, empty buckets included; sums equal succeeded/failed/cancelled")


class WorkerInfo(Strict):
    name: str
    state: str
    current_job: str | None


class RedisHealth(Strict):
    ok: bool
    version: str | None
    latency_ms: float | None
    used_memory_bytes: int | None


class QueueInfo(Strict):
    queued: int
    running: int
    workers: list[WorkerInfo]
    redis: RedisHealth

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "queued": 3, "running": 5,
        "workers": [{"name": "worker-1.4242", "state": "busy", "current_job": "job_3f2a9c1d4e5b"}],
        "redis": {"ok": True, "version": "7.0.15", "latency_ms": 0.4, "used_memory_bytes": 1234567}}]})


class DatasetList(Strict):
    items: list[Dataset]


# ------------------------------------------------------------------ WebSocket frames

class WsHello(Strict):
    type: Literal["hello"]
    seq: int
    server_time: int
    heartbeat_ms: int
    resumed: bool


class WsResyncRequired(Strict):
    type: Literal["resync_required"]
    seq: int
    reason: str


class WsJobEvent(Strict):
    type: Literal["job.created", "job.updated"]
    seq: int
    prev_seq: int
    job: Job


class WsMetric(Strict):
    type: Literal["metric"]
    seq: int
    prev_seq: int
    job_id: str
    sample: MetricSample


class WsLog(Strict):
    type: Literal["log"]
    job_id: str
    line: LogLine


class WsHeartbeat(Strict):
    type: Literal["heartbeat"]
    seq: int
    server_time: int


class WsQueue(Strict):
    type: Literal["queue"]
    queue: QueueInfo


class WsError(Strict):
    type: Literal["error"]
    detail: str


class WsClientFrame(BaseModel):
    """Client frames are read strictly: no extra fields, no coercion ("7" is not a line number)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class WsSubscribeLogs(WsClientFrame):
    type: Literal["subscribe_logs"]
    job_id: JobId
    after_line: int = Field(0, ge=0, le=MAX_INT)


class WsUnsubscribeLogs(WsClientFrame):
    type: Literal["unsubscribe_logs"]
    job_id: JobId


WS_SERVER_FRAMES = {
    "hello": WsHello, "resync_required": WsResyncRequired, "job.created": WsJobEvent,
    "job.updated": WsJobEvent, "metric": WsMetric, "log": WsLog, "heartbeat": WsHeartbeat,
    "queue": WsQueue, "error": WsError,
}
WS_CLIENT_FRAMES = {"subscribe_logs": WsSubscribeLogs, "unsubscribe_logs": WsUnsubscribeLogs}
