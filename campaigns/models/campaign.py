from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, one_of, utcnow
from app.units.models import Unit


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class RankingWindow(StrEnum):
    DAY = "day"
    WEEK = "week"  # the last seven days, the default of DESIGN §5
    MONTH = "month"  # month to date
    CAMPAIGN = "campaign"  # campaign to date


class Campaign(db.Model):
    """A time-boxed drive owned by a unit (usually the province), e.g. the 92-day drive.

    The scoring and praise/criticism parameters default to DESIGN §5 and may be changed per
    campaign; the database keeps them within sensible bounds.
    """

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("code <> ''", name="code_not_empty"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint("start_date <= end_date", name="dates_ordered"),
        CheckConstraint(one_of("status", CampaignStatus), name="status_known"),
        CheckConstraint(one_of("ranking_window", RankingWindow), name="window_known"),
        CheckConstraint("lock_after_days >= 0", name="lock_after_days_not_negative"),
        CheckConstraint("top_n >= 1 AND bottom_n >= 1", name="group_sizes_positive"),
        CheckConstraint(
            "improvement_points > 0 AND decline_points > 0", name="movement_points_positive"
        ),
        CheckConstraint(
            "below_target_share > 0 AND below_target_share <= 1", name="below_target_share_range"
        ),
        CheckConstraint(
            "missing_days_limit >= 1 AND missing_days_limit <= 7", name="missing_days_limit_range"
        ),
        CheckConstraint(
            "0 <= band_average AND band_average <= band_fair AND band_fair <= band_good"
            " AND band_good <= band_excellent AND band_excellent <= 100",
            name="bands_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    legal_basis: Mapped[str] = mapped_column(String(255), default="")
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT)

    # Reporting discipline (DESIGN §6)
    entry_deadline: Mapped[time] = mapped_column(default=time(16, 30))
    lock_after_days: Mapped[int] = mapped_column(default=3)
    requires_task_evidence: Mapped[bool] = mapped_column(default=False)

    # Scoring, ranking, praise and criticism (DESIGN §5)
    ranking_window: Mapped[str] = mapped_column(String(16), default=RankingWindow.WEEK)
    top_n: Mapped[int] = mapped_column(default=3)
    bottom_n: Mapped[int] = mapped_column(default=3)
    improvement_points: Mapped[float] = mapped_column(default=10.0)
    decline_points: Mapped[float] = mapped_column(default=10.0)
    below_target_share: Mapped[float] = mapped_column(default=0.5)
    missing_days_limit: Mapped[int] = mapped_column(default=3)
    band_excellent: Mapped[float] = mapped_column(default=90.0)
    band_good: Mapped[float] = mapped_column(default=80.0)
    band_fair: Mapped[float] = mapped_column(default=70.0)
    band_average: Mapped[float] = mapped_column(default=50.0)

    # Briefings (DESIGN §7): drafted each morning for the day before, published by an admin
    # (or at once, `auto_publish`), sent by e-mail to subscribers and to `webhook_url`; the
    # official notice names its issuer ("Sở Thông tin và Truyền thông", "STTTT") and place.
    briefing_time: Mapped[time] = mapped_column(default=time(6, 30))
    auto_publish: Mapped[bool] = mapped_column(default=False)
    # Units with no figures yet are reminded by e-mail at this time; None: no reminders.
    reminder_time: Mapped[time | None] = mapped_column(default=time(15, 30))
    webhook_url: Mapped[str] = mapped_column(String(1000), default="")
    issuer_name: Mapped[str] = mapped_column(String(255), default="")
    issuer_code: Mapped[str] = mapped_column(String(32), default="")
    place_name: Mapped[str] = mapped_column(String(255), default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    owner_unit: Mapped[Unit] = relationship()
    indicators: Mapped[list["Indicator"]] = relationship(  # noqa: F821
        back_populates="campaign", order_by="Indicator.position", cascade="all, delete-orphan"
    )

    @property
    def is_closed(self) -> bool:
        return self.status == CampaignStatus.CLOSED

    def __repr__(self) -> str:
        return f"<Campaign {self.code}>"
