"""The results benchmark (bench/results.py) runs at its small scale on the suite's kind of
database (PostgreSQL when TEST_DATABASE_URL is set, in a schema it drops), so that it cannot
rot: it prints its table, and its checks held (engine = SQL floor, pandas = engine: the
benchmark exits with an error when they do not)."""

import os
import subprocess
import sys
from pathlib import Path

from targets.results.rules import WINDOWS

ROOT = Path(__file__).parent.parent


def test_results_benchmark_runs_at_small_scale():
    env = {**os.environ, "BENCH_SCALE": "small"}
    env.pop("BENCH_DATABASE_URL", None)
    if os.environ.get("TEST_DATABASE_URL"):
        env["BENCH_DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]

    finished = subprocess.run(
        [sys.executable, "-m", "bench.results"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert finished.returncode == 0, finished.stderr[-4000:]
    lines = finished.stdout.splitlines()
    expected_database = "PostgreSQL" if "BENCH_DATABASE_URL" in env else "SQLite"
    # Bình Phước's 11 districts and 111 communes, and the made-up province's 3 × 8 communes:
    # 11 + 3 = 14 districts, 111 + 24 = 135 communes.
    assert any(
        line.startswith(f"small data set on {expected_database}")
        and "2 provinces, 14 districts, 135 communes" in line
        for line in lines
    )
    header = next(index for index, line in enumerate(lines) if line.startswith("operation"))
    assert lines[header].split() == [
        *("operation", "engine", "ms", "floor", "ms", "engine", "÷", "floor"),
        *("pandas", "ms", "pandas", "÷", "engine"),
    ]
    labels = [
        "ranking, Tỉnh Bình Phước's 111 communes",
        "ranking, all 135 communes",
        *(f"national result, {window} window" for window in WINDOWS),
    ]
    rows = lines[header + 2 : header + 2 + len(labels)]
    assert [row[: len(label)] for row, label in zip(rows, labels, strict=True)] == labels
    for row in rows:
        # engine ms, floor ms and their ratio on every row; pandas on the rankings
        assert row.rstrip().endswith("×")
    assert lines[header + 2 + len(labels)].startswith("overview page")

    checks = lines[lines.index("checked: engine = SQL floor (same figures) for") :]
    assert checks[1:7] == [
        "  111 communes below 70",
        "  135 communes below VN",
        *(f"  the root, {window} window" for window in WINDOWS),
    ]
    assert checks[7] == "checked: pandas = engine for"
    assert checks[8].startswith("  111 communes below 70: same figures, scores within 0.01")
    assert checks[9].startswith("  135 communes below VN: same figures, scores within 0.01")
    assert checks[10] == "goals:"
    assert len(checks[11:]) == 5
