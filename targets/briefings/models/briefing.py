from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, one_of, utcnow
from app.users.models import User
from campaigns.models import Campaign


class BriefingKind(StrEnum):
    DAILY = "daily"  # điểm tin: one day
    REVIEW = "review"  # sơ kết / tổng kết: a range of days


class BriefingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Briefing(db.Model):
    """One version of a campaign's briefing for a day (or a review of a range of days).

    `content` is the snapshot of every figure, ranking and item the briefing shows, taken when
    its figures were read (targets.briefings.content); a published version never changes
    again. A correction after publishing is the next version, with `changes` saying what
    differs from the one before (đính chính). The database holds one version number once and at
    most one draft per day, so two schedulers cannot make the same briefing twice.
    """

    __tablename__ = "briefings"
    __table_args__ = (
        UniqueConstraint(
            "campaign_id",
            "kind",
            "start_date",
            "end_date",
            "version",
            name="uq_briefings_campaign_kind_period_version",
        ),
        Index(
            "uq_briefings_one_draft",
            "campaign_id",
            "kind",
            "start_date",
            "end_date",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        CheckConstraint(one_of("kind", BriefingKind), name="kind_known"),
        CheckConstraint(one_of("status", BriefingStatus), name="status_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("start_date <= end_date", name="dates_ordered"),
        CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)", name="published_when_dated"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default=BriefingKind.DAILY)
    start_date: Mapped[date]
    end_date: Mapped[date]  # a daily briefing's day is both
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default=BriefingStatus.DRAFT)
    number: Mapped[str] = mapped_column(String(64), default="")  # "Số: 12/TB-STTTT"
    directions: Mapped[str] = mapped_column(Text, default="")  # chỉ đạo
    content: Mapped[dict] = mapped_column(JSON)
    changes: Mapped[list] = mapped_column(JSON, default=list)
    figures_read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    campaign: Mapped[Campaign] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    items: Mapped[list["BriefingItem"]] = relationship(  # noqa: F821
        back_populates="briefing", cascade="all, delete-orphan", order_by="BriefingItem.position"
    )

    @property
    def day(self) -> date:
        return self.end_date

    @property
    def is_draft(self) -> bool:
        return self.status == BriefingStatus.DRAFT

    def __repr__(self) -> str:
        return f"<Briefing {self.kind} {self.start_date}–{self.end_date} v{self.version}>"
