"""Optional bearer-token auth for everything under ``/api/v1`` (docs/api.md, "Authentication").

Off unless ``API_TOKENS`` (comma-separated) or ``API_TOKEN`` is set; then:

- HTTP: ``Authorization: Bearer <token>`` is required; a missing or refused token is a 401
  ``{"detail": ...}`` with ``WWW-Authenticate: Bearer``. ``OPTIONS`` passes untouched, so CORS
  preflights (answered by the CORS middleware outside this one) never need a token, and the 401
  itself carries the CORS headers (a browser would otherwise report it as a network error).
- WebSocket: browsers cannot set headers on a WebSocket, so the token comes as the ``token``
  query parameter. A refused token is accepted and then closed with code 4401, reason
  ``unauthorized``: a refused handshake looks exactly like a network failure to a browser.
  Open connections re-check their token (``ws.py``) and are closed the same way once it is revoked.

Revocation, for tests: the accepted set is fixed by the environment at start-up; a token that is a
member of the Redis set ``auth:revoked`` is refused (``SADD auth:revoked <token>``; ``SREM`` takes
it back). A denylist rather than an allow-list in Redis, so that emptying it can never re-open
access, and every API process sees a revocation at once. If Redis cannot be read, tokens this
process has already seen revoked stay refused and the others are accepted (the rest of the API
reports the outage itself).

The token never appears in logs: ``RedactTokens`` masks ``token=...`` in uvicorn's lines
(its WebSocket lines print the path with the query string).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from urllib.parse import parse_qs

import redis
import redis.asyncio as aredis

REVOKED_KEY = "auth:revoked"
WS_CLOSE_UNAUTHORIZED = 4401
WS_CLOSE_REASON = "unauthorized"
PREFIX = "/api/v1/"
REDIS_TIMEOUT_S = 1.0


class TokenCheck:
    """Which tokens are accepted now: those configured, minus those revoked in Redis."""

    def __init__(self, tokens: tuple[str, ...], r: aredis.Redis):
        self.tokens = tuple(t.encode() for t in tokens)
        self.r = r
        self.seen_revoked: set[str] = set()

    @property
    def enabled(self) -> bool:
        return bool(self.tokens)

    def _configured(self, token: str) -> bool:
        raw = token.encode()
        # compare_digest: the time taken does not tell how much of a guess matched
        return any(hmac.compare_digest(raw, t) for t in self.tokens)

    async def refusal(self, token: str | None) -> str | None:
        """``None`` when ``token`` is accepted, else why not (the 401's detail)."""
        if not token:
            return "authentication required: send Authorization: Bearer <token>"
        if not self._configured(token):
            return "invalid token"
        try:
            revoked = bool(await asyncio.wait_for(self.r.sismember(REVOKED_KEY, token), REDIS_TIMEOUT_S))
        except (redis.RedisError, OSError, asyncio.TimeoutError):
            revoked = token in self.seen_revoked
        else:
            if revoked:
                self.seen_revoked.add(token)
            else:
                self.seen_revoked.discard(token)
        return "token revoked" if revoked else None


def bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive)."""
    for name, value in headers:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() != "bearer":
                return None
            return token.strip() or None
    return None


def query_token(query_string: bytes) -> str | None:
    values = parse_qs(query_string.decode("latin-1")).get("token")
    return values[-1] if values else None


class BearerAuth:
    """Pure ASGI middleware: must sit inside the CORS middleware (see the module docstring)."""

    def __init__(self, app, check: TokenCheck):
        self.app = app
        self.check = check

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if (not self.check.enabled or kind not in ("http", "websocket")
                or not scope["path"].startswith(PREFIX) or (kind == "http" and scope["method"] == "OPTIONS")):
            return await self.app(scope, receive, send)
        if kind == "http":
            detail = await self.check.refusal(bearer(scope["headers"]))
            if detail is None:
                return await self.app(scope, receive, send)
            challenge = b"Bearer" if detail.startswith("authentication") else b'Bearer error="invalid_token"'
            body = json.dumps({"detail": detail}).encode()
            await send({"type": "http.response.start", "status": 401, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", challenge)]})
            await send({"type": "http.response.body", "body": body})
            return
        if await self.check.refusal(query_token(scope["query_string"])) is None:
            return await self.app(scope, receive, send)
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": WS_CLOSE_UNAUTHORIZED, "reason": WS_CLOSE_REASON})


_TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s\"]*")


class RedactTokens(logging.Filter):
    """Masks ``token=<value>`` in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "token=" in record.msg:
            record.msg = _TOKEN_IN_URL.sub(r"\1***", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_TOKEN_IN_URL.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        return True


def install_log_redaction() -> None:
    """uvicorn's WebSocket lines (``uvicorn.error``) print the query string; HTTP access lines too."""
    for name in ("uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
