from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db
from app.units.models import Unit
from campaigns.models.campaign import Campaign


class PeerGroup(db.Model):
    """A group of units a campaign ranks together besides the default ones (units of one kind
    under one parent): every unit of `kind` below `root_unit`, e.g. all communes of the
    province (DESIGN §5)."""

    __tablename__ = "peer_groups"
    __table_args__ = (
        UniqueConstraint("campaign_id", "code", name="uq_peer_groups_campaign_code"),
        CheckConstraint("code <> ''", name="code_not_empty"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint("kind <> ''", name="kind_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    root_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))

    campaign: Mapped[Campaign] = relationship()
    root_unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<PeerGroup {self.code}>"
