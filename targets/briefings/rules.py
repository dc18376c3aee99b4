"""Praise and criticism (DESIGN §5), as pure functions.

No Flask and no database: the briefing (targets.briefings.content) hands in what the
results engine and the progress and task queries found, as plain data, and gets back the
items to print, each with its reason code and the figures its sentence quotes. The wording
lives in targets.briefings.wording; tests/test_briefing_rules.py holds every reason to its
threshold, on both sides.

Praise: every target met; the top N of a peer group (score > 0); the most improved (score up
by `improvement_points` or more over 7 days). Criticism: the bottom N of a peer group (score
< 100); an indicator below `below_target_share` of its target; no entry for the day;
`missing_days_limit` or more of the last 7 days missing or late; score down by
`decline_points` or more over 7 days; overdue tasks. N is at most a third of the group and at
least one (results.rules.group_limit), so no unit is both top and bottom.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from targets.results.rules import group_limit
from targets.rules import TOLERANCE


class Section(StrEnum):
    PRAISE = "praise"
    CRITICISM = "criticism"


class Reason(StrEnum):
    ALL_TARGETS_MET = "all_targets_met"
    TOP_OF_GROUP = "top_of_group"
    MOST_IMPROVED = "most_improved"
    BOTTOM_OF_GROUP = "bottom_of_group"
    BELOW_HALF_TARGET = "below_half_target"
    MISSING_REPORT = "missing_report"
    REPEATEDLY_MISSING = "repeatedly_missing"
    SCORE_DROP = "score_drop"
    OVERDUE_TASK = "overdue_task"


SECTION_OF = {
    Reason.ALL_TARGETS_MET: Section.PRAISE,
    Reason.TOP_OF_GROUP: Section.PRAISE,
    Reason.MOST_IMPROVED: Section.PRAISE,
    Reason.BOTTOM_OF_GROUP: Section.CRITICISM,
    Reason.BELOW_HALF_TARGET: Section.CRITICISM,
    Reason.MISSING_REPORT: Section.CRITICISM,
    Reason.REPEATEDLY_MISSING: Section.CRITICISM,
    Reason.SCORE_DROP: Section.CRITICISM,
    Reason.OVERDUE_TASK: Section.CRITICISM,
}
# The order items are listed in, within a section: the weightiest first.
REASON_ORDER = list(Reason)


@dataclass(frozen=True)
class Settings:
    """The campaign's praise and criticism parameters (DESIGN §5 defaults)."""

    top_n: int = 3
    bottom_n: int = 3
    improvement_points: float = 10.0
    decline_points: float = 10.0
    below_target_share: float = 0.5
    missing_days_limit: int = 3


@dataclass(frozen=True)
class IndicatorFigures:
    """One indicator of a ranked unit, as the results engine scored it."""

    code: str
    value: float | None
    target: float | None
    achievement: float | None  # uncapped; None when it does not count or was not reported
    reported: bool  # some figure in the window (a level, for a stock)
    earlier_value: float | None = None  # when Ranked.earlier_score was measured
    is_ratio: bool = True


@dataclass(frozen=True)
class Ranked:
    """A unit of a peer group: its rank and score, and the scores its change is measured
    between: for a day's briefing, 7 days before and the day; for a review, its first week
    and its last (`later_score`)."""

    unit_id: int
    rank: int | None
    score: float | None
    earlier_score: float | None
    indicators: tuple[IndicatorFigures, ...] = ()
    later_score: float | None = None  # None: the change runs to `score`

    @property
    def change_to(self) -> float | None:
        return self.score if self.later_score is None else self.later_score


@dataclass(frozen=True)
class PeerGroup:
    key: str  # what the items name as the group
    units: tuple[Ranked, ...]


@dataclass(frozen=True)
class Discipline:
    """A reporting unit's record: did it enter anything for the day, and how many of the
    last `days` days (7 for a day's briefing; a review's days) were missing (not fully
    reported) or late."""

    unit_id: int
    missing_today: bool
    bad_days: int  # each day counted once, missing or late
    days: int = 7


@dataclass(frozen=True)
class Item:
    """One line of praise or criticism: who, why, and the figures its sentence quotes."""

    section: Section
    reason: Reason
    unit_id: int
    facts: dict[str, object] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int]:
        return (self.reason, self.unit_id)


