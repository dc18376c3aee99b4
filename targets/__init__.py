"""Targets, baselines and milestones, and their cascade down the unit tree. Builds on `app/`
and `campaigns/`.

The factory calls `init_app`, which registers the package's pages and API, adds the "Targets"
and "Use the 92-day template" links to the campaign page (campaigns.hooks) and the 92-day
campaign to `flask --app app demo`; then those of results/ and briefings/.
"""

from flask import Flask

from app.api import api as api_registry
from campaigns.hooks import register_campaign_links
from targets import briefings, demo, models, results  # noqa: F401  (tables known to SQLAlchemy)
from targets.api import blp as targets_api
from targets.blueprint import bp
from targets.controllers import campaign_links


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    api_registry.register_blueprint(targets_api)
    register_campaign_links(campaign_links)
    demo.init_app(app)  # before briefings: the demo's briefings need its campaign
    results.init_app(app)
    briefings.init_app(app)
