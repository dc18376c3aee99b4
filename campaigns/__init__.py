"""Campaigns, indicators and tasks (filled in by the campaigns issue).

Builds on `app/` only. The factory registers the package through `init_app`.
"""

from flask import Blueprint, Flask

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
