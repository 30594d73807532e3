"""Job list filtering and sorting (shared by GET /jobs and the bulk filter scope), and stats."""

from __future__ import annotations

from collections import defaultdict

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


def stats(jobs: list[dict], window_s: int, now: int) -> dict:
    since = now - window_s * 1000
    done = [j for j in jobs if j["status"] in ("succeeded", "failed", "cancelled")
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
    }
