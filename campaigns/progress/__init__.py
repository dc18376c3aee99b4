"""Daily progress: units' figures per indicator and day, every revision of them, and who
reported on time. Part of campaigns/; builds on `app/` only.

`init_app` (called by campaigns.init_app) registers the progress pages and the reminder job,
and adds "Enter figures" and "Who reported" to the campaign page (campaigns.hooks).
"""

from flask import Flask

from app.scheduler import register_job
from campaigns.hooks import register_campaign_links
from campaigns.progress import models  # noqa: F401  (the tables must be known to SQLAlchemy)
from campaigns.progress.blueprint import bp
from campaigns.progress.controllers import progress_links
from campaigns.progress.jobs import REMINDER_JOB


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_campaign_links(progress_links)
    register_job(app, REMINDER_JOB)
