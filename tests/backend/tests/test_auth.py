"""Auth mode (``API_TOKENS``): 401 on every HTTP route without a good bearer token, CORS preflight
without one, WebSocket close 4401, revocation through the Redis set ``auth:revoked``, and tokens
kept out of the log."""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest
from conftest import WsClient, running_stack, wait_for
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from jobs_backend.auth import REVOKED_KEY, RedactTokens
from jobs_backend.config import Settings

HARNESS = "harness-token"  # what the fixture's own client sends; never revoked
SHELL = "http://shell.example"  # the platform shell's origin, allowed by CORS_ORIGINS


@pytest.fixture(scope="module")
def auth_stack(data_dir, tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("auth"), data_dir, workers=1, token=HARNESS,
                       api_tokens=f"{HARNESS},t1, t2", cors_origins=SHELL) as s:
        yield s


def routes(job_id: str) -> list[tuple[str, str, dict | None]]:
    """Every HTTP route of docs/api.md (and an unknown one: no route list leaks without a token)."""
    scope = {"ids": [job_id]}
    return [
        ("GET", "/jobs", None), ("GET", f"/jobs/{job_id}", None),
        ("POST", "/jobs", {"dataset_id": "ds_customers", "kind": "profile"}),
        ("POST", "/jobs/bulk/start", {"jobs": [{"dataset_id": "ds_customers", "kind": "profile"}]}),
        ("POST", "/jobs/bulk/cancel", scope), ("POST", "/jobs/bulk/retry", scope),
        ("POST", f"/jobs/{job_id}/cancel", {}), ("POST", f"/jobs/{job_id}/retry", {}),
        ("GET", f"/jobs/{job_id}/logs?tail=5", None), ("GET", f"/jobs/{job_id}/logs/download", None),
        ("GET", f"/jobs/{job_id}/metrics", None), ("GET", "/stats", None), ("GET", "/queue", None),
        ("GET", "/datasets", None), ("GET", "/no-such-route", None),
    ]


def call(s, method: str, path: str, body, headers: dict) -> httpx.Response:
    # A bare client: the fixture's own one sends the harness token.
    with httpx.Client(base_url=s.base + "/api/v1", timeout=10) as c:
        return c.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("headers, detail", [
    ({}, "authentication required"),
    ({"Authorization": "Bearer wrong"}, "invalid token"),
    ({"Authorization": f"Basic {HARNESS}"}, "authentication required"),
    ({"Authorization": "Bearer"}, "authentication required"),
])
def test_every_route_needs_a_good_bearer_token(auth_stack, headers, detail):
    s = auth_stack
    job = s.create(chunk_rows=5000, chunk_delay_ms=0)
    created = s.http.get("/jobs").json()["total"]
    for method, path, body in routes(job["id"]):
        resp = call(s, method, path, body, headers)
        assert resp.status_code == 401, (method, path, resp.text)
        assert resp.headers["www-authenticate"].startswith("Bearer"), (method, path)
        assert resp.json()["detail"].startswith(detail), (method, path, resp.text)
    assert s.http.get("/jobs").json()["total"] == created, "a refused POST must not have run"


def test_good_tokens_pass_and_the_scheme_is_case_insensitive(auth_stack):
    s = auth_stack
    job = s.create(chunk_rows=5000, chunk_delay_ms=0)
    for token in ("t1", "t2"):
        for scheme in ("Bearer", "bearer"):
            resp = call(s, "GET", f"/jobs/{job['id']}", None, {"Authorization": f"{scheme} {token}"})
            assert resp.status_code == 200, resp.text
    # outside /api/v1: the OpenAPI document stays public
    assert httpx.get(s.base + "/openapi.json").status_code == 200


