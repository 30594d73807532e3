"""Synthetic log lines for the ``log_burst`` job parameter (log-volume demos, tests, benchmarks).

``burst(count, seed, chunk)`` returns ``count`` (level, text) pairs that look like what real
services print: all four levels (mostly INFO and DEBUG), ANSI colours (the 16 named ones, the
256-colour palette and truecolour), bold, JSON objects (whole-line and embedded), numbers,
durations, sizes, quoted strings (with escaped quotes), paths and URLs. The same seed and chunk
always give the same lines, so a test can rely on what a burst holds:
its first four lines are one of each level, the first holding ``\\x1b[32mOK\\x1b[0m`` and the
second a whole-line JSON object.
"""

from __future__ import annotations

import json
import random

OK = "\x1b[32mOK\x1b[0m"
SERVICES = ("inventory-svc", "billing", "geo-lookup", "auth", "search-index", "mailer")
COLUMNS = ("date", "region", "amount", "customer_id", "email", "country", "temperature")
USERS = ("ana", "bo", "O'Brien", "zoë", "li.wei", "marta")
PATHS = ("/var/lib/jobs/cache/part-{}.parquet", "s3://bucket/exports/2026/{}.csv",
         "/tmp/spill/{}.bin")


def _info(r: random.Random, chunk: int, i: int) -> str:
    k = r.randrange(8)
    if k == 0:
        rows = r.randrange(100, 5000)
        ms = r.uniform(0.5, 400)
        return f"processed batch {chunk}.{i}: {rows} rows in {ms:.1f} ms ({rows / ms * 1000:,.0f} rows/s) {OK}"
    if k == 1:
        return (f"{OK} checkpoint ckpt-{chunk:05d}-{i:05d} written to "
                f"{r.choice(PATHS).format(r.randrange(10_000))} ({r.randrange(1, 90_000)} KiB)")
    if k == 2:
        return "event: " + json.dumps({
            "event": "rows_scanned", "chunk": chunk, "line": i, "rows": r.randrange(1, 10_000),
            "ok": r.random() < 0.9, "lag_ms": round(r.uniform(0, 50), 2),
            "tags": ["csv", r.choice(COLUMNS)], "owner": None})
    if k == 3:
        pct = r.uniform(0, 100)
        return f"\x1b[38;5;208mprogress\x1b[0m {pct:.1f}% of stage {r.randrange(1, 6)}; eta {r.randrange(1, 600)} s"
    if k == 4:
        return (f"GET https://{r.choice(SERVICES)}.internal/api/v2/items?page={r.randrange(1, 400)} "
                f"-> 200 in {r.randrange(1, 900)} ms, {r.randrange(100, 2_000_000)} bytes")
    if k == 5:
        return (f"user '{r.choice(USERS)}' opened report \"Q{r.randrange(1, 5)} "
                f"{r.choice(COLUMNS)} summary\" ({r.randrange(1, 50)} pages)")
    if k == 6:
        return (f"\x1b[1mstage {r.randrange(1, 6)}\x1b[0m merged {r.randrange(2, 64)} partitions, "
                f"\x1b[38;2;0;135;255m{r.uniform(0, 9.99):.2f} GiB\x1b[0m total")
    return f"heartbeat seq={chunk * 100_000 + i} workers={r.randrange(1, 16)} queue_depth={r.randrange(0, 500)}"


def _debug(r: random.Random, chunk: int, i: int) -> str:
    k = r.randrange(4)
    if k == 0:
        return json.dumps({"level": "debug", "msg": "gc pause", "pause_ms": round(r.uniform(0.1, 30), 3),
                           "heap_mb": r.randrange(64, 4096), "gen": r.randrange(0, 3), "chunk": chunk})
    if k == 1:
        return (f'cache lookup key="{r.choice(COLUMNS)}:{r.randrange(1 << 32):08x}" '
                f"hit={str(r.random() < 0.7).lower()} size={r.randrange(0, 65536)}")
    if k == 2:
        return f"\x1b[2mtrace id={r.randrange(1 << 64):016x} span={r.randrange(1 << 32):08x} parent=null\x1b[0m"
    return f"read {r.randrange(1, 4096)} KiB from {r.choice(PATHS).format(i)} at offset {r.randrange(1 << 30)}"


def _warning(r: random.Random, chunk: int, i: int) -> str:
    k = r.randrange(3)
    if k == 0:
        return (f"\x1b[33mWARN\x1b[0m slow query: 'SELECT {r.choice(COLUMNS)}, count(*) FROM t "
                f"WHERE id > {r.randrange(1_000_000)}' took {r.randrange(500, 9000)} ms")
    if k == 1:
        return f"column \"{r.choice(COLUMNS)}\" has {r.randrange(1, 500)} empty values in chunk {chunk}"
    return "retrying: " + json.dumps({"service": r.choice(SERVICES), "attempt": r.randrange(1, 4),
                                      "backoff_ms": r.randrange(50, 5000), "idempotent": True})


def _error(r: random.Random, chunk: int, i: int) -> str:
    k = r.randrange(3)
    if k == 0:
        return (f"\x1b[1;31mERROR\x1b[0m upstream \"{r.choice(SERVICES)}\" returned 503 "
                f"(attempt {r.randrange(1, 4)}/3), retrying in {r.randrange(100, 5000)} ms")
    if k == 1:
        return (f"ValueError: row {r.randrange(1, 50_000)}: column '{r.choice(COLUMNS)}': "
                f"could not convert 'n/a' to float")
    return json.dumps({"level": "error", "msg": "write failed", "path": r.choice(PATHS).format(chunk),
                       "errno": 28, "detail": "No space left on device", "retry": False})


# The first lines of every burst, one per level; after them lines are drawn by weight
# (cumulative: 30 % DEBUG, 50 % INFO, 15 % WARNING, 5 % ERROR).
_FIXED = [("INFO", lambda r, c, i: f"burst {c}: {OK} started"),
          ("DEBUG", lambda r, c, i: json.dumps({"level": "debug", "msg": "burst", "chunk": c, "ok": True})),
          ("WARNING", _warning), ("ERROR", _error)]
_WEIGHTED = [("DEBUG", _debug, 0.30), ("INFO", _info, 0.80), ("WARNING", _warning, 0.95), ("ERROR", _error, 1.0)]


def burst(count: int, seed: str, chunk: int) -> list[tuple[str, str]]:
    """``count`` synthetic (level, text) lines, deterministic for (seed, chunk)."""
    if count <= 0:
        return []
    r = random.Random(f"{seed}:{chunk}")
    out: list[tuple[str, str]] = []
    for i in range(count):
        if i < len(_FIXED):
            level, gen = _FIXED[i]
        else:
            x = r.random()
            level, gen = next((lv, g) for lv, g, top in _WEIGHTED if x < top)
        out.append((level, gen(r, chunk, i)))
    return out
