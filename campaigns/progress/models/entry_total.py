from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.db import db


class EntryTotal(db.Model):
    """A unit's own figures of one indicator added up from the campaign's first day to
    `total_date`: running sums for a flow, the level carried forward for a stock, and the
    entries counted so far. One row a day, from the unit's first entry of the indicator to the
    campaign's last day.

    Kept up to date by operations.refresh_totals whenever entries change, so a window's
    figures are two rows per unit (its last day, and the day before its first) instead of a
    scan of its entries: results rank ten thousand units in one indexed query (DESIGN §10).
    """

    __tablename__ = "entry_totals"
    __table_args__ = (
        CheckConstraint("numerator >= 0", name="numerator_not_negative"),
        CheckConstraint("denominator IS NULL OR denominator >= 0", name="denominator_not_negative"),
        CheckConstraint("entries >= 1", name="entries_positive"),
        # The operations rewrite one unit's days of one indicator at a time.
        Index("ix_entry_totals_unit_indicator_date", "unit_id", "indicator_id", "total_date"),
        # Results read a few days of many units: this index answers them without the table.
        Index(
            "ix_entry_totals_covering",
            "indicator_id",
            "total_date",
            "unit_id",
            "numerator",
            "denominator",
            "entries",
        ),
    )

    # Results read one indicator on a few days for many units: that is the primary key's order.
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True
    )
    total_date: Mapped[date] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    numerator: Mapped[int] = mapped_column(BigInteger)
    denominator: Mapped[int | None] = mapped_column(BigInteger)
    entries: Mapped[int]

    def __repr__(self) -> str:
        return f"<EntryTotal {self.indicator_id}/{self.unit_id}/{self.total_date}>"
