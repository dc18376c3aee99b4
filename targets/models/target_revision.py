from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, one_of, utcnow
from app.units.models import Unit
from app.users.models import User
from campaigns.models import Indicator


class Subject(StrEnum):
    TARGET = "target"
    BASELINE_NUMERATOR = "baseline_numerator"
    BASELINE_DENOMINATOR = "baseline_denominator"
    MILESTONE = "milestone"


class Source(StrEnum):
    WEB = "web"
    EXCEL = "excel"
    API = "api"
    TEMPLATE = "template"
    DEMO = "demo"


class TargetRevision(db.Model):
    """One change of a target, baseline figure or milestone: old and new value, who, when,
    through what. Rows are only ever added; None stands for "not set"."""

    __tablename__ = "target_revisions"
    __table_args__ = (
        CheckConstraint(one_of("subject", Subject), name="subject_known"),
        CheckConstraint(one_of("source", Source), name="source_known"),
        CheckConstraint(
            "(subject = 'milestone') = (milestone_date IS NOT NULL)", name="milestone_has_date"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    subject: Mapped[str] = mapped_column(String(32))
    milestone_date: Mapped[date | None]
    old_value: Mapped[float | None]
    new_value: Mapped[float | None]
    source: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    indicator: Mapped[Indicator] = relationship()
    unit: Mapped[Unit] = relationship()
    changed_by: Mapped[User | None] = relationship()
