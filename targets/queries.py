"""Reads of targets, baselines, milestones and their history.

The rules live in targets.rules; this module feeds them from the database. Ratio targets are
resolved in SQL through the closure table (the nearest ancestor holding a Target row, never
the whole tree); count targets add up a subtree, so they load that subtree's units and
targets. tests/test_targets.py holds the SQL to the answers of the rules.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from app.db import db
from app.scope import Access, reachable_unit_ids
from app.units.models import Unit, UnitClosure
from app.units.queries import is_in_subtree
from app.users.models import User
from campaigns.models import Campaign, Indicator
from targets.models import Baseline, Milestone, Target, TargetRevision
from targets.rules import (
    ChildFigures,
    ConsistencyWarning,
    Effective,
    IndicatorRule,
    TargetSource,
    TreeUnit,
    check_consistency,
    count_targets,
)

# SQLite accepts at most 32,766 bound parameters per statement; stay well below it.
CHUNK = 900

Key = tuple[int, int]  # (unit id, indicator id)


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def indicator_rule(indicator: Indicator) -> IndicatorRule:
    return IndicatorRule(
        id=indicator.id,
        kind=indicator.kind,
        direction=indicator.direction,
        unit_kinds=frozenset(indicator.applies_to_kinds),
    )


# --- units ----------------------------------------------------------------------------------


def in_campaign(campaign: Campaign, unit: Unit) -> bool:
    """Is the unit the campaign's owner or below it?"""
    return is_in_subtree(unit.id, campaign.owner_unit_id)


def default_unit(campaign: Campaign, user: User) -> Unit:
    """The user's own unit when it takes part in the campaign, else (the user is above the
    owner) the campaign's owner unit."""
    if in_campaign(campaign, user.unit):
        return user.unit
    return campaign.owner_unit


def child_units(unit_id: int) -> list[Unit]:
    return list(
        db.session.scalars(
            select(Unit).where(Unit.parent_id == unit_id).order_by(Unit.kind, Unit.code)
        )
    )


def relevant_children(unit: Unit, indicator: Indicator) -> list[Unit]:
    """The children of the unit that the indicator applies to, or to some unit below them."""
    children = child_units(unit.id)
    kinds_below = subtree_kinds([child.id for child in children])
    rule = indicator_rule(indicator)
    return [child for child in children if is_relevant(rule, kinds_below[child.id])]


def subtree_units(root_id: int) -> list[TreeUnit]:
    """The unit and every unit below it, as plain data for the rules."""
    statement = (
        select(Unit.id, Unit.parent_id, Unit.kind)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == root_id)
    )
    rows = db.session.execute(statement).all()
    ids = {row.id for row in rows}
    # The root's parent lies outside the subtree: the rules see the root as a root.
    return [
        TreeUnit(row.id, row.parent_id if row.parent_id in ids else None, row.kind) for row in rows
    ]


def subtree_kinds(unit_ids: Sequence[int]) -> dict[int, set[str]]:
    """For each unit, the kinds found in its subtree (itself included), in one GROUP BY."""
    kinds: dict[int, set[str]] = {unit_id: set() for unit_id in unit_ids}
    for chunk in chunks(list(unit_ids)):
        statement = (
            select(UnitClosure.ancestor_id, Unit.kind)
            .join(Unit, Unit.id == UnitClosure.descendant_id)
            .where(UnitClosure.ancestor_id.in_(chunk))
            .group_by(UnitClosure.ancestor_id, Unit.kind)
        )
        for unit_id, kind in db.session.execute(statement):
            kinds[unit_id].add(kind)
    return kinds


def is_relevant(rule: IndicatorRule, kinds_below: set[str]) -> bool:
    """The indicator applies to the unit or to some unit below it."""
    return not rule.unit_kinds or bool(rule.unit_kinds & kinds_below)


def ids_within(unit_ids: Sequence[int], allowed: Select[tuple[int]]) -> set[int]:
    """Those of `unit_ids` that are in the id subquery `allowed`."""
    found: set[int] = set()
    for chunk in chunks(list(unit_ids)):
        found.update(
            db.session.scalars(select(Unit.id).where(Unit.id.in_(chunk), Unit.id.in_(allowed)))
        )
    return found


def assignable_ids(user: User | None, unit_ids: Sequence[int]) -> set[int]:
    return ids_within(unit_ids, reachable_unit_ids(user, Access.ASSIGN))


def readable_ids(user: User | None, unit_ids: Sequence[int]) -> set[int]:
    return ids_within(unit_ids, reachable_unit_ids(user, Access.READ))


# --- targets --------------------------------------------------------------------------------


