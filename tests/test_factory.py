"""The application factory and its configuration from the environment."""

import stat

import pytest

from app import create_app
from app.config import Config, TestConfig, normalise_database_url

SETTINGS = ("DATABASE_URL", "SECRET_KEY", "TIMEZONE", "DEFAULT_LANGUAGE", "SESSION_COOKIE_SECURE")


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """A clean environment whose instance folder is a temporary one."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    return monkeypatch


def test_defaults_use_sqlite_and_a_generated_key_in_the_instance_folder(environment, tmp_path):
    app = create_app(Config)

    instance = tmp_path / "instance"
    assert app.instance_path == str(instance)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'tiendo.sqlite'}"
    key_file = instance / "secret_key"
    key = key_file.read_text()
    assert app.config["SECRET_KEY"] == key
    assert len(key) == 64 and int(key, 16) >= 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.config["TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_the_generated_key_survives_a_restart(environment):
    assert create_app(Config).config["SECRET_KEY"] == create_app(Config).config["SECRET_KEY"]


def test_environment_settings_win(environment, tmp_path):
    environment.setenv("DATABASE_URL", "postgresql://tiendo@db.example:5432/tiendo")
    environment.setenv("SECRET_KEY", "from-the-environment")
    environment.setenv("TIMEZONE", "Asia/Bangkok")
    environment.setenv("DEFAULT_LANGUAGE", "en")
    environment.setenv("SESSION_COOKIE_SECURE", "1")

    app = create_app(Config)

    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://tiendo@db.example:5432/tiendo"
    )
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "instance" / "secret_key").exists()
    assert app.config["TIMEZONE"] == "Asia/Bangkok"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "en"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_an_unknown_default_language_is_ignored(environment):
    environment.setenv("DEFAULT_LANGUAGE", "fr")
    assert create_app(Config).config["BABEL_DEFAULT_LOCALE"] == "vi"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_urls_get_the_psycopg_driver(given, expected):
    assert normalise_database_url(given) == expected


def test_the_test_configuration_never_reads_the_deployment(environment):
    environment.setenv("DATABASE_URL", "postgresql://prod@prod.example/prod")
    environment.setenv("SECRET_KEY", "production-key")
    app = create_app(TestConfig)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert app.config["SECRET_KEY"] == "test-secret-key"
    assert app.testing


def test_overrides_win_over_the_class(environment):
    app = create_app(TestConfig, {"PER_PAGE": 7})
    assert app.config["PER_PAGE"] == 7


def test_domain_packages_are_registered(environment):
    app = create_app(TestConfig)
    assert {"campaigns", "tasks", "targets", "units", "users", "units_api"} <= set(app.blueprints)
