from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.db import db


class UnitClosure(db.Model):
    """Closure table of the unit tree: one row per (ancestor, descendant) pair, self included.

    A subtree or the ancestors of a unit are then one indexed join on SQLite and PostgreSQL
    alike, and later roll-ups sum a whole tree level by level in a single GROUP BY.
    """

    __tablename__ = "unit_closures"
    __table_args__ = (
        CheckConstraint("depth >= 0", name="depth_not_negative"),
        CheckConstraint("depth > 0 OR ancestor_id = descendant_id", name="depth_zero_is_self"),
        Index("ix_unit_closures_descendant_depth", "descendant_id", "depth"),
    )

    ancestor_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    descendant_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    depth: Mapped[int]
