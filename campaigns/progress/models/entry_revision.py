from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, one_of, utcnow
from app.users.models import User
from campaigns.progress.models.entry import Entry


class EntrySource(StrEnum):
    WEB = "web"
    API = "api"
    IMPORT = "import"  # an Excel file
    DEMO = "demo"


class EntryRevision(db.Model):
    """One save of an entry: the figures before and after, who, when, through what, on whose
    behalf, whether it came after the deadline, and why. Rows are only ever added."""

    __tablename__ = "entry_revisions"
    __table_args__ = (
        UniqueConstraint("entry_id", "revision", name="uq_entry_revisions_entry_revision"),
        CheckConstraint(one_of("source", EntrySource), name="source_known"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    revision: Mapped[int]
    old_numerator: Mapped[int | None]
    old_denominator: Mapped[int | None]
    numerator: Mapped[int]
    denominator: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(16))
    on_behalf: Mapped[bool] = mapped_column(default=False)
    late: Mapped[bool] = mapped_column(default=False)
    # Why an admin changed a locked entry, or why a stock level went down.
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    entry: Mapped[Entry] = relationship(back_populates="revisions")
    changed_by: Mapped[User | None] = relationship()
