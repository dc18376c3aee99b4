"""Places where packages built on top of campaigns add to the campaign pages.

campaigns/ may not import targets/ (or anything above it), yet the campaign page should lead
to the targets of the campaign. A package above registers a function here; the campaign page
calls every registered function and shows the links they return.
"""

from collections.abc import Callable
from dataclasses import dataclass

from app.users.models import User
from campaigns.models import Campaign


@dataclass(frozen=True)
class CampaignLink:
    label: str
    url: str
    primary: bool = False  # the next step the user is expected to take


CampaignLinkSource = Callable[[Campaign, User], list[CampaignLink]]
_link_sources: list[CampaignLinkSource] = []


def register_campaign_links(source: CampaignLinkSource) -> None:
    if source not in _link_sources:
        _link_sources.append(source)


def campaign_links(campaign: Campaign, user: User) -> list[CampaignLink]:
    """Every registered link, primary ones first (otherwise in registration order)."""
    links = [link for source in _link_sources for link in source(campaign, user)]
    return sorted(links, key=lambda link: not link.primary)