def own_targets(indicator_ids: Sequence[int], unit_ids: Sequence[int]) -> dict[Key, Target]:
    found: dict[Key, Target] = {}
    if not indicator_ids:
        return found
    for chunk in chunks(list(unit_ids)):
        statement = select(Target).where(
            Target.indicator_id.in_(indicator_ids), Target.unit_id.in_(chunk)
        )
        found.update(((t.unit_id, t.indicator_id), t) for t in db.session.scalars(statement))
    return found


def effective_ratio_targets(
    indicator_ids: Sequence[int], unit_ids: Sequence[int] | Select
) -> dict[Key, Effective]:
    """Each unit's effective ratio target: the Target row of its nearest ancestor (itself at
    depth 0), found in SQL over the closure table. Pairs without one are absent.

    `unit_ids` is a list of ids or an id subquery (for a whole subtree).
    """
    if not indicator_ids:
        return {}
    if isinstance(unit_ids, Select):
        return _nearest_targets(indicator_ids, unit_ids)
    found: dict[Key, Effective] = {}
    for chunk in chunks(list(unit_ids)):
        found.update(_nearest_targets(indicator_ids, chunk))
    return found


def _nearest_targets(indicator_ids, units) -> dict[Key, Effective]:
    rank = (
        func.row_number()
        .over(
            partition_by=(UnitClosure.descendant_id, Target.indicator_id),
            order_by=UnitClosure.depth,
        )
        .label("rank")
    )
    candidates = (
        select(
            UnitClosure.descendant_id.label("unit_id"),
            Target.indicator_id.label("indicator_id"),
            Target.unit_id.label("from_unit_id"),
            Target.value.label("value"),
            UnitClosure.depth.label("depth"),
            rank,
        )
        .join(Target, Target.unit_id == UnitClosure.ancestor_id)
        .where(UnitClosure.descendant_id.in_(units), Target.indicator_id.in_(indicator_ids))
        .subquery()
    )
    statement = select(candidates).where(candidates.c.rank == 1)
    return {
        (row.unit_id, row.indicator_id): Effective(
            row.value,
            TargetSource.OWN if row.depth == 0 else TargetSource.INHERITED,
            row.from_unit_id,
        )
        for row in db.session.execute(statement)
    }


def effective_count_targets(
    root_id: int, indicators: Sequence[Indicator], units: list[TreeUnit] | None = None
) -> dict[Key, Effective]:
    """Effective count targets of every unit of the root's subtree (rules.count_targets);
    pairs without one are absent. Loads the subtree's units and its count Target rows."""
    rules = [indicator_rule(indicator) for indicator in indicators if not indicator.is_ratio]
    if not rules:
        return {}
    units = subtree_units(root_id) if units is None else units
    statement = (
        select(Target.unit_id, Target.indicator_id, Target.value)
        .join(UnitClosure, UnitClosure.descendant_id == Target.unit_id)
        .where(
            UnitClosure.ancestor_id == root_id,
            Target.indicator_id.in_([rule.id for rule in rules]),
        )
    )
    own: dict[int, dict[int, float]] = {rule.id: {} for rule in rules}
    for unit_id, indicator_id, value in db.session.execute(statement):
        own[indicator_id][unit_id] = value
    found: dict[Key, Effective] = {}
    for rule in rules:
        for unit_id, effective in count_targets(units, own[rule.id], rule).items():
            if effective is not None:
                found[(unit_id, rule.id)] = effective
    return found


def effective_targets(
    indicators: Sequence[Indicator], unit_ids: Sequence[int], *, root_id: int
) -> dict[Key, Effective]:
    """Effective targets of the given units, which all lie in the subtree of `root_id`."""
    ratio_ids = [indicator.id for indicator in indicators if indicator.is_ratio]
    found = effective_ratio_targets(ratio_ids, unit_ids)
    if any(not indicator.is_ratio for indicator in indicators):
        wanted = set(unit_ids)
        found.update(
            (key, effective)
            for key, effective in effective_count_targets(root_id, indicators).items()
            if key[0] in wanted
        )
    return found


# --- baselines and milestones ---------------------------------------------------------------


def baselines(indicator_ids: Sequence[int], unit_ids: Sequence[int]) -> dict[Key, Baseline]:
    found: dict[Key, Baseline] = {}
    if not indicator_ids:
        return found
    for chunk in chunks(list(unit_ids)):
        statement = select(Baseline).where(
            Baseline.indicator_id.in_(indicator_ids), Baseline.unit_id.in_(chunk)
        )
        found.update(((b.unit_id, b.indicator_id), b) for b in db.session.scalars(statement))
    return found


def milestones(indicator_id: int, unit_id: int) -> list[Milestone]:
    statement = (
        select(Milestone)
        .where(Milestone.indicator_id == indicator_id, Milestone.unit_id == unit_id)
        .order_by(Milestone.milestone_date)
    )
    return list(db.session.scalars(statement))


