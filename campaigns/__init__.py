"""Campaigns, their indicators, tasks and daily progress. Builds on `app/` only.

The factory calls `init_app`, which registers the package's pages and API.
"""

from flask import Flask

from app.api import api as api_registry  # `api` would be shadowed by campaigns.api
from app.scheduler import register_job
from campaigns import models, progress, tasks  # noqa: F401  (tables known to SQLAlchemy)
from campaigns.api import blp as campaigns_api
from campaigns.blueprint import bp
from campaigns.forms import (
    DIRECTION_LABELS,
    KIND_LABELS,
    MEASURE_LABELS,
    STATUS_LABELS,
    WINDOW_LABELS,
    label_of,
)
from campaigns.jobs import LIFECYCLE_JOB


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    api_registry.register_blueprint(campaigns_api)
    # Before the reminders: a campaign started by a tick is reminded about in the same tick.
    register_job(app, LIFECYCLE_JOB)
    tasks.init_app(app)
    progress.init_app(app)
    for name, labels in (
        ("campaign_status", STATUS_LABELS),
        ("ranking_window", WINDOW_LABELS),
        ("indicator_kind", KIND_LABELS),
        ("indicator_measure", MEASURE_LABELS),
        ("indicator_direction", DIRECTION_LABELS),
    ):
        app.add_template_filter(lambda value, labels=labels: label_of(labels, value), name)
    from campaigns.progress.registration import register as register_progress_import

    register_progress_import(app)
