"""The application run as in production, for the fault tests (tests/faults/, docs/faults.md)
and the fuzzing driver (bench/fuzz.py, docs/fuzz.md): a fresh database of its own (a SQLite
file, or a schema of its own on a PostgreSQL server), a PostgreSQL cluster of its own that a
test may stop and start, the web server in a process of its own (gunicorn; `flask run` where
gunicorn is not installed), the scheduler process, and a signed-in HTTP session.

The processes get a clean environment (the deployment's variables of README "Configuration"
and nothing else) and a process group of their own, so that a test can SIGKILL a server with
its workers, as a power cut or the OOM killer would.
"""

import importlib.util
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import flask_migrate
import requests
from flask import Flask
from sqlalchemy import create_engine, text

from app import create_app
from app.config import TestConfig, normalise_database_url
from app.db import db
from tests.factories import make_units
from tests.servers import free_port

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

ROOT = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = "live-fault-tests"


def wait_until(check: Callable[[], object], timeout: float, what: str, interval: float = 0.01):
    """Call `check` until it returns something true, and return that; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} s for {what}")
        time.sleep(interval)


# --- the database ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveDatabase:
    """`url` is what DATABASE_URL gets; on PostgreSQL it names the schema (search_path) and an
    application_name that tells this run's connections from any other's."""

    url: str
    schema: str | None = None

    @property
    def is_postgresql(self) -> bool:
        return self.schema is not None

    @property
    def kind(self) -> str:
        return "PostgreSQL" if self.is_postgresql else "SQLite"

    @property
    def application_name(self) -> str | None:
        return f"tiendo-{self.schema}" if self.schema else None

    @property
    def sqlite_path(self) -> Path:
        return Path(self.url.removeprefix("sqlite:///"))


def _with_options(server_url: str, schema: str) -> str:
    separator = "&" if "?" in server_url else "?"
    options = quote(f"-csearch_path={schema}", safe="")
    return f"{server_url}{separator}options={options}&application_name=tiendo-{schema}"


@contextmanager
def fresh_database(folder: Path, server_url: str | None = None) -> Iterator[LiveDatabase]:
    """An empty database: a SQLite file in `folder`, or a new schema on the PostgreSQL server
    at `server_url` (dropped afterwards)."""
    if not server_url:
        yield LiveDatabase(f"sqlite:///{folder / 'live.sqlite'}")
        return
    schema = f"live_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(normalise_database_url(server_url), pool_pre_ping=True)
    with admin_engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield LiveDatabase(_with_options(server_url, schema), schema)
    finally:
        with admin_engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


@contextmanager
def migrated_app(database: LiveDatabase, folder: Path, **settings) -> Iterator[Flask]:
    """An application in this process on `database`, migrated to the latest revision: for
    loading a test's data and reading the database's state; its connections are closed
    afterwards."""
    application = create_app(
        TestConfig,
        {
            "SQLALCHEMY_DATABASE_URI": database.url,
            "UPLOAD_FOLDER": str(folder / "setup-uploads"),
            "CHART_CACHE_FOLDER": str(folder / "setup-charts"),
            **settings,
        },
    )
    with application.app_context():
        flask_migrate.upgrade()
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


# --- a PostgreSQL server of the test's own ---------------------------------------------------

POSTGRESQL_BIN = Path(os.environ.get("POSTGRESQL_BIN", "/usr/lib/postgresql/15/bin"))


def own_postgresql_missing() -> str | None:
    """Why a PostgreSQL server of our own cannot be started here, or None when it can."""
    if not (POSTGRESQL_BIN / "initdb").exists():
        return f"no {POSTGRESQL_BIN / 'initdb'} (apt-get install postgresql-15)"
    if os.geteuid() != 0:
        return "PostgreSQL refuses to run as root and we are not root to run it as postgres"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "no user postgres to run the server as"
    return None


@dataclass
class OwnPostgreSQL:
    """A PostgreSQL cluster in a temporary folder, run as the user postgres on a free port of
    127.0.0.1 with trust authentication: a server a test may stop and start (never the shared
    server of TEST_DATABASE_URL, which other test runs use)."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *arguments: str, timeout: float = 60) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(POSTGRESQL_BIN / "pg_ctl"),
                "--pgdata",
                str(self.folder / "data"),
                "--log",
                str(self.folder / "server.log"),
                "--wait",
                "--timeout",
                str(int(timeout)),
                *arguments,
            ],
            check=True,
            capture_output=True,
            timeout=timeout + 10,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self.pg_ctl("start", "-o", options)

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)

    @property
    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextmanager
