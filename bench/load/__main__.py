"""Load test (make load, docs/load.md): gunicorn with 4 workers on PostgreSQL with the demo
data, and 100 simulated users for 60 s in a second process (bench/load/client.py).

    python -m bench.load

Steps: create the database if it is missing (PostgreSQL), migrate it (as
`flask --app app db upgrade` does), load the demo into it when it is empty
(`flask --app app demo --if-empty`), make the simulated users' accounts (bench/load/setup.py),
count the entries and revisions, start gunicorn with docs/deploy/gunicorn.conf.py on a free
port, run the client, stop gunicorn, count again, and print: per category (pages, entries,
exports) the requests, requests per second, p50/p95/p99 and errors, each page and export on
its own line, the time gunicorn itself spent (its access log), the CPU time of the workers,
the database's backends and the client while the clock ran, the goals met or missed, whether
every save the client saw succeed is one revision in the database (nothing lost, nothing
duplicated), and the machine's load.

Settings (environment):
  LOAD_DATABASE_URL   postgresql://postgres@127.0.0.1:5432/tiendo_load (a sqlite:/// URL works)
  LOAD_USERS          100 simulated users (one commune each: at most 111)
  LOAD_SECONDS        60
  LOAD_THINK_SECONDS  2: each user waits 0.5–1.5 times this between two requests; 0 for none
  LOAD_WORKERS        4 gunicorn workers
  LOAD_DEMO_ENTRIES   1: the demo's 92 days of figures; 0 for units, users and campaign only
  LOAD_OUTPUT         instance/load: the plan, the raw results, gunicorn's logs, the report
Exits with 1 when a request failed or the revisions do not match the saves.
"""

import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.load.client import CLOCK_STARTED, CLOCK_STOPPED
from bench.load.report import Measures, render

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/tiendo_load"
MIX = {"page": 0.70, "entry": 0.25, "export": 0.05}


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def create_database(url: str) -> str | None:
    """Create the PostgreSQL database of `url` when it is missing; its server's version."""
    if not url.startswith(("postgresql", "postgres:")):
        return None
    import psycopg
    from psycopg import sql

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    base, _, name = plain.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
        return connection.execute("SHOW server_version").fetchone()[0]


def flask(env: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *arguments], env=env, cwd=ROOT, check=True
    )


def wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url + "/login", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within a minute")


class LoadSampler(threading.Thread):
    """The 1-minute load average every few seconds while the client runs."""

    def __init__(self, every: float = 5) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.samples.append(os.getloadavg()[0])


def _process_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


def _backend_pids(database_url: str) -> list[int]:
    """The PostgreSQL backends serving the load test's database (none for SQLite)."""
    if not database_url.startswith(("postgresql", "postgres:")):
        return []
    import psycopg

    plain = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def cpu_seconds(gunicorn: int, client: int, database_url: str) -> dict[str, dict[int, float]]:
    """CPU seconds so far of each gunicorn worker, database backend and the client."""
    return {
        "gunicorn": {pid: _process_seconds(pid) for pid in [gunicorn, *_children(gunicorn)]},
        "database": {pid: _process_seconds(pid) for pid in _backend_pids(database_url)},
        "client": {client: _process_seconds(client)},
    }


def cpu_used(marks: dict) -> dict[str, float]:
    """CPU seconds used between the two marks, by part; a process that appeared in between
    counts from zero (a worker replaced after max_requests, a new database connection)."""
    if CLOCK_STARTED not in marks or CLOCK_STOPPED not in marks:
        return {}
    start, stop = marks[CLOCK_STARTED], marks[CLOCK_STOPPED]
    return {
        part: sum(seconds - start[part].get(pid, 0.0) for pid, seconds in stop[part].items())
        for part in stop
    }


def machine(server_version: str | None, database_url: str) -> dict[str, str]:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("\n")[0].split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "cpus": str(os.cpu_count()),
        "machine": platform.machine(),
        "memory": memory,
        "python": platform.python_version(),
        "database": f"PostgreSQL {server_version}" if server_version else "SQLite",
        "database_url": database_url.rsplit("@", 1)[-1],
    }


