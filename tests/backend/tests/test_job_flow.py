"""End-to-end job flows against real workers: success, failures, cancel, retry, logs, metrics, stats."""

from __future__ import annotations

import re
import time

from conftest import check_job, wait_for

from jobs_backend.datasets import CORRUPT_ROW
from jobs_backend.models import LogLine, MetricSample, QueueInfo, Stats

NOTE = 'note \x1b[31mred\x1b[0m <b>markup</b> {"json": [1, 2]} \u00e9\u2603'
ISO_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) \[attempt (\d+)\] ")


def all_logs(stack, job_id):
    body = stack.http.get(f"/jobs/{job_id}/logs", params={"limit": 10000}).json()
    return [LogLine.model_validate(x).model_dump() for x in body["lines"]]


def test_profile_runs_and_succeeds(stack):
    job = stack.create("ds_customers", "profile", chunk_rows=1000, chunk_delay_ms=20, note=NOTE)
    assert job["status"] == "queued" and job["version"] == 1 and job["log_count"] == 0
    assert job["params"] == {"chunk_rows": 1000, "chunk_delay_ms": 20, "fail_at": None, "passes": 1, "note": NOTE,
                             "log_burst": 0}
    done = stack.wait_status(job["id"], "succeeded")

    assert done["progress"]["processed"] == done["progress"]["total"] == 5000
    assert done["progress"]["phase"] == "done" and done["progress"]["unit"] == "rows"
    assert done["error"] is None and done["finished_at"] >= done["started_at"] >= done["created_at"]
    assert done["version"] > 5
    att = done["attempts"]
    assert len(att) == 1 and att[0]["status"] == "succeeded" and att[0]["error"] is None
    assert re.fullmatch(r"worker-\d+\.\d+", att[0]["worker"])
    cols = {c["name"]: c for c in done["result"]["columns"]}
    assert list(cols) == ["customer_id", "name", "email", "country", "signup_date", "lifetime_value"]
    assert cols["customer_id"]["min"] == 1 and cols["customer_id"]["max"] == 5000
    assert cols["customer_id"]["mean"] == 2500.5 and cols["customer_id"]["distinct_capped"] is True
    assert cols["email"]["nulls"] > 0 and cols["email"]["count"] + cols["email"]["nulls"] == 5000
    assert cols["country"]["distinct"] == 10 and cols["country"]["mean"] is None

    logs = all_logs(stack, job["id"])
    assert [x["n"] for x in logs] == list(range(1, done["log_count"] + 1))
    assert NOTE in [x["text"] for x in logs], "note must be logged verbatim"
    assert {x["level"] for x in logs} == {"DEBUG", "INFO", "WARNING"}
    assert any("\x1b[32mOK\x1b[0m" in x["text"] for x in logs)
    assert any(x["text"].startswith("stats: {") for x in logs)

    samples = stack.http.get(f"/jobs/{job['id']}/metrics").json()["samples"]
    for s in samples:
        MetricSample.model_validate(s)
    assert [s["processed"] for s in samples] == [1000, 2000, 3000, 4000, 5000]
    assert all(s["total"] == 5000 and s["attempt"] == 1 and s["rate"] > 0 for s in samples)


def test_validate_corrupt_dataset_fails_with_value_error(stack):
    job = stack.create("ds_sensors_corrupt", "validate", chunk_rows=1000, chunk_delay_ms=0)
    failed = stack.wait_status(job["id"], "failed")
    err = failed["error"]
    assert err["type"] == "ValueError"
    assert err["message"] == f"row {CORRUPT_ROW}: column 'temperature': could not convert 'n/a' to float"
    assert err["traceback"].startswith("Traceback (most recent call last):")
    assert "tasks.py" in err["traceback"] and err["traceback"].rstrip().endswith(err["message"])
    assert failed["progress"]["processed"] == 7000 and failed["result"] is None
    assert failed["attempts"][-1]["status"] == "failed" and failed["attempts"][-1]["error"] == err
    last = all_logs(stack, job["id"])[-1]
    assert last["level"] == "ERROR" and "Traceback (most recent call last)" in last["text"]


def test_fail_at_raises_runtime_error(stack):
    job = stack.create("ds_sales", "profile", chunk_rows=2000, chunk_delay_ms=0, fail_at=0.5)
    failed = stack.wait_status(job["id"], "failed")
    assert failed["error"]["type"] == "RuntimeError"
    assert "fail_at=0.5" in failed["error"]["message"]
    assert failed["progress"]["processed"] == 10000


