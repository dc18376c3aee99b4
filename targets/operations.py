"""Every write to targets, baselines and milestones. Operations flush; the caller commits.

One function serves the pages, the Excel upload, the API and the template: `set_targets`
checks a whole batch first (`plan_targets`) and raises TargetError listing every problem
before anything is written, so a batch is stored completely or not at all. Each value that
changes appends a TargetRevision (old, new, who, when, through what); a value given again
unchanged writes nothing.

`user=None` means the system itself (command line, demo) and skips the scope checks; pages
and the API always pass the signed-in user.
"""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db
from app.formatting import format_date
from app.scope import Access, Reach, reach
from app.units.models import Unit, UnitClosure
from app.users.models import User
from campaigns.models import Campaign, Indicator
from campaigns.operations import CampaignError, check_open
from targets.models import Baseline, Milestone, Source, Subject, Target, TargetRevision
from targets.queries import (
    assignable_ids,
    baselines,
    chunks,
    ids_within,
    in_campaign,
    indicator_rule,
    is_relevant,
    milestones,
    own_targets,
    readable_ids,
    relevant_children,
    subtree_kinds,
)

# Baseline figures are 32-bit integer columns on every database.
WHOLE_NUMBER_MAX = 2_147_483_647
# Counts beyond this are typing mistakes, and floats lose whole numbers past 2^53.
COUNT_TARGET_MAX = 10**12
DIGITS = 10  # targets are kept to ten decimals: 82,89% typed is 0.8289, not 0.8288999…


class Keep:
    """The marker of a field not given: its value stays as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


@dataclass(frozen=True)
class TargetInput:
    """One (unit, indicator) of a batch. Ratio values are fractions (0.5 = 50%).

    `target` None clears the unit's own target (it inherits again). The baseline numerator
    and denominator go together: give either and the other, if left out, means "none".
    `expected_target` is the own target the person saw; if it has changed since, the batch
    is refused instead of overwriting someone else's change. `position` is what problems
    refer to: the index in a request, the line of a file.
    """

    unit: str
    indicator: str
    target: float | Keep | None = KEEP
    baseline_numerator: float | Keep | None = KEEP
    baseline_denominator: float | Keep | None = KEEP
    expected_target: float | Keep | None = KEEP
    position: int | None = None


@dataclass(frozen=True)
class MilestoneInput:
    """By `day`, `value` (a fraction for ratios); None removes the milestone of that day."""

    day: date
    value: float | None
    position: int | None = None


@dataclass(frozen=True)
class Problem:
    position: int | None  # None: the batch as a whole
    field: str | None
    message: str
    out_of_scope: bool = False  # the user may not touch this unit (a 403, not a 422)


class TargetError(Exception):
    """A batch was refused; `problems` lists everything wrong with it."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("\n".join(problem.message for problem in problems))
        self.problems = list(problems)

    @property
    def out_of_scope(self) -> bool:
        return any(problem.out_of_scope for problem in self.problems)


@dataclass(frozen=True)
class Change:
    """One value that a batch changes."""

    unit: Unit
    indicator: Indicator
    subject: Subject
    old: float | None
    new: float | None
    milestone_date: date | None = None
    position: int | None = None

    @property
    def key(self) -> tuple:
        return (
            self.unit.id,
            self.indicator.id,
            str(self.subject),
            self.milestone_date.isoformat() if self.milestone_date else "",
            repr(self.old),
            repr(self.new),
        )


def fingerprint(changes: Sequence[Change]) -> str:
    """A digest of what a batch would change, to tell whether a preview is still true."""
    digest = hashlib.sha256()
    for key in sorted(change.key for change in changes):
        digest.update(repr(key).encode())
    return digest.hexdigest()


# --- targets and baselines ------------------------------------------------------------------


def set_targets(
    campaign: Campaign, inputs: Sequence[TargetInput], *, user: User | None, source: Source
) -> list[Change]:
    """Check the whole batch, then write every change with its revision; returns them."""
    changes = plan_targets(campaign, inputs, user=user)
    apply_changes(changes, user=user, source=source)
    return changes


