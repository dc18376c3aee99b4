from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, one_of, utcnow
from app.units.models import Unit
from campaigns.tasks.models.task import Task
from campaigns.tasks.rules import TaskStatus


class TaskAssignment(db.Model):
    """A task handed to one unit; the unit reports its own status and evidence.

    A manager may forward its assignment to the units below it: their assignments point back
    to it through `parent_id`, and the parent shows how many of them are done.
    """

    __tablename__ = "task_assignments"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id", name="uq_task_assignments_task_unit"),
        CheckConstraint(one_of("status", TaskStatus), name="status_known"),
        CheckConstraint(
            "(status = 'done') = (completed_at IS NOT NULL)", name="completed_when_done"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_assignments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.TODO)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    task: Mapped[Task] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()
    parent: Mapped["TaskAssignment | None"] = relationship(remote_side=[id])
    updates: Mapped[list["TaskUpdate"]] = relationship(  # noqa: F821
        back_populates="assignment", order_by="TaskUpdate.created_at", cascade="all, delete-orphan"
    )

    def is_overdue_on(self, day: date) -> bool:
        return self.status != TaskStatus.DONE and day > self.task.due_date

    def __repr__(self) -> str:
        return f"<TaskAssignment task={self.task_id} unit={self.unit_id} {self.status}>"