def test_cancel_running_stops_promptly(stack):
    job = stack.create("ds_sales", "profile", chunk_rows=100, chunk_delay_ms=200)
    wait_for(lambda: stack.job(job["id"])["progress"]["processed"] >= 200, 15, what="job to make progress")
    t0 = time.monotonic()
    resp = stack.http.post(f"/jobs/{job['id']}/cancel")
    assert resp.status_code == 200
    cancelling = check_job(resp.json())
    assert cancelling["status"] == "cancelling"
    cancelled = stack.wait_status(job["id"], "cancelled", timeout=5)
    elapsed = time.monotonic() - t0
    # server side: from the cancel request's commit to the worker's "cancelled" commit
    latency_ms = cancelled["finished_at"] - cancelling["updated_at"]
    assert latency_ms < 200 + 100 + 150, f"worker took {latency_ms} ms to stop"
    assert elapsed < 1.5, f"cancel took {elapsed:.3f}s"
    assert cancelled["attempts"][-1]["status"] == "cancelled" and cancelled["finished_at"]
    processed = cancelled["progress"]["processed"]
    n_samples = len(stack.http.get(f"/jobs/{job['id']}/metrics").json()["samples"])
    # observe for three chunk delays: nothing may move any more
    time.sleep(0.6)
    again = stack.job(job["id"])
    assert again["progress"]["processed"] == processed and again["version"] == cancelled["version"]
    assert len(stack.http.get(f"/jobs/{job['id']}/metrics").json()["samples"]) == n_samples
    assert any(x["level"] == "WARNING" and "cancelled after" in x["text"] for x in all_logs(stack, job["id"]))


def test_cancel_queued_never_runs(stack):
    blockers = [stack.create("ds_sales", "profile", chunk_rows=100, chunk_delay_ms=100) for _ in range(2)]
    for b in blockers:
        stack.wait_status(b["id"], "running")
    queued = stack.create("ds_customers", "profile", chunk_rows=5000, chunk_delay_ms=0)
    resp = stack.http.post(f"/jobs/{queued['id']}/cancel")
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
    assert f"{queued['id']}-a1" not in stack.r.lrange("rq:queue:jobs", 0, -1)
    for b in blockers:
        assert stack.http.post(f"/jobs/{b['id']}/cancel").status_code == 200
    for b in blockers:
        stack.wait_status(b["id"], "cancelled")
    # both workers are free again; the cancelled job stays cancelled and never started
    wait_for(lambda: all(w["state"] == "idle" for w in stack.http.get("/queue").json()["workers"]), 10,
             what="workers to become idle")
    j = stack.job(queued["id"])
    assert j["status"] == "cancelled" and j["started_at"] is None and j["attempts"][0]["worker"] is None


def test_cancel_finished_is_409_and_changes_nothing(stack):
    job = stack.create("ds_customers", "profile", chunk_rows=5000, chunk_delay_ms=0)
    done = stack.wait_status(job["id"], "succeeded")
    seq = stack.seq()
    resp = stack.http.post(f"/jobs/{job['id']}/cancel")
    assert resp.status_code == 409 and resp.json() == {"detail": "job is already succeeded"}
    assert stack.job(job["id"]) == done and stack.seq() == seq
    resp = stack.http.post(f"/jobs/{job['id']}/retry")
    assert resp.status_code == 409 and "succeeded" in resp.json()["detail"]
    assert stack.job(job["id"]) == done and stack.seq() == seq


def test_retry_running_is_409(stack):
    job = stack.create("ds_sales", "profile", chunk_rows=100, chunk_delay_ms=100)
    stack.wait_status(job["id"], "running")
    resp = stack.http.post(f"/jobs/{job['id']}/retry")
    assert resp.status_code == 409 and "running" in resp.json()["detail"]
    assert stack.http.post(f"/jobs/{job['id']}/cancel").status_code == 200
    stack.wait_status(job["id"], "cancelled")