def revisions(campaign: Campaign, unit_ids: Sequence[int]) -> Select[tuple[TargetRevision]]:
    """The changes of the campaign's targets, baselines and milestones on these units, the
    newest first."""
    indicator_ids = select(Indicator.id).where(Indicator.campaign_id == campaign.id)
    return (
        select(TargetRevision)
        .where(
            TargetRevision.indicator_id.in_(indicator_ids),
            TargetRevision.unit_id.in_(list(unit_ids)),
        )
        .order_by(TargetRevision.changed_at.desc(), TargetRevision.id.desc())
    )


# --- the grid and its consistency -----------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    effective: Effective | None
    relevant: bool  # the indicator applies to the unit or to some unit below it
    editable: bool


@dataclass(frozen=True)
class Grid:
    """A unit and its children (rows) × the campaign's indicators (columns)."""

    unit: Unit
    rows: list[Unit]  # the unit itself first, then its children
    indicators: list[Indicator]
    cells: dict[Key, Cell]
    sources: dict[int, Unit]  # units effective targets come from, by id
    kinds_below: dict[int, set[str]]

    def cell(self, unit: Unit, indicator: Indicator) -> Cell:
        return self.cells[(unit.id, indicator.id)]


def target_grid(campaign: Campaign, unit: Unit, user: User) -> Grid:
    indicators = list(campaign.indicators)
    rows = [unit, *child_units(unit.id)]
    row_ids = [row.id for row in rows]
    effective = effective_targets(indicators, row_ids, root_id=unit.id)
    kinds_below = subtree_kinds(row_ids)
    editable_ids = set() if campaign.is_closed else assignable_ids(user, row_ids)
    cells: dict[Key, Cell] = {}
    for row in rows:
        for indicator in indicators:
            relevant = is_relevant(indicator_rule(indicator), kinds_below[row.id])
            cells[(row.id, indicator.id)] = Cell(
                effective=effective.get((row.id, indicator.id)),
                relevant=relevant,
                editable=relevant and row.id in editable_ids,
            )
    source_ids = {
        cell.effective.from_unit_id
        for cell in cells.values()
        if cell.effective is not None and cell.effective.from_unit_id is not None
    }
    sources = {
        source.id: source
        for source in db.session.scalars(select(Unit).where(Unit.id.in_(source_ids)))
    }
    return Grid(unit, rows, indicators, cells, sources, kinds_below)


def consistency_warnings(campaign: Campaign, unit: Unit) -> list[ConsistencyWarning]:
    """Warnings for the unit and for each of its children: do the units directly below
    still add up to its target, indicator by indicator?"""
    indicators = list(campaign.indicators)
    if not indicators:
        return []
    children = child_units(unit.id)
    grandchildren_of: dict[int, list[Unit]] = {child.id: [] for child in children}
    if children:
        statement = (
            select(Unit).where(Unit.parent_id.in_(list(grandchildren_of))).order_by(Unit.code)
        )
        for grandchild in db.session.scalars(statement):
            grandchildren_of[grandchild.parent_id].append(grandchild)
    families = [(unit, children)] + [
        (child, grandchildren_of[child.id]) for child in children if grandchildren_of[child.id]
    ]
    unit_ids = [unit.id] + [member.id for _parent, kids in families for member in kids]
    effective = effective_targets(indicators, unit_ids, root_id=unit.id)
    weights = baselines([i.id for i in indicators if i.is_ratio], unit_ids)
    kinds_below = subtree_kinds(unit_ids[1:])
    warnings: list[ConsistencyWarning] = []
    for indicator in indicators:
        rule = indicator_rule(indicator)
        for parent, kids in families:
            parent_target = effective.get((parent.id, indicator.id))
            if parent_target is None:
                continue
            figures = []
            for kid in kids:
                if not is_relevant(rule, kinds_below[kid.id]):
                    continue
                kid_target = effective.get((kid.id, indicator.id))
                baseline = weights.get((kid.id, indicator.id))
                figures.append(
                    ChildFigures(
                        kid.id,
                        kid_target.value if kid_target else None,
                        baseline.denominator if baseline else None,
                    )
                )
            warning = check_consistency(rule, parent.id, parent_target.value, figures)
            if warning is not None:
                warnings.append(warning)
    return warnings


def units_by_id(unit_ids: Iterable[int]) -> dict[int, Unit]:
    ids = list(set(unit_ids))
    found: dict[int, Unit] = {}
    for chunk in chunks(ids):
        found.update((u.id, u) for u in db.session.scalars(select(Unit).where(Unit.id.in_(chunk))))
    return found
