"""Process lifecycle: clean SIGTERM exits, worker shutdown mid-job, orphan reaping, Redis outages,
slow and vanishing WebSocket clients, and the OpenAPI document."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest
from conftest import WsClient, running_stack, wait_for
from websockets.exceptions import ConnectionClosed

from jobs_backend import jobdoc
from jobs_backend.store import Change, JobStore


def test_worker_shutdown_fails_running_job_and_everything_exits_0(data_dir, tmp_path):
    with running_stack(tmp_path, data_dir, workers=1) as s:
        job = s.create("ds_sales", "profile", chunk_rows=100, chunk_delay_ms=500)
        s.wait_status(job["id"], "running")
        ws = WsClient(s.ws_url)  # an open WebSocket must not keep the API from exiting
        ws.recv()
        t0 = time.monotonic()
        assert s.stop_workers() == 0
        assert time.monotonic() - t0 < 5
        failed = s.job(job["id"])
        assert failed["status"] == "failed" and failed["error"]["type"] == "WorkerShutdown"
        assert "Traceback" in failed["error"]["traceback"]
        wait_for(lambda: s.http.get("/queue").json()["workers"] == [], 5, what="workers to unregister")
        codes = s.stop()
        # uvicorn shuts down gracefully, then re-raises the captured SIGTERM (exit status 143)
        assert codes["workers"] == 0 and codes["api"] in (0, -signal.SIGTERM)
        with pytest.raises(ConnectionClosed):
            for _ in range(100):
                ws.recv(timeout=5)
        ws.close()


def test_orphaned_running_job_is_reaped_on_worker_start(data_dir, tmp_path):
    with running_stack(tmp_path, data_dir, workers=0) as s:
        job = s.create("ds_sales", "profile")

        def fn(j):
            jobdoc.to_running(j, "worker-7.424242", jobdoc.now_ms())
            return Change(j)
        JobStore(s.redis_server.url).mutate(job["id"], fn)
        s.n_workers = 1
        s.start_workers()
        failed = s.wait_status(job["id"], "failed", timeout=15)
        assert failed["error"]["type"] == "WorkerLost" and "worker-7.424242" in failed["error"]["message"]


def test_redis_outage_503_queue_health_ws_1011_and_resync_after_reset(data_dir, tmp_path):
    with running_stack(tmp_path, data_dir, workers=0) as s:
        s.create("ds_sales", "profile")
        seq = s.seq()
        ws = WsClient(s.ws_url)
        assert ws.recv()["type"] == "hello"
        s.redis_server.stop()

        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(100):
                ws.recv(timeout=5)
        assert closed.value.rcvd.code == 1011
        ws.close()
        for method, path, body in [("get", "/jobs", None), ("get", "/jobs/job_000000000000", None),
                                   ("post", "/jobs", {"dataset_id": "ds_sales", "kind": "profile"}),
                                   ("get", "/stats", None), ("post", "/jobs/bulk/cancel", {"ids": ["job_1"]})]:
            resp = s.http.request(method.upper(), path, json=body)
            assert resp.status_code == 503, path
            assert "redis" in resp.json()["detail"]
        q = s.http.get("/queue")
        assert q.status_code == 200
        assert q.json() == {"queued": 0, "running": 0, "workers": [],
                            "redis": {"ok": False, "version": None, "latency_ms": None, "used_memory_bytes": None}}
        assert s.http.get("/datasets").status_code == 200

        s.redis_server.start()  # same port, empty: the event history is gone
        wait_for(lambda: s.http.get("/jobs").status_code == 200, 10, what="API to reconnect")
        assert s.http.get("/jobs").json()["total"] == 0
        with WsClient(f"{s.ws_url}?after={seq}") as ws2:
            assert ws2.recv()["resumed"] is False
            assert ws2.recv()["type"] == "resync_required"


def test_slow_client_gets_every_event_in_order(data_dir, tmp_path):
    with running_stack(tmp_path, data_dir, workers=2) as s:
        from websockets.sync.client import connect

        with connect(s.ws_url, max_queue=4, max_size=None) as raw:  # small buffer: real back-pressure
            import json as _json
            hello = _json.loads(raw.recv(timeout=5))
            jobs = [s.create("ds_customers", "profile", chunk_rows=100, chunk_delay_ms=0) for _ in range(4)]
            for j in jobs:
                s.wait_status(j["id"], "succeeded", timeout=30)
            # the newest chained event (the stream's very last entries may be log lines)
            head = max(int(eid.split("-")[0]) for eid, f in s.r.xrevrange("jb:events", count=50)
                       if f["type"] != "log")
            prev, got = hello["seq"], 0
            while prev < head:
                f = _json.loads(raw.recv(timeout=10))
                if f["type"] in ("job.created", "job.updated", "metric"):
                    assert f["prev_seq"] == prev
                    prev = f["seq"]
                    got += 1
                assert f["type"] != "resync_required"
            assert got > 4 * 50


def test_disconnects_release_redis_connections(data_dir, tmp_path):
    with running_stack(tmp_path, data_dir, workers=0) as s:
        def clients() -> int:
            return len(s.r.client_list())
        with WsClient(s.ws_url) as ws:
            ws.recv()
        base = wait_for(lambda: clients(), 5)
        conns = [WsClient(s.ws_url) for _ in range(8)]
        for c in conns:
            c.recv()
        for c in conns:
            c.close()
        wait_for(lambda: clients() <= base + 1, 10, what="redis connections to be released")
        assert s.http.get("/queue").status_code == 200


def test_openapi_documents_everything(data_dir, tmp_path):
    with running_stack(tmp_path, data_dir, workers=0) as s:
        doc = httpx.get(s.base + "/openapi.json").json()
    paths = doc["paths"]
    for p in ["/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/cancel", "/api/v1/jobs/{job_id}/retry",
              "/api/v1/jobs/bulk/start", "/api/v1/jobs/bulk/cancel", "/api/v1/jobs/bulk/retry",
              "/api/v1/jobs/{job_id}/logs", "/api/v1/jobs/{job_id}/logs/download", "/api/v1/jobs/{job_id}/metrics",
              "/api/v1/stats", "/api/v1/queue", "/api/v1/datasets"]:
        assert p in paths, p
    assert "201" in paths["/api/v1/jobs"]["post"]["responses"]
    assert "409" in paths["/api/v1/jobs/{job_id}/cancel"]["post"]["responses"]
    schemas = doc["components"]["schemas"]
    for name in ["Job", "Attempt", "ErrorInfo", "LogLine", "MetricSample", "Dataset", "JobList", "BulkResponse",
                 "Stats", "StatsBucket", "QueueInfo", "WsHello", "WsJobEvent", "WsLog", "WsHeartbeat", "WsSubscribeLogs"]:
        assert name in schemas, name
    assert schemas["Job"]["examples"][0]["id"] == "job_3f2a9c1d4e5b"
    assert set(doc["x-websocket"]["server_frames"]) == {"hello", "resync_required", "job.created", "job.updated",
                                                        "metric", "log", "heartbeat", "queue", "error"}


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except FileNotFoundError:
        return []


def test_killed_work_horse_fails_its_job(data_dir, tmp_path):
    with running_stack(tmp_path, data_dir, workers=1) as s:
        job = s.create("ds_sales", "profile", chunk_rows=100, chunk_delay_ms=200)
        s.wait_status(job["id"], "running")
        horses = wait_for(lambda: [h for w in _children(s.workers.pid) for h in _children(w)], 5,
                          what="the work horse process")
        os.kill(horses[0], signal.SIGKILL)
        failed = s.wait_status(job["id"], "failed", timeout=10)
        assert failed["error"]["type"] == "WorkHorseKilled"
        # the worker itself survives and takes the next job
        nxt = s.create("ds_customers", "profile", chunk_rows=5000, chunk_delay_ms=0)
        s.wait_status(nxt["id"], "succeeded")
