"""The outbox: e-mails and webhook calls written in the transaction that decides to send them,
sent afterwards by the scheduler's delivery job, with retries (README, "Briefings")."""

from app.outbox import models  # noqa: F401  (the tables must be known to SQLAlchemy)
