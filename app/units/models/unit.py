from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, utcnow


class Unit(db.Model):
    """A node of the administrative tree: province, agency, district, commune, village...

    Kinds and depth are data from the import, never code. `search_name` is the name without
    diacritics, lower-cased, so "bu dop" finds "Huyện Bù Đốp" on every database.
    """

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint("code <> ''", name="code_not_empty"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint("kind <> ''", name="kind_not_empty"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint("households IS NULL OR households >= 0", name="households_not_negative"),
        CheckConstraint("population IS NULL OR population >= 0", name="population_not_negative"),
        CheckConstraint(
            "active_from_date IS NULL OR active_to_date IS NULL"
            " OR active_from_date <= active_to_date",
            name="active_period_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    search_name: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    households: Mapped[int | None]
    population: Mapped[int | None]
    active_from_date: Mapped[date | None]
    active_to_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id])

    def is_active_on(self, day: date) -> bool:
        started = self.active_from_date is None or self.active_from_date <= day
        not_ended = self.active_to_date is None or day <= self.active_to_date
        return started and not_ended

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name!r}>"