def test_retry_failed_keeps_history(stack):
    job = stack.create("ds_sensors_corrupt", "validate", chunk_rows=2500, chunk_delay_ms=0)
    first = stack.wait_status(job["id"], "failed")
    resp = stack.http.post(f"/jobs/{job['id']}/retry")
    assert resp.status_code == 200
    r = check_job(resp.json())
    assert r["id"] == job["id"] and r["status"] == "queued" and r["attempt"] == 2
    assert r["error"] is None and r["result"] is None and r["finished_at"] is None
    assert r["progress"]["processed"] == 0 and r["version"] > first["version"]
    assert r["attempts"][0] == first["attempts"][0]
    assert r["attempts"][1] == {"number": 2, "status": "queued", "worker": None, "started_at": None,
                                "finished_at": None, "error": None}
    second = stack.wait_status(job["id"], "failed")
    assert second["attempt"] == 2 and [a["status"] for a in second["attempts"]] == ["failed", "failed"]
    assert second["error"] == second["attempts"][1]["error"] and second["error"]["type"] == "ValueError"
    logs = all_logs(stack, job["id"])
    assert [x["n"] for x in logs] == list(range(1, second["log_count"] + 1))
    assert {x["attempt"] for x in logs} == {1, 2} and logs[-1]["attempt"] == 2


def test_retry_cancelled_then_succeeds(stack):
    job = stack.create("ds_customers", "profile", chunk_rows=500, chunk_delay_ms=100)
    stack.wait_status(job["id"], "running")
    stack.http.post(f"/jobs/{job['id']}/cancel")
    stack.wait_status(job["id"], "cancelled")
    r = stack.http.post(f"/jobs/{job['id']}/retry").json()
    assert r["attempt"] == 2
    done = stack.wait_status(job["id"], "succeeded")
    assert [a["status"] for a in done["attempts"]] == ["cancelled", "succeeded"]


def test_log_paging_and_download(stack):
    job = stack.create("ds_customers", "profile", chunk_rows=250, chunk_delay_ms=0)
    done = stack.wait_status(job["id"], "succeeded")
    total = done["log_count"]
    assert total > 40

    def page(**params):
        body = stack.http.get(f"/jobs/{job['id']}/logs", params=params).json()
        assert body["job_id"] == job["id"] and body["total"] == total
        return [x["n"] for x in body["lines"]]

    assert page() == list(range(1, total + 1))
    assert page(after=0, limit=5) == [1, 2, 3, 4, 5]
    assert page(after=5, limit=5) == [6, 7, 8, 9, 10]
    assert page(after=total - 2, limit=10) == [total - 1, total]
    assert page(after=total) == []
    assert page(before=10, limit=3) == [7, 8, 9]
    assert page(before=3, limit=10) == [1, 2]
    assert page(before=total + 100, limit=2) == [total - 1, total]
    assert page(tail=4) == list(range(total - 3, total + 1))
    assert page(tail=total + 50) == list(range(1, total + 1))
    for bad in ({"limit": 0}, {"limit": 10001}, {"after": -1}, {"tail": 0}, {"before": 0}):
        assert stack.http.get(f"/jobs/{job['id']}/logs", params=bad).status_code == 422

    resp = stack.http.get(f"/jobs/{job['id']}/logs/download")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    lines = resp.text.splitlines()
    assert len(lines) == total and all(ISO_LINE.match(x) for x in lines)
    assert lines[0].endswith("[attempt 1] attempt 1 started on " + done["attempts"][0]["worker"]
                             + ": profile customers.csv")


def test_download_indents_multiline_text(stack):
    job = stack.create("ds_sensors_corrupt", "validate", chunk_rows=5000, chunk_delay_ms=0,
                       note="first line\n2020-01-01T00:00:00.000Z ERROR [attempt 9] forged entry")
    failed = stack.wait_status(job["id"], "failed")
    text = stack.http.get(f"/jobs/{job['id']}/logs/download").text
    entries = [x for x in text.splitlines() if ISO_LINE.match(x)]
    assert len(entries) == failed["log_count"], "continuation lines must not look like entries"
    assert "\n    2020-01-01T00:00:00.000Z ERROR [attempt 9] forged entry\n" in text
    assert "\n    Traceback (most recent call last):\n" in text


def test_unknown_job_is_404_everywhere(stack):
    for method, path in [("get", ""), ("post", "/cancel"), ("post", "/retry"), ("get", "/logs"),
                         ("get", "/logs/download"), ("get", "/metrics")]:
        resp = getattr(stack.http, method)(f"/jobs/job_000000000000{path}")
        assert resp.status_code == 404, path
        assert resp.json() == {"detail": "job job_000000000000 not found"}


