"""Briefings (issue 6): the morning điểm tin of a campaign with its praise and criticism,
reviews of a range of days, their outputs and their delivery. Builds on targets.results;
nothing below imports it.

`targets.init_app` calls `init_app`, which registers the pages, the API, the campaign page's
"Briefings" link (campaigns.hooks) and the scheduled job "briefings.draft".
"""

from flask import Flask

from app.api import api as api_registry
from app.scheduler import register_job
from campaigns.hooks import register_campaign_links
from targets.briefings import demo, models  # noqa: F401  (models: tables known to SQLAlchemy)
from targets.briefings.api import blp as briefings_api
from targets.briefings.blueprint import bp
from targets.briefings.controllers import campaign_links
from targets.briefings.jobs import DRAFT_JOB


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    api_registry.register_blueprint(briefings_api)
    register_campaign_links(campaign_links)
    register_job(app, DRAFT_JOB)
    demo.init_app(app)
