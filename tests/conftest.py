"""Fixtures. The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is
set; the schema is built by the Alembic migrations, as in production.

No application context stays pushed while a test client makes requests: Flask would reuse
it, and `g` (where Flask-Login keeps the current user) would leak from one request to the
next. Tests that touch the database directly use the `app_context` fixture.
"""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from app.config import TestConfig, normalise_database_url
from app.db import db

# The loud line at the end of a run whose browser tests were skipped (tests/browser/).
from tests.browser.availability import pytest_terminal_summary  # noqa: F401
from tests.factories import PASSWORD, World, make_world
from tests.servers import SENDER, MailSink, smtp_server


@dataclass(frozen=True)
class Database:
    url: str
    engine_options: dict
    schema: str | None = None

    def settings(self) -> dict[str, object]:
        return {
            "SQLALCHEMY_DATABASE_URI": self.url,
            "SQLALCHEMY_ENGINE_OPTIONS": self.engine_options,
        }


def create_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A fresh empty database: a SQLite file, or a PostgreSQL schema of its own so that runs
    on one server never see each other's tables."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        path = tmp_path_factory.mktemp("db") / "test.sqlite"
        yield Database(f"sqlite:///{path}", {})
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(normalise_database_url(server_url))
    with admin_engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield Database(server_url, {"connect_args": {"options": f"-csearch_path={schema}"}}, schema)
    finally:
        with admin_engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory) -> Iterator[Database]:
    """The session's database, migrated to the latest revision once."""
    for created in create_database(tmp_path_factory):
        application = create_app(TestConfig, created.settings())
        with application.app_context():
            flask_migrate.upgrade()
            db.engine.dispose()
        yield created


@pytest.fixture
def empty_database(tmp_path_factory) -> Iterator[Database]:
    """A database of its own with no tables, for migration tests."""
    yield from create_database(tmp_path_factory)


@pytest.fixture(scope="session")
def session_app(database: Database, tmp_path_factory) -> Iterator[tuple[Flask, dict]]:
    """One application for the whole run, and its settings as built: building an
    application takes about 0,1 s, which thousands of tests would otherwise pay each."""
    folder = tmp_path_factory.mktemp("app")
    application = create_app(
        TestConfig,
        {
            **database.settings(),
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "CHART_CACHE_FOLDER": str(folder / "charts"),
        },
    )
    yield application, dict(application.config)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(session_app, tmp_path) -> Iterator[Flask]:
    """The application on the session database, its settings as built (a test may change
    them: they are put back), with uploads and charts in the test's own folder. The tables
    are emptied after the test."""
    application, settings = session_app
    application.config.clear()
    application.config.update(
        settings,
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        CHART_CACHE_FOLDER=str(tmp_path / "charts"),
    )
    yield application
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def make_app(database: Database, app: Flask):
    """`make_app(WTF_CSRF_ENABLED=True)` → another application on the session database with
    some settings changed; its connections are closed after the test (the `app` fixture, which
    it depends on, empties the tables)."""
    made: list[Flask] = []

    def build(**overrides: object) -> Flask:
        settings = {
            **database.settings(),
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "CHART_CACHE_FOLDER": app.config["CHART_CACHE_FOLDER"],
        }
        made.append(create_app(TestConfig, {**settings, **overrides}))
        return made[-1]

    yield build
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def mail(make_app) -> Iterator[MailSink]:
    """A real SMTP server, and an application (current in the test) that sends through it."""
    with smtp_server() as sink:
        application = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_SENDER=SENDER)
        with application.app_context():
            yield sink


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        built = make_world()
        db.session.commit()
    return built


def log_in(client: FlaskClient, username: str, password: str = PASSWORD) -> FlaskClient:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def login(app: Flask, world: World):
    """`login("manager")` → a test client signed in as that world user."""

    def signed_in(username: str) -> FlaskClient:
        return log_in(app.test_client(), username)

    return signed_in


@dataclass(frozen=True)
class Demo:
    app: Flask
    output: str  # what `flask demo` printed


@pytest.fixture(scope="module")
def demo(database, tmp_path_factory) -> Iterator[Demo]:
    """`flask demo` with its 64.300 daily entries, run ONCE for the module (about 3 s) on an
    application of its own; the tables are emptied when the module is done. A module using it
    may not use the `app` fixture, whose teardown would empty the tables in between."""
    application = create_app(
        TestConfig,
        {
            **database.settings(),
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "CHART_CACHE_FOLDER": str(tmp_path_factory.mktemp("charts")),
            "DEMO_DAILY_ENTRIES": True,
        },
    )
    result = application.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    yield Demo(application, result.output)
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()
