"""WebSocket: hello, seq/prev_seq chain, replay, resync_required, log subscriptions, heartbeat, queue."""

from __future__ import annotations

import json

import pytest
from conftest import WsClient, running_stack, wait_for

HEARTBEAT_MS = 400
MAXLEN = 400


@pytest.fixture(scope="module")
def ws_stack(data_dir, tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("ws"), data_dir, workers=2,
                       events_maxlen=MAXLEN, heartbeat_ms=HEARTBEAT_MS) as s:
        yield s


def chained(frames):
    return [f for f in frames if f["type"] in ("job.created", "job.updated", "metric")]


def assert_chain(frames, start: int):
    prev = start
    for f in chained(frames):
        assert f["prev_seq"] == prev, f"chain broken at {f['seq']}: prev_seq {f['prev_seq']} != {prev}"
        assert f["seq"] > prev
        prev = f["seq"]
    return prev


def run_job(s, **params):
    job = s.create("ds_customers", "profile", **{"chunk_rows": 1000, "chunk_delay_ms": 0, **params})
    return s.wait_status(job["id"], "succeeded")


def test_hello_live_events_and_chain(ws_stack):
    s = ws_stack
    with WsClient(s.ws_url) as ws:
        hello = ws.recv()
        assert hello["type"] == "hello" and hello["resumed"] is False and hello["heartbeat_ms"] == HEARTBEAT_MS
        assert hello["seq"] == s.seq()
        job = s.create("ds_customers", "profile", chunk_rows=1000, chunk_delay_ms=0)
        frames = ws.until(lambda f: f["type"] == "job.updated" and f["job"]["id"] == job["id"]
                          and f["job"]["status"] == "succeeded")
    assert_chain(frames, hello["seq"])
    mine = [f for f in chained(frames) if f.get("job", {}).get("id", f.get("job_id")) == job["id"]]
    assert mine[0]["type"] == "job.created"
    versions = [f["job"]["version"] for f in mine if f["type"] != "metric"]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert [f["sample"]["processed"] for f in mine if f["type"] == "metric"] == [1000, 2000, 3000, 4000, 5000]
    assert not [f for f in frames if f["type"] == "log"], "log frames only for subscribed jobs"


def test_stream_seq_is_contiguous(ws_stack):
    s = ws_stack
    run_job(s)
    entries = s.r.xrange("jb:events")
    seqs = [int(eid.split("-")[0]) for eid, _ in entries]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert seqs[-1] == s.seq() and len(seqs) <= MAXLEN


def test_replay_after(ws_stack):
    s = ws_stack
    after = s.seq()
    job = run_job(s)
    expected = [(int(eid.split("-")[0]), f["type"]) for eid, f in s.r.xrange("jb:events", f"{after + 1}-0", "+")
                if f["type"] != "log"]
    with WsClient(f"{s.ws_url}?after={after}") as ws:
        hello = ws.recv()
        assert hello["resumed"] is True and hello["seq"] >= expected[-1][0]
        frames = ws.until(lambda f: f.get("seq") == expected[-1][0] and f["type"] != "heartbeat")
    got = [(f["seq"], f["type"]) for f in chained(frames)]
    assert got == expected
    assert assert_chain(frames, after) == expected[-1][0]
    assert any(f["type"] == "job.updated" and f["job"] == job for f in frames)


def test_resync_required_when_after_is_too_old(ws_stack):
    s = ws_stack
    # push enough events through the bounded stream that the oldest ones are trimmed
    while int(s.r.xrange("jb:events", count=1)[0][0].split("-")[0]) <= 2:
        out = s.http.post("/jobs/bulk/start", json={"jobs": [{"dataset_id": "ds_sales", "kind": "profile"}] * 60})
        s.http.post("/jobs/bulk/cancel", json={"ids": [r["id"] for r in out.json()["results"]]})
    # Jobs a worker picked up before the cancel still write events (cancelling → cancelled)
    # that trim the stream further: read the oldest kept event only once nothing is active.
    wait_for(lambda: not s.http.get("/jobs", params={"status": "queued,running,cancelling"}).json()["items"],
             30, interval=0.1, what="every job to settle")
    oldest = int(s.r.xrange("jb:events", count=1)[0][0].split("-")[0])
    with WsClient(f"{s.ws_url}?after=1") as ws:
        hello = ws.recv()
        assert hello["resumed"] is False
        resync = ws.recv()
        assert resync["type"] == "resync_required" and resync["seq"] == hello["seq"] and resync["reason"]
    # the oldest kept event's predecessor is still a complete resume point
    with WsClient(f"{s.ws_url}?after={oldest - 1}") as ws:
        assert ws.recv()["resumed"] is True
        first = ws.until(lambda f: f["type"] in ("job.created", "job.updated", "metric", "resync_required"))[-1]
        assert first["type"] != "resync_required"
    # wait for the cancelled workers' jobs to settle before other tests
    wait_for(lambda: s.http.get("/queue").json()["running"] == 0, 10, what="no running jobs")


def test_resync_required_when_after_is_newer_than_head(ws_stack):
    s = ws_stack
    with WsClient(f"{s.ws_url}?after={s.seq() + 1000}") as ws:
        hello = ws.recv()
        assert hello["resumed"] is False
        resync = ws.recv()
        assert resync["type"] == "resync_required" and "newer" in resync["reason"]
        # the connection stays usable: live events follow, chained from resync.seq
        job = s.create("ds_customers", "profile", chunk_rows=5000, chunk_delay_ms=0)
        frames = ws.until(lambda f: f["type"] == "job.updated" and f["job"]["id"] == job["id"]
                          and f["job"]["status"] == "succeeded")
        assert_chain(frames, resync["seq"])


