"""Who may see and configure a campaign, built on the unit rule of app.scope.

A campaign concerns its owner unit and every unit below it. People inside that subtree see it;
so do people above the owner (a province leader sees a district's own campaign).
"""

from sqlalchemy import Select, false, or_, select

from app.scope import Access, may, reachable_unit_ids
from app.units.models import UnitClosure
from app.units.queries import is_in_subtree
from app.users.models import User
from campaigns.models import Campaign


def _signed_in(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_see(user: User | None, campaign: Campaign) -> bool:
    if not _signed_in(user):
        return False
    return is_in_subtree(user.unit_id, campaign.owner_unit_id) or may(
        user, Access.READ, campaign.owner_unit
    )


def may_configure(user: User | None, campaign: Campaign) -> bool:
    """Change the campaign, its indicators and its tasks."""
    return may(user, Access.CONFIGURE, campaign.owner_unit)


def visible_campaigns(user: User | None) -> Select[tuple[Campaign]]:
    """Every campaign `may_see` allows, newest first."""
    if not _signed_in(user):
        return select(Campaign).where(false())
    owners_at_or_above = select(UnitClosure.ancestor_id).where(
        UnitClosure.descendant_id == user.unit_id
    )
    return (
        select(Campaign)
        .where(
            or_(
                Campaign.owner_unit_id.in_(owners_at_or_above),
                Campaign.owner_unit_id.in_(reachable_unit_ids(user, Access.READ)),
            )
        )
        .order_by(Campaign.start_date.desc(), Campaign.code)
    )
