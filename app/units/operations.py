"""Every write to the unit tree. Operations flush; the caller's boundary commits."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, literal, select
from sqlalchemy.orm import aliased

from app.db import db
from app.formatting import search_key
from app.units.importing import UnitFileError, UnitList, UnitRow, check_tree
from app.units.models import Unit, UnitClosure

SEARCH_NAME_LENGTH = Unit.__table__.c.search_name.type.length
# SQLite accepts at most 32,766 bound parameters per statement; stay well below it.
_CHUNK = 900


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def import_units(units: UnitList) -> ImportSummary:
    """Create or update units by code; all of them or, on any error, none.

    Re-importing the same list changes nothing; units absent from the list are left as they
    are. Raises UnitFileError, with the rows' own errors and the tree's (unknown parent, loop)
    in line order, before anything is flushed.
    """
    stored_parents = _stored_parent_codes()
    errors = units.errors + check_tree(units, stored_parents)
    if errors:
        raise UnitFileError(sorted(errors, key=lambda error: error.line or 0))
    rows = units.rows
    units_by_code = _units_by_code([row.code for row in rows])
    parent_codes = {row.parent_code for row in rows if row.parent_code} - units_by_code.keys()
    units_by_code.update(_units_by_code(sorted(parent_codes)))

    written: list[UnitRow] = []
    created = 0
    for row in rows:
        unit = units_by_code.get(row.code)
        if unit is None:
            unit = Unit(code=row.code)
            db.session.add(unit)
            units_by_code[row.code] = unit
            created += 1
        elif not _differs(unit, row, stored_parents.get(row.code)):
            continue
        unit.name = row.name
        # Decomposing can lengthen a name ("…" becomes "..."); the column holds 255.
        unit.search_name = search_key(row.name)[:SEARCH_NAME_LENGTH]
        unit.kind = row.kind
        unit.households = row.households
        unit.population = row.population
        unit.active_from_date = row.active_from_date
        unit.active_to_date = row.active_to_date
        written.append(row)
    db.session.flush()  # new units get their ids before parents are linked
    tree_changed = False
    for row in written:
        if row.code in stored_parents and stored_parents[row.code] == row.parent_code:
            continue
        parent = units_by_code[row.parent_code] if row.parent_code else None
        units_by_code[row.code].parent_id = parent.id if parent else None
        tree_changed = True
    db.session.flush()
    if tree_changed:
        rebuild_unit_closure()
    updated = len(written) - created
    return ImportSummary(created=created, updated=updated, unchanged=len(rows) - created - updated)


def rebuild_unit_closure() -> None:
    """Recompute the closure table from parent links in one recursive SQL statement."""
    tree = select(
        Unit.id.label("ancestor_id"),
        Unit.id.label("descendant_id"),
        literal(0).label("depth"),
    ).cte("tree", recursive=True)
    child = aliased(Unit)
    tree = tree.union_all(
        select(tree.c.ancestor_id, child.id, tree.c.depth + 1).join(
            child, child.parent_id == tree.c.descendant_id
        )
    )
    db.session.execute(delete(UnitClosure))
    db.session.execute(
        insert(UnitClosure).from_select(
            ["ancestor_id", "descendant_id", "depth"],
            select(tree.c.ancestor_id, tree.c.descendant_id, tree.c.depth),
        )
    )


def _stored_parent_codes() -> dict[str, str | None]:
    parent = aliased(Unit)
    statement = select(Unit.code, parent.code).outerjoin(parent, Unit.parent_id == parent.id)
    return {code: parent_code for code, parent_code in db.session.execute(statement)}


def _units_by_code(codes: Sequence[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        found.update(
            (unit.code, unit)
            for unit in db.session.scalars(select(Unit).where(Unit.code.in_(chunk)))
        )
    return found


def _differs(unit: Unit, row: UnitRow, stored_parent_code: str | None) -> bool:
    return (
        unit.name != row.name
        or unit.kind != row.kind
        or stored_parent_code != row.parent_code
        or unit.households != row.households
        or unit.population != row.population
        or unit.active_from_date != row.active_from_date
        or unit.active_to_date != row.active_to_date
    )
