from campaigns.models.campaign import Campaign, CampaignStatus, RankingWindow
from campaigns.models.indicator import (
    Direction,
    Indicator,
    IndicatorKind,
    IndicatorUnitKind,
    Measure,
)
from campaigns.models.peer_group import PeerGroup

__all__ = [
    "Campaign",
    "CampaignStatus",
    "Direction",
    "Indicator",
    "IndicatorKind",
    "IndicatorUnitKind",
    "Measure",
    "PeerGroup",
    "RankingWindow",
]