def test_stats(stack):
    bad = stack.create("ds_sensors_corrupt", "validate", chunk_rows=5000, chunk_delay_ms=0)
    stack.wait_status(bad["id"], "failed")
    body = stack.http.get("/stats", params={"window_s": 3600}).json()
    Stats.model_validate(body)
    assert body["window_s"] == 3600 and abs(body["since"] - (time.time() * 1000 - 3_600_000)) < 5000
    assert body["finished"] == body["succeeded"] + body["failed"] + body["cancelled"] > 0
    assert body["completion_rate"] == body["succeeded"] / body["finished"]
    assert body["failure_rate"] == body["failed"] / body["finished"]
    groups = {g["type"]: g for g in body["failures_by_type"]}
    assert bad["id"] in groups["ValueError"]["job_ids"]
    assert groups["ValueError"]["count"] == len(groups["ValueError"]["job_ids"])
    assert sum(g["count"] for g in body["failures_by_type"]) == body["failed"]
    assert stack.http.get("/stats", params={"window_s": 0}).status_code == 422
    tiny = stack.http.get("/stats", params={"window_s": 1}).json()
    assert tiny["finished"] <= body["finished"]


def test_queue_lists_workers(stack):
    body = stack.http.get("/queue").json()
    QueueInfo.model_validate(body)
    assert body["redis"]["ok"] is True and body["redis"]["version"] and body["redis"]["latency_ms"] >= 0
    assert len(body["workers"]) == 2
    assert all(re.fullmatch(r"worker-[12]\.\d+", w["name"]) for w in body["workers"])
    job = stack.create("ds_sales", "profile", chunk_rows=100, chunk_delay_ms=100)
    stack.wait_status(job["id"], "running")
    busy = wait_for(lambda: [w for w in stack.http.get("/queue").json()["workers"] if w["current_job"] == job["id"]],
                    5, what="a worker to report the job")
    assert busy[0]["state"] == "busy"
    assert stack.http.get("/queue").json()["running"] >= 1
    stack.http.post(f"/jobs/{job['id']}/cancel")
    stack.wait_status(job["id"], "cancelled")


def test_datasets(stack):
    items = stack.http.get("/datasets").json()["items"]
    by_id = {d["id"]: d for d in items}
    assert set(by_id) == {"ds_sales", "ds_sensors", "ds_customers", "ds_sensors_corrupt"}
    assert by_id["ds_sales"]["rows"] == 20000 and by_id["ds_sales"]["name"] == "sales.csv"
    assert by_id["ds_sales"]["columns"] == ["date", "region", "product", "quantity", "amount"]
    assert by_id["ds_sensors"]["rows"] == 50000 and by_id["ds_customers"]["rows"] == 5000
    assert all(d["size_bytes"] > 0 and d["created_at"] > 0 for d in items)


def test_passes_multiply_total(stack):
    job = stack.create("ds_customers", "validate", chunk_rows=5000, chunk_delay_ms=0, passes=3)
    done = stack.wait_status(job["id"], "succeeded")
    assert done["progress"]["total"] == done["progress"]["processed"] == 15000
    assert done["result"]["valid"] is True and done["result"]["rows_checked"] == 15000
    samples = stack.http.get(f"/jobs/{job['id']}/metrics").json()["samples"]
    assert [s["processed"] for s in samples] == [5000, 10000, 15000]


def test_metrics_keep_the_last_2000_samples(stack):
    job = stack.create("ds_customers", "profile", chunk_rows=2, chunk_delay_ms=0)
    done = stack.wait_status(job["id"], "succeeded", timeout=60)
    samples = stack.http.get(f"/jobs/{job['id']}/metrics").json()["samples"]
    assert len(samples) == 2000
    assert samples[-1]["processed"] == 5000 and samples[0]["processed"] == 2 * 501
    assert [s["processed"] for s in samples] == sorted(s["processed"] for s in samples)
    assert done["log_count"] > 5000


def test_note_must_be_encodable_text(stack):
    resp = stack.http.post("/jobs", content='{"dataset_id": "ds_sales", "kind": "profile", "params": {"note": "\\ud800"}}',
                           headers={"content-type": "application/json"})
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["body", "params", "note"]
