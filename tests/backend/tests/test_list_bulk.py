"""Listing (filters, sort, paging, counts, seq), bulk actions and input validation.

This module's stack has no workers, so job states are exactly what the tests make them: jobs
stay queued unless a test runs one in-process with ``tasks.run_job`` (the RQ job function) or
plays the worker's part through the store.
"""

from __future__ import annotations

import pytest
from conftest import check_job, running_stack

from jobs_backend import jobdoc, tasks
from jobs_backend.config import Settings
from jobs_backend.models import BulkResponse, JobList
from jobs_backend.store import Change, JobStore


@pytest.fixture(scope="module")
def nw(data_dir, tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("noworkers"), data_dir, workers=0) as s:
        yield s


@pytest.fixture(scope="module")
def store(nw):
    return JobStore(nw.redis_server.url)


def run_inline(nw, job_id: str, attempt: int = 1) -> str:
    """Run the RQ job function in this process, as a worker would."""
    tasks._settings = Settings(redis_url=nw.redis_server.url, data_dir=nw.data_dir)
    tasks._store = JobStore(nw.redis_server.url)
    try:
        return tasks.run_job(job_id, attempt)
    except Exception as e:  # the task re-raises job failures for RQ; the job is marked failed already
        return f"raised {type(e).__name__}"


def play_running(store: JobStore, job_id: str) -> dict:
    def fn(job):
        jobdoc.to_running(job, "worker-9.1", jobdoc.now_ms())
        return Change(job)
    return store.mutate(job_id, fn)[0]


@pytest.fixture(scope="module")
def population(nw, store):
    """A known set of jobs: 4 queued, 2 succeeded, 2 failed, 1 cancelled, 1 running."""
    c = nw.create
    jobs = {
        "q_sales_profile": c("ds_sales", "profile"),
        "q_sales_validate": c("ds_sales", "validate"),
        "q_sensors_profile": c("ds_sensors", "profile"),
        "ok_customers": c("ds_customers", "profile", chunk_rows=5000, chunk_delay_ms=0),
        "ok_customers_validate": c("ds_customers", "validate", chunk_rows=5000, chunk_delay_ms=0),
        "bad_corrupt": c("ds_sensors_corrupt", "validate", chunk_rows=10000, chunk_delay_ms=0),
        "bad_failat": c("ds_customers", "profile", chunk_rows=1000, chunk_delay_ms=0, fail_at=0.4),
        "cancelled": c("ds_sales", "profile"),
        "running": c("ds_sensors", "validate"),
        "q_customers": c("ds_customers", "profile"),
    }
    assert run_inline(nw, jobs["ok_customers"]["id"]) == "succeeded"
    assert run_inline(nw, jobs["ok_customers_validate"]["id"]) == "succeeded"
    assert run_inline(nw, jobs["bad_corrupt"]["id"]) == "raised ValueError"
    assert run_inline(nw, jobs["bad_failat"]["id"]) == "raised RuntimeError"
    assert nw.http.post(f"/jobs/{jobs['cancelled']['id']}/cancel").json()["status"] == "cancelled"
    play_running(store, jobs["running"]["id"])
    return {k: v["id"] for k, v in jobs.items()}


def listing(nw, **params) -> dict:
    resp = nw.http.get("/jobs", params=params)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    JobList.model_validate(body)
    for j in body["items"]:
        check_job(j)
    return body


def ids(body) -> list[str]:
    return [j["id"] for j in body["items"]]


def test_list_counts_total_seq(nw, population):
    body = listing(nw)
    assert body["total"] == 10 and body["offset"] == 0 and body["limit"] == 500
    assert body["counts"] == {"queued": 4, "running": 1, "cancelling": 0, "succeeded": 2, "failed": 2,
                              "cancelled": 1}
    assert body["seq"] == nw.seq()
    created_order = list(population.values())
    assert ids(body) == created_order[::-1]  # newest first by default
    assert ids(listing(nw, sort="oldest")) == created_order


