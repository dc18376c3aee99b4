from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, one_of, utcnow
from app.users.models import User
from campaigns.tasks.models.task_assignment import TaskAssignment, TaskStatus


class TaskUpdate(db.Model):
    """A report on an assignment: a note, a status change, evidence files. Never edited."""

    __tablename__ = "task_updates"
    __table_args__ = (
        CheckConstraint(one_of("status_before", TaskStatus), name="status_before_known"),
        CheckConstraint(one_of("status_after", TaskStatus), name="status_after_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("task_assignments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    status_before: Mapped[str] = mapped_column(String(16))
    status_after: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[TaskAssignment] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
    files: Mapped[list["EvidenceFile"]] = relationship(  # noqa: F821
        back_populates="update", order_by="EvidenceFile.id", cascade="all, delete-orphan"
    )