def test_cors_preflight_needs_no_token_and_a_401_carries_cors_headers(auth_stack):
    s = auth_stack
    pre = call(s, "OPTIONS", "/jobs", None, {"Origin": SHELL,
                                              "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "authorization, content-type"})
    assert pre.status_code == 200, pre.text
    allowed = {h.strip().lower() for h in pre.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert "access-control-allow-credentials" not in pre.headers
    # only the headers the app sends are allowed
    other = call(s, "OPTIONS", "/jobs", None, {"Origin": SHELL,
                                                "Access-Control-Request-Method": "GET",
                                                "Access-Control-Request-Headers": "x-anything"})
    assert other.status_code == 400
    # the browser can read the 401 (it would otherwise look like a network failure)
    refused = call(s, "GET", "/jobs", None, {"Origin": SHELL})
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == SHELL
    assert "access-control-expose-headers" not in refused.headers


def ws_close_code(url: str, timeout: float = 5) -> tuple[int, str, list[dict]]:
    """Connects, reads until the server closes; returns the close code, reason and frames read."""
    frames = []
    with connect(url, open_timeout=10, close_timeout=2) as ws:
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                frames.append(json.loads(ws.recv(timeout=deadline - time.monotonic())))
        except ConnectionClosed as e:
            return e.rcvd.code, e.rcvd.reason, frames
        except TimeoutError:
            pass
    raise AssertionError(f"the server did not close within {timeout}s; frames: {frames[:3]}")


@pytest.mark.parametrize("query", ["?after=0", "?after=0&token=wrong", "?token="])
def test_websocket_without_a_good_token_is_accepted_then_closed_4401(auth_stack, query):
    code, reason, frames = ws_close_code(auth_stack.ws_url + query)
    assert (code, reason, frames) == (4401, "unauthorized", [])


def test_websocket_with_a_good_token_gets_hello(auth_stack):
    with WsClient(auth_stack.ws_url + "?after=0&token=t1") as ws:
        assert ws.recv()["type"] == "hello"


def test_revoking_a_token_refuses_http_and_closes_open_websockets(auth_stack):
    s = auth_stack
    good = {"Authorization": "Bearer t2"}
    with WsClient(s.ws_url + "?token=t2") as ws:
        assert ws.recv()["type"] == "hello"
        s.r.sadd(REVOKED_KEY, "t2")
        t0 = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=5)
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "unauthorized")
        assert time.monotonic() - t0 < 3, "an open connection must notice a revocation within ~1 s"
    try:
        resp = call(s, "GET", "/jobs", None, good)
        assert resp.status_code == 401 and resp.json()["detail"] == "token revoked"
        assert ws_close_code(s.ws_url + "?token=t2")[:2] == (4401, "unauthorized")
        assert call(s, "GET", "/jobs", None, {"Authorization": "Bearer t1"}).status_code == 200
    finally:
        s.r.srem(REVOKED_KEY, "t2")
    wait_for(lambda: call(s, "GET", "/jobs", None, good).status_code == 200, 5, what="t2 to be accepted again")
    with WsClient(s.ws_url + "?token=t2") as ws:
        assert ws.recv()["type"] == "hello"


def test_a_token_that_is_only_revoked_is_not_accepted(auth_stack):
    """The Redis set only takes tokens away: adding one there grants nothing."""
    s = auth_stack
    s.r.sadd(REVOKED_KEY, "other")
    try:
        assert call(s, "GET", "/jobs", None, {"Authorization": "Bearer other"}).status_code == 401
    finally:
        s.r.srem(REVOKED_KEY, "other")


def test_tokens_from_the_environment(monkeypatch):
    monkeypatch.setenv("API_TOKENS", " a, b,,a ")
    monkeypatch.setenv("API_TOKEN", "c")
    assert Settings.from_env().api_tokens == ("a", "b", "c")
    monkeypatch.delenv("API_TOKENS")
    monkeypatch.delenv("API_TOKEN")
    assert Settings.from_env().api_tokens == ()


def test_tokens_are_masked_in_uvicorn_log_lines():
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
                               ("127.0.0.1:5", "/api/v1/ws?after=3&token=s3cr%2Bt&x=1"), None)
    assert RedactTokens().filter(record)
    assert record.getMessage() == '127.0.0.1:5 - "WebSocket /api/v1/ws?after=3&token=***&x=1" [accepted]'


def test_uvicorn_log_of_a_websocket_handshake_holds_no_token(data_dir, tmp_path):
    """The real server's INFO line for a WebSocket prints its query string: the token is masked."""
    log = tmp_path / "api.log"
    with running_stack(tmp_path, data_dir, workers=0, token="sekrit-9f3", api_log=log,
                       api_tokens="sekrit-9f3") as s:
        with WsClient(s.ws_url + "?after=0&token=sekrit-9f3") as ws:
            ws.recv()
        assert ws_close_code(s.ws_url + "?token=wrong-sekrit")[0] == 4401
        text = wait_for(lambda: (lambda t: t if t.count("WebSocket /api/v1/ws") >= 2 else None)(log.read_text()),
                        5, what="the handshake lines in the log")
    assert "sekrit" not in text, text
    assert text.count("token=***") >= 2, text
