from targets.briefings.models.briefing import Briefing, BriefingKind, BriefingStatus
from targets.briefings.models.briefing_item import DIRECTED, BriefingItem
from targets.briefings.models.briefing_share_link import BriefingShareLink
from targets.briefings.models.briefing_subscription import BriefingSubscription

__all__ = [
    "DIRECTED",
    "Briefing",
    "BriefingItem",
    "BriefingKind",
    "BriefingShareLink",
    "BriefingStatus",
    "BriefingSubscription",
]
