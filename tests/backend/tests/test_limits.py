"""Input limits and validation: body size (413), WebSocket message size (1009), log subscriptions
per connection, CORS and WebSocket origins, ids and query bounds; errors are JSON, never markup."""

from __future__ import annotations

import json

import httpx
import pytest
from conftest import WsClient, running_stack
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from jobs_backend.config import Settings, parse_origins

BODY_MAX = 64 * 1024
WS_MAX = 4096
MAX_SUBS = 3
APP = "http://app.example:8080"
OTHER = "http://evil.example"


@pytest.fixture(scope="module")
def lim(data_dir, tmp_path_factory):
    # No workers: jobs stay queued, so every job's log holds exactly what the API wrote.
    with running_stack(tmp_path_factory.mktemp("limits"), data_dir, workers=0, max_body_bytes=BODY_MAX,
                       ws_max_message_bytes=WS_MAX, ws_max_log_subscriptions=MAX_SUBS,
                       cors_origins=f"{APP}, http://second.example/") as s:
        yield s


def assert_json_error(resp: httpx.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["x-content-type-options"] == "nosniff"
    return resp.json()


def bulk_body(n: int) -> dict:
    return {"jobs": [{"dataset_id": "ds_sales", "kind": "profile", "params": {"chunk_delay_ms": 60_000}}] * n}


# ------------------------------------------------------------------ request body size

def test_body_over_the_limit_is_413_and_changes_nothing(lim):
    before = lim.http.get("/jobs").json()["total"]
    body = json.dumps(bulk_body(1000)).encode()
    assert len(body) > BODY_MAX
    resp = lim.http.post("/jobs/bulk/start", content=body, headers={"content-type": "application/json"})
    detail = assert_json_error(resp, 413)["detail"]
    assert str(BODY_MAX) in detail and "too large" in detail
    # the same without a declared length (chunked): counted while it arrives
    chunks = (body[i:i + 8192] for i in range(0, len(body), 8192))
    resp = lim.http.post("/jobs/bulk/start", content=chunks, headers={"content-type": "application/json"})
    assert "content-length" not in resp.request.headers
    assert_json_error(resp, 413)
    assert lim.http.get("/jobs").json()["total"] == before, "nothing was created"


def test_body_at_the_limit_is_accepted(lim):
    item = json.dumps(bulk_body(1)["jobs"][0])
    n = (BODY_MAX - 20) // (len(item) + 2)  # items joined by ", "
    body = json.dumps(bulk_body(n)).encode()
    assert BODY_MAX - 200 < len(body) <= BODY_MAX
    resp = lim.http.post("/jobs/bulk/start", content=body, headers={"content-type": "application/json"})
    assert resp.status_code == 200 and resp.json()["ok"] == n, resp.text[:300]
    ids = [r["id"] for r in resp.json()["results"]]
    assert lim.http.post("/jobs/bulk/cancel", json={"ids": ids}).json()["ok"] == n


def test_413_carries_cors_headers_for_an_allowed_origin(lim):
    resp = lim.http.post("/jobs", content=b"x" * (BODY_MAX + 1),
                         headers={"content-type": "application/json", "origin": APP})
    assert_json_error(resp, 413)
    assert resp.headers["access-control-allow-origin"] == APP


def test_default_body_limit_is_one_mib():
    assert Settings().max_body_bytes == 1 << 20


# ------------------------------------------------------------------ CORS

def preflight(s, origin: str) -> httpx.Response:
    return s.http.options("/jobs", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                            "Access-Control-Request-Headers": "content-type"})


def test_cors_allows_configured_origins_only(lim):
    for origin in (APP, "http://second.example"):  # a trailing slash in the setting is dropped
        ok = preflight(lim, origin)
        assert ok.status_code == 200, ok.text
        assert ok.headers["access-control-allow-origin"] == origin
        assert "access-control-allow-credentials" not in ok.headers
        assert lim.http.get("/datasets", headers={"Origin": origin}).headers["access-control-allow-origin"] == origin
    refused = preflight(lim, OTHER)
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    simple = lim.http.get("/datasets", headers={"Origin": OTHER})
    assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers


