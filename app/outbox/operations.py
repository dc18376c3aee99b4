"""Putting messages into the outbox. Operations flush and never commit: a message is queued
by the transaction that decides to send it, and goes out only if that transaction commits.

`dedupe_key` names what a message is for ("reminder/CD92/2022-06-10/17", a briefing to one
reader): queuing the same key again returns the message already queued and adds nothing, even
when two processes queue it at the same moment.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db, utcnow
from app.outbox.models import Channel, DeliveryStatus, OutgoingAttachment, OutgoingMessage
from app.scheduler import insert_if_absent

WEBHOOK_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "application/pdf"
    content: bytes


def enqueue_email(
    recipient: str,
    subject: str,
    body: str,
    dedupe_key: str,
    attachments: Iterable[Attachment] = (),
    *,
    now: datetime | None = None,
) -> OutgoingMessage:
    """Queue a plain-text e-mail to one address, with optional attachments. It is due from
    `now` (a job passes the moment it runs as of; default: the current time)."""
    recipient = recipient.strip()
    if "@" not in recipient:
        raise ValueError(f"not an e-mail address: {recipient!r}")
    message, created = _enqueue(
        channel=Channel.EMAIL,
        recipient=recipient,
        subject=subject,
        body=body,
        key=dedupe_key,
        next_attempt_at=now or utcnow(),
    )
    if created:
        db.session.add_all(
            OutgoingAttachment(
                message_id=message.id,
                filename=attachment.filename,
                content_type=attachment.content_type,
                content=attachment.content,
            )
            for attachment in attachments
        )
        db.session.flush()
        db.session.expire(message, ["attachments"])
    return message


def enqueue_webhook(
    url: str, payload: dict, dedupe_key: str, *, now: datetime | None = None
) -> OutgoingMessage:
    """Queue a POST of `payload` as JSON to `url` (http or https), due from `now`."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in WEBHOOK_SCHEMES or not parts.netloc:
        raise ValueError(f"not an http(s) address: {url!r}")
    message, _created = _enqueue(
        channel=Channel.WEBHOOK,
        recipient=url,
        payload=payload,
        key=dedupe_key,
        next_attempt_at=now or utcnow(),
    )
    return message


def _enqueue(*, channel: Channel, recipient: str, key: str, **content: object):
    existing = message_by_key(key)
    if existing is not None:
        return existing, False
    new_id = insert_if_absent(
        OutgoingMessage.__table__,
        {"channel": channel.value, "recipient": recipient, "dedupe_key": key, **content},
    )
    return message_by_key(key), new_id is not None


def message_by_key(key: str) -> OutgoingMessage | None:
    return db.session.scalar(select(OutgoingMessage).where(OutgoingMessage.dedupe_key == key))


class RetryError(Exception):
    """The message cannot be retried; the message says why."""


def retry_message(message: OutgoingMessage, now: datetime) -> OutgoingMessage:
    """Send a failed (or waiting) message again at the next delivery, with a new round of
    attempts."""
    if message.status not in (DeliveryStatus.FAILED, DeliveryStatus.PENDING):
        raise RetryError(
            _(
                "Message %(id)d is %(status)s; only a failed or waiting message can be retried.",
                id=message.id,
                status=message.status,
            )
        )
    message.status = DeliveryStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now
    db.session.flush()
    return message
