from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, utcnow
from app.units.models import Unit
from campaigns.models import Indicator


class Milestone(db.Model):
    """A point of a unit's planned trajectory: by this date, this value. Without milestones
    the trajectory runs straight from the baseline to the target (DESIGN §4)."""

    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint(
            "indicator_id", "unit_id", "milestone_date", name="uq_milestones_indicator_unit_date"
        ),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    milestone_date: Mapped[date]
    value: Mapped[float]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    indicator: Mapped[Indicator] = relationship()
    unit: Mapped[Unit] = relationship()