def test_list_filters(nw, population):
    p = population
    assert set(ids(listing(nw, status="failed"))) == {p["bad_corrupt"], p["bad_failat"]}
    both = {p["bad_corrupt"], p["bad_failat"], p["running"]}
    assert set(ids(listing(nw, status="failed,running"))) == both
    assert set(ids(listing(nw, status=["failed", "running"]))) == both
    assert set(ids(listing(nw, dataset="ds_sales"))) == {p["q_sales_profile"], p["q_sales_validate"], p["cancelled"]}
    assert set(ids(listing(nw, kind="validate"))) == {p["q_sales_validate"], p["ok_customers_validate"],
                                                     p["bad_corrupt"], p["running"]}
    assert set(ids(listing(nw, dataset="ds_customers", kind="profile", status="succeeded"))) == {p["ok_customers"]}
    # q: id, dataset name, kind, error message; case-insensitive
    assert ids(listing(nw, q=p["running"][4:10].upper())) == [p["running"]]
    assert set(ids(listing(nw, q="SENSORS_CORRUPT"))) == {p["bad_corrupt"]}
    assert set(ids(listing(nw, q="could not convert 'N/A'"))) == {p["bad_corrupt"]}
    assert set(ids(listing(nw, q="fail_at="))) == {p["bad_failat"]}
    assert len(ids(listing(nw, q="VALIDATE"))) == 4
    filtered = listing(nw, status="queued")
    assert filtered["total"] == 4 and filtered["counts"]["succeeded"] == 2, "counts ignore filters"


def test_list_sort_and_paging(nw, population):
    p = population
    by_status = [j["status"] for j in listing(nw, sort="status")["items"]]
    assert by_status == ["running"] + ["queued"] * 4 + ["failed"] * 2 + ["cancelled"] + ["succeeded"] * 2
    by_progress = listing(nw, sort="progress")["items"]
    frac = [j["progress"]["processed"] / j["progress"]["total"] if j["progress"]["total"] else 0 for j in by_progress]
    assert frac == sorted(frac, reverse=True) and frac[0] == 1.0
    assert {j["id"] for j in by_progress[:2]} == {p["ok_customers"], p["ok_customers_validate"]}
    everything = ids(listing(nw))
    pages = [ids(listing(nw, offset=o, limit=3)) for o in (0, 3, 6, 9)]
    assert sum(pages, []) == everything and [len(x) for x in pages] == [3, 3, 3, 1]
    last = listing(nw, offset=9, limit=3)
    assert last["total"] == 10 and last["offset"] == 9 and last["limit"] == 3
    assert listing(nw, offset=50)["items"] == []


@pytest.mark.parametrize("params,loc", [
    ({"limit": 0}, ["query", "limit"]), ({"limit": 5001}, ["query", "limit"]), ({"offset": -1}, ["query", "offset"]),
    ({"sort": "random"}, ["query", "sort"]), ({"status": "done"}, ["query", "status"]),
    ({"status": "queued,nope"}, ["query", "status"]), ({"kind": "export"}, ["query", "kind"]),
])
def test_list_bad_params_422(nw, params, loc):
    resp = nw.http.get("/jobs", params=params)
    assert resp.status_code == 422
    assert resp.json()["detail"][0]["loc"] == loc


# ------------------------------------------------------------------ create validation

def state(nw) -> tuple[int, int]:
    return nw.seq(), nw.r.zcard("jb:jobs")


