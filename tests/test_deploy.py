"""The production layout of docs/deploy.md: gunicorn really serves the application with
docs/deploy/gunicorn.conf.py (and behind nginx sees the client's address), the commands that
the systemd units and the Procfile start exist, the units are valid, nginx's static folders
hold what the application serves at those addresses, and the settings file lists every
setting the application reads."""

import http.cookiejar
import os
import re
import runpy
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.config import Config, TestConfig
from app.db import db
from app.users.models import FailedSignIn
from tests.factories import PASSWORD, make_units, make_user
from tests.servers import free_port

PROJECT = Path(__file__).resolve().parent.parent
DEPLOY = PROJECT / "docs" / "deploy"
GUNICORN_CONFIG = DEPLOY / "gunicorn.conf.py"
UNITS = sorted(DEPLOY.glob("tiendo-*.service")) + sorted(DEPLOY.glob("tiendo-*.timer"))
# Settings of the environment the tests run in that must not reach the server under test.
DEPLOYMENT_SETTINGS = (
    "DATABASE_URL",
    "INSTANCE_PATH",
    "UPLOAD_FOLDER",
    "CHART_CACHE_FOLDER",
    "SECRET_KEY",
    "WEB_CONCURRENCY",
    "GUNICORN_LOG_FOLDER",
    "GUNICORN_CMD_ARGS",
    "FORWARDED_ALLOW_IPS",
)


# gunicorn, for real ----------------------------------------------------------------------------


@contextmanager
def gunicorn(instance: Path, port: int) -> Iterator[subprocess.Popen]:
    """gunicorn started as tiendo-web.service starts it (two workers), on `port`."""
    environment = {
        name: value for name, value in os.environ.items() if name not in DEPLOYMENT_SETTINGS
    }
    environment.update(
        INSTANCE_PATH=str(instance),
        DATABASE_URL=f"sqlite:///{instance / 'tiendo.sqlite'}",
        TRUSTED_PROXY_COUNT="1",  # as in tiendo.env.example: nginx in front
    )
    # The child writes into the files, which the parent need not keep open.
    with (
        (instance / "stdout.log").open("w") as stdout,
        (instance / "stderr.log").open("w") as stderr,
    ):
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(GUNICORN_CONFIG),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            cwd=instance,  # the config finds the project by itself
            env=environment,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def migrated_database_with_a_user(instance: Path) -> Flask:
    application = create_app(
        TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'tiendo.sqlite'}"}
    )
    with application.app_context():
        flask_migrate.upgrade()
        make_units(("70", "Tỉnh Bình Phước", "province", None))
        make_user("admin", "admin", "70")
        db.session.commit()
    return application


def wait_for(opener, url: str, deadline: float) -> str:
    """The body of the first answer to GET `url`, trying until `deadline`."""
    while True:
        try:
            with opener.open(url, timeout=30) as response:
                assert response.status == 200
                return response.read().decode()
        except OSError:  # not listening yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def sign_in(opener, url: str, page: str, username: str, password: str, forwarded_for: str):
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "username": username, "password": password}
    ).encode()
    request = urllib.request.Request(url, data, headers={"X-Forwarded-For": forwarded_for})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.url
    except urllib.error.HTTPError as error:
        return error.code, url


def test_gunicorn_serves_the_application_with_the_deployment_config(tmp_path):
    application = migrated_database_with_a_user(tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}/login"
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))

    with gunicorn(tmp_path, port) as server:
        page = wait_for(opener, url, deadline=time.monotonic() + 60)
        # nginx appends the client's address: the application must see that one, not nginx's
        # 127.0.0.1 (or every user would share one sign-in lockout) nor the first, which the
        # client may have made up.
        refused = sign_in(opener, url, page, "nobody", "?", "198.51.100.9, 203.0.113.7")
        page = wait_for(opener, url, deadline=time.monotonic() + 30)
        accepted = sign_in(opener, url, page, "admin", PASSWORD, "203.0.113.8")
    access_log = (tmp_path / "stdout.log").read_text()
    error_log = (tmp_path / "stderr.log").read_text()

    assert "Đăng nhập" in page  # Vietnamese, the default language
    assert refused == (422, url)
    assert accepted[0] == 200 and not accepted[1].endswith("/login")  # redirected in
    with application.app_context():
        assert db.session.scalars(select(FailedSignIn.address)).all() == ["203.0.113.7"]
    assert server.returncode == 0, error_log
    assert "Booting worker" in error_log  # the error log on stderr (the journal)
    assert re.search(r'^203\.0\.113\.7 - - .*"POST /login HTTP/1.1" 422', access_log, re.M)
    assert (tmp_path / "secret_key").exists()  # one key, generated for both workers


