"""The target cascade and its consistency checks (DESIGN §4), as pure functions.

No Flask and no database here: callers pass plain data (ids, parent links, own targets) and
get plain data back. targets.queries feeds these rules from the database (and computes the
ratio cascade in SQL, which the tests hold to the same answers); pages, the API and the
Excel export format the results.

- A ratio target set on a unit applies to its whole subtree until a lower unit has its own:
  a unit's effective ratio target is its own, or that of its nearest ancestor with one.
- A count target is a quantity: a unit without its own has the sum of its relevant
  children's effective count targets when every one of them has one, and none otherwise.
  A child is relevant when the indicator applies to its kind or to some unit below it.
- Consistency (warn, never block): the children of a unit must still add up to its target.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

RATIO = "ratio"
COUNT = "count"
HIGHER = "higher"
LOWER = "lower"

# Targets are floats: compare with a little room so 0.4·300 + 0.8·100 == 0.5·400 holds.
TOLERANCE = 1e-9


class TargetSource(StrEnum):
    OWN = "own"  # set on the unit itself
    INHERITED = "inherited"  # a ratio target set on an ancestor
    SUM_OF_CHILDREN = "sum_of_children"  # a count target added up from the units below


@dataclass(frozen=True)
class Effective:
    """A unit's effective target for one indicator, and where it comes from."""

    value: float
    source: TargetSource
    from_unit_id: int | None  # the unit whose own target this is; None for a sum

    @property
    def inherited(self) -> bool:
        return self.source is TargetSource.INHERITED


@dataclass(frozen=True)
class IndicatorRule:
    """What the rules need to know of an indicator."""

    id: int
    kind: str  # RATIO or COUNT
    direction: str = HIGHER
    unit_kinds: frozenset[str] = frozenset()  # empty: every kind

    @property
    def is_ratio(self) -> bool:
        return self.kind == RATIO

    @property
    def lower_is_better(self) -> bool:
        return self.direction == LOWER

    def applies_to(self, kind: str) -> bool:
        return not self.unit_kinds or kind in self.unit_kinds


@dataclass(frozen=True)
class TreeUnit:
    id: int
    parent_id: int | None
    kind: str


# --- the cascade ----------------------------------------------------------------------------


def ratio_target(
    unit_id: int, parents: Mapping[int, int | None], own: Mapping[int, float]
) -> Effective | None:
    """The unit's own ratio target, else its nearest ancestor's; None when no unit on the way
    up to the root has one. `parents` maps a unit to its parent (None for a root)."""
    current: int | None = unit_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current in own:
            source = TargetSource.OWN if current == unit_id else TargetSource.INHERITED
            return Effective(own[current], source, current)
        seen.add(current)
        current = parents.get(current)
    return None


def relevant_units(units: Iterable[TreeUnit], indicator: IndicatorRule) -> set[int]:
    """Ids of the units the indicator applies to, or to some unit below them."""
    units = list(units)
    parents = {unit.id: unit.parent_id for unit in units}
    relevant: set[int] = set()
    for unit in units:
        if not indicator.applies_to(unit.kind):
            continue
        current: int | None = unit.id
        while current is not None and current not in relevant:
            relevant.add(current)
            current = parents.get(current)
    return relevant


def count_targets(
    units: Sequence[TreeUnit], own: Mapping[int, float], indicator: IndicatorRule
) -> dict[int, Effective | None]:
    """Effective count targets of every unit of a subtree (`units`: a root and everything
    below it), worked out bottom-up: own, else the sum of the relevant children's when they
    all have one, else None."""
    relevant = relevant_units(units, indicator)
    children: dict[int, list[int]] = {unit.id: [] for unit in units}
    for unit in units:
        if unit.parent_id in children and unit.id in relevant:
            children[unit.parent_id].append(unit.id)
    results: dict[int, Effective | None] = {}
    # Children before parents: an explicit stack instead of recursion (trees may be deep).
    for unit_id in _post_order(children):
        if unit_id in own:
            results[unit_id] = Effective(own[unit_id], TargetSource.OWN, unit_id)
            continue
        below = [results[child] for child in children[unit_id]]
        if not below or any(effective is None for effective in below):
            results[unit_id] = None
        else:
            total = sum(effective.value for effective in below)
            results[unit_id] = Effective(total, TargetSource.SUM_OF_CHILDREN, None)
    return results


def _post_order(children: Mapping[int, list[int]]) -> list[int]:
    roots = set(children) - {child for kids in children.values() for child in kids}
    order: list[int] = []
    stack = [(root, False) for root in sorted(roots)]
    while stack:
        unit_id, expanded = stack.pop()
        if expanded:
            order.append(unit_id)
            continue
        stack.append((unit_id, True))
        stack.extend((child, False) for child in children[unit_id])
    return order


