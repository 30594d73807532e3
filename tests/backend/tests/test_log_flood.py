"""A log flood never costs a resync: log lines live in ``jb:logstream``, job events in ``jb:events``.

The stack keeps only ``EVENTS_MAXLEN`` = 40 job events and ``LOG_STREAM_MAXLEN`` = 500 log lines,
and one job writes far more lines than both (2,000 per chunk, each chunk one commit). Before the
streams were split, the first chunk alone evicted every job event and any resume turned into
``resync_required``. Now:

- a client resuming with ``after=<seq>`` while (and after) the flood runs gets every job event,
  chained, and never ``resync_required``;
- a log subscriber gets every line exactly once, in order, although each commit trims most of its
  own lines from the log stream before any reader can see them (the gap is filled from the
  job's list).

``JOBS_FLOOD_LINES=1000000 pytest tests/test_log_flood.py -k million`` runs the same check with a
million lines at the default limits (about a minute; skipped unless the variable is set) and
prints the figures.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from conftest import WsClient, running_stack, wait_for

EVENTS_MAXLEN = 40
LOG_STREAM_MAXLEN = 500
BURST = 2_000
CHAINED = ("job.created", "job.updated", "metric")


def events_of(s, job_id: str, after: int) -> list[tuple[int, str]]:
    """(seq, type) of the job's events after ``after``, from the stream itself."""
    return [(int(eid.split("-")[0]), f["type"]) for eid, f in s.r.xrange("jb:events", f"{after + 1}-0", "+")
            if f["job_id"] == job_id]


def check_chain(frames: list[dict], start: int) -> None:
    prev = start
    for f in frames:
        if f["type"] in CHAINED:
            assert f["prev_seq"] == prev, f"chain broken at {f['seq']}: prev_seq {f['prev_seq']} != {prev}"
            prev = f["seq"]


@pytest.fixture(scope="module")
def flood_stack(data_dir, tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("flood"), data_dir, workers=1, events_maxlen=EVENTS_MAXLEN,
                       log_stream_maxlen=LOG_STREAM_MAXLEN) as s:
        yield s


def test_a_flood_far_beyond_both_stream_limits_causes_no_resync(flood_stack):
    s = flood_stack
    seq0 = s.seq()
    with WsClient(f"{s.ws_url}?after={seq0}") as watcher, WsClient(f"{s.ws_url}?after={seq0}") as reader:
        assert watcher.recv()["resumed"] is True
        assert reader.recv()["resumed"] is True
        # ds_customers: 5,000 rows in 5 chunks; each chunk commits 2,000 burst lines at once
        job = s.create("ds_customers", "profile", chunk_rows=1000, chunk_delay_ms=0, log_burst=BURST)
        reader.send({"type": "subscribe_logs", "job_id": job["id"], "after_line": 0})
        done = s.wait_status(job["id"], "succeeded", timeout=60)
        total = done["log_count"]
        assert total > 5 * BURST > 100 * EVENTS_MAXLEN
        until_done = lambda f: f["type"] == "job.updated" and f["job"]["status"] == "succeeded"  # noqa: E731
        seen = watcher.until(until_done, timeout=30)
        # log frames are not ordered against job frames: the last line may come before or after
        state = {"done": False, "last_n": 0}

        def all_in(f):
            state["done"] = state["done"] or until_done(f)
            if f["type"] == "log":
                state["last_n"] = f["line"]["n"]
            return state["done"] and state["last_n"] == total

        got = reader.until(all_in, timeout=60)

    for frames in (seen, got):
        assert not [f for f in frames if f["type"] == "resync_required"]
        check_chain(frames, seq0)
    expected = events_of(s, job["id"], seq0)
    assert expected[0][1] == "job.created" and len(expected) < EVENTS_MAXLEN, "every job event is still kept"
    assert [(f["seq"], f["type"]) for f in seen if f["type"] in CHAINED] == expected
    assert [(f["seq"], f["type"]) for f in got if f["type"] in CHAINED] == expected
    assert s.r.xlen("jb:logstream") == LOG_STREAM_MAXLEN, "the log stream was trimmed meanwhile"
    lines = [f["line"] for f in got if f["type"] == "log"]
    assert [x["n"] for x in lines] == list(range(1, total + 1)), "every line once, in order"
    assert all(f["job_id"] == job["id"] for f in got if f["type"] == "log")
    assert not [f for f in seen if f["type"] == "log"], "no log frames without a subscription"

    # A client that comes back only now still resumes from before the flood.
    with WsClient(f"{s.ws_url}?after={seq0}") as late:
        hello = late.recv()
        assert hello["resumed"] is True and hello["seq"] == s.seq()
        replay = late.until(lambda f: f["type"] in CHAINED and f["seq"] == expected[-1][0], timeout=10)
    assert not [f for f in replay if f["type"] == "resync_required"]
    assert [(f["seq"], f["type"]) for f in replay if f["type"] in CHAINED] == expected