def gunicorn_settings(monkeypatch, **environment: str) -> dict:
    for name in DEPLOYMENT_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONFIG))


def test_gunicorn_runs_two_workers_per_cpu_plus_one_unless_told(monkeypatch):
    cpus = len(os.sched_getaffinity(0))

    assert gunicorn_settings(monkeypatch)["workers"] == 2 * cpus + 1
    assert gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


def test_gunicorn_logs_to_stdout_and_stderr_or_to_a_folder(monkeypatch, tmp_path):
    default = gunicorn_settings(monkeypatch)
    folder = gunicorn_settings(monkeypatch, GUNICORN_LOG_FOLDER=str(tmp_path / "logs"))

    assert (default["accesslog"], default["errorlog"]) == ("-", "-")
    assert folder["accesslog"] == str(tmp_path / "logs" / "access.log")
    assert folder["errorlog"] == str(tmp_path / "logs" / "error.log")
    assert (tmp_path / "logs").is_dir()


# What the units and the Procfile start -------------------------------------------------------


def started_commands() -> list[tuple[str, list[str]]]:
    """(where, command) of every ExecStart= of the units and every line of the Procfile."""
    commands = []
    for unit in UNITS:
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart="):
                commands.append((unit.name, line.removeprefix("ExecStart=").split()))
    for line in (DEPLOY / "Procfile").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, command = line.split(":", 1)
            commands.append((f"Procfile {name}", command.split()))
    return commands


def test_the_units_and_the_procfile_start_commands_that_exist(runner):
    commands = started_commands()
    programs = {Path(command[0]).name for _where, command in commands}

    assert programs == {"flask", "gunicorn"}
    for where, command in commands:
        program, arguments = Path(command[0]).name, command[1:]
        if program == "gunicorn":
            # The configuration the test above starts gunicorn with.
            assert arguments[0] == "-c", where
            assert Path(arguments[1].replace("/srv/tiendo/", "")) == GUNICORN_CONFIG.relative_to(
                PROJECT
            ), where
            continue
        assert arguments[:2] == ["--app", "app"], where
        # --help after the arguments: click checks every option, then stops.
        result = runner.invoke(args=[*arguments[2:], "--help"])
        assert result.exit_code == 0, (where, result.output)
    assert sorted(" ".join(command[3:5]) for _w, command in commands if "flask" in command[0]) == [
        "backup --output",
        "scheduler run",
        "scheduler run",
    ]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze absent")
