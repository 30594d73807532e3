"""GET /stats time series: finished jobs per aligned bucket, by outcome.

The integration tests run real jobs to their real outcomes on a stack of their own (so the totals
are exactly the jobs made here), then move each job's ``finished_at`` in Redis to a chosen minute.
The unit tests call ``queries.stats`` with a fixed ``now`` for the exact boundaries.
"""

from __future__ import annotations

import json
import random
import time

import pytest
from conftest import running_stack

from jobs_backend import queries
from jobs_backend.models import Stats
from jobs_backend.store import job_key

MIN = 60_000
OUTCOMES = ("succeeded", "failed", "cancelled")


def set_finished_at(stack, job_id: str, ts: int) -> None:
    """Move a finished job's ``finished_at`` (and its last attempt's) to ``ts``, in Redis."""
    key = job_key(job_id)
    job = json.loads(stack.r.get(key))
    assert job["status"] in OUTCOMES, job["status"]
    job["finished_at"] = ts
    job["attempts"][-1]["finished_at"] = ts
    stack.r.set(key, json.dumps(job, separators=(",", ":")))


def get_stats(stack, **params) -> dict:
    resp = stack.http.get("/stats", params=params)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    Stats.model_validate(body)
    assert list(body) == list(Stats.model_fields), "stats fields out of contract order"
    return body


def check_series(body: dict, jobs: list[tuple[str, int]] | None = None) -> None:
    """Shape rules that hold for every response; with ``jobs`` ((status, finished_at) of every
    finished job), also each bucket's counts against a count done here."""
    b = body["bucket_s"] * 1000
    since, now = body["since"], body["since"] + body["window_s"] * 1000
    ts = [x["t"] for x in body["series"]]
    assert all(t % b == 0 for t in ts), "buckets are aligned to multiples of bucket_s"
    assert ts == list(range(ts[0], ts[-1] + 1, b)), "consecutive, oldest first, none missing"
    assert ts[0] <= since < ts[0] + b, "the first bucket contains since"
    assert ts[-1] <= now < ts[-1] + b, "the last bucket contains now"
    assert len(ts) == now // b - since // b + 1
    assert len(ts) <= queries.max_buckets(body["window_s"], body["bucket_s"]) <= queries.MAX_BUCKETS
    for k in OUTCOMES:
        assert sum(x[k] for x in body["series"]) == body[k], f"series sum of {k} equals the total"
    for x in body["series"] if jobs is not None else []:
        want = {k: sum(1 for st, f in jobs if st == k and since <= f and x["t"] <= f < x["t"] + b) for k in OUTCOMES}
        assert {k: x[k] for k in OUTCOMES} == want, x


@pytest.fixture(scope="module")
def placed(data_dir, tmp_path_factory):
    """A stack holding real finished jobs, moved to known minutes; returns (stack, placement)."""
    with running_stack(tmp_path_factory.mktemp("stats"), data_dir, workers=2) as s:
        fast = {"chunk_rows": 5000, "chunk_delay_ms": 0}
        ok = [s.create("ds_customers", "profile", **fast)["id"] for _ in range(4)]
        bad = [s.create("ds_sensors_corrupt", "validate", **fast)["id"] for _ in range(2)]
        slow = s.create("ds_sales", "profile", chunk_rows=100, chunk_delay_ms=200)["id"]
        s.wait_status(slow, "running")
        assert s.http.post(f"/jobs/{slow}/cancel").status_code == 200
        for i in ok:
            s.wait_status(i, "succeeded")
        for i in bad:
            s.wait_status(i, "failed")
        s.wait_status(slow, "cancelled")
        s.stop_workers()
        queued = s.create("ds_sales", "profile")["id"]  # never runs: not finished, never counted

        # Minutes counted back from the current one (all well inside a one-hour window; the last
        # job is two hours back, outside it). Each job sits 1 s into its minute, except one that
        # finishes exactly on a minute boundary: it belongs to the bucket that starts there.
        base = int(time.time() * 1000) // MIN * MIN
        place = {
            ok[0]: base - 5 * MIN + 1000, ok[1]: base - 5 * MIN + 59_000, ok[2]: base - 3 * MIN,
            bad[0]: base - 5 * MIN + 30_000, bad[1]: base - 2 * MIN + 1000, slow: base - 40 * MIN + 1000,
            ok[3]: base - 120 * MIN,
        }
        for job_id, ts in place.items():
            set_finished_at(s, job_id, ts)
        status = {**dict.fromkeys(ok, "succeeded"), **dict.fromkeys(bad, "failed"), slow: "cancelled"}
        finished = [(status[i], ts) for i, ts in place.items()]
        yield s, {"base": base, "queued": queued, "finished": finished}


