from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db
from app.outbox.models.outgoing_message import OutgoingMessage


class OutgoingAttachment(db.Model):
    """A file sent with an e-mail of the outbox (a briefing's .docx, say)."""

    __tablename__ = "outgoing_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutgoingMessage] = relationship(back_populates="attachments")
