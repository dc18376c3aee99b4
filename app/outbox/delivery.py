"""Sending what the outbox holds: the job "outbox.deliver" of the scheduler.

Each due message is claimed with a conditional UPDATE (only one process can turn it from
pending into sending) and the claim is committed before the message goes out, so two
schedulers never send the same message. A failure is retried after growing delays; a message
whose sender was killed mid-send is taken back after CLAIM_TIMEOUT and sent again (at least
once rather than at most once: a reader may get a reminder twice, never none).
"""

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update

from app.db import db
from app.outbox.models import Channel, DeliveryStatus, OutgoingMessage
from app.outbox.operations import WEBHOOK_SCHEMES

logger = logging.getLogger(__name__)

# The wait after the 1st, 2nd... failed attempt; after the last one the message has failed.
RETRY_DELAYS = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 15, 60, 240))
# A message still "sending" this long after its claim lost its sender (a killed scheduler).
CLAIM_TIMEOUT = timedelta(minutes=10)
SMTP_TIMEOUT = 30  # seconds
ERROR_MAX = 2000  # characters of an error kept in last_error
SIGNATURE_HEADER = "X-Tiendo-Signature"


@dataclass
class DeliveryCounts:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0  # failed, will be tried again later
    failed: int = 0  # failed for the last time
    released: int = 0  # stale claims put back to pending
    waiting: int = 0  # e-mails held back because e-mail is not configured

    @property
    def anything(self) -> bool:
        return any((self.sent, self.retrying, self.failed, self.released))


