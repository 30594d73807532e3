"""Guards at the ASGI edge: request body size, ``nosniff``, and which browser origins may use the API.

- ``BodyLimit``: an HTTP request body larger than ``max_bytes`` is answered ``413`` with the
  contract's error shape (``{"detail": "..."}``) before the app sees it, whether the client
  declared its length (``Content-Length``) or streams it chunked. Every JSON body of the contract
  is far below the default 1 MiB (a bulk start of 1,000 jobs is about 100 KiB). The body is read
  (and dropped) up to ``DRAIN_FACTOR`` times the limit before answering: closing a socket with
  unread data in it resets the connection, and the client would see a network error instead of
  the 413. It also sets ``X-Content-Type-Options: nosniff`` on every response, so a browser never
  sniffs a JSON or text body (log lines are untrusted) into HTML.
- ``OriginCheck``: the WebSocket carries the same data as the HTTP API but browsers apply no
  CORS to it, so a handshake whose ``Origin`` is neither an allowed origin (``CORS_ORIGINS``) nor
  the API's own is accepted and closed with ``4403`` (like ``4401`` for auth: a refused handshake
  looks like a network failure in a browser). Non-browser clients send no ``Origin`` and pass.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from .auth import PREFIX

DRAIN_FACTOR = 16
WS_CLOSE_ORIGIN = 4403
WS_CLOSE_ORIGIN_REASON = "origin not allowed"


def _header(scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or ():
        if k == name:
            return v.decode("latin-1")
    return None


class BodyLimit:
    """Pure ASGI middleware; sits inside the CORS middleware, so a 413 carries the CORS headers."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        send = _nosniff(send)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._drain(receive, 0)
            return await self._too_large(send)
        chunks, size = [], 0
        while True:
            msg = await receive()
            if msg["type"] != "http.request":
                return  # the client went away while sending
            body = msg.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                if msg.get("more_body"):
                    await self._drain(receive, size)
                return await self._too_large(send)
            chunks.append(body)
            if not msg.get("more_body"):
                break
        whole = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()  # later calls wait for the disconnect, as the app expects

        await self.app(scope, replay, send)

    async def _drain(self, receive, seen: int) -> None:
        while seen <= DRAIN_FACTOR * self.max_bytes:
            msg = await receive()
            if msg["type"] != "http.request":
                return
            seen += len(msg.get("body", b""))
            if not msg.get("more_body"):
                return

    async def _too_large(self, send) -> None:
        body = json.dumps({"detail": f"request body too large: at most {self.max_bytes} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _nosniff(send):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            headers = list(message.get("headers") or [])
            headers.append((b"x-content-type-options", b"nosniff"))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


def origin_allowed(origin: str, host: str | None, allowed: tuple[str, ...]) -> bool:
    """``origin`` is in ``allowed`` (or ``allowed`` has ``*``), or it names the API's own host."""
    if "*" in allowed or origin in allowed:
        return True
    netloc = urlsplit(origin).netloc
    return bool(host) and netloc.lower() == host.lower()


class OriginCheck:
    """Pure ASGI middleware for the WebSocket under ``/api/v1`` (see the module docstring)."""

    def __init__(self, app, allowed: tuple[str, ...]):
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket" or not scope["path"].startswith(PREFIX):
            return await self.app(scope, receive, send)
        origin = _header(scope, b"origin")
        if origin is None or origin_allowed(origin, _header(scope, b"host"), self.allowed):
            return await self.app(scope, receive, send)
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": WS_CLOSE_ORIGIN, "reason": WS_CLOSE_ORIGIN_REASON})
