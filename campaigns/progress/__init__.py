"""Daily progress: units' figures per indicator and day, every revision of them, and who
reported on time. Part of campaigns/; builds on `app/` only."""

from flask import Flask

from campaigns.hooks import register_entry_check
from campaigns.progress import models  # noqa: F401  (the tables must be known to SQLAlchemy)
from campaigns.progress.queries import has_entries


def init_app(app: Flask) -> None:
    register_entry_check(has_entries)
