"""Job list filtering and sorting (shared by GET /jobs and the bulk filter scope), and stats."""

from __future__ import annotations

from collections import defaultdict

MAX_BUCKETS = 10_000
OUTCOMES = ("succeeded", "failed", "cancelled")

STATUS_ORDER = {"running": 0, "cancelling": 1, "queued": 2, "failed": 3, "cancelled": 4, "succeeded": 5}


def matches(job: dict, statuses: set[str] | None, dataset: str | None, kind: str | None, q: str | None) -> bool:
    if statuses and job["status"] not in statuses:
        return False
    if dataset and job["dataset_id"] != dataset:
        return False
    if kind and job["kind"] != kind:
        return False
    if q:
        needle = q.lower()
        hay = [job["id"], job["dataset_name"], job["kind"]]
        if job["error"]:
            hay.append(job["error"]["message"])
        if not any(needle in h.lower() for h in hay):
            return False
    return True


def _fraction(job: dict) -> float:
    p = job["progress"]
    return p["processed"] / p["total"] if p["total"] else 0.0


def select(rows: list[tuple[str, dict]], statuses, dataset, kind, q, sort: str = "newest") -> list[tuple[str, dict]]:
    """Filter and sort (raw, job) rows given oldest first (creation order)."""
    picked = [(i, raw, job) for i, (raw, job) in enumerate(rows) if matches(job, statuses, dataset, kind, q)]
    if sort == "oldest":
        key = lambda t: t[0]  # noqa: E731
    elif sort == "progress":  # most advanced first, newest first among equals
        key = lambda t: (-_fraction(t[2]), -t[0])  # noqa: E731
    elif sort == "status":  # active first (running, cancelling, queued), then failed, cancelled, succeeded
        key = lambda t: (STATUS_ORDER[t[2]["status"]], -t[0])  # noqa: E731
    else:
        key = lambda t: -t[0]  # noqa: E731
    picked.sort(key=key)
    return [(raw, job) for _, raw, job in picked]


def max_buckets(window_s: int, bucket_s: int) -> int:
    """The most buckets a window of ``window_s`` can touch with aligned buckets of ``bucket_s``.

    The window ``[since, now]`` touches ``floor(now / b) - floor(since / b) + 1`` buckets, which is
    this number or one less depending on where ``now`` falls; the limit is checked against this
    bound so that the same parameters are always accepted or always refused.
    """
    return -(-window_s // bucket_s) + 1


def stats(jobs: list[dict], window_s: int, now: int, bucket_s: int = 60) -> dict:
    since = now - window_s * 1000
    done = [j for j in jobs if j["status"] in OUTCOMES
            and j["finished_at"] is not None and j["finished_at"] >= since]
    by = defaultdict(int)
    for j in done:
        by[j["status"]] += 1
    groups: dict[str, list[dict]] = defaultdict(list)
    for j in done:
        if j["status"] == "failed" and j["error"]:
            groups[j["error"]["type"]].append(j)
    finished = len(done)
    failures = [
        {"type": t, "count": len(js),
         "job_ids": [j["id"] for j in sorted(js, key=lambda j: j["finished_at"], reverse=True)]}
        for t, js in groups.items()
    ]
    failures.sort(key=lambda g: (-g["count"], g["type"]))
    return {
        "window_s": window_s,
        "since": since,
        "finished": finished,
        "succeeded": by["succeeded"],
        "failed": by["failed"],
        "cancelled": by["cancelled"],
        "completion_rate": by["succeeded"] / finished if finished else 0.0,
        "failure_rate": by["failed"] / finished if finished else 0.0,
        "failures_by_type": failures,
        "bucket_s": bucket_s,
        "series": series(done, since, now, bucket_s),
    }


def series(done: list[dict], since: int, now: int, bucket_s: int) -> list[dict]:
    """Finished jobs per bucket of ``bucket_s`` seconds over ``[since, now]``, oldest first.

    Buckets start at multiples of ``bucket_s`` since the epoch (``[t, t + bucket_s * 1000)``); the
    first is the one containing ``since``, the last the one containing ``now``, and every bucket in
    between is present, empty or not. Each job counts in the bucket containing its
    ``finished_at``, so the sums over the series equal the window's totals.
    """
    width = bucket_s * 1000
    first = since // width * width
    n = (now // width * width - first) // width + 1
    counts = [dict.fromkeys(OUTCOMES, 0) for _ in range(n)]
    for j in done:
        # finished_at >= since >= first; a finished_at past ``now`` (another process's clock a
        # little ahead) still counts, in the last bucket, so the sums match the totals.
        counts[min((j["finished_at"] - first) // width, n - 1)][j["status"]] += 1
    return [{"t": first + i * width, **c} for i, c in enumerate(counts)]
