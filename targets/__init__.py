"""Targets, baselines and milestones, and their cascade down the unit tree. Builds on `app/`
and `campaigns/`.

The factory calls `init_app`, which registers the package's pages and API.
"""

from flask import Flask

from targets import models  # noqa: F401  (the tables must be known to SQLAlchemy)
from targets.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
