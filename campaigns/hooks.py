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


# Daily entries come in a later issue. A campaign that already has entries may not get new
# indicators, and its indicators keep their code, kind and measure; the package that stores
# entries registers here a function saying whether a campaign has any.
EntryCheck = Callable[[Campaign], bool]
_entry_checks: list[EntryCheck] = []


def register_entry_check(check: EntryCheck) -> EntryCheck:
    """Register `check(campaign) -> bool`; returns it, so it can be used as a decorator."""
    if check not in _entry_checks:
        _entry_checks.append(check)
    return check


def unregister_entry_check(check: EntryCheck) -> None:
    if check in _entry_checks:
        _entry_checks.remove(check)


def campaign_has_entries(campaign: Campaign) -> bool:
    return any(check(campaign) for check in _entry_checks)
