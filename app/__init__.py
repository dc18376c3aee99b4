"""Tiến độ: campaign progress for a province. `create_app` is the application factory."""

import importlib
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from app import cli, i18n, outbox, scheduler, security, templating  # noqa: F401  (scheduler: tables)
from app.api import api
from app.config import Config, normalise_database_url, read_or_create_secret_key
from app.db import commit_or_rollback
from app.errors import register_error_handlers
from app.extensions import bootstrap, csrf, db, migrate
from app.units import blueprint as units_blueprint
from app.units.api import blp as units_api
from app.users import auth_setup
from app.users import blueprint as users_blueprint

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    config: type[Config] = Config, overrides: Mapping[str, object] | None = None
) -> Flask:
    """Build the application from a configuration class and optional overrides."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_object(config)
    app.config.from_mapping(config.from_environment())
    app.config.from_mapping(overrides or {})
    _resolve_instance_settings(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    security.init_app(app)
    bootstrap.init_app(app)
    api.init_app(app)

    i18n.init_app(app)
    templating.init_app(app)
    auth_setup.init_app(app)
    app.register_blueprint(users_blueprint.bp)
    app.register_blueprint(units_blueprint.bp)
    api.register_blueprint(units_api)
    for package_name in app.config["DOMAIN_PACKAGES"]:
        importlib.import_module(package_name).init_app(app)
    # Registered after the domain packages' jobs: a tick delivers what they have just queued.
    outbox.init_app(app)
    cli.init_app(app)

    register_error_handlers(app)
    app.after_request(commit_or_rollback)
    return app


def _resolve_instance_settings(app: Flask) -> None:
    """Fill the defaults that live in the instance folder: database, secret key, uploads,
    chart cache."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    url = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        url = "sqlite:///" + str(Path(app.instance_path) / "tiendo.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = read_or_create_secret_key(app.instance_path)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if not app.config.get("CHART_CACHE_FOLDER"):
        app.config["CHART_CACHE_FOLDER"] = str(Path(app.instance_path) / "cache" / "charts")
