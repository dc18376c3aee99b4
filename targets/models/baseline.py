from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, utcnow
from app.units.models import Unit
from campaigns.models import Indicator


class Baseline(db.Model):
    """A unit's figures before the campaign (kỳ gốc), so progress reads "from 21,6% to 96,9%".

    Ratios have a numerator and a denominator; counts only a numerator. Baseline denominators
    also weigh children's ratio targets in the consistency check (DESIGN §4).
    """

    __tablename__ = "baselines"
    __table_args__ = (
        UniqueConstraint("indicator_id", "unit_id", name="uq_baselines_indicator_unit"),
        CheckConstraint("numerator >= 0", name="numerator_not_negative"),
        CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator_positive"),
        CheckConstraint(
            "denominator IS NULL OR numerator <= denominator", name="numerator_within_denominator"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    numerator: Mapped[int]
    denominator: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    indicator: Mapped[Indicator] = relationship()
    unit: Mapped[Unit] = relationship()

    @property
    def value(self) -> float | None:
        if self.denominator is None:
            return float(self.numerator)
        return self.numerator / self.denominator
