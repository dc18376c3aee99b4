"""The figures of the measurement engine, added up in SQL (DESIGN §4).

Every function here returns sums, never entries: a unit's figures over its whole subtree come
from one GROUP BY over `entries` joined to the closure table, so a province's or the
country's totals cost one query whatever the number of entries. targets.results.rules turns
the sums into values, achievements and scores.

- Flows: the amounts of the entries dated inside the window, summed.
- Stocks: each unit's latest level on or before the window's end (its entries from the
  campaign's first day on), summed.
- Grouping: by a unit of a list (its subtree rolled up, through `unit_closures`), or by the
  kind of the unit that entered the figures (the level breakdown of a subtree).
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, and_, case, func, literal, select

from app.db import db
from app.units.models import Unit, UnitClosure
from campaigns.progress.models import Entry
from targets.queries import chunks
from targets.results.rules import IndicatorRule, Period, Totals

Members = Sequence[int] | Select  # unit ids, or a subquery of them

# (group key, indicator id, index of the period) → figures
WindowTotals = dict[tuple[object, int, int], Totals]
# (group key, indicator id) → {day: figures of that day}
DailyTotals = dict[tuple[object, int], dict[date, Totals]]


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


def window_totals(
    indicators: Sequence[IndicatorRule],
    members: Members,
    periods: Sequence[Period],
    campaign_start: date,
) -> WindowTotals:
    """Each member's figures, its subtree added up, for every indicator and period."""
    totals: WindowTotals = {}
    for chunk in _member_chunks(members):
        totals.update(grouped_totals(indicators, rollup_mapping(chunk), periods, campaign_start))
    return totals


def kind_totals(
    indicators: Sequence[IndicatorRule],
    root_id: int,
    periods: Sequence[Period],
    campaign_start: date,
) -> WindowTotals:
    """The figures of the root's subtree split by the kind of the unit that entered them."""
    return grouped_totals(indicators, kind_mapping(root_id), periods, campaign_start)


def grouped_totals(
    indicators: Sequence[IndicatorRule],
    mapping: Select,
    periods: Sequence[Period],
    campaign_start: date,
) -> WindowTotals:
    """Figures by (key of `mapping`, indicator, period): flows summed inside each period,
    stock levels carried forward to each period's end, entries counted inside each period."""
    if not indicators or not periods:
        return {}
    mapped = mapping.subquery("mapped")
    found: dict[tuple[object, int, int], dict[str, object]] = defaultdict(dict)
    for key, indicator_id, index, numerator, denominator, entries in _flow_sums(
        indicators, mapped, periods
    ):
        found[(key, indicator_id, index)].update(
            numerator=numerator or 0, denominator=denominator, entries=entries or 0
        )
    stocks = [indicator.id for indicator in indicators if not indicator.is_flow]
    if stocks:
        for index, period in enumerate(periods):
            for key, indicator_id, numerator, denominator in _stock_levels(
                stocks, mapped, period.end, campaign_start
            ):
                found[(key, indicator_id, index)].update(
                    numerator=numerator or 0, denominator=denominator, reported=True
                )
    flows = {indicator.id for indicator in indicators if indicator.is_flow}
    totals: WindowTotals = {}
    for (key, indicator_id, index), figures in found.items():
        entries = int(figures.get("entries", 0))
        if indicator_id in flows:
            reported = entries > 0
            numerator, denominator = figures.get("numerator", 0), figures.get("denominator")
        else:
            reported = bool(figures.get("reported"))
            numerator = figures.get("numerator", 0) if reported else 0
            denominator = figures.get("denominator") if reported else None
        totals[(key, indicator_id, index)] = Totals(
            numerator=_number(numerator),
            denominator=None if denominator is None else _number(denominator),
            entries=entries,
            reported=reported,
        )
    return totals


def _number(value) -> float:
    # SUM of integers is a Decimal on PostgreSQL and an int on SQLite: the rules take floats.
    return float(value)


def _flow_sums(indicators: Sequence[IndicatorRule], mapped, periods: Sequence[Period]):
    """Rows (key, indicator, period index, Σ numerator, Σ denominator, entries) of every
    indicator: the sums matter for flows, the counts for all."""
    first = min(period.start for period in periods)
    last = max(period.end for period in periods)
    columns = []
    for period in periods:
        inside = and_(Entry.entry_date >= period.start, Entry.entry_date <= period.end)
        columns.extend(
            (
                func.sum(case((inside, Entry.numerator))),
                func.sum(case((inside, Entry.denominator))),
                func.sum(case((inside, 1), else_=0)),
            )
        )
    statement = (
        select(mapped.c.key, Entry.indicator_id, *columns)
        .join(mapped, mapped.c.unit_id == Entry.unit_id)
        .where(
            Entry.indicator_id.in_([indicator.id for indicator in indicators]),
            Entry.entry_date >= first,
            Entry.entry_date <= last,
        )
        .group_by(mapped.c.key, Entry.indicator_id)
    )
    for row in db.session.execute(statement):
        key, indicator_id, *sums = row
        for index in range(len(periods)):
            numerator, denominator, entries = sums[3 * index : 3 * index + 3]
            if entries:
                yield key, indicator_id, index, numerator, denominator, entries


