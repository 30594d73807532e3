"""Runtime settings, read from environment variables (see README.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass(frozen=True)
class Settings:
    redis_url: str = "redis://127.0.0.1:6379/0"
    data_dir: Path = field(default_factory=lambda: PACKAGE_ROOT / ".data")
    cors_origins: tuple[str, ...] = ("*",)
    events_maxlen: int = 50_000
    heartbeat_ms: int = 5_000
    queue_interval_ms: int = 2_000
    log_cap: int = 1_000_000
    metrics_cap: int = 2_000
    # Accepted bearer tokens; empty = auth off (see auth.py)
    api_tokens: tuple[str, ...] = ()

    @classmethod
    def from_env(cls) -> "Settings":
        origins = tuple(o.strip() for o in os.environ.get("CORS_ORIGINS", "*").split(",") if o.strip())
        raw_tokens = os.environ.get("API_TOKENS", "").split(",") + [os.environ.get("API_TOKEN", "")]
        tokens = tuple(dict.fromkeys(t.strip() for t in raw_tokens if t.strip()))
        return cls(
            redis_url=os.environ.get("REDIS_URL", cls.redis_url),
            data_dir=Path(os.environ.get("DATA_DIR") or (PACKAGE_ROOT / ".data")).resolve(),
            cors_origins=origins or ("*",),
            events_maxlen=_int_env("EVENTS_MAXLEN", 50_000),
            heartbeat_ms=_int_env("HEARTBEAT_MS", 5_000),
            api_tokens=tokens,
        )
