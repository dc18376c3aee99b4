from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db, one_of
from campaigns.models.campaign import Campaign


class IndicatorKind(StrEnum):
    RATIO = "ratio"  # numerator / denominator, shown as %
    COUNT = "count"


class Measure(StrEnum):
    FLOW = "flow"  # amounts for one day; a window sums them
    STOCK = "stock"  # a level as of a date; a window takes the latest


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Indicator(db.Model):
    """A measure of a campaign (DESIGN §4), e.g. the share of dossiers processed online."""

    __tablename__ = "indicators"
    __table_args__ = (
        UniqueConstraint("campaign_id", "code", name="uq_indicators_campaign_code"),
        CheckConstraint("code <> ''", name="code_not_empty"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint(one_of("kind", IndicatorKind), name="kind_known"),
        CheckConstraint(one_of("measure", Measure), name="measure_known"),
        CheckConstraint(one_of("direction", Direction), name="direction_known"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16), default=Direction.HIGHER)
    weight: Mapped[float] = mapped_column(default=1.0)
    numerator_label: Mapped[str] = mapped_column(String(255), default="")
    denominator_label: Mapped[str] = mapped_column(String(255), default="")
    position: Mapped[int] = mapped_column(default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="indicators")
    unit_kinds: Mapped[list["IndicatorUnitKind"]] = relationship(
        cascade="all, delete-orphan", order_by="IndicatorUnitKind.kind"
    )

    @property
    def is_ratio(self) -> bool:
        return self.kind == IndicatorKind.RATIO

    @property
    def applies_to_kinds(self) -> list[str]:
        """The unit kinds the indicator is measured on; empty means every kind."""
        return [row.kind for row in self.unit_kinds]

    def applies_to(self, kind: str) -> bool:
        kinds = self.applies_to_kinds
        return not kinds or kind in kinds

    def __repr__(self) -> str:
        return f"<Indicator {self.code}>"


class IndicatorUnitKind(db.Model):
    """One unit kind an indicator applies to."""

    __tablename__ = "indicator_unit_kinds"

    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