def own_postgresql() -> Iterator[OwnPostgreSQL]:
    """A new cluster (initdb), started; stopped and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="tiendo-pg-"))
    postgres = pwd.getpwnam("postgres")
    os.chown(folder, postgres.pw_uid, postgres.pw_gid)
    server = OwnPostgreSQL(folder, free_port())
    try:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(POSTGRESQL_BIN / "initdb"),
                "--pgdata",
                str(folder / "data"),
                "--auth",
                "trust",
                "--username",
                "postgres",
                "--encoding",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        server.start()
        try:
            yield server
        finally:
            with suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                server.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- processes ------------------------------------------------------------------------------


def environment(database: LiveDatabase, folder: Path, **variables: str) -> dict[str, str]:
    """A deployment's environment (README, "Configuration"), nothing inherited but PATH."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database.url,
        "SECRET_KEY": SECRET_KEY,
        "INSTANCE_PATH": str(folder / "instance"),
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "CHART_CACHE_FOLDER": str(folder / "charts"),
        **variables,
    }


def flask_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app", *arguments]


def has_gunicorn() -> bool:
    return importlib.util.find_spec("gunicorn") is not None


def web_server_command(port: int, workers: int) -> list[str]:
    """gunicorn with sync workers, as deployed; `flask run` (threads) without gunicorn."""
    if not has_gunicorn():
        return flask_command("run", "--port", str(port), "--no-reload", "--no-debugger")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        # A large import may take longer than gunicorn's default 30 s.
        "--timeout",
        "300",
        # gunicorn 27 opens a control socket in ~/.gunicorn, shared by every server of the user.
        "--no-control-socket",
        "app:create_app()",
    ]


def _kill_group(process: subprocess.Popen, signal_number: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal_number)


@dataclass
class LiveProcess:
    """A child process in a group of its own, its standard error kept in `lines` (read as it
    comes, so a test can wait for a line)."""

    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    @classmethod
    def start(cls, command: list[str], env: dict[str, str]) -> "LiveProcess":
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        started = cls(process)
        started.reader = threading.Thread(target=started._read, daemon=True)
        started.reader.start()
        return started

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float) -> str:
        regex = re.compile(pattern)

        def found() -> str | None:
            if self.process.poll() is not None and not any(map(regex.search, self.lines)):
                raise RuntimeError(f"the process ended:\n{self.log[-3000:]}")
            return next((line for line in self.lines if regex.search(line)), None)

        return wait_until(found, timeout, f"a line matching {pattern!r}", interval=0.005)

    def kill(self) -> None:
        """SIGKILL to the whole group (a gunicorn master and its workers at once)."""
        _kill_group(self.process, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._close()

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM (a graceful stop), SIGKILL after `timeout` s; the exit status."""
        _kill_group(self.process, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close()
        return self.process.returncode

    def _close(self) -> None:
        """Read what is left of standard error (a killed group's orphans may still hold it
        open: then give up after a second), and close it."""
        if self.reader is not None:
            self.reader.join(timeout=1)
        if self.reader is None or not self.reader.is_alive():
            self.process.stderr.close()


@dataclass
class WebServer(LiveProcess):
    url: str = ""

    def session(self) -> "WebSession":
        return WebSession(self.url)


def start_web_server(env: dict[str, str], workers: int = 1, timeout: float = 60) -> WebServer:
    """The web server on a free port of 127.0.0.1, once it answers."""
    port = free_port()
    started = LiveProcess.start(web_server_command(port, workers), env)
    server = WebServer(started.process, started.lines, started.reader, f"http://127.0.0.1:{port}")

    def answers() -> bool:
        if server.process.poll() is not None:
            raise RuntimeError(f"the web server ended:\n{server.log[-3000:]}")
        # A loaded machine may take seconds to load the application in a new worker.
        try:
            return requests.get(f"{server.url}/login", timeout=10).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            return False

    try:
        wait_until(answers, timeout, "the web server", interval=0.05)
    except Exception:
        server.kill()
        raise
    return server


@contextmanager
def web_server(env: dict[str, str], workers: int = 1) -> Iterator[WebServer]:
    server = start_web_server(env, workers)
    try:
        yield server
    finally:
        server.kill()


# --- HTTP -----------------------------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class WebSession(requests.Session):
    """A browser's session with the live server: paths relative to its address, the CSRF
    token of the last page read sent with every form."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url
        self.csrf_token = ""

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 120)
        response = super().request(method, self.base_url + url, *args, **kwargs)
        found = (
            CSRF_FIELD.search(response.text)
            if "html" in response.headers.get("Content-Type", "")
            else None
        )
        if found:
            self.csrf_token = found.group(1)
        return response

    def submit(self, path: str, data: dict | None = None, **kwargs) -> requests.Response:
        return self.post(path, data={"csrf_token": self.csrf_token, **(data or {})}, **kwargs)

    def sign_in(self, username: str, password: str) -> "WebSession":
        self.get("/login")
        response = self.submit("/login", {"username": username, "password": password})
        if response.status_code != 302:
            raise RuntimeError(f"signing in as {username} answered {response.status_code}")
        return self


def make_province(district_count: int, commune_codes: Sequence[str]) -> None:
    """The province "P" with the districts D0, D1… and the communes dealt out to them in turn."""
    make_units(
        ("P", "Tỉnh Thử", "province", None),
        *[(f"D{n}", f"Huyện {n}", "district", "P") for n in range(district_count)],
        *[
            (code, f"Xã {code}", "commune", f"D{n % district_count}")
            for n, code in enumerate(commune_codes)
        ],
    )
