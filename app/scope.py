"""Who may read, write or administer which unit: the one place that decides.

Every page, API endpoint and export asks `may(user, access, unit)` for a single unit or
filters lists with `reachable_unit_ids(user, access)`; both read the same table below.
"""

from enum import Enum, StrEnum

from sqlalchemy import Select, false, select

from app.units.models import Unit, UnitClosure
from app.units.queries import is_in_subtree
from app.users.models import Role, User


class Access(StrEnum):
    READ = "read"
    WRITE = "write"  # enter or correct the unit's figures, report on its tasks
    ASSIGN = "assign"  # set the unit's targets, baselines and milestones; hand tasks to it
    CONFIGURE = "configure"  # own campaigns: create them, their indicators and tasks
    ADMINISTER = "administer"  # manage the users bound to the unit


class Reach(Enum):
    NONE = "none"
    OWN_UNIT = "own unit"
    BELOW = "every unit below the own unit"
    SUBTREE = "own unit and every unit below it"


# A manager assigns targets and tasks to the units below it, never to its own unit: those
# come from above.
REACH: dict[tuple[str, Access], Reach] = {
    (Role.ADMIN, Access.READ): Reach.SUBTREE,
    (Role.ADMIN, Access.WRITE): Reach.SUBTREE,
    (Role.ADMIN, Access.ASSIGN): Reach.SUBTREE,
    (Role.ADMIN, Access.CONFIGURE): Reach.SUBTREE,
    (Role.ADMIN, Access.ADMINISTER): Reach.SUBTREE,
    (Role.MANAGER, Access.READ): Reach.SUBTREE,
    (Role.MANAGER, Access.WRITE): Reach.SUBTREE,
    (Role.MANAGER, Access.ASSIGN): Reach.BELOW,
    (Role.REPORTER, Access.READ): Reach.SUBTREE,
    (Role.REPORTER, Access.WRITE): Reach.OWN_UNIT,
    (Role.VIEWER, Access.READ): Reach.SUBTREE,
}


def reach(user: User | None, access: Access) -> Reach:
    """How far the user's rights of this kind extend from their unit; NONE when not listed."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Reach.NONE
    return REACH.get((user.role, access), Reach.NONE)


def may(user: User | None, access: Access, unit: Unit) -> bool:
    """May this user read / write / assign to / configure / administer this unit?"""
    match reach(user, access):
        case Reach.NONE:
            return False
        case Reach.OWN_UNIT:
            return unit.id == user.unit_id
        case Reach.BELOW:
            return unit.id != user.unit_id and is_in_subtree(unit.id, user.unit_id)
        case Reach.SUBTREE:
            return is_in_subtree(unit.id, user.unit_id)


def reachable_unit_ids(user: User | None, access: Access) -> Select[tuple[int]]:
    """The ids of every unit `may(user, access, unit)` allows, as a subquery."""
    match reach(user, access):
        case Reach.NONE:
            return select(Unit.id).where(false())
        case Reach.OWN_UNIT:
            return select(Unit.id).where(Unit.id == user.unit_id)
        case Reach.BELOW:
            return select(UnitClosure.descendant_id).where(
                UnitClosure.ancestor_id == user.unit_id, UnitClosure.depth > 0
            )
        case Reach.SUBTREE:
            return select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == user.unit_id)
