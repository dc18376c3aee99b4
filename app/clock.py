"""Today's date where the campaigns run, not where the server runs."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_today() -> date:
    """The date in the configured time zone (Asia/Ho_Chi_Minh by default); from 17:00 UTC on it
    is already the next day there."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()