def test_a_subscriber_that_joins_mid_flood_gets_every_line_once(flood_stack):
    s = flood_stack
    job = s.create("ds_customers", "profile", chunk_rows=500, chunk_delay_ms=20, log_burst=BURST)
    wait_for(lambda: s.job(job["id"])["log_count"] > 2 * BURST, 30, what="part of the flood")
    with WsClient(s.ws_url) as ws:
        hello = ws.recv()
        ws.send({"type": "subscribe_logs", "job_id": job["id"], "after_line": 7})
        total = s.wait_status(job["id"], "succeeded", timeout=60)["log_count"]
        frames = ws.until(lambda f: f["type"] == "log" and f["line"]["n"] == total, timeout=60)
    assert not [f for f in frames if f["type"] == "resync_required"]
    check_chain(frames, hello["seq"])
    assert [f["line"]["n"] for f in frames if f["type"] == "log"] == list(range(8, total + 1))


MILLION = int(os.environ.get("JOBS_FLOOD_LINES", "0") or 0)


@pytest.mark.timeout(900)
@pytest.mark.skipif(MILLION <= 0, reason="set JOBS_FLOOD_LINES (e.g. 1000000) to run the big flood")
def test_million_line_flood_at_default_limits(data_dir, tmp_path_factory):
    """One job writes JOBS_FLOOD_LINES lines (10,000 per commit) at the default stream limits while
    one client, resumed with after=<seq>, follows the job list and its log; counts resyncs."""
    chunks = -(-MILLION // 10_000)
    rows = 20_000  # ds_sales
    with running_stack(tmp_path_factory.mktemp("million"), data_dir, workers=1) as s:
        seq0 = s.seq()
        with WsClient(f"{s.ws_url}?after={seq0}") as ws:
            assert ws.recv()["resumed"] is True
            t0 = time.monotonic()
            job = s.create("ds_sales", "profile", chunk_rows=max(1, rows // chunks), chunk_delay_ms=0,
                           log_burst=10_000)
            ws.send({"type": "subscribe_logs", "job_id": job["id"], "after_line": 0})
            resyncs = last_n = dups = job_events = 0
            gaps = []
            final = None
            chained = []  # not every frame: a million parsed log frames would not fit in memory
            while final is None or last_n < final["log_count"]:
                f = json.loads(ws.ws.recv(timeout=60))
                if f["type"] == "resync_required":
                    resyncs += 1
                elif f["type"] == "log":
                    n = f["line"]["n"]
                    if n <= last_n:
                        dups += 1
                    elif n != last_n + 1:
                        gaps.append((last_n, n))
                    last_n = max(last_n, n)
                elif f["type"] in CHAINED:
                    chained.append(f)
                    job_events += 1
                    if f["type"] == "job.updated" and f["job"]["status"] == "succeeded":
                        final = f["job"]
                        backend_s = time.monotonic() - t0
            client_s = time.monotonic() - t0
        check_chain(chained, seq0)
        expected = events_of(s, job["id"], seq0)
        print(f"\nFLOOD lines={final['log_count']} commits={final['version']} backend_s={backend_s:.1f} "
              f"client_s={client_s:.1f} lines_per_s={final['log_count'] / client_s:,.0f} "
              f"job_events={job_events} resyncs={resyncs} dups={dups} gaps={len(gaps)}")
        assert final["log_count"] >= MILLION
        assert resyncs == 0 and dups == 0 and not gaps, (resyncs, dups, gaps[:5])
        assert [(f["seq"], f["type"]) for f in chained
                if (f.get("job") or {}).get("id", f.get("job_id")) == job["id"]] == expected