def praise_and_criticism(
    groups: Sequence[PeerGroup],
    discipline: Sequence[Discipline],
    overdue_tasks: dict[int, list[str]],
    settings: Settings = Settings(),
) -> list[Item]:
    """Every item of the day, praise first, then criticism, each by reason (REASON_ORDER),
    then by the order the units come in (rank, for group reasons)."""
    items: list[Item] = []
    seen_units: set[int] = set()
    ranked_once: list[Ranked] = []
    for group in groups:
        items.extend(_group_ends(group, settings))
        for unit in group.units:
            if unit.unit_id not in seen_units:
                seen_units.add(unit.unit_id)
                ranked_once.append(unit)
    for unit in ranked_once:
        items.extend(_unit_items(unit, settings))
    for record in discipline:
        if record.missing_today:
            items.append(Item(Section.CRITICISM, Reason.MISSING_REPORT, record.unit_id))
        # The limit is per 7 days; a review's longer record is held to its share.
        limit = math.ceil(settings.missing_days_limit * record.days / 7)
        if record.bad_days >= limit:
            items.append(
                Item(
                    Section.CRITICISM,
                    Reason.REPEATEDLY_MISSING,
                    record.unit_id,
                    {"days": record.bad_days, "of": record.days},
                )
            )
    for unit_id, titles in overdue_tasks.items():
        if titles:
            items.append(
                Item(Section.CRITICISM, Reason.OVERDUE_TASK, unit_id, {"tasks": list(titles)})
            )
    unique = {item.key: item for item in reversed(items)}  # a unit twice in a group: once
    ordered = [item for item in items if unique.get(item.key) is item]
    return sorted(
        ordered,
        key=lambda item: (item.section != Section.PRAISE, REASON_ORDER.index(item.reason)),
    )


def _group_ends(group: PeerGroup, settings: Settings) -> list[Item]:
    """The top and the bottom of a group: ranks within the first N, or within the last N
    counted from the bottom (ties share their place on both ends)."""
    scored = [unit for unit in group.units if unit.score is not None]
    size = len(group.units)
    top_limit = group_limit(size, settings.top_n)
    bottom_limit = group_limit(size, settings.bottom_n)
    items = []
    top_ids = set()
    for unit in sorted(scored, key=lambda u: u.rank or 0):
        if unit.rank is not None and unit.rank <= top_limit and unit.score > 0:
            top_ids.add(unit.unit_id)
            items.append(
                Item(
                    Section.PRAISE,
                    Reason.TOP_OF_GROUP,
                    unit.unit_id,
                    {"group": group.key, "rank": unit.rank, "size": size, "score": unit.score},
                )
            )
    for unit in sorted(scored, key=lambda u: u.score):
        from_bottom = 1 + sum(1 for other in scored if other.score < unit.score)
        if from_bottom <= bottom_limit and unit.score < 100 and unit.unit_id not in top_ids:
            items.append(
                Item(
                    Section.CRITICISM,
                    Reason.BOTTOM_OF_GROUP,
                    unit.unit_id,
                    {"group": group.key, "rank": unit.rank, "size": size, "score": unit.score},
                )
            )
    return items


def _unit_items(unit: Ranked, settings: Settings) -> list[Item]:
    items = []
    counted = [figure for figure in unit.indicators if figure.achievement is not None]
    # An indicator without a target holds no target to meet, reported or not.
    not_reported = [f for f in unit.indicators if not f.reported and f.target is not None]
    if counted and not not_reported and all(_met(figure.achievement) for figure in counted):
        items.append(
            Item(
                Section.PRAISE,
                Reason.ALL_TARGETS_MET,
                unit.unit_id,
                {"indicators": len(counted), "score": unit.score},
            )
        )
    change = _change(unit)
    if change is not None and change >= settings.improvement_points - TOLERANCE:
        items.append(
            Item(
                Section.PRAISE,
                Reason.MOST_IMPROVED,
                unit.unit_id,
                {"change": change, "score": unit.change_to, "before": unit.earlier_score},
            )
        )
    below = [
        figure for figure in counted if figure.achievement < settings.below_target_share - TOLERANCE
    ]
    if below:
        items.append(
            Item(
                Section.CRITICISM,
                Reason.BELOW_HALF_TARGET,
                unit.unit_id,
                {
                    "indicators": [
                        {
                            "code": f.code,
                            "value": f.value,
                            "target": f.target,
                            "before": f.earlier_value,
                            "is_ratio": f.is_ratio,
                        }
                        for f in below
                    ],
                    "share": settings.below_target_share,
                },
            )
        )
    if change is not None and change <= -settings.decline_points + TOLERANCE:
        items.append(
            Item(
                Section.CRITICISM,
                Reason.SCORE_DROP,
                unit.unit_id,
                {"change": change, "score": unit.change_to, "before": unit.earlier_score},
            )
        )
    return items


def _met(achievement: float) -> bool:
    return achievement >= 1 - TOLERANCE


def _change(unit: Ranked) -> float | None:
    if unit.change_to is None or unit.earlier_score is None:
        return None
    return round(unit.change_to - unit.earlier_score, 2)
