"""Daily progress: units' figures per indicator and day, every revision of them, and who
reported on time. Part of campaigns/; builds on `app/` only."""

from campaigns.progress import models  # noqa: F401  (the tables must be known to SQLAlchemy)
