from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, utcnow
from app.users.models import User
from campaigns.models import Campaign


class BriefingSubscription(db.Model):
    """A reader who receives the campaign's briefings by e-mail when they are published."""

    __tablename__ = "briefing_subscriptions"
    __table_args__ = (
        UniqueConstraint("campaign_id", "user_id", name="uq_briefing_subscriptions_campaign_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    user: Mapped[User] = relationship()
