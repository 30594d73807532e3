"""CSV datasets in DATA_DIR: deterministic sample generation, listing, lookup, row counting.

Dataset id = ``ds_`` + file stem. Sample files are generated (seeded RNG) when DATA_DIR holds
no CSV at all; generation holds an exclusive file lock and writes each file to a temporary
name that is renamed into place, so processes starting at the same time are safe.
"""

from __future__ import annotations

import csv
import fcntl
import os
import random
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

CORRUPT_ROW = 7342  # 1-based data row of sensors_corrupt.csv holding the bad value
CORRUPT_VALUE = "n/a"


@dataclass(frozen=True)
class DatasetInfo:
    id: str
    name: str
    path: Path
    rows: int
    columns: list[str]
    size_bytes: int
    created_at: int

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "rows": self.rows,
            "columns": list(self.columns),
            "size_bytes": self.size_bytes,
            "created_at": self.created_at,
        }


# ---------------------------------------------------------------- generation

def _sales(rng: random.Random):
    yield ["date", "region", "product", "quantity", "amount"]
    regions = ["north", "south", "east", "west", "central"]
    products = ["widget", "gadget", "gizmo", "doohickey", "sprocket", "flange"]
    start = date(2024, 1, 1)
    for i in range(20_000):
        qty = rng.randint(1, 50)
        yield [
            (start + timedelta(days=i // 55)).isoformat(),
            rng.choice(regions),
            rng.choice(products),
            qty,
            f"{qty * rng.uniform(1.5, 40.0):.2f}",
        ]


def _sensor_rows(rng: random.Random, n: int, corrupt_row: int | None = None):
    yield ["timestamp", "sensor_id", "temperature", "humidity", "status"]
    start = datetime(2024, 3, 1, tzinfo=timezone.utc)
    for i in range(1, n + 1):
        temp = f"{rng.gauss(21.0, 4.0):.2f}"
        if corrupt_row is not None and i == corrupt_row:
            temp = CORRUPT_VALUE
        humidity = "" if rng.random() < 0.002 else f"{rng.uniform(20, 90):.1f}"
        yield [
            (start + timedelta(seconds=30 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            f"s-{rng.randint(1, 50):03d}",
            temp,
            humidity,
            rng.choices(["ok", "warn", "fail"], weights=[95, 4, 1])[0],
        ]


def _customers(rng: random.Random):
    yield ["customer_id", "name", "email", "country", "signup_date", "lifetime_value"]
    first = ["ada", "alan", "grace", "linus", "barbara", "ken", "margaret", "dennis", "radia", "edsger"]
    last = ["lovelace", "turing", "hopper", "torvalds", "liskov", "thompson", "hamilton", "ritchie"]
    countries = ["DE", "FR", "US", "JP", "BR", "IN", "NG", "SE", "CA", "AU"]
    start = date(2019, 1, 1)
    for i in range(1, 5_001):
        f, l = rng.choice(first), rng.choice(last)
        email = "" if rng.random() < 0.01 else f"{f}.{l}{i}@example.com"
        yield [
            i,
            f"{f.title()} {l.title()}",
            email,
            rng.choice(countries),
            (start + timedelta(days=rng.randint(0, 2000))).isoformat(),
            f"{rng.expovariate(1 / 800):.2f}",
        ]


SAMPLES = {
    "sales.csv": lambda: _sales(random.Random(1001)),
    "sensors.csv": lambda: _sensor_rows(random.Random(2002), 50_000),
    "customers.csv": lambda: _customers(random.Random(3003)),
    "sensors_corrupt.csv": lambda: _sensor_rows(random.Random(4004), 10_000, corrupt_row=CORRUPT_ROW),
}


def _write_atomic(path: Path, rows) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    os.replace(tmp, path)


def ensure_samples(data_dir: Path) -> None:
    """Generate the sample CSVs if ``data_dir`` holds none (safe across concurrent processes)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if any(data_dir.glob("*.csv")):
        return
    with open(data_dir / ".generate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if any(data_dir.glob("*.csv")):
                return  # another process generated them while we waited
            # sales.csv last: the existence check above looks for any CSV, so every other
            # file is in place by the time a process that did not take the lock sees one.
            for name in ["sensors.csv", "customers.csv", "sensors_corrupt.csv", "sales.csv"]:
                _write_atomic(data_dir / name, SAMPLES[name]())
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# ---------------------------------------------------------------- lookup

_cache: dict[tuple[str, int, int], tuple[int, list[str]]] = {}
_cache_lock = threading.Lock()


def _scan(path: Path) -> tuple[int, list[str]]:
    """Return (data rows, header columns) of a CSV, cached by path, mtime and size."""
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        rows = sum(1 for _ in reader)
    with _cache_lock:
        _cache[key] = (rows, header)
    return rows, header


def _info(path: Path) -> DatasetInfo:
    rows, header = _scan(path)
    st = path.stat()
    return DatasetInfo(
        id=f"ds_{path.stem}",
        name=path.name,
        path=path,
        rows=rows,
        columns=header,
        size_bytes=st.st_size,
        created_at=int(st.st_mtime * 1000),
    )


def list_datasets(data_dir: Path) -> list[DatasetInfo]:
    out = []
    for path in sorted(data_dir.glob("*.csv")):
        if path.name.startswith("."):
            continue
        try:
            out.append(_info(path))
        except FileNotFoundError:
            continue  # removed while listing
    return out


def find_dataset(data_dir: Path, dataset_id: str) -> DatasetInfo | None:
    """Look a dataset up by id among the files actually listed (never builds a path from input)."""
    if not dataset_id.startswith("ds_"):
        return None
    for path in data_dir.glob("*.csv"):
        if f"ds_{path.stem}" == dataset_id and not path.name.startswith("."):
            try:
                return _info(path)
            except FileNotFoundError:
                return None
    return None
