"""Reads of the unit tree. Subtrees and ancestors go through the closure table, so one
subtree never means loading the whole tree into Python."""

from sqlalchemy import Select, func, or_, select

from app.db import LIKE_ESCAPE, contains_pattern, db
from app.formatting import search_key
from app.units.models import Unit, UnitClosure


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def subtree_ids(root_id: int) -> Select[tuple[int]]:
    """Ids of a unit and all its descendants, as a subquery for IN (...)."""
    return select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == root_id)


def subtree(root_id: int) -> Select[tuple[Unit]]:
    """The unit and all its descendants."""
    return (
        select(Unit)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == root_id)
    )


def is_in_subtree(unit_id: int, root_id: int) -> bool:
    statement = select(UnitClosure.depth).where(
        UnitClosure.ancestor_id == root_id, UnitClosure.descendant_id == unit_id
    )
    return db.session.scalar(statement) is not None


def lineage(unit_id: int, within: Select[tuple[int]] | None = None) -> list[Unit]:
    """The unit's ancestors from the root down to the unit itself, optionally only those
    whose ids are in `within`."""
    statement = (
        select(Unit)
        .join(UnitClosure, UnitClosure.ancestor_id == Unit.id)
        .where(UnitClosure.descendant_id == unit_id)
        .order_by(UnitClosure.depth.desc())
    )
    if within is not None:
        statement = statement.where(Unit.id.in_(within))
    return list(db.session.scalars(statement))


def descendant_counts_by_kind(root_id: int) -> list[tuple[str, int]]:
    """How many units of each kind lie below the unit (the unit itself excluded)."""
    statement = (
        select(Unit.kind, func.count())
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == root_id, UnitClosure.depth > 0)
        .group_by(Unit.kind)
        .order_by(func.min(UnitClosure.depth), Unit.kind)
    )
    return [(kind, count) for kind, count in db.session.execute(statement)]


def children(parent_id: int, kind: str | None = None) -> Select[tuple[Unit]]:
    statement = select(Unit).where(Unit.parent_id == parent_id)
    if kind:
        statement = statement.where(Unit.kind == kind)
    return statement.order_by(Unit.kind, Unit.code)


def child_kinds(parent_id: int) -> list[tuple[str, int]]:
    statement = (
        select(Unit.kind, func.count())
        .where(Unit.parent_id == parent_id)
        .group_by(Unit.kind)
        .order_by(Unit.kind)
    )
    return [(kind, count) for kind, count in db.session.execute(statement)]


def child_counts(unit_ids: list[int]) -> dict[int, int]:
    """Number of direct children of each given unit (units without children are absent)."""
    if not unit_ids:
        return {}
    statement = (
        select(Unit.parent_id, func.count())
        .where(Unit.parent_id.in_(unit_ids))
        .group_by(Unit.parent_id)
    )
    return {parent_id: count for parent_id, count in db.session.execute(statement)}


def search_subtree(root_id: int, text: str) -> Select[tuple[Unit]]:
    """Units of the subtree whose code or name (accents ignored) contains the text."""
    pattern = contains_pattern(search_key(text))
    return (
        subtree(root_id)
        .where(or_(Unit.search_name.like(pattern, escape=LIKE_ESCAPE), Unit.code == text.strip()))
        .order_by(UnitClosure.depth, Unit.kind, Unit.code)
    )
