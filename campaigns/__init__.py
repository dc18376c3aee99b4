"""Campaigns, their indicators and tasks. Builds on `app/` only.

The factory calls `init_app`, which registers the package's pages and API.
"""

from flask import Flask

from campaigns import models, tasks  # noqa: F401  (the tables must be known to SQLAlchemy)
from campaigns.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    tasks.init_app(app)
