"""Sample dataset generation: deterministic, and safe when several processes start at once."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from conftest import BACKEND

from jobs_backend import datasets


def digest(d) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.glob("*.csv"))}


def test_concurrent_generation_is_safe_and_deterministic(tmp_path, data_dir):
    target = tmp_path / "data"
    code = "import sys; from pathlib import Path; from jobs_backend import datasets; datasets.ensure_samples(Path(sys.argv[1]))"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(target)], cwd=BACKEND) for _ in range(3)]
    assert [p.wait(60) for p in procs] == [0, 0, 0]
    assert digest(target) == digest(data_dir)
    assert set(digest(target)) == {"sales.csv", "sensors.csv", "customers.csv", "sensors_corrupt.csv"}
    assert not [p for p in target.iterdir() if p.name.endswith(".tmp")]
    by_id = {d.id: d for d in datasets.list_datasets(target)}
    assert by_id["ds_sensors_corrupt"].rows == 10000
    lines = (target / "sensors_corrupt.csv").read_text().splitlines()
    assert lines[datasets.CORRUPT_ROW].split(",")[2] == "n/a" and datasets.CORRUPT_ROW > 5000


def test_existing_csvs_are_left_alone(tmp_path):
    (tmp_path / "mine.csv").write_text("a,b\n1,2\n3,\n")
    datasets.ensure_samples(tmp_path)
    assert [d.id for d in datasets.list_datasets(tmp_path)] == ["ds_mine"]
    d = datasets.find_dataset(tmp_path, "ds_mine")
    assert d.rows == 2 and d.columns == ["a", "b"] and d.name == "mine.csv"
    assert datasets.find_dataset(tmp_path, "ds_../mine") is None
