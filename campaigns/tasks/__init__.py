"""Campaign tasks (nhiệm vụ): assignments to units, forwarding, updates and evidence."""

from flask import Flask

from campaigns.tasks import models  # noqa: F401  (the tables must be known to SQLAlchemy)
from campaigns.tasks.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