@pytest.mark.parametrize("body,loc", [
    ({"dataset_id": "ds_sales", "kind": "export"}, ["body", "kind"]),
    ({"dataset_id": "ds_sales"}, ["body", "kind"]),
    ({"kind": "profile"}, ["body", "dataset_id"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": {"chunk_rows": 0}}, ["body", "params", "chunk_rows"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": {"chunk_rows": 100001}}, ["body", "params", "chunk_rows"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": {"chunk_delay_ms": -1}}, ["body", "params", "chunk_delay_ms"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": {"fail_at": 2}}, ["body", "params", "fail_at"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": {"fail_at": 0}}, ["body", "params", "fail_at"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": {"passes": 1001}}, ["body", "params", "passes"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": {"note": "x" * 2001}}, ["body", "params", "note"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": {"chunk_size": 5}}, ["body", "params", "chunk_size"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": "fast"}, ["body", "params"]),
])
def test_create_bad_params_422_changes_nothing(nw, body, loc):
    before = state(nw)
    resp = nw.http.post("/jobs", json=body)
    assert resp.status_code == 422
    assert loc in [e["loc"] for e in resp.json()["detail"]]
    assert all({"loc", "msg", "type"} <= set(e) for e in resp.json()["detail"])
    assert state(nw) == before


def test_create_malformed_json_422(nw):
    before = state(nw)
    for raw in ['{"dataset_id": "ds_sales", "kind":', "not json", ""]:
        resp = nw.http.post("/jobs", content=raw, headers={"content-type": "application/json"})
        assert resp.status_code == 422, raw
        assert isinstance(resp.json()["detail"], list)
    assert state(nw) == before


def test_create_unknown_dataset_404(nw):
    before = state(nw)
    for ds in ["ds_nope", "sales", "ds_../sales", "ds_sales.csv"]:
        resp = nw.http.post("/jobs", json={"dataset_id": ds, "kind": "profile"})
        assert resp.status_code == 404 and resp.json() == {"detail": f"dataset {ds} not found"}
    assert state(nw) == before


def test_create_event_and_enqueue(nw):
    seq = nw.seq()
    job = nw.create("ds_sales", "validate", passes=3, note="hi")
    assert nw.seq() == seq + 1
    entry = nw.r.xrange("jb:events", f"{seq + 1}-0", f"{seq + 1}-0")[0][1]
    assert entry["type"] == "job.created" and entry["job_id"] == job["id"]
    assert f"{job['id']}-a1" in nw.r.lrange("rq:queue:jobs", 0, -1)
    nw.http.post(f"/jobs/{job['id']}/cancel")


# ------------------------------------------------------------------ cancel specifics

def test_cancel_is_idempotent_while_cancelling(nw, store):
    job = nw.create("ds_sales", "profile")
    play_running(store, job["id"])
    first = nw.http.post(f"/jobs/{job['id']}/cancel")
    assert first.status_code == 200 and first.json()["status"] == "cancelling"
    seq = nw.seq()
    second = nw.http.post(f"/jobs/{job['id']}/cancel")
    assert second.status_code == 200 and second.json() == first.json() and nw.seq() == seq
    # a worker picking up a stale RQ job of a cancelled job does nothing
    other = nw.create("ds_customers", "profile", chunk_rows=5000, chunk_delay_ms=0)
    nw.http.post(f"/jobs/{other['id']}/cancel")
    seq = nw.seq()
    assert run_inline(nw, other["id"]) == "skipped"
    assert nw.job(other["id"])["status"] == "cancelled" and nw.seq() == seq


# ------------------------------------------------------------------ bulk

def bulk(nw, action, body) -> dict:
    resp = nw.http.post(f"/jobs/bulk/{action}", json=body)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    BulkResponse.model_validate(out)
    assert out["ok"] + out["failed"] == len(out["results"])
    assert [r["index"] for r in out["results"]] == list(range(len(out["results"])))
    for r in out["results"]:
        assert (r["job"] is not None) == r["ok"] and (r["detail"] is None) == r["ok"]
        if r["job"]:
            check_job(r["job"])
    return out


def test_bulk_start_per_item_results(nw):
    before = nw.r.zcard("jb:jobs")
    out = bulk(nw, "start", {"jobs": [
        {"dataset_id": "ds_sales", "kind": "profile", "params": {"chunk_rows": 1000}},
        {"dataset_id": "ds_sales", "kind": "explode"},
        {"dataset_id": "ds_missing", "kind": "profile"},
        "not an object",
        {"dataset_id": "ds_sensors", "kind": "validate", "params": {"chunk_rows": 0}},
        {"dataset_id": "ds_customers", "kind": "validate"},
    ]})
    res = out["results"]
    assert [r["ok"] for r in res] == [True, False, False, False, False, True]
    assert [r["status_code"] for r in res] == [201, 422, 404, 422, 422, 201]
    assert out["ok"] == 2 and out["failed"] == 4
    assert res[0]["id"] == res[0]["job"]["id"] and res[0]["job"]["params"]["chunk_rows"] == 1000
    assert res[1]["id"] is None and "kind" in res[1]["detail"]
    assert res[2]["detail"] == "dataset ds_missing not found"
    assert "params.chunk_rows" in res[4]["detail"]
    assert nw.r.zcard("jb:jobs") == before + 2
    bulk(nw, "cancel", {"ids": [res[0]["id"], res[5]["id"]]})


def test_bulk_cancel_ids_and_filter(nw, store):
    a, b, c = (nw.create("ds_sensors", "profile") for _ in range(3))
    play_running(store, c["id"])
    nw.http.post(f"/jobs/{b['id']}/cancel")
    out = bulk(nw, "cancel", {"ids": [a["id"], "job_ffffffffffff", b["id"], c["id"], a["id"]]})
    res = out["results"]
    assert [(r["id"], r["ok"], r["status_code"]) for r in res] == [
        (a["id"], True, 200), ("job_ffffffffffff", False, 404), (b["id"], False, 409), (c["id"], True, 200),
        (a["id"], False, 409)]
    assert res[0]["job"]["status"] == "cancelled" and res[3]["job"]["status"] == "cancelling"
    assert res[2]["detail"] == "job is already cancelled"

    # filter scope: resolved at request time, one result per matched job
    x, y = nw.create("ds_customers", "validate"), nw.create("ds_customers", "validate")
    z = nw.create("ds_customers", "profile")
    out = bulk(nw, "cancel", {"filter": {"status": ["queued"], "dataset": "ds_customers", "kind": "validate",
                                         "q": None}})
    assert {r["id"] for r in out["results"]} == {x["id"], y["id"]} and out["ok"] == 2
    assert nw.job(z["id"])["status"] == "queued"
    out = bulk(nw, "cancel", {"filter": {"status": ["queued"], "dataset": "ds_nothing"}})
    assert out == {"results": [], "ok": 0, "failed": 0}
    nw.http.post(f"/jobs/{z['id']}/cancel")


def test_bulk_retry(nw, population):
    p = population
    out = bulk(nw, "retry", {"ids": [p["bad_corrupt"], p["q_sales_profile"], p["ok_customers"]]})
    assert [(r["ok"], r["status_code"]) for r in out["results"]] == [(True, 200), (False, 409), (False, 409)]
    job = out["results"][0]["job"]
    assert job["attempt"] == 2 and job["status"] == "queued" and len(job["attempts"]) == 2
    assert f"{p['bad_corrupt']}-a2" in nw.r.lrange("rq:queue:jobs", 0, -1)
    # by filter: every cancelled job is retried
    cancelled = set(ids(listing(nw, status="cancelled")))
    out = bulk(nw, "retry", {"filter": {"status": ["cancelled"]}})
    assert {r["id"] for r in out["results"]} == cancelled and out["failed"] == 0
    assert all(r["job"]["status"] == "queued" for r in out["results"])
    bulk(nw, "cancel", {"ids": [r["id"] for r in out["results"]] + [p["bad_corrupt"]]})


@pytest.mark.parametrize("action,body", [
    ("cancel", {"ids": ["job_1"], "filter": {"status": ["queued"]}}),
    ("cancel", {}),
    ("retry", {"ids": []}),
    ("retry", {"ids": "job_1"}),
    ("cancel", {"filter": {"status": ["bogus"]}}),
    ("cancel", {"filter": {"colour": "red"}}),
    ("cancel", {"ids": ["job_x"] * 10001}),
    ("start", {"jobs": []}),
    ("start", {}),
    ("start", {"jobs": [{"dataset_id": "ds_sales", "kind": "profile"}] * 1001}),
    ("start", [1, 2]),
])
def test_bulk_malformed_422(nw, action, body):
    before = state(nw)
    resp = nw.http.post(f"/jobs/bulk/{action}", json=body)
    assert resp.status_code == 422
    assert state(nw) == before


def test_bulk_malformed_json_422(nw):
    resp = nw.http.post("/jobs/bulk/cancel", content="{oops", headers={"content-type": "application/json"})
    assert resp.status_code == 422
