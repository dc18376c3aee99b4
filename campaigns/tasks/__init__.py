"""Campaign tasks (nhiệm vụ): assignments to units, forwarding, updates and evidence."""

from campaigns.tasks import models  # noqa: F401  (the tables must be known to SQLAlchemy)