def test_no_cors_origins_means_same_origin_only(stack):
    pre = preflight(stack, APP)
    assert pre.status_code == 400 and "access-control-allow-origin" not in pre.headers
    assert "access-control-allow-origin" not in stack.http.get("/datasets", headers={"Origin": APP}).headers
    assert Settings().cors_origins == () and Settings.from_env().cors_origins == ()


@pytest.mark.parametrize("raw,expected", [
    ("", ()), (" , ", ()), ("*", ("*",)),
    ("http://a.example:8080/, https://b.example", ("http://a.example:8080", "https://b.example")),
])
def test_cors_origins_setting_parses(raw, expected):
    assert parse_origins(raw) == expected


@pytest.mark.parametrize("raw", ["a.example", "http://a.example/app", "ftp://a.example", "http://u@a.example",
                                 "http://a.example?x=1"])
def test_cors_origins_setting_refuses_what_could_never_match(raw):
    with pytest.raises(ValueError, match="CORS_ORIGINS"):
        parse_origins(raw)


def ws_close(url: str, **kw) -> tuple[int | None, str, list[dict]]:
    frames = []
    with connect(url, open_timeout=10, close_timeout=2, **kw) as ws:
        try:
            while True:
                frames.append(json.loads(ws.recv(timeout=5)))
                if frames[-1]["type"] == "hello":
                    return None, "", frames
        except ConnectionClosed as e:
            return (e.rcvd.code if e.rcvd else None), (e.rcvd.reason if e.rcvd else ""), frames


def test_websocket_refuses_foreign_browser_origins(lim):
    assert ws_close(lim.ws_url, origin=OTHER) == (4403, "origin not allowed", [])
    assert ws_close(lim.ws_url, origin=APP)[2][0]["type"] == "hello"
    own = f"http://127.0.0.1:{lim.api_port}"  # the API's own origin
    assert ws_close(lim.ws_url, origin=own)[2][0]["type"] == "hello"
    assert ws_close(lim.ws_url)[2][0]["type"] == "hello", "no Origin: not a browser, not refused"


# ------------------------------------------------------------------ WebSocket messages

