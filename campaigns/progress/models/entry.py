from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, utcnow
from app.units.models import Unit
from campaigns.models import Indicator


class Entry(db.Model):
    """A unit's own figures for one indicator and one day: the latest of its revisions.

    Flow indicators hold the day's amounts; stock indicators the level as of the day. Counts
    have no denominator. `late` says whether the first figures came after the day's deadline;
    `revision` counts the saves, so a page can tell that someone else saved in between.
    """

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint(
            "indicator_id", "unit_id", "entry_date", name="uq_entries_indicator_unit_date"
        ),
        CheckConstraint("numerator >= 0", name="numerator_not_negative"),
        CheckConstraint("denominator IS NULL OR denominator >= 0", name="denominator_not_negative"),
        CheckConstraint(
            "denominator IS NULL OR numerator <= denominator", name="numerator_within_denominator"
        ),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    entry_date: Mapped[date] = mapped_column(index=True)
    numerator: Mapped[int]
    denominator: Mapped[int | None]
    revision: Mapped[int] = mapped_column(default=1)
    late: Mapped[bool] = mapped_column(default=False)
    first_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    indicator: Mapped[Indicator] = relationship()
    unit: Mapped[Unit] = relationship()
    revisions: Mapped[list["EntryRevision"]] = relationship(  # noqa: F821
        back_populates="entry", order_by="EntryRevision.revision", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Entry {self.indicator_id}/{self.unit_id}/{self.entry_date} r{self.revision}>"