def plan_targets(
    campaign: Campaign, inputs: Sequence[TargetInput], *, user: User | None
) -> list[Change]:
    """What the batch would change, writing nothing; TargetError lists every problem."""
    _check_batch(campaign, user)
    indicators = {indicator.code: indicator for indicator in campaign.indicators}
    codes = sorted({item.unit.strip() for item in inputs})
    units = _units_by_code(codes)
    unit_ids = [unit.id for unit in units.values()]
    inside = ids_within(
        unit_ids,
        select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == campaign.owner_unit_id),
    )
    readable = readable_ids(user, unit_ids) if user is not None else set(unit_ids)
    assignable = assignable_ids(user, unit_ids) if user is not None else set(unit_ids)
    kinds_below = subtree_kinds(sorted(inside))
    indicator_ids = [indicator.id for indicator in indicators.values()]
    current_targets = own_targets(indicator_ids, sorted(inside))
    current_baselines = baselines(indicator_ids, sorted(inside))

    problems: list[Problem] = []
    changes: list[Change] = []
    seen: set[tuple[int, int]] = set()
    for item in inputs:
        position = item.position
        found: list[Problem] = []
        unit = units.get(item.unit.strip())
        indicator = indicators.get(item.indicator.strip())
        if unit is None:
            found.append(
                Problem(
                    position, "unit", _("No unit has the code “%(code)s”.", code=item.unit.strip())
                )
            )
        elif unit.id not in readable:
            found.append(_outside_your_units(position, unit))
            unit = None
        elif unit.id not in inside:
            found.append(
                Problem(
                    position,
                    "unit",
                    _(
                        "%(unit)s (%(code)s) is not part of campaign %(campaign)s.",
                        unit=unit.name,
                        code=unit.code,
                        campaign=campaign.code,
                    ),
                )
            )
            unit = None
        if indicator is None:
            found.append(
                Problem(
                    position,
                    "indicator",
                    _(
                        "Campaign %(campaign)s has no indicator “%(code)s”.",
                        campaign=campaign.code,
                        code=item.indicator.strip(),
                    ),
                )
            )
        else:
            found.extend(_value_problems(item, indicator))
        if unit is not None and indicator is not None and not found:
            key = (unit.id, indicator.id)
            if not is_relevant(indicator_rule(indicator), kinds_below[unit.id]):
                found.append(
                    Problem(
                        position,
                        "indicator",
                        _(
                            "Indicator %(indicator)s applies neither to %(unit)s nor to any "
                            "unit below it.",
                            indicator=indicator.code,
                            unit=unit.name,
                        ),
                    )
                )
            elif key in seen:
                found.append(
                    Problem(
                        position,
                        "unit",
                        _(
                            "%(unit)s and indicator %(indicator)s are given more than once.",
                            unit=unit.name,
                            indicator=indicator.code,
                        ),
                    )
                )
            seen.add(key)
        if found or unit is None or indicator is None:
            problems.extend(found)
            continue
        target_row = current_targets.get((unit.id, indicator.id))
        baseline_row = current_baselines.get((unit.id, indicator.id))
        old_target = target_row.value if target_row else None
        if item.expected_target is not KEEP and not _same(
            old_target, _normalised(item.expected_target)
        ):
            problems.append(
                Problem(
                    position,
                    "target",
                    _(
                        "Someone else has changed this target (%(unit)s, %(indicator)s) since "
                        "the page was loaded; check it and try again.",
                        unit=unit.name,
                        indicator=indicator.code,
                    ),
                )
            )
            continue
        item_changes = _target_changes(item, unit, indicator, target_row, baseline_row)
        if item_changes and unit.id not in assignable:
            problems.append(_may_not_assign(position, unit, user))
            continue
        changes.extend(item_changes)
    if problems:
        raise TargetError(problems)
    return changes


def _check_batch(campaign: Campaign, user: User | None) -> None:
    try:
        check_open(campaign)
    except CampaignError as error:
        raise TargetError([Problem(None, None, error.message)]) from None
    if user is not None and reach(user, Access.ASSIGN) is Reach.NONE:
        raise TargetError(
            [
                Problem(
                    None,
                    None,
                    _("Your role may not set targets, baselines or milestones."),
                    out_of_scope=True,
                )
            ]
        )


def _outside_your_units(position: int | None, unit: Unit) -> Problem:
    return Problem(
        position,
        "unit",
        _("Unit “%(code)s” is outside your units.", code=unit.code),
        out_of_scope=True,
    )


def _may_not_assign(position: int | None, unit: Unit, user: User | None) -> Problem:
    if user is not None and user.unit_id == unit.id:
        message = _(
            "You cannot set the targets of your own unit %(unit)s; the unit above sets them.",
            unit=unit.name,
        )
    else:
        message = _("You may not set the targets of %(unit)s.", unit=unit.name)
    return Problem(position, "unit", message, out_of_scope=True)


