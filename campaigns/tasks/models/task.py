from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, utcnow
from campaigns.models import Campaign


class Task(db.Model):
    """A qualitative task of a campaign (nhiệm vụ): hold 12 conferences, set up a team..."""

    __tablename__ = "tasks"
    __table_args__ = (CheckConstraint("title <> ''", name="title_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    campaign: Mapped[Campaign] = relationship()
    assignments: Mapped[list["TaskAssignment"]] = relationship(  # noqa: F821
        back_populates="task", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.title!r}>"
