"""The load test (bench/load, `make load`) at a tiny scale, so that it cannot rot: the same
orchestrator, real gunicorn (2 workers) and the same client process, 3 users for 3 seconds on
a SQLite file with the demo's units, users and campaign (without its 92 days of figures).
It must finish without an error, and every save the client saw succeed must be exactly one
new revision in the database (the load test checks that itself and exits with 1 otherwise;
here the database is read again independently)."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_load_test_runs_at_tiny_scale(tmp_path):
    database = tmp_path / "load.sqlite"
    env = {
        **os.environ,
        "LOAD_DATABASE_URL": f"sqlite:///{database}",
        "LOAD_DEMO_ENTRIES": "0",
        "LOAD_USERS": "3",
        "LOAD_SECONDS": "3",
        "LOAD_THINK_SECONDS": "0.1",
        "LOAD_WORKERS": "2",
        "LOAD_OUTPUT": str(tmp_path / "out"),
    }
    for name in ("DATABASE_URL", "SECRET_KEY", "INSTANCE_PATH"):
        env.pop(name, None)

    finished = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    report = finished.stdout
    assert "=> nothing lost, nothing duplicated" in report
    assert "goals: 0 errors: met;" in report
    rows = {
        line[:28].strip(): line[28:].split()
        for line in report.splitlines()
        if line.startswith(("pages ", "entry saves ", "exports ", "all "))
    }
    assert set(rows) == {"pages", "entry saves", "exports", "all"}
    assert all(row[-1] == "0" for row in rows.values())  # the errors column
    assert int(rows["all"][0]) >= 3

    # Independently of the report: the client's successful saves against the database.
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    saves = [record for record in result["records"] if record[0] == "entry"]
    assert saves and all(record[4] for record in saves)
    assert int(rows["entry saves"][0]) == len(saves)
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())
    changed_per_save = len(plan["reporters"][0]["indicator_ids"])
    with sqlite3.connect(database) as connection:
        revisions, latest = connection.execute(
            "SELECT count(*), coalesce(sum(e.revision = r.revision), 0)"
            " FROM entry_revisions r JOIN entries e ON e.id = r.entry_id"
            " WHERE e.entry_date = ?",
            (plan["day"],),
        ).fetchone()
        entries = connection.execute(
            "SELECT count(*) FROM entries WHERE entry_date = ?", (plan["day"],)
        ).fetchone()[0]
    # The demo without its figures has no entry on that day: every revision is the client's,
    # each cell it saved is one entry, and each entry has one row for its latest revision.
    assert revisions == len(saves) * changed_per_save == sum(result["saved"].values())
    assert entries == latest == len(result["saved"])