def main() -> int:
    database_url = setting("LOAD_DATABASE_URL", DEFAULT_DATABASE)
    users = int(setting("LOAD_USERS", "100"))
    seconds = float(setting("LOAD_SECONDS", "60"))
    think = float(os.environ.get("LOAD_THINK_SECONDS", "2") or 0)
    workers = int(setting("LOAD_WORKERS", "4"))
    demo_entries = setting("LOAD_DEMO_ENTRIES", "1") != "0"
    output = Path(setting("LOAD_OUTPUT", str(ROOT / "instance" / "load"))).resolve()
    output.mkdir(parents=True, exist_ok=True)

    server_version = create_database(database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(output / "instance"),
        "SECRET_KEY": secrets.token_hex(32),
        "WEB_CONCURRENCY": str(workers),
    }
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY")})

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app import create_app
    from app.db import db
    from app.demo import load_demo
    from app.units.models import Unit
    from bench.load import setup

    # `flask --app app db upgrade` and `flask --app app demo --if-empty`; in this process
    # (one start of the application less) but for the demo's 92 days of figures.
    app = create_app(overrides={"DEMO_DAILY_ENTRIES": False})
    with app.app_context():
        upgrade()
    if demo_entries:
        flask(env, "demo", "--if-empty")
    with app.app_context():
        if not db.session.scalar(select(func.count()).select_from(Unit)):
            load_demo()
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        plan, notes = setup.prepare(base_url, users, seconds, think, MIX)
        before = setup.count(plan)
    for note in notes:
        print(note)
    plan_file, result_file = output / "plan.json", output / "result.json"
    plan_file.write_text(json.dumps(plan.to_json(), indent=1))
    for old in (result_file, output / "access.log", output / "error.log"):
        old.unlink(missing_ok=True)

    load_before = os.getloadavg()
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "docs" / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            str(output / "access.log"),
            "--error-logfile",
            str(output / "error.log"),
        ],
        env=env,
        cwd=ROOT,
    )
    sampler = LoadSampler()
    try:
        wait_until_serving(base_url, gunicorn)
        print(
            f"gunicorn: {workers} workers on {base_url}; {users} users for {seconds:g} s, "
            f"think time {think:g} s"
        )
        sampler.start()
        client = subprocess.Popen(
            [sys.executable, "-m", "bench.load.client", str(plan_file), str(result_file)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        # CPU seconds of gunicorn's workers, the database's backends and the client between
        # the clock's start and stop (the sign-ins before are left out).
        marks = {}
        for line in client.stdout:
            if line.strip() in (CLOCK_STARTED, CLOCK_STOPPED):
                marks[line.strip()] = cpu_seconds(gunicorn.pid, client.pid, database_url)
            else:
                print(line, end="")
        client.wait()
    finally:
        sampler.done.set()
        # The client has finished: no request is in flight, so no need for the graceful stop
        # (SIGTERM), which takes seconds more.
        gunicorn.send_signal(signal.SIGINT)
        try:
            gunicorn.wait(timeout=45)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()
    if client.returncode != 0 or not result_file.exists():
        print(f"the client failed (exit {client.returncode})", file=sys.stderr)
        return 1
    load_after = os.getloadavg()

    with app.app_context():
        after = setup.count(plan)
    result = json.loads(result_file.read_text())
    measures = Measures(
        when=datetime.fromtimestamp(result["started_at"], UTC),
        machine=machine(server_version, database_url),
        users=users,
        seconds=seconds,
        think=think,
        workers=workers,
        result=result,
        plan=plan.to_json(),
        before=before,
        after=after,
        load=(load_before, sampler.samples, load_after),
        access_log=(output / "access.log").read_text().splitlines(),
        cpu=cpu_used(marks),
    )
    text, success = render(measures)
    print(text)
    (output / "report.txt").write_text(text + "\n")
    return 0 if success else 1


if __name__ == "__main__":
    sys.exit(main())
