"""Reads of campaigns and indicators."""

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.db import db
from app.scope import Access, reachable_unit_ids
from app.units.models import Unit, UnitClosure
from app.units.queries import lineage
from app.users.models import User
from campaigns.access import visible_campaigns
from campaigns.models import Campaign, Indicator, PeerGroup


def campaign_by_code(code: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.code == code))


def indicator_by_code(campaign: Campaign, code: str) -> Indicator | None:
    return db.session.scalar(
        select(Indicator).where(Indicator.campaign_id == campaign.id, Indicator.code == code)
    )


def unit_kinds_of_subtree(root_id: int) -> list[str]:
    """The kinds of the unit and of every unit below it, the higher levels first."""
    statement = (
        select(Unit.kind)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == root_id)
        .group_by(Unit.kind)
        .order_by(func.min(UnitClosure.depth), Unit.kind)
    )
    return list(db.session.scalars(statement))


def owner_unit_options(user: User) -> Select[tuple[Unit]]:
    """Units a campaign is usually owned by: the user's own unit and those directly below,
    among the units the user may configure."""
    return (
        select(Unit)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(
            UnitClosure.ancestor_id == user.unit_id,
            UnitClosure.depth <= 1,
            Unit.id.in_(reachable_unit_ids(user, Access.CONFIGURE)),
        )
        .order_by(UnitClosure.depth, Unit.kind, Unit.code)
    )


def campaign_list(user: User) -> Select[tuple[Campaign]]:
    """The campaigns the user may see, newest first, with their owner units loaded."""
    return visible_campaigns(user).options(selectinload(Campaign.owner_unit))


# --- peer groups ------------------------------------------------------------------------------


def unit_kinds_below(root_id: int) -> list[str]:
    """The kinds of the units strictly below the unit, the higher levels first."""
    statement = (
        select(Unit.kind)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == root_id, UnitClosure.depth > 0)
        .group_by(Unit.kind)
        .order_by(func.min(UnitClosure.depth), Unit.kind)
    )
    return list(db.session.scalars(statement))


def peer_group_by_code(campaign: Campaign, code: str) -> PeerGroup | None:
    return db.session.scalar(
        select(PeerGroup).where(PeerGroup.campaign_id == campaign.id, PeerGroup.code == code)
    )


def peer_groups_with_sizes(campaign: Campaign) -> list[tuple[PeerGroup, int]]:
    """The campaign's own peer groups by code, each with its number of members (the units
    of its kind below its root, as the results rank them)."""
    size = (
        select(func.count())
        .select_from(UnitClosure)
        .join(Unit, Unit.id == UnitClosure.descendant_id)
        .where(
            UnitClosure.ancestor_id == PeerGroup.root_unit_id,
            UnitClosure.depth > 0,
            Unit.kind == PeerGroup.kind,
        )
        .correlate(PeerGroup)
        .scalar_subquery()
    )
    statement = (
        select(PeerGroup, size)
        .where(PeerGroup.campaign_id == campaign.id)
        .options(selectinload(PeerGroup.root_unit))
        .order_by(PeerGroup.code)
    )
    return [(group, count) for group, count in db.session.execute(statement)]


def campaign_lineage(campaign: Campaign, unit: Unit, user: User) -> list[Unit]:
    """The way from the campaign's owner (or the highest unit the user reads) down to the
    unit: the breadcrumbs of every campaign page about a unit."""
    within = select(UnitClosure.descendant_id).where(
        UnitClosure.ancestor_id == campaign.owner_unit_id,
        UnitClosure.descendant_id.in_(reachable_unit_ids(user, Access.READ)),
    )
    return lineage(unit.id, within=within)