def test_series_defaults_and_totals(placed):
    stack, p = placed
    body = get_stats(stack)  # window_s=3600, bucket_s=60
    assert body["window_s"] == 3600 and body["bucket_s"] == 60
    assert (body["succeeded"], body["failed"], body["cancelled"], body["finished"]) == (3, 2, 1, 6)
    check_series(body, p["finished"])
    assert len(body["series"]) == 61, "a one-hour window touches 61 aligned minutes"


def test_jobs_in_different_minutes_land_in_different_buckets(placed):
    stack, p = placed
    body = get_stats(stack, window_s=3600, bucket_s=60)
    by_t = {x["t"]: x for x in body["series"]}
    base = p["base"]

    def at(minutes_back):
        x = by_t[base - minutes_back * MIN]
        return x["succeeded"], x["failed"], x["cancelled"]

    assert at(5) == (2, 1, 0), "two successes and a failure in the same minute share its bucket"
    assert at(3) == (1, 0, 0), "a job finishing exactly at a bucket start is in that bucket"
    assert at(4) == (0, 0, 0), "the minute before a boundary job does not get it"
    assert at(2) == (0, 1, 0)
    assert at(40) == (0, 0, 1)
    busy = {base - m * MIN for m in (5, 3, 2, 40)}
    empty = [x for x in body["series"] if x["t"] not in busy]
    assert len(empty) == 61 - 4, "quiet minutes are present"
    assert all((x["succeeded"], x["failed"], x["cancelled"]) == (0, 0, 0) for x in empty)


def test_other_bucket_widths(placed):
    stack, p = placed
    base = p["base"]
    five = get_stats(stack, window_s=3600, bucket_s=300)
    check_series(five, p["finished"])
    assert len(five["series"]) == 13
    # a width that does not divide the window: 3600 / 7 = 514.3, so 515 or 516 buckets
    odd = get_stats(stack, window_s=3600, bucket_s=7)
    check_series(odd, p["finished"])
    assert len(odd["series"]) in (515, 516)
    # one bucket wider than the window: one or two buckets, aligned to the UTC day
    day = get_stats(stack, window_s=3600, bucket_s=86400)
    check_series(day, p["finished"])
    assert len(day["series"]) in (1, 2) and all(x["t"] % 86_400_000 == 0 for x in day["series"])
    # a longer window reaches the job finished two hours ago, in its own bucket
    long = get_stats(stack, window_s=3 * 3600, bucket_s=60)
    check_series(long, p["finished"])
    assert (long["succeeded"], long["finished"]) == (4, 7)
    assert {x["t"]: x["succeeded"] for x in long["series"]}[base - 120 * MIN] == 1
    # a window with nothing in it is all zeros, and still complete
    quiet = get_stats(stack, window_s=60, bucket_s=10)
    check_series(quiet, p["finished"])
    assert quiet["finished"] == 0 and len(quiet["series"]) == 7
    assert all(x["succeeded"] == x["failed"] == x["cancelled"] == 0 for x in quiet["series"])


def test_consecutive_polls_line_up(placed):
    stack, p = placed
    a = get_stats(stack, window_s=600, bucket_s=5)
    time.sleep(0.3)
    b = get_stats(stack, window_s=600, bucket_s=5)
    check_series(a, p["finished"])
    check_series(b, p["finished"])
    assert a["finished"] == b["finished"] == 5
    common = set(x["t"] for x in a["series"]) & set(x["t"] for x in b["series"])
    assert len(common) >= len(a["series"]) - 2, "the same buckets, at most shifted by one"
    assert [x for x in a["series"] if x["t"] in common][1:] == [x for x in b["series"] if x["t"] in common][1:]


