from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, utcnow
from app.units.models import Unit
from campaigns.models import Indicator


class Target(db.Model):
    """A unit's own goal for an indicator: a fraction (0.5 = 50%) for ratios, a quantity for
    counts. Units without one take theirs from the cascade (targets.rules)."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("indicator_id", "unit_id", name="uq_targets_indicator_unit"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    value: Mapped[float]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    indicator: Mapped[Indicator] = relationship()
    unit: Mapped[Unit] = relationship()