def mail_problem() -> str | None:
    """Why e-mail cannot be sent with the current settings; None when it can."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        return "E-mail is not configured: MAIL_SERVER is empty."
    if not config["MAIL_SENDER"]:
        return "E-mail is not configured: MAIL_SENDER is empty."
    return None


def deliver_due(now: datetime, limit: int = 100) -> DeliveryCounts:
    """Send up to `limit` messages due at `now`, oldest first. Commits as it goes: each claim
    before its sending, each outcome after it."""
    counts = DeliveryCounts(released=release_stale_claims(now))
    channels = [Channel.WEBHOOK]
    problem = mail_problem()
    if problem is None:
        channels.append(Channel.EMAIL)
    else:
        counts.waiting = hold_emails(now, problem)
    db.session.commit()
    due = db.session.scalars(
        select(OutgoingMessage.id)
        .where(
            OutgoingMessage.status == DeliveryStatus.PENDING,
            OutgoingMessage.next_attempt_at <= now,
            OutgoingMessage.channel.in_(channels),
        )
        .order_by(OutgoingMessage.next_attempt_at, OutgoingMessage.id)
        .limit(limit)
    ).all()
    with Mailer() as mailer:
        for message_id in due:
            if not claim(message_id, now):
                continue  # another delivery run got it first
            db.session.commit()
            message = db.session.get(OutgoingMessage, message_id)
            try:
                if message.channel == Channel.EMAIL:
                    mailer.send(email_of(message, now))
                else:
                    post_webhook(message.recipient, message.payload)
            except Exception as error:  # whatever went wrong, the message is retried
                record_failure(message, now, error, counts)
            else:
                message.status = DeliveryStatus.SENT
                message.sent_at = now
                message.last_error = ""
                counts.sent += 1
            db.session.commit()
    if counts.anything:
        logger.info(
            "Outbox: %d sent, %d to retry, %d failed, %d taken back from a stopped sender",
            counts.sent,
            counts.retrying,
            counts.failed,
            counts.released,
        )
    return counts


def release_stale_claims(now: datetime) -> int:
    """Put messages claimed more than CLAIM_TIMEOUT ago, and still sending, back to pending."""
    outbox = OutgoingMessage.__table__
    result = db.session.execute(
        update(outbox)
        .where(
            outbox.c.status == DeliveryStatus.SENDING,
            outbox.c.claimed_at < now - CLAIM_TIMEOUT,
        )
        .values(status=DeliveryStatus.PENDING, next_attempt_at=now)
    )
    if result.rowcount:
        logger.warning(
            "Outbox: %d messages were left sending; they will be sent again", result.rowcount
        )
    return result.rowcount


def hold_emails(now: datetime, problem: str) -> int:
    """Due e-mails stay pending, each saying why; returns how many are waiting."""
    outbox = OutgoingMessage.__table__
    waiting = (
        outbox.c.channel == Channel.EMAIL,
        outbox.c.status == DeliveryStatus.PENDING,
        outbox.c.next_attempt_at <= now,
    )
    db.session.execute(
        update(outbox).where(*waiting, outbox.c.last_error != problem).values(last_error=problem)
    )
    count = db.session.scalar(select(func.count()).select_from(outbox).where(*waiting))
    if count:
        logger.warning("Outbox: %d e-mails are waiting. %s", count, problem)
    return count


def claim(message_id: int, now: datetime) -> bool:
    """Turn one due message from pending into sending; False when another run claimed it."""
    outbox = OutgoingMessage.__table__
    result = db.session.execute(
        update(outbox)
        .where(
            outbox.c.id == message_id,
            outbox.c.status == DeliveryStatus.PENDING,
            outbox.c.next_attempt_at <= now,
        )
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=outbox.c.attempts + 1)
    )
    return result.rowcount == 1


def record_failure(
    message: OutgoingMessage, now: datetime, error: Exception, counts: DeliveryCounts
) -> None:
    message.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    if message.attempts > len(RETRY_DELAYS):
        message.status = DeliveryStatus.FAILED
        counts.failed += 1
        logger.error(
            "Outbox: gave up on message %d (%s) after %d attempts: %s",
            message.id,
            message.dedupe_key,
            message.attempts,
            message.last_error,
        )
        return
    message.status = DeliveryStatus.PENDING
    message.next_attempt_at = now + RETRY_DELAYS[message.attempts - 1]
    counts.retrying += 1
    logger.warning(
        "Outbox: message %d (%s) failed, attempt %d; next at %s: %s",
        message.id,
        message.dedupe_key,
        message.attempts,
        message.next_attempt_at.isoformat(),
        message.last_error,
    )


# --- e-mail -----------------------------------------------------------------------------------


def email_of(message: OutgoingMessage, now: datetime) -> EmailMessage:
    """The message as an e-mail: UTF-8 text (Vietnamese subject and body), its attachments,
    and a Message-ID of its own, so a message sent twice reads as one to mail programs."""
    sender = current_app.config["MAIL_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    key = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:16]
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.recipient
    email["Date"] = format_datetime(now)
    email["Message-ID"] = f"<tiendo.{message.id}.{key}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
    email.set_content(message.body)
    for attachment in message.attachments:
        maintype, _slash, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return email


class Mailer:
    """One SMTP connection for a delivery run, opened at the first e-mail and opened again
    after an error."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send(self, email: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = _connect()
            self._smtp.send_message(email)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(
            host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
    try:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except Exception:
        smtp.close()
        raise
    return smtp


# --- webhooks ---------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirected POST would arrive as a GET without its body; a webhook that moved must be
    # given its new address, so a 3xx answer is a failure.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def signature(body: bytes, secret: str) -> str:
    """The X-Tiendo-Signature of a webhook body: "sha256=" and the HMAC-SHA256 in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_webhook(url: str, payload: object) -> None:
    """POST `payload` as UTF-8 JSON; returns on a 2xx answer, raises otherwise."""
    if urlsplit(url).scheme not in WEBHOOK_SCHEMES:
        raise ValueError(f"not an http(s) address: {url}")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Tiendo"}
    secret = current_app.config["WEBHOOK_SECRET"]
    if secret:
        headers[SIGNATURE_HEADER] = signature(body, secret)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with _opener.open(request, timeout=current_app.config["WEBHOOK_TIMEOUT"]) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status} from the webhook")