# --- consistency ----------------------------------------------------------------------------


class WarningCode(StrEnum):
    COUNT_BELOW = "count_below"  # Σ children's targets < the parent's (higher is better)
    COUNT_ABOVE = "count_above"  # Σ children's targets > the parent's (lower is better)
    COUNT_INCOMPLETE = "count_incomplete"  # some children have a target, others none
    RATIO_BELOW = "ratio_below"  # weighted average of children's targets < the parent's
    RATIO_ABOVE = "ratio_above"  # weighted average > the parent's (lower is better)
    RATIO_UNCHECKED = "ratio_unchecked"  # some children have no baseline denominator


@dataclass(frozen=True)
class ChildFigures:
    """One relevant child of the checked unit: its effective target and the denominator of
    its baseline (ratios: the weight of its target)."""

    unit_id: int
    target: float | None
    baseline_denominator: int | None = None


@dataclass(frozen=True)
class ConsistencyWarning:
    """The children of `unit_id` no longer add up to its target for `indicator_id`.

    `children_value` is the sum (counts) or the weighted average (ratios) of the children's
    targets; `unit_ids` names the children that made the check incomplete (no target, no
    baseline denominator).
    """

    code: WarningCode
    unit_id: int
    indicator_id: int
    parent_target: float
    children_value: float | None
    unit_ids: tuple[int, ...] = ()


def check_consistency(
    indicator: IndicatorRule,
    unit_id: int,
    parent_target: float | None,
    children: Sequence[ChildFigures],
) -> ConsistencyWarning | None:
    """Do the relevant children of a unit still add up to its effective target?

    Counts: Σ children's targets ≥ the parent's (≤ for lower-is-better). Ratios: children's
    targets weighted by their baseline denominators ≥ the parent's (≤). None: consistent, or
    nothing to check (the parent has no target, or nothing has been split yet).
    """
    if parent_target is None or not children:
        return None
    if indicator.is_ratio:
        return _check_ratio(indicator, unit_id, parent_target, children)
    return _check_count(indicator, unit_id, parent_target, children)


def meets(value: float, target: float, *, lower_is_better: bool) -> bool:
    """Is `value` at least as good as `target`, within rounding?"""
    room = TOLERANCE * max(1.0, abs(target))
    return value <= target + room if lower_is_better else value >= target - room


def _check_count(
    indicator: IndicatorRule, unit_id: int, parent_target: float, children: Sequence[ChildFigures]
) -> ConsistencyWarning | None:
    lower = indicator.lower_is_better
    with_target = [child for child in children if child.target is not None]
    if not with_target:
        return None  # the parent's target has not been split yet
    total = sum(child.target for child in with_target)
    missing = tuple(child.unit_id for child in children if child.target is None)
    enough = meets(total, parent_target, lower_is_better=lower)
    if missing:
        # The missing children can only add: more is enough already when higher is better,
        # and already too much when lower is better.
        if enough and not lower:
            return None
        if not enough and lower:
            return ConsistencyWarning(
                WarningCode.COUNT_ABOVE, unit_id, indicator.id, parent_target, total
            )
        return ConsistencyWarning(
            WarningCode.COUNT_INCOMPLETE, unit_id, indicator.id, parent_target, total, missing
        )
    if enough:
        return None
    code = WarningCode.COUNT_ABOVE if lower else WarningCode.COUNT_BELOW
    return ConsistencyWarning(code, unit_id, indicator.id, parent_target, total)


def _check_ratio(
    indicator: IndicatorRule, unit_id: int, parent_target: float, children: Sequence[ChildFigures]
) -> ConsistencyWarning | None:
    lower = indicator.lower_is_better
    # A child without a target of its own inherits the parent's.
    targets = [parent_target if child.target is None else child.target for child in children]
    if all(meets(target, parent_target, lower_is_better=lower) for target in targets):
        return None  # every child on its own meets the parent's target: so does any average
    unweighted = tuple(child.unit_id for child in children if not child.baseline_denominator)
    if unweighted:
        return ConsistencyWarning(
            WarningCode.RATIO_UNCHECKED, unit_id, indicator.id, parent_target, None, unweighted
        )
    weight = sum(child.baseline_denominator for child in children)
    average = (
        sum(
            target * child.baseline_denominator
            for target, child in zip(targets, children, strict=True)
        )
        / weight
    )
    if meets(average, parent_target, lower_is_better=lower):
        return None
    code = WarningCode.RATIO_ABOVE if lower else WarningCode.RATIO_BELOW
    return ConsistencyWarning(code, unit_id, indicator.id, parent_target, average)
