"""The figures of the measurement engine, added up in SQL (DESIGN §4, §10).

Every function here reads the running totals that campaigns.progress keeps beside the entries
(EntryTotal: per unit, indicator and day, its figures from the campaign's first day on), never
the entries themselves. A window's figures are then two days of running totals: the last day
of the window, and the day before its first (rules.window_figures). A unit's figures over its
whole subtree come from one GROUP BY over `entry_totals` joined to the closure table, so
ranking ten thousand units reads a few rows per unit, whatever the length of the window.

Grouping: by a unit of a list (its subtree rolled up, through `unit_closures`), or by the kind
of the unit that entered the figures (the level breakdown of a subtree).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import BigInteger, Select, case, cast, func, select

from app.db import db
from app.units.models import Unit, UnitClosure
from campaigns.progress.models import EntryTotal
from targets.queries import chunks
from targets.results.rules import IndicatorRule, Period, Running, Totals, window_figures

Members = Sequence[int] | Select  # unit ids, or a subquery of them

# (group key, indicator id, index of the period) → figures
WindowTotals = dict[tuple[object, int, int], Totals]
# (group key, indicator id) → {day: running figures}
RunningSeries = dict[tuple[object, int], dict[date, Running]]


def rollup_mapping(members: Members) -> Select:
    """(key, unit_id): each member unit against itself and every unit below it."""
    return select(
        UnitClosure.ancestor_id.label("key"), UnitClosure.descendant_id.label("unit_id")
    ).where(UnitClosure.ancestor_id.in_(members))


def kind_mapping(root_id: int) -> Select:
    """(key, unit_id): every unit of the root's subtree against its kind."""
    return (
        select(Unit.kind.label("key"), Unit.id.label("unit_id"))
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == root_id)
    )


def _member_chunks(members: Members) -> list[Members]:
    # SQLite limits bound parameters: long id lists are queried a chunk at a time.
    if isinstance(members, Select):
        return [members]
    return [list(chunk) for chunk in chunks(list(members))]


def days_read(periods: Iterable[Period], campaign_start: date) -> set[date]:
    """The days whose running figures give these periods' figures: each last day, and each
    day before a first day (none before the campaign: nothing was entered then)."""
    days = set()
    for period in periods:
        days.add(period.end)
        if period.start > campaign_start:
            days.add(period.start - timedelta(days=1))
    return days


def window_totals(
    indicators: Sequence[IndicatorRule],
    members: Members,
    periods: Sequence[Period],
    campaign_start: date,
) -> WindowTotals:
    """Each member's figures, its subtree added up, for every indicator and period."""
    totals: WindowTotals = {}
    for chunk in _member_chunks(members):
        totals.update(_window_figures(indicators, rollup_mapping(chunk), periods, campaign_start))
    return totals


def kind_totals(
    indicators: Sequence[IndicatorRule],
    root_id: int,
    periods: Sequence[Period],
    campaign_start: date,
) -> WindowTotals:
    """The figures of the root's subtree split by the kind of the unit that entered them."""
    return _window_figures(indicators, kind_mapping(root_id), periods, campaign_start)


def _window_figures(
    indicators: Sequence[IndicatorRule],
    mapping: Select,
    periods: Sequence[Period],
    campaign_start: date,
) -> WindowTotals:
    """One GROUP BY per (key, indicator) with the few days the periods need as columns: a
    window's figures are worked out from its row, without a row per day."""
    if not indicators or not periods:
        return {}
    days = sorted(days_read(periods, campaign_start))
    column = {day: index for index, day in enumerate(days)}
    mapped = mapping.subquery("mapped")
    sums = []
    for day in days:
        on_day = EntryTotal.total_date == day
        # Cast: PostgreSQL sums integers as numeric, which Python reads as slow Decimals.
        sums.extend(
            (
                cast(func.sum(case((on_day, EntryTotal.numerator))), BigInteger),
                cast(func.sum(case((on_day, EntryTotal.denominator))), BigInteger),
                cast(func.sum(case((on_day, EntryTotal.entries))), BigInteger),
                func.count(case((on_day, 1))),
            )
        )
    statement = (
        select(mapped.c.key, EntryTotal.indicator_id, *sums)
        .join(mapped, mapped.c.unit_id == EntryTotal.unit_id)
        .where(
            EntryTotal.indicator_id.in_([indicator.id for indicator in indicators]),
            EntryTotal.total_date.in_(days),
        )
        .group_by(mapped.c.key, EntryTotal.indicator_id)
    )
    flows = {indicator.id for indicator in indicators if indicator.is_flow}
    # Each period's (last day's column, the column of the day before its first, or None).
    reads = [
        (column[period.end], column.get(period.start - timedelta(days=1))) for period in periods
    ]
    totals: WindowTotals = {}
    for key, indicator_id, *values in db.session.execute(statement):
        running = [_running(values[4 * i : 4 * i + 4]) for i in range(len(days))]
        is_flow = indicator_id in flows
        for index, (end, before) in enumerate(reads):
            figures = window_figures(
                running[end], None if before is None else running[before], is_flow=is_flow
            )
            if figures.reported or figures.entries:
                totals[(key, indicator_id, index)] = figures
    return totals


def _running(values) -> Running | None:
    numerator, denominator, entries, units = values
    return Running(numerator, denominator, entries, units) if units else None


def running_series(
    indicators: Sequence[IndicatorRule], members: Members, days: Iterable[date]
) -> RunningSeries:
    """Each member's running figures, its subtree added up, on each of `days`."""
    days = set(days)
    found: RunningSeries = {}
    for chunk in _member_chunks(members):
        found.update(running_figures(indicators, rollup_mapping(chunk), days))
    return found


def running_figures(
    indicators: Sequence[IndicatorRule], mapping: Select, days: set[date]
) -> RunningSeries:
    """Σ of the running totals of the units of each key of `mapping`, on each of `days`."""
    if not indicators or not days:
        return {}
    mapped = mapping.subquery("mapped")
    statement = (
        select(
            mapped.c.key,
            EntryTotal.indicator_id,
            EntryTotal.total_date,
            func.sum(EntryTotal.numerator),
            func.sum(EntryTotal.denominator),
            func.sum(EntryTotal.entries),
            func.count(),
        )
        .join(mapped, mapped.c.unit_id == EntryTotal.unit_id)
        .where(
            EntryTotal.indicator_id.in_([indicator.id for indicator in indicators]),
            EntryTotal.total_date.in_(sorted(days)),
        )
        .group_by(mapped.c.key, EntryTotal.indicator_id, EntryTotal.total_date)
    )
    found: RunningSeries = defaultdict(dict)
    for key, indicator_id, day, numerator, denominator, entries, units in db.session.execute(
        statement
    ):
        found[(key, indicator_id)][day] = Running(
            # SUM of integers is a Decimal on PostgreSQL and an int on SQLite: the rules take
            # floats.
            numerator=float(numerator),
            denominator=None if denominator is None else float(denominator),
            entries=int(entries),
            units=int(units),
        )
    return dict(found)