def _units_by_code(codes: Sequence[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for chunk in chunks(list(codes)):
        found.update(
            (unit.code, unit)
            for unit in db.session.scalars(select(Unit).where(Unit.code.in_(chunk)))
        )
    return found


def _number(value: object) -> float | None:
    """The value as a finite float, or None when it is not a number at all."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _normalised(value: float | None) -> float | None:
    return None if value is None else round(float(value), DIGITS)


def _same(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is new
    return round(old, DIGITS) == round(new, DIGITS)


def target_problem(value: object, indicator: Indicator) -> str | None:
    """Why `value` cannot be the indicator's target (or a milestone), or None."""
    number = _number(value)
    if indicator.is_ratio:
        if number is None or not 0 <= number <= 1:
            return _("The target of a ratio must lie between 0% and 100%.")
    elif number is None or number < 0 or not number.is_integer() or number > COUNT_TARGET_MAX:
        return _("The target of a count must be a whole number, 0 or more.")
    return None


def _value_problems(item: TargetInput, indicator: Indicator) -> list[Problem]:
    problems = []
    position = item.position
    if item.target is not KEEP and item.target is not None:
        message = target_problem(item.target, indicator)
        if message:
            problems.append(Problem(position, "target", message))
    if item.baseline_numerator is KEEP and item.baseline_denominator is KEEP:
        return problems
    numerator = None if item.baseline_numerator is KEEP else item.baseline_numerator
    denominator = None if item.baseline_denominator is KEEP else item.baseline_denominator
    for field, value in (
        ("baseline_numerator", numerator),
        ("baseline_denominator", denominator),
    ):
        if value is None:
            continue
        number = _number(value)
        if number is None or number < 0 or not number.is_integer() or number > WHOLE_NUMBER_MAX:
            problems.append(
                Problem(position, field, _("A baseline figure must be a whole number, 0 or more."))
            )
    if problems:
        return problems
    if not indicator.is_ratio:
        if denominator is not None:
            problems.append(
                Problem(
                    position,
                    "baseline_denominator",
                    _("A count has no baseline denominator; leave it empty."),
                )
            )
        return problems
    if (numerator is None) != (denominator is None):
        field = "baseline_denominator" if denominator is None else "baseline_numerator"
        problems.append(
            Problem(
                position,
                field,
                _("A ratio baseline needs both a numerator and a denominator, or neither."),
            )
        )
    elif denominator is not None and denominator == 0:
        problems.append(
            Problem(
                position, "baseline_denominator", _("The baseline denominator must be more than 0.")
            )
        )
    elif numerator is not None and numerator > denominator:
        problems.append(
            Problem(
                position,
                "baseline_numerator",
                _("The baseline numerator cannot be larger than its denominator."),
            )
        )
    return problems


def _target_changes(
    item: TargetInput,
    unit: Unit,
    indicator: Indicator,
    target_row: Target | None,
    baseline_row: Baseline | None,
) -> list[Change]:
    changes = []

    def compare(subject: Subject, old: float | None, new: float | None) -> None:
        if not _same(old, new):
            changes.append(Change(unit, indicator, subject, old, new, position=item.position))

    if item.target is not KEEP:
        compare(Subject.TARGET, target_row.value if target_row else None, _normalised(item.target))
    if item.baseline_numerator is not KEEP or item.baseline_denominator is not KEEP:
        numerator = None if item.baseline_numerator is KEEP else item.baseline_numerator
        denominator = None if item.baseline_denominator is KEEP else item.baseline_denominator
        compare(
            Subject.BASELINE_NUMERATOR,
            _as_float(baseline_row.numerator) if baseline_row else None,
            _as_float(numerator),
        )
        compare(
            Subject.BASELINE_DENOMINATOR,
            _as_float(baseline_row.denominator) if baseline_row else None,
            _as_float(denominator),
        )
    return changes


def _as_float(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def apply_changes(changes: Sequence[Change], *, user: User | None, source: Source) -> None:
    """Write planned changes and their revisions (they were checked by a plan_* function)."""
    if not changes:
        return
    user_id = user.id if user is not None else None
    unit_ids = sorted({change.unit.id for change in changes})
    indicator_ids = sorted({change.indicator.id for change in changes})
    targets = own_targets(indicator_ids, unit_ids)
    current_baselines = baselines(indicator_ids, unit_ids)
    baseline_updates: dict[tuple[int, int], dict[Subject, float | None]] = {}
    for change in changes:
        key = (change.unit.id, change.indicator.id)
        if change.subject is Subject.TARGET:
            row = targets.get(key)
            if change.new is None:
                if row is not None:
                    db.session.delete(row)
            elif row is None:
                db.session.add(
                    Target(
                        unit_id=change.unit.id,
                        indicator_id=change.indicator.id,
                        value=change.new,
                        updated_by_id=user_id,
                    )
                )
            else:
                row.value = change.new
                row.updated_by_id = user_id
        elif change.subject is Subject.MILESTONE:
            _apply_milestone(change, user_id)
        else:
            baseline_updates.setdefault(key, {})[change.subject] = change.new
        db.session.add(
            TargetRevision(
                indicator_id=change.indicator.id,
                unit_id=change.unit.id,
                subject=change.subject,
                milestone_date=change.milestone_date,
                old_value=change.old,
                new_value=change.new,
                source=source,
                changed_by_id=user_id,
            )
        )
    for (unit_id, indicator_id), update in baseline_updates.items():
        row = current_baselines.get((unit_id, indicator_id))
        numerator = update.get(
            Subject.BASELINE_NUMERATOR, row.numerator if row is not None else None
        )
        denominator = update.get(
            Subject.BASELINE_DENOMINATOR, row.denominator if row is not None else None
        )
        if numerator is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(
                Baseline(
                    unit_id=unit_id,
                    indicator_id=indicator_id,
                    numerator=int(numerator),
                    denominator=None if denominator is None else int(denominator),
                    updated_by_id=user_id,
                )
            )
        else:
            row.numerator = int(numerator)
            row.denominator = None if denominator is None else int(denominator)
            row.updated_by_id = user_id
    db.session.flush()


def apply_to_children(
    campaign: Campaign,
    parent: Unit,
    indicator: Indicator,
    value: float,
    *,
    user: User | None,
    source: Source = Source.WEB,
) -> list[Change]:
    """The same own target on every child of `parent` the indicator applies to."""
    return set_targets(
        campaign, children_inputs(parent, indicator, value), user=user, source=source
    )


def children_inputs(parent: Unit, indicator: Indicator, value: float) -> list[TargetInput]:
    inputs = [
        TargetInput(child.code, indicator.code, target=value)
        for child in relevant_children(parent, indicator)
    ]
    if not inputs:
        raise TargetError(
            [
                Problem(
                    None,
                    None,
                    _(
                        "No unit below %(unit)s takes indicator %(indicator)s.",
                        unit=parent.name,
                        indicator=indicator.code,
                    ),
                )
            ]
        )
    return inputs


# --- milestones -----------------------------------------------------------------------------


def set_milestones(
    campaign: Campaign,
    unit: Unit,
    indicator: Indicator,
    entries: Sequence[MilestoneInput],
    *,
    user: User | None,
    source: Source,
) -> list[Change]:
    changes = plan_milestones(campaign, unit, indicator, entries, user=user)
    apply_changes(changes, user=user, source=source)
    return changes


def plan_milestones(
    campaign: Campaign,
    unit: Unit,
    indicator: Indicator,
    entries: Sequence[MilestoneInput],
    *,
    user: User | None,
) -> list[Change]:
    """What the milestones would change; TargetError lists every problem."""
    _check_batch(campaign, user)
    if indicator.campaign_id != campaign.id or not in_campaign(campaign, unit):
        raise TargetError(
            [
                Problem(
                    None,
                    None,
                    _(
                        "%(unit)s (%(code)s) is not part of campaign %(campaign)s.",
                        unit=unit.name,
                        code=unit.code,
                        campaign=campaign.code,
                    ),
                )
            ]
        )
    current = {
        milestone.milestone_date: milestone for milestone in milestones(indicator.id, unit.id)
    }
    problems: list[Problem] = []
    changes: list[Change] = []
    seen: set[date] = set()
    for entry in entries:
        position = entry.position
        if not campaign.start_date <= entry.day <= campaign.end_date:
            problems.append(
                Problem(
                    position,
                    "date",
                    _(
                        "The date must lie within the campaign, %(start)s to %(end)s.",
                        start=format_date(campaign.start_date),
                        end=format_date(campaign.end_date),
                    ),
                )
            )
            continue
        if entry.day in seen:
            problems.append(
                Problem(
                    position,
                    "date",
                    _("%(date)s is given more than once.", date=format_date(entry.day)),
                )
            )
            continue
        seen.add(entry.day)
        if entry.value is not None:
            message = target_problem(entry.value, indicator)
            if message:
                problems.append(Problem(position, "value", message))
                continue
        row = current.get(entry.day)
        old = row.value if row is not None else None
        new = _normalised(entry.value)
        if not _same(old, new):
            changes.append(
                Change(unit, indicator, Subject.MILESTONE, old, new, entry.day, position)
            )
    if changes and user is not None and not assignable_ids(user, [unit.id]):
        problems.append(_may_not_assign(None, unit, user))
    if problems:
        raise TargetError(problems)
    return changes


def _apply_milestone(change: Change, user_id: int | None) -> None:
    row = db.session.scalar(
        select(Milestone).where(
            Milestone.indicator_id == change.indicator.id,
            Milestone.unit_id == change.unit.id,
            Milestone.milestone_date == change.milestone_date,
        )
    )
    if change.new is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(
            Milestone(
                indicator_id=change.indicator.id,
                unit_id=change.unit.id,
                milestone_date=change.milestone_date,
                value=change.new,
                updated_by_id=user_id,
            )
        )
    else:
        row.value = change.new
        row.updated_by_id = user_id