def test_subscribe_logs_backlog_then_live_without_gaps_or_dups(ws_stack):
    s = ws_stack
    job = s.create("ds_customers", "profile", chunk_rows=50, chunk_delay_ms=10)
    wait_for(lambda: s.job(job["id"])["log_count"] >= 30, 10, what="some log lines")
    with WsClient(s.ws_url) as ws1, WsClient(s.ws_url) as ws2:
        ws1.recv(), ws2.recv()
        ws1.send({"type": "subscribe_logs", "job_id": job["id"], "after_line": 5})
        ws2.send({"type": "subscribe_logs", "job_id": job["id"], "after_line": 0})
        final = s.wait_status(job["id"], "succeeded")
        total = final["log_count"]
        f1 = ws1.until(lambda f: f["type"] == "log" and f["line"]["n"] == total, 20)
        f2 = ws2.until(lambda f: f["type"] == "log" and f["line"]["n"] == total, 20)
    assert [f["line"]["n"] for f in f1 if f["type"] == "log"] == list(range(6, total + 1))
    assert [f["line"]["n"] for f in f2 if f["type"] == "log"] == list(range(1, total + 1))
    http_lines = s.http.get(f"/jobs/{job['id']}/logs", params={"limit": 10000}).json()["lines"]
    assert [f["line"] for f in f2 if f["type"] == "log"] == http_lines
    assert all(f["job_id"] == job["id"] for f in f2 if f["type"] == "log")


def test_subscribe_while_running_then_resubscribe_and_unsubscribe(ws_stack):
    s = ws_stack
    job = s.create("ds_customers", "profile", chunk_rows=100, chunk_delay_ms=20)
    with WsClient(s.ws_url) as ws:
        ws.recv()
        ws.send({"type": "subscribe_logs", "job_id": job["id"], "after_line": 0})
        got = ws.until(lambda f: f["type"] == "log" and f["line"]["n"] >= 10)
        assert [f["line"]["n"] for f in got if f["type"] == "log"][:10] == list(range(1, 11))
        # a new subscription replaces the old one and starts again after its after_line
        ws.send({"type": "subscribe_logs", "job_id": job["id"], "after_line": 2})
        again = ws.until(lambda f: f["type"] == "log" and f["line"]["n"] == 3)
        ns = [f["line"]["n"] for f in again if f["type"] == "log"]
        assert ns[-1] == 3
        more = ws.until(lambda f: f["type"] == "log" and f["line"]["n"] == 12)
        assert [f["line"]["n"] for f in more if f["type"] == "log"] == list(range(4, 13))
        ws.send({"type": "unsubscribe_logs", "job_id": job["id"]})
        final = s.wait_status(job["id"], "succeeded")
        tail = ws.until(lambda f: f["type"] == "job.updated" and f["job"]["id"] == job["id"]
                        and f["job"]["status"] == "succeeded")
        late = [f for f in tail if f["type"] == "log"]
        assert len(late) < final["log_count"] - 12 - 20, "log frames must stop after unsubscribe"


def test_heartbeat_carries_last_chained_seq(ws_stack):
    s = ws_stack
    with WsClient(s.ws_url) as ws:
        hello = ws.recv()
        hb = ws.until(lambda f: f["type"] == "heartbeat", 3)[-1]
        assert hb["seq"] == hello["seq"] and hb["server_time"] >= hello["server_time"]
        job = s.create("ds_customers", "profile", chunk_rows=5000, chunk_delay_ms=0)
        frames = ws.until(lambda f: f["type"] == "job.updated" and f["job"]["id"] == job["id"]
                          and f["job"]["status"] == "succeeded")
        hb2 = ws.until(lambda f: f["type"] == "heartbeat", 3)
        last_chained = chained(frames + hb2)[-1]["seq"]
        assert hb2[-1]["seq"] == last_chained
        t0 = hb2[-1]["server_time"]
        hb3 = ws.until(lambda f: f["type"] == "heartbeat", 3)[-1]
        assert 0.5 * HEARTBEAT_MS <= hb3["server_time"] - t0 <= 3 * HEARTBEAT_MS


def test_queue_frames(ws_stack):
    with WsClient(ws_stack.ws_url) as ws:
        ws.recv()
        q1 = ws.until(lambda f: f["type"] == "queue", 4)[-1]
        assert len(q1["queue"]["workers"]) == 2 and q1["queue"]["redis"]["ok"] is True
        ws.until(lambda f: f["type"] == "queue", 4)


@pytest.mark.parametrize("frame,needle", [
    ("not json", "invalid JSON"),
    ("[1, 2]", "unknown frame type"),
    ('{"type": "dance"}', "unknown frame type"),
    ('{"type": "subscribe_logs"}', "job_id"),
    ('{"type": "subscribe_logs", "job_id": "job_x", "after_line": -1}', "after_line"),
    ('{"type": "subscribe_logs", "job_id": "job_000000000000", "after_line": 0}', "not found"),
    (b"\x00\x01", "binary"),
])
def test_bad_client_frames_get_error_and_connection_stays_open(ws_stack, frame, needle):
    s = ws_stack
    job = run_job(s, chunk_rows=5000)
    with WsClient(s.ws_url) as ws:
        ws.recv()
        ws.send(frame)
        err = ws.until(lambda f: f["type"] == "error", 3)[-1]
        assert needle in err["detail"]
        ws.send(json.dumps({"type": "subscribe_logs", "job_id": job["id"], "after_line": 0}))
        ws.until(lambda f: f["type"] == "log" and f["line"]["n"] == job["log_count"], 5)
