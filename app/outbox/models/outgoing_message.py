from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, one_of, utcnow


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a delivery run
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class OutgoingMessage(db.Model):
    """An e-mail or webhook call waiting to go out, or gone: the outbox.

    What the application sends is written here inside the transaction that decided to send it
    (publishing a briefing, a reminder), and the scheduler's delivery job sends it afterwards,
    retrying with growing delays. So a message is never sent for a change that was rolled back,
    and a failing mail server costs a delay, not the change. `dedupe_key` is unique: the same
    message (a briefing to one reader) is never queued twice, however many schedulers run.
    """

    __tablename__ = "outgoing_messages"
    __table_args__ = (
        CheckConstraint(one_of("channel", Channel), name="channel_known"),
        CheckConstraint(one_of("status", DeliveryStatus), name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("recipient <> ''", name="recipient_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(1000))  # an e-mail address or a URL
    subject: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # e-mail text
    payload: Mapped[dict | None] = mapped_column(JSON)  # webhook JSON
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachments: Mapped[list["OutgoingAttachment"]] = relationship(  # noqa: F821
        back_populates="message", cascade="all, delete-orphan", order_by="OutgoingAttachment.id"
    )

    def __repr__(self) -> str:
        return f"<OutgoingMessage {self.channel} {self.dedupe_key} {self.status}>"