def test_bucket_limit_and_bounds_are_422(placed):
    stack, _ = placed
    for params in [{"bucket_s": 0}, {"bucket_s": 86401}, {"bucket_s": "x"}, {"window_s": 0}]:
        resp = stack.http.get("/stats", params=params)
        assert resp.status_code == 422, params
    # the default bucket_s with a week: up to 10,081 buckets, over the limit
    for params, need, least in [({"window_s": 7 * 86400}, 10081, 61),
                                ({"window_s": 600_000, "bucket_s": 60}, 10001, 61),
                                ({"window_s": 599_999, "bucket_s": 60}, 10001, 61),
                                ({"window_s": 366 * 86400, "bucket_s": 60}, 527041, 3163),
                                ({"window_s": 10_000, "bucket_s": 1}, 10001, 2)]:
        resp = stack.http.get("/stats", params=params)
        assert resp.status_code == 422, (params, resp.text)
        [err] = resp.json()["detail"]
        assert err["loc"] == ["query", "bucket_s"], err
        assert f"needs up to {need} buckets, more than 10000" in err["msg"], err
        assert f"bucket_s of at least {least}" in err["msg"], err
        ok = get_stats(stack, **{**params, "bucket_s": least})  # the suggestion is accepted
        check_series(ok)
    # right at the limit: exactly 10,000 buckets, wherever now falls
    edge = get_stats(stack, window_s=599_940, bucket_s=60)
    check_series(edge)
    assert len(edge["series"]) == 10_000
    year = get_stats(stack, window_s=366 * 86400, bucket_s=86400)
    check_series(year)
    assert len(year["series"]) in (366, 367)


# ------------------------------------------------------------------ queries.stats, fixed now

def job(status: str, finished_at: int | None, i: int = 0) -> dict:
    err = {"type": "ValueError", "message": "m", "traceback": "t"} if status == "failed" else None
    return {"id": f"job_{i:012x}", "status": status, "finished_at": finished_at, "error": err}


def test_boundaries_with_a_fixed_now():
    now = 1_764_370_000_123  # 40.123 s into its minute
    since = now - 3_600_000
    jobs = [job("succeeded", since, 1), job("failed", since - 1, 2), job("cancelled", now, 3),
            job("succeeded", now // MIN * MIN, 4), job("failed", now // MIN * MIN - 1, 5),
            job("running", None, 6), job("queued", None, 7)]
    body = queries.stats(jobs, 3600, now, 60)
    Stats.model_validate(body)
    check_series(body)
    s = body["series"]
    assert len(s) == 61 and s[0]["t"] == since // MIN * MIN and s[-1]["t"] == now // MIN * MIN
    assert s[0] == {"t": s[0]["t"], "succeeded": 1, "failed": 0, "cancelled": 0}, "since is inside"
    assert s[-1] == {"t": s[-1]["t"], "succeeded": 1, "failed": 0, "cancelled": 1}, "now is inside"
    assert s[-2]["failed"] == 1, "1 ms before a boundary is the previous bucket"
    assert (body["succeeded"], body["failed"], body["cancelled"]) == (2, 1, 1), "since - 1 is outside"


def test_series_counts_match_a_brute_force_over_random_windows():
    rng = random.Random(7)
    for _ in range(300):
        now = rng.randrange(1_700_000_000_000, 1_800_000_000_000)
        window_s = rng.choice([1, 7, 59, 60, 61, 3600, rng.randrange(1, 200_000)])
        bucket_s = rng.choice([1, 5, 60, 86400, rng.randrange(1, 86401)])
        if queries.max_buckets(window_s, bucket_s) > queries.MAX_BUCKETS:
            continue
        since = now - window_s * 1000
        jobs = [job(rng.choice(OUTCOMES), rng.randrange(since - 5000, now + 1), i) for i in range(40)]
        body = queries.stats(jobs, window_s, now, bucket_s)
        check_series(body, [(j["status"], j["finished_at"]) for j in jobs])
        assert len(body["series"]) >= queries.max_buckets(window_s, bucket_s) - 1


def test_a_finish_just_after_now_still_counts_in_the_last_bucket():
    now = 1_764_370_000_000
    body = queries.stats([job("succeeded", now + 5)], 600, now, 60)
    check_series(body)
    assert body["succeeded"] == 1 and body["series"][-1]["succeeded"] == 1