def test_websocket_message_over_the_limit_closes_with_1009(lim):
    with WsClient(lim.ws_url) as ws:
        ws.recv()
        ws.send("x" * WS_MAX)  # at the limit: only a bad frame
        assert "invalid JSON" in ws.until(lambda f: f["type"] == "error", 3)[-1]["detail"]
        ws.send(json.dumps({"type": "subscribe_logs", "job_id": "job_x", "pad": "é" * (WS_MAX // 2)}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.until(lambda f: False, 5)
    assert closed.value.rcvd.code == 1009 and str(WS_MAX) in closed.value.rcvd.reason


def test_binary_message_over_the_limit_closes_with_1009(lim):
    with WsClient(lim.ws_url) as ws:
        ws.recv()
        ws.send(b"\x00" * (WS_MAX + 1))
        with pytest.raises(ConnectionClosed) as closed:
            ws.until(lambda f: False, 5)
    assert closed.value.rcvd.code == 1009


# ------------------------------------------------------------------ log subscriptions per connection

def errors_until_marker(ws: WsClient) -> list[str]:
    """Error frames up to the one a deliberate bad frame provokes (so "no error" is observable)."""
    ws.send("marker")
    frames = ws.until(lambda f: f["type"] == "error" and "invalid JSON" in f["detail"], 5)
    return [f["detail"] for f in frames[:-1] if f["type"] == "error"]


def test_log_subscriptions_are_capped_per_connection(lim):
    jobs = [lim.create("ds_sales", "profile", chunk_delay_ms=60_000) for _ in range(MAX_SUBS + 1)]
    ids = [j["id"] for j in jobs]
    with WsClient(lim.ws_url) as ws:
        ws.recv()
        for job_id in ids[:MAX_SUBS]:
            ws.send({"type": "subscribe_logs", "job_id": job_id, "after_line": 0})
        assert errors_until_marker(ws) == []
        ws.send({"type": "subscribe_logs", "job_id": ids[-1], "after_line": 0})
        refused = errors_until_marker(ws)
        assert len(refused) == 1 and f"at most {MAX_SUBS}" in refused[0] and ids[-1] in refused[0], refused
        # re-subscribing to a job already subscribed replaces it: not one more
        ws.send({"type": "subscribe_logs", "job_id": ids[0], "after_line": 0})
        assert errors_until_marker(ws) == []
        # the existing subscriptions are unaffected: a new line of each arrives live
        for job_id in ids[:MAX_SUBS]:
            assert lim.http.post(f"/jobs/{job_id}/cancel").status_code == 200
        live = ws.until(lambda f: {x["job_id"] for x in ws.frames if x["type"] == "log"
                                   and "cancelled" in x["line"]["text"]} == set(ids[:MAX_SUBS]), 10)
        assert not [f for f in live if f["type"] == "log" and f["job_id"] == ids[-1]]
        # after an unsubscribe there is room again
        ws.send({"type": "unsubscribe_logs", "job_id": ids[1]})
        ws.send({"type": "subscribe_logs", "job_id": ids[-1], "after_line": 0})
        assert errors_until_marker(ws) == []
    lim.http.post(f"/jobs/{ids[-1]}/cancel")


@pytest.mark.parametrize("frame,needle", [
    ({"type": "subscribe_logs", "job_id": "job_1\n", "after_line": 0}, "job_id"),
    ({"type": "subscribe_logs", "job_id": "<img src=x>", "after_line": 0}, "job_id"),
    ({"type": "subscribe_logs", "job_id": "j" * 129, "after_line": 0}, "job_id"),
    ({"type": "subscribe_logs", "job_id": "job_x", "after_line": 2**63}, "after_line"),
    ({"type": "subscribe_logs", "job_id": "job_x", "after_line": "7"}, "after_line"),
    ({"type": "subscribe_logs", "job_id": "job_x", "after_line": 0, "extra": 1}, "extra"),
    ({"type": "unsubscribe_logs", "job_id": 5}, "job_id"),
])
def test_malformed_client_frames_get_an_error_frame(lim, frame, needle):
    with WsClient(lim.ws_url) as ws:
        ws.recv()
        ws.send(frame)
        err = ws.until(lambda f: f["type"] == "error", 3)[-1]
        assert needle in err["detail"]
        assert errors_until_marker(ws) == [], "the connection still works"


@pytest.mark.parametrize("after", ["-1", "x", str(2**63)])
def test_websocket_after_out_of_range_is_refused_at_the_handshake(lim, after):
    with pytest.raises(Exception) as refused:
        ws_close(f"{lim.ws_url}?after={after}")
    assert "403" in str(refused.value)


# ------------------------------------------------------------------ HTTP validation

@pytest.mark.parametrize("path", [
    "/jobs/job_1%0Ax", "/jobs/%3Cscript%3E", "/jobs/" + "j" * 129, "/jobs/a.b/logs",
    "/jobs/job_%22x/logs/download", "/jobs/job%20x/metrics",
])
def test_malformed_job_ids_are_422(lim, path):
    body = assert_json_error(lim.http.get(path), 422)
    assert body["detail"][0]["loc"] == ["path", "job_id"]


def test_malformed_job_ids_in_actions_are_422(lim):
    for action in ("cancel", "retry"):
        assert_json_error(lim.http.post(f"/jobs/bad%20id/{action}"), 422)


@pytest.mark.parametrize("params,field", [
    ({"q": "x" * 1001}, "q"), ({"dataset": "d" * 129}, "dataset"), ({"offset": 2**63}, "offset"),
    ({"offset": -1}, "offset"), ({"limit": 0}, "limit"), ({"limit": 5001}, "limit"),
    ({"status": "running,bogus"}, "status"), ({"kind": "<b>"}, "kind"), ({"sort": "random"}, "sort"),
])
def test_list_query_bounds(lim, params, field):
    body = assert_json_error(lim.http.get("/jobs", params=params), 422)
    assert body["detail"][0]["loc"][-1] == field


@pytest.mark.parametrize("params,field", [
    ({"after": -1}, "after"), ({"after": 2**63}, "after"), ({"before": 0}, "before"),
    ({"tail": 10_001}, "tail"), ({"limit": 10_001}, "limit"), ({"after": "1e3"}, "after"),
])
def test_log_query_bounds(lim, params, field):
    job = lim.create("ds_sales", "profile", chunk_delay_ms=60_000)
    body = assert_json_error(lim.http.get(f"/jobs/{job['id']}/logs", params=params), 422)
    assert body["detail"][0]["loc"][-1] == field
    lim.http.post(f"/jobs/{job['id']}/cancel")


@pytest.mark.parametrize("body,loc", [
    ({"dataset_id": "", "kind": "profile"}, ["body", "dataset_id"]),
    ({"dataset_id": "d" * 129, "kind": "profile"}, ["body", "dataset_id"]),
    ({"dataset_id": 7, "kind": "profile"}, ["body", "dataset_id"]),
    ({"dataset_id": "ds_sales", "kind": "<script>"}, ["body", "kind"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": {"chunk_rows": 0}}, ["body", "params", "chunk_rows"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": {"note": "n" * 2001}}, ["body", "params", "note"]),
    ({"dataset_id": "ds_sales", "kind": "profile", "params": []}, ["body", "params"]),
])
def test_create_validation_rejects(lim, body, loc):
    before = lim.http.get("/jobs").json()["total"]
    detail = assert_json_error(lim.http.post("/jobs", json=body), 422)["detail"]
    assert detail[0]["loc"] == loc, detail
    assert lim.http.get("/jobs").json()["total"] == before


def test_bulk_scope_ids_and_filter_bounds(lim):
    job = lim.create("ds_sales", "profile", chunk_delay_ms=60_000)
    out = lim.http.post("/jobs/bulk/cancel", json={"ids": ["bad id", job["id"], "<i>x</i>"]}).json()
    assert [r["status_code"] for r in out["results"]] == [422, 200, 422]
    assert out["results"][0]["detail"].startswith("ids.0: not a job id")
    assert out["results"][1]["job"]["status"] == "cancelled", "one bad item never fails the others"
    assert_json_error(lim.http.post("/jobs/bulk/cancel", json={"ids": ["j" * 129]}), 422)
    assert_json_error(lim.http.post("/jobs/bulk/retry", json={"filter": {"q": "x" * 1001}}), 422)
    assert_json_error(lim.http.post("/jobs/bulk/retry", json={"filter": {"status": ["failed"] * 7}}), 422)


def test_errors_are_json_and_never_echo_markup_as_html(lim):
    probe = "<script>alert(1)</script>"
    for resp in (lim.http.get(f"/nope/{probe}"), lim.http.get(f"/jobs/job_000000000000/{probe}"),
                 lim.http.put("/jobs"), lim.http.get("/jobs/job_000000000000")):
        assert resp.status_code in (404, 405), resp.text
        assert resp.headers["content-type"] == "application/json", resp.headers
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert isinstance(resp.json()["detail"], str)
    bad = lim.http.post("/jobs", content=b'{"dataset_id": "' + probe.encode() + b'", "kind": 1',
                        headers={"content-type": "application/json"})
    assert_json_error(bad, 422)


def test_log_download_is_plain_text_with_nosniff(lim):
    job = lim.create("ds_sales", "profile", chunk_delay_ms=60_000)
    lim.http.post(f"/jobs/{job['id']}/cancel")
    resp = lim.http.get(f"/jobs/{job['id']}/logs/download")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/plain; charset=utf-8"
    assert resp.headers["x-content-type-options"] == "nosniff"
