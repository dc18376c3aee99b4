from campaigns.models.campaign import Campaign, CampaignStatus, RankingWindow
from campaigns.models.indicator import (
    Direction,
    Indicator,
    IndicatorKind,
    IndicatorUnitKind,
    Measure,
)

__all__ = [
    "Campaign",
    "CampaignStatus",
    "Direction",
    "Indicator",
    "IndicatorKind",
    "IndicatorUnitKind",
    "Measure",
    "RankingWindow",
]