def test_the_systemd_units_are_valid(tmp_path):
    # The units name /srv/tiendo; here the project folder stands in for it, so that
    # systemd-analyze finds the programs they start.
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8").replace("/srv/tiendo", str(PROJECT))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")

    checked = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / unit.name) for unit in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert len(UNITS) == 4
    # A line it cannot parse is only a warning on stderr: nothing may be printed.
    assert (checked.returncode, checked.stderr, checked.stdout) == (0, "", "")


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("runuser") is None, reason="needs root and runuser"
)
def test_the_tiendo_command_runs_flask_with_the_settings_file(tmp_path):
    """docs/deploy/tiendo, with the project for /srv/tiendo, this user for tiendo and the
    settings file of the example (a SQLite database in a temporary folder instead)."""
    settings = (DEPLOY / "tiendo.env.example").read_text(encoding="utf-8")
    for name, value in {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tiendo.sqlite'}",
        "INSTANCE_PATH": str(tmp_path),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "CHART_CACHE_FOLDER": str(tmp_path / "charts"),
    }.items():
        settings = re.sub(rf"^{name}=.*$", f"{name}={value}", settings, flags=re.M)
    (tmp_path / "tiendo.env").write_text(settings, encoding="utf-8")
    script = (
        (DEPLOY / "tiendo")
        .read_text(encoding="utf-8")
        .replace("/etc/tiendo/tiendo.env", str(tmp_path / "tiendo.env"))
        .replace("/var/cache/tiendo", str(tmp_path / "cache"))
        .replace("/srv/tiendo", str(PROJECT))
        .replace("-u tiendo", "-u root")
    )
    (tmp_path / "tiendo").write_text(script, encoding="utf-8")
    environment = {
        name: value for name, value in os.environ.items() if name not in DEPLOYMENT_SETTINGS
    }

    def tiendo(*arguments: str) -> str:
        finished = subprocess.run(
            ["sh", str(tmp_path / "tiendo"), *arguments],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert finished.returncode == 0, finished.stderr
        return finished.stdout

    tiendo("db", "upgrade")
    archive = Path(tiendo("backup", "--output", str(tmp_path / "backups")).splitlines()[-1])

    assert archive.parent == tmp_path / "backups" and archive.is_file()
    assert (tmp_path / "secret_key").exists()  # INSTANCE_PATH came from the file


# nginx's static files ------------------------------------------------------------------------


def test_nginx_serves_from_disk_what_the_application_serves_at_those_addresses(app):
    """Each `location /…/ { alias …; }` of the nginx file: a file the pages link to is, under
    the alias, the very file the application sends at that address."""
    config = (DEPLOY / "nginx-tiendo.conf").read_text(encoding="utf-8")
    aliases = dict(re.findall(r"location (/\S*/) \{\s*alias (\S+);", config))
    page = app.test_client().get("/login").get_data(as_text=True)
    linked = re.findall(r'(?:href|src)="(/[^"?]+\.(?:css|js))', page)

    assert set(aliases) == {"/static/", "/bootstrap/static/"}
    for prefix in aliases:
        assert any(address.startswith(prefix) for address in linked), prefix
    for address in linked:
        prefix = max((p for p in aliases if address.startswith(p)), key=len)
        folder = Path(aliases[prefix].replace("/srv/tiendo/", f"{PROJECT}/"))
        on_disk = folder / address.removeprefix(prefix)
        with app.test_client().get(address) as response:
            assert on_disk.read_bytes() == response.get_data(), address


# The settings file ---------------------------------------------------------------------------


class RecordingEnvironment(dict):
    """An empty environment that remembers every name asked for."""

    def __init__(self):
        super().__init__()
        self.asked: set[str] = set()

    def get(self, name, default=None):
        self.asked.add(name)
        return default

    def __getitem__(self, name):
        self.asked.add(name)
        raise KeyError(name)

    def __contains__(self, name):
        self.asked.add(name)
        return False


def test_the_settings_file_lists_every_setting_read_and_no_other(monkeypatch):
    environment = RecordingEnvironment()
    monkeypatch.setattr(os, "environ", environment)
    Config.from_environment()
    read_by_the_application = environment.asked | {"INSTANCE_PATH"}  # the factory's
    read_by_gunicorn = set(
        re.findall(r'os\.environ\.get\("(\w+)"', GUNICORN_CONFIG.read_text(encoding="utf-8"))
    )
    example = (DEPLOY / "tiendo.env.example").read_text(encoding="utf-8")
    # Set or commented out ("#NAME=value"); prose lines have no "NAME=" at their start.
    listed = re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, re.M)

    assert len(listed) == len(set(listed))
    assert set(listed) == read_by_the_application | read_by_gunicorn
    assert "DATABASE_URL" in read_by_the_application  # the recording works
