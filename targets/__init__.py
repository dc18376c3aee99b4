"""Targets, their cascade down the unit tree, and progress against them (filled in later).

Builds on `app/` and `campaigns/`. The factory registers the package through `init_app`.
"""

from flask import Blueprint, Flask

bp = Blueprint("targets", __name__, url_prefix="/targets")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
