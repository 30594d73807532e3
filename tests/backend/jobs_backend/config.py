"""Runtime settings, read from environment variables (see README.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # tests/backend
QUEUE_NAME = "jobs"


def _int_env(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def parse_origins(raw: str) -> tuple[str, ...]:
    """``CORS_ORIGINS``: comma-separated ``scheme://host[:port]`` (or ``*``); empty = none.

    A browser's ``Origin`` never has a path or a trailing slash, so an entry with one could never
    match: a trailing slash is dropped, anything else is a startup error rather than a silently
    dead setting.
    """
    out: list[str] = []
    for item in raw.split(","):
        o = item.strip()
        if not o:
            continue
        if o != "*":
            o = o.rstrip("/")
            parts = urlsplit(o)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query \
                    or parts.fragment or "@" in parts.netloc:
                raise ValueError(f"CORS_ORIGINS: {item.strip()!r} is not an origin like http://host:port")
        out.append(o)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Settings:
    redis_url: str = "redis://127.0.0.1:6379/0"
    data_dir: Path = field(default_factory=lambda: PACKAGE_ROOT / ".data")
    # Browser origins allowed to call the API (CORS) and open the WebSocket; empty = same origin only
    cors_origins: tuple[str, ...] = ()
    # Job and metric events kept in jb:events (a client further behind must resync)
    events_maxlen: int = 50_000
    # Log lines kept in jb:logstream (a subscriber further behind is backfilled from the job's list)
    log_stream_maxlen: int = 50_000
    heartbeat_ms: int = 5_000
    queue_interval_ms: int = 2_000
    log_cap: int = 1_000_000
    metrics_cap: int = 2_000
    # Accepted bearer tokens; empty = auth off (see auth.py)
    api_tokens: tuple[str, ...] = ()
    # Largest HTTP request body (413 beyond it)
    max_body_bytes: int = 1 << 20
    # Largest WebSocket message from a client (the socket is closed with 1009 beyond it)
    ws_max_message_bytes: int = 64 << 10
    # Log subscriptions one WebSocket connection may hold at a time
    ws_max_log_subscriptions: int = 50

    @classmethod
    def from_env(cls) -> "Settings":
        raw_tokens = os.environ.get("API_TOKENS", "").split(",") + [os.environ.get("API_TOKEN", "")]
        tokens = tuple(dict.fromkeys(t.strip() for t in raw_tokens if t.strip()))
        return cls(
            redis_url=os.environ.get("REDIS_URL", cls.redis_url),
            data_dir=Path(os.environ.get("DATA_DIR") or (PACKAGE_ROOT / ".data")).resolve(),
            cors_origins=parse_origins(os.environ.get("CORS_ORIGINS", "")),
            events_maxlen=_int_env("EVENTS_MAXLEN", cls.events_maxlen),
            log_stream_maxlen=_int_env("LOG_STREAM_MAXLEN", cls.log_stream_maxlen),
            heartbeat_ms=_int_env("HEARTBEAT_MS", cls.heartbeat_ms),
            api_tokens=tokens,
            max_body_bytes=_int_env("MAX_BODY_BYTES", cls.max_body_bytes),
            ws_max_message_bytes=_int_env("WS_MAX_MESSAGE_BYTES", cls.ws_max_message_bytes),
            ws_max_log_subscriptions=_int_env("WS_MAX_LOG_SUBSCRIPTIONS", cls.ws_max_log_subscriptions),
        )
