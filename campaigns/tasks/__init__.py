"""Campaign tasks (nhiệm vụ): assignments to units, forwarding, updates and evidence."""

from flask import Flask

from campaigns.hooks import register_campaign_links
from campaigns.tasks import models  # noqa: F401  (the tables must be known to SQLAlchemy)
from campaigns.tasks.blueprint import bp
from campaigns.tasks.controllers import task_links


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_campaign_links(task_links)
