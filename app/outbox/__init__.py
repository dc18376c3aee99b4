"""The outbox: e-mails and webhook calls written in the transaction that decides to send them,
sent afterwards by the scheduler's delivery job, with retries (README, "Scheduler and
e-mail")."""

from datetime import datetime

from flask import Flask

from app.outbox import models  # noqa: F401  (the tables must be known to SQLAlchemy)
from app.outbox.delivery import deliver_due
from app.outbox.models.outgoing_attachment import OutgoingAttachment
from app.outbox.models.outgoing_message import Channel, DeliveryStatus, OutgoingMessage
from app.scheduler import ScheduledJob, register_job

__all__ = ["Channel", "DeliveryStatus", "OutgoingAttachment", "OutgoingMessage"]

DELIVERY_JOB_ID = "outbox.deliver"
DELIVERY_EVERY_SECONDS = 30


def deliver(now: datetime) -> None:
    """Send the e-mails and webhook calls that are due; retry failures later."""
    deliver_due(now)


def init_app(app: Flask) -> None:
    register_job(app, ScheduledJob(DELIVERY_JOB_ID, DELIVERY_EVERY_SECONDS, deliver))
