"""Fixtures: a private redis-server per stack, the API as a real uvicorn subprocess, real workers.

Every process a test starts listens on a free loopback port and is stopped by the fixture (also
when the test fails). Stopping checks that the API and the worker launcher exit 0 on SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import httpx
import pytest
import redis

BACKEND = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BACKEND))

from jobs_backend import datasets  # noqa: E402
from jobs_backend.models import Job  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred: Callable[[], object], timeout: float = 10.0, interval: float = 0.02, what: str = "condition"):
    """Poll ``pred`` until it returns something truthy; return that value or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        try:
            value = pred()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - keep polling through transient errors
            last_exc = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}" + (f" (last error: {last_exc!r})" if last_exc else ""))


class RedisServer:
    def __init__(self, workdir: Path, port: int | None = None):
        self.workdir = workdir
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_for(client.ping, 10, what="redis-server to answer")
        client.close()
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()



def _terminate(proc: subprocess.Popen | None, timeout: float) -> int | None:
    """SIGTERM and wait up to `timeout`: the exit code (0 if never started, the old code if it had
    exited already), or None when it had to be killed."""
    if proc is None or proc.poll() is not None:
        return proc.returncode if proc else 0
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


class Stack:
    """redis-server + uvicorn API + ``python -m jobs_backend.worker --processes N``."""

    def __init__(self, tmp: Path, data_dir: Path, workers: int = 2, token: str | None = None,
                 api_log: Path | None = None, **env):
        self.tmp = tmp
        self.api_log = api_log  # when set, the API logs at INFO (access lines included) to this file
        self.token = token  # sent by ``http`` (for a stack started with ``api_tokens=...``)
        self.redis_server = RedisServer(tmp / "redis")
        self.data_dir = data_dir
        self.n_workers = workers
        self.extra_env = {k.upper(): str(v) for k, v in env.items()}
        self.api_port = free_port()
        self.api: subprocess.Popen | None = None
        self.workers: subprocess.Popen | None = None
        self.http: httpx.Client | None = None
        self.r: redis.Redis | None = None

    @property
    def env(self) -> dict:
        env = dict(os.environ)
        env.update(REDIS_URL=self.redis_server.url, DATA_DIR=str(self.data_dir), WORKER_LOG_LEVEL="WARNING",
                   PYTHONUNBUFFERED="1", **self.extra_env)
        return env

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.api_port}/api/v1/ws"

    def start(self) -> "Stack":
        self.redis_server.start()
        out = open(self.api_log, "ab") if self.api_log else None
        self.api = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "jobs_backend.app:app", "--host", "127.0.0.1",
             "--port", str(self.api_port), "--log-level", "info" if out else "warning"],
            cwd=BACKEND, env=self.env, stdout=out, stderr=subprocess.STDOUT if out else None,
        )
        if out:
            out.close()  # the child holds its own descriptor
        if self.n_workers:
            self.start_workers()
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.http = httpx.Client(base_url=self.base + "/api/v1", timeout=10, headers=headers)
        self.r = redis.Redis.from_url(self.redis_server.url, decode_responses=True)
        wait_for(lambda: self.http.get("/queue").status_code == 200, 20, what="API to start")
        if self.n_workers:
            self.wait_workers(self.n_workers)
        return self

    def start_workers(self) -> None:
        self.workers = subprocess.Popen(
            [sys.executable, "-m", "jobs_backend.worker", "--processes", str(self.n_workers)],
            cwd=BACKEND, env=self.env,
        )

    def wait_workers(self, n: int) -> list[dict]:
        return wait_for(lambda: (lambda w: w if len(w) == n else None)(self.http.get("/queue").json()["workers"]),
                        20, what=f"{n} workers to register")

    def stop_workers(self, timeout: float = 15) -> int:
        proc, self.workers = self.workers, None
        code = _terminate(proc, timeout)
        if code is None:
            raise AssertionError("worker launcher did not exit on SIGTERM")
        return code

    def stop_api(self, timeout: float = 15):
        proc, self.api = self.api, None
        code = _terminate(proc, timeout)
        return "timeout" if code is None else code

    def stop(self) -> dict:
        """Stop everything (idempotent); returns the exit codes of the launcher and the API."""
        if self.http:
            self.http.close()
        codes = {"workers": self.stop_workers(), "api": self.stop_api()}
        self.redis_server.stop()
        return codes

    # -------------------------------------------------------------- helpers

    def create(self, dataset: str = "ds_customers", kind: str = "profile", **params) -> dict:
        resp = self.http.post("/jobs", json={"dataset_id": dataset, "kind": kind, "params": params})
        assert resp.status_code == 201, resp.text
        return check_job(resp.json())

    def job(self, job_id: str) -> dict:
        resp = self.http.get(f"/jobs/{job_id}")
        assert resp.status_code == 200, resp.text
        return check_job(resp.json())

    def wait_status(self, job_id: str, *statuses: str, timeout: float = 20) -> dict:
        return wait_for(lambda: (lambda j: j if j["status"] in statuses else None)(self.job(job_id)),
                        timeout, what=f"{job_id} to become {statuses}")

    def seq(self) -> int:
        return int(self.r.get("jb:seq") or 0)


def check_job(job: dict) -> dict:
    """Every job the API returns must match the documented model exactly (no extra/missing fields)."""
    Job.model_validate(job)
    assert list(job) == list(Job.model_fields), "job fields out of contract order"
    return job


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("data")
    datasets.ensure_samples(d)
    return d


@contextmanager
def running_stack(tmp: Path, data_dir: Path, workers: int = 2, token: str | None = None,
                  api_log: Path | None = None, **env):
    """Start a Stack and always stop it (processes are ended by their own pid)."""
    s = Stack(tmp, data_dir, workers, token, api_log, **env)
    try:
        s.start()
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def stack(data_dir, tmp_path_factory):
    """Stack with two worker processes, shared by the tests of a module."""
    with running_stack(tmp_path_factory.mktemp("stack"), data_dir, workers=2) as s:
        yield s


def dumps(obj) -> str:
    return json.dumps(obj)


class WsClient:
    """Small synchronous WebSocket client that checks every server frame against its model."""

    def __init__(self, url: str):
        from websockets.sync.client import connect

        self._cm = connect(url, max_size=None, max_queue=None, open_timeout=10, close_timeout=2)
        self.ws = self._cm.__enter__()
        self.frames: list[dict] = []

    def recv(self, timeout: float = 5.0) -> dict:
        from jobs_backend.models import WS_SERVER_FRAMES

        raw = self.ws.recv(timeout=timeout)
        frame = json.loads(raw)
        WS_SERVER_FRAMES[frame["type"]].model_validate(frame)
        self.frames.append(frame)
        return frame

    def until(self, pred: Callable[[dict], bool], timeout: float = 15.0) -> list[dict]:
        """Receive frames until one satisfies ``pred``; return all frames received (inclusive)."""
        got = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching frame within {timeout}s; last frames: {got[-5:]}")
            try:
                frame = self.recv(timeout=left)
            except TimeoutError:
                continue
            got.append(frame)
            if pred(frame):
                return got

    def send(self, obj) -> None:
        self.ws.send(obj if isinstance(obj, (str, bytes)) else json.dumps(obj))

    def close(self) -> None:
        self._cm.__exit__(None, None, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
