"""The ``log_burst`` job parameter: validation, the synthetic lines it adds after each chunk, and
that they are committed together with the chunk (one Lua call: the chunk's ``job.updated``
event and its metric sample with consecutive ``seq`` numbers in ``jb:events``, all its lines with
consecutive numbers in ``jb:logstream``).
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import WsClient, check_job

from jobs_backend import synthlog
from jobs_backend.models import LogLine

ANSI_OK = "\x1b[32mOK\x1b[0m"
ANSI_ANY = re.compile(r"\x1b\[[0-9;]*m")
BURST = 300
CHUNKS = 5  # ds_customers has 5,000 rows, read in chunks of 1,000


def all_logs(stack, job_id):
    lines, after = [], 0
    while True:
        body = stack.http.get(f"/jobs/{job_id}/logs", params={"after": after, "limit": 10000}).json()
        page = [LogLine.model_validate(x).model_dump() for x in body["lines"]]
        if not page:
            return lines
        lines += page
        after = page[-1]["n"]


def run(stack, **params):
    job = stack.create("ds_customers", "profile", chunk_rows=1000, chunk_delay_ms=0, **params)
    return job, stack.wait_status(job["id"], "succeeded", timeout=60)


def test_log_burst_defaults_to_zero_and_is_always_reported(stack):
    job = stack.create("ds_customers", "profile", chunk_delay_ms=0)
    assert job["params"]["log_burst"] == 0
    listed = stack.http.get("/jobs", params={"limit": 5000}).json()["items"]
    for j in listed:
        check_job(j)
        assert "log_burst" in j["params"]


@pytest.mark.parametrize("value", [-1, 10_001, 1.5, "many"])
def test_log_burst_out_of_range_is_422(stack, value):
    resp = stack.http.post("/jobs", json={"dataset_id": "ds_sales", "kind": "profile",
                                          "params": {"log_burst": value}})
    assert resp.status_code == 422, resp.text
    assert any(e["loc"][-1] == "log_burst" for e in resp.json()["detail"]), resp.text


def test_log_burst_upper_bound_is_accepted_and_bulk_start_takes_it(stack):
    resp = stack.http.post("/jobs", json={"dataset_id": "ds_sales", "kind": "profile",
                                          "params": {"log_burst": 10_000, "chunk_delay_ms": 60_000}})
    assert resp.status_code == 201, resp.text
    job = check_job(resp.json())
    assert job["params"]["log_burst"] == 10_000
    assert stack.http.post(f"/jobs/{job['id']}/cancel").status_code == 200
    bulk = stack.http.post("/jobs/bulk/start", json={"jobs": [
        {"dataset_id": "ds_sales", "kind": "profile", "params": {"log_burst": 7, "chunk_delay_ms": 60_000}},
        {"dataset_id": "ds_sales", "kind": "profile", "params": {"log_burst": 10_001}}]}).json()
    assert bulk["ok"] == 1 and bulk["failed"] == 1, bulk
    assert bulk["results"][0]["job"]["params"]["log_burst"] == 7
    assert "log_burst" in bulk["results"][1]["detail"]
    stack.http.post("/jobs/bulk/cancel", json={"ids": [bulk["results"][0]["id"]]})


def test_burst_lines_are_added_after_every_chunk_and_look_real(stack):
    _, plain = run(stack)
    job, done = run(stack, log_burst=BURST)
    assert done["params"]["log_burst"] == BURST
    assert done["log_count"] == plain["log_count"] + CHUNKS * BURST

    logs = all_logs(stack, job["id"])
    assert [x["n"] for x in logs] == list(range(1, done["log_count"] + 1)), "numbered without gaps"
    texts = [x["text"] for x in logs]
    # Each chunk's burst follows that chunk's own lines ("chunk i/n done", maybe "stats: ...")
    # and comes before the next chunk's.
    done_at = [i for i, t in enumerate(texts) if re.match(r"chunk \d+/\d+ done", t)]
    starts = [i for i, t in enumerate(texts) if re.fullmatch(r"burst \d+: .* started", t)]
    assert len(done_at) == len(starts) == CHUNKS
    for k, (i, b) in enumerate(zip(done_at, starts), start=1):
        assert i < b <= i + 2 and (k == CHUNKS or b + BURST <= done_at[k]), (k, i, b)
        burst = logs[b:b + BURST]
        assert burst[0]["text"] == f"burst {k}: {ANSI_OK} started", burst[0]
        expected = synthlog.burst(BURST, f"{job['id']}:1", k)
        assert [(x["level"], x["text"]) for x in burst] == expected

    burst_lines = [x for b in starts for x in logs[b:b + BURST]]
    levels = {lv: sum(1 for x in burst_lines if x["level"] == lv) for lv in ("DEBUG", "INFO", "WARNING", "ERROR")}
    assert all(levels.values()), levels
    assert levels["INFO"] > levels["WARNING"] > levels["ERROR"], levels
    assert sum(ANSI_OK in x["text"] for x in burst_lines) >= CHUNKS
    assert any("\x1b[38;5;" in x["text"] for x in burst_lines), "256-colour escapes"
    assert any("\x1b[38;2;" in x["text"] for x in burst_lines), "truecolour escapes"
    whole_json = [json.loads(x["text"]) for x in burst_lines if x["text"].startswith("{")]
    assert len(whole_json) >= CHUNKS and all(isinstance(o, dict) for o in whole_json)
    embedded = [x["text"] for x in burst_lines if re.search(r": \{\"", x["text"])]
    assert embedded, "JSON after a prefix"
    for t in embedded[:50]:
        json.loads(t[t.index("{"):])
    assert any(re.search(r"'[^']+'", x["text"]) and '"' in x["text"] for x in burst_lines), "quoted strings"
    assert any(re.search(r"\d+\.\d+ ms", x["text"]) for x in burst_lines), "numbers with units"
    for x in burst_lines:
        assert "\n" not in x["text"] and ANSI_ANY.sub("", x["text"]).isprintable(), x


def test_each_chunk_and_its_burst_are_one_atomic_ordered_commit(stack):
    _, plain = run(stack)
    plain_commits = plain["version"]
    job, done = run(stack, log_burst=BURST)
    # The burst adds lines, not commits: as many versions (one per commit) as without it.
    assert done["version"] == plain_commits

    # Job events and metric samples: jb:events, with consecutive seq numbers per commit.
    events = [(int(eid.split("-")[0]), f) for eid, f in stack.r.xrange("jb:events")
              if f["job_id"] == job["id"]]
    assert events[0][1]["type"] == "job.created"
    assert all(f["type"] != "log" for _, f in events), "log lines never enter the event stream"
    commits: list[list[tuple[int, dict]]] = []
    for seq, f in events:
        if f["type"].startswith("job."):
            commits.append([])
        commits[-1].append((seq, f))
    assert len(commits) == done["version"]
    # Log lines: jb:logstream, numbered by their own counter, in line order.
    entries = [(int(eid.split("-")[0]), f) for eid, f in stack.r.xrange("jb:logstream")
               if f["job_id"] == job["id"]]
    assert [int(f["n"]) for _, f in entries] == list(range(1, done["log_count"] + 1))
    assert all(json.loads(f["body"])["n"] == int(f["n"]) for _, f in entries)
    by_n = {int(f["n"]): (lseq, json.loads(f["body"])) for lseq, f in entries}
    last_n = 0
    bursts = 0
    for commit in commits:
        seqs = [s for s, _ in commit]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"commit not contiguous: {seqs}"
        types = [f["type"] for _, f in commit]
        assert types in ([types[0]], [types[0], "metric"]), types
        log_count = json.loads(commit[0][1]["body"])["log_count"]
        mine = [by_n[n] for n in range(last_n + 1, log_count + 1)]
        lseqs = [lseq for lseq, _ in mine]
        assert lseqs == list(range(lseqs[0], lseqs[0] + len(lseqs))) if lseqs else True, \
            "one commit's lines are consecutive in the log stream"
        if any(x["text"].startswith("burst ") for _, x in mine):
            bursts += 1
            assert types[-1] == "metric", "a burst travels with its chunk's metric sample"
            assert len(mine) > BURST
        last_n = log_count
    assert bursts == CHUNKS
    assert last_n == done["log_count"]


def test_log_subscription_delivers_every_burst_line_once_in_order(stack):
    job = stack.create("ds_customers", "profile", chunk_rows=1000, chunk_delay_ms=50, log_burst=2000)
    with WsClient(stack.ws_url) as ws:
        ws.recv()  # hello
        ws.send({"type": "subscribe_logs", "job_id": job["id"], "after_line": 0})
        total = stack.wait_status(job["id"], "succeeded", timeout=60)["log_count"]
        frames = ws.until(lambda f: f["type"] == "log" and f["line"]["n"] >= total, timeout=60)
    got = [f["line"]["n"] for f in frames if f["type"] == "log"]
    assert got == list(range(1, total + 1)), "every line once, in order"
    assert total > CHUNKS * 2000