def _stock_levels(stock_ids: list[int], mapped, end: date, campaign_start: date):
    """Rows (key, indicator, Σ latest numerator, Σ latest denominator) of stock indicators:
    each unit's latest level on or before `end`."""
    latest = (
        select(
            Entry.unit_id.label("unit_id"),
            Entry.indicator_id.label("indicator_id"),
            func.max(Entry.entry_date).label("entry_date"),
        )
        .where(
            Entry.indicator_id.in_(stock_ids),
            Entry.entry_date >= campaign_start,
            Entry.entry_date <= end,
            Entry.unit_id.in_(select(mapped.c.unit_id)),
        )
        .group_by(Entry.unit_id, Entry.indicator_id)
        .subquery("latest")
    )
    statement = (
        select(
            mapped.c.key,
            Entry.indicator_id,
            func.sum(Entry.numerator),
            func.sum(Entry.denominator),
        )
        .join(
            latest,
            and_(
                latest.c.unit_id == Entry.unit_id,
                latest.c.indicator_id == Entry.indicator_id,
                latest.c.entry_date == Entry.entry_date,
            ),
        )
        .join(mapped, mapped.c.unit_id == Entry.unit_id)
        .group_by(mapped.c.key, Entry.indicator_id)
    )
    return db.session.execute(statement).all()


def daily_totals(
    indicators: Sequence[IndicatorRule],
    members: Members,
    end: date,
    campaign_start: date,
) -> DailyTotals:
    """Each member's figures, its subtree added up, day by day from the campaign's first day
    to `end`: a flow's amounts of the day, a stock's change of level that day (its latest
    level is the sum of the changes so far). rules.rolling turns them into any window's
    figures for every day, for trend charts and forecasts."""
    days: DailyTotals = defaultdict(dict)
    for chunk in _member_chunks(members):
        mapped = rollup_mapping(chunk).subquery("mapped")
        flows = [indicator.id for indicator in indicators if indicator.is_flow]
        stocks = [indicator.id for indicator in indicators if not indicator.is_flow]
        if flows:
            statement = (
                select(
                    mapped.c.key,
                    Entry.indicator_id,
                    Entry.entry_date,
                    func.sum(Entry.numerator),
                    func.sum(Entry.denominator),
                    func.count(),
                )
                .join(mapped, mapped.c.unit_id == Entry.unit_id)
                .where(
                    Entry.indicator_id.in_(flows),
                    Entry.entry_date >= campaign_start,
                    Entry.entry_date <= end,
                )
                .group_by(mapped.c.key, Entry.indicator_id, Entry.entry_date)
            )
            _collect(days, db.session.execute(statement))
        if stocks:
            _collect(days, db.session.execute(_stock_changes(stocks, mapped, end, campaign_start)))
    return dict(days)


def _stock_changes(stock_ids: list[int], mapped, end: date, campaign_start: date) -> Select:
    """Per key, indicator and day: Σ (level − the same unit's previous level) and entries."""
    previous = {
        "partition_by": (Entry.unit_id, Entry.indicator_id),
        "order_by": Entry.entry_date,
    }
    changes = (
        select(
            Entry.unit_id.label("unit_id"),
            Entry.indicator_id.label("indicator_id"),
            Entry.entry_date.label("entry_date"),
            (Entry.numerator - func.coalesce(func.lag(Entry.numerator).over(**previous), 0)).label(
                "numerator"
            ),
            (
                Entry.denominator
                - func.coalesce(func.lag(Entry.denominator).over(**previous), literal(0))
            ).label("denominator"),
        )
        .where(
            Entry.indicator_id.in_(stock_ids),
            Entry.entry_date >= campaign_start,
            Entry.entry_date <= end,
            Entry.unit_id.in_(select(mapped.c.unit_id)),
        )
        .subquery("changes")
    )
    return (
        select(
            mapped.c.key,
            changes.c.indicator_id,
            changes.c.entry_date,
            func.sum(changes.c.numerator),
            func.sum(changes.c.denominator),
            func.count(),
        )
        .join(mapped, mapped.c.unit_id == changes.c.unit_id)
        .group_by(mapped.c.key, changes.c.indicator_id, changes.c.entry_date)
    )


def _collect(days: DailyTotals, rows) -> None:
    for key, indicator_id, day, numerator, denominator, entries in rows:
        days[(key, indicator_id)][day] = Totals(
            numerator=_number(numerator or 0),
            denominator=None if denominator is None else _number(denominator),
            entries=int(entries),
            reported=True,
        )
