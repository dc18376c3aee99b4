from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, utcnow
from campaigns.tasks.models.task_update import TaskUpdate


class EvidenceFile(db.Model):
    """A photo or PDF attached to a task update (minh chứng).

    The bytes live outside the static folder under a random name (`stored_name`) and are
    served only to users who may read the assignment's unit.
    """

    __tablename__ = "evidence_files"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("task_updates.id", ondelete="CASCADE"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    update: Mapped[TaskUpdate] = relationship(back_populates="files")
