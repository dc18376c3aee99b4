"""The measurement engine: figures from targets.results.queries (added up in SQL), targets
and baselines from targets.queries, scored and ranked by targets.results.rules.

Everything that shows a result goes through here, so the overview, the "why this rank?"
page, the matrix, the API, the Excel exports and the briefings agree to the digit:

- `rank_units`: the scores of a peer group on a day, ranked, with the ranks and scores of
  the day before and of seven days before (movement).
- `unit_result`: one unit's indicators in full (figures, target, achievement, contribution,
  trajectory, on track, forecast, at risk), its score and its place in its peer group.
- `peer_groups`: the default groups below a unit (one per kind of its children) and the
  campaign's own groups.
- `series`, `level_breakdown`: the day-by-day figures behind trend charts and forecasts, and
  the figures by level.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, select

from app.db import db
from app.units.models import Unit, UnitClosure
from campaigns.models import Campaign, Indicator, PeerGroup
from campaigns.queries import unit_kinds_of_subtree
from targets.models import Baseline, Milestone
from targets.queries import (
    effective_count_targets,
    effective_ratio_targets,
    is_relevant,
    subtree_kinds,
)
from targets.queries import (
    indicator_rule as target_rule,
)
from targets.results import queries
from targets.results.rules import (
    CAMPAIGN,
    FORECAST_DAYS,
    WEEK,
    Band,
    BandLimits,
    IndicatorRule,
    IndicatorScore,
    Period,
    Running,
    Totals,
    UnitScore,
    band,
    competition_ranks,
    forecast,
    is_at_risk,
    is_on_track,
    movement,
    score_change,
    score_unit,
    trajectory_value,
    value_of,
    window_figures,
    window_period,
    window_target,
)
from targets.rules import Effective

# The days movement is measured against: the day before, and seven days before.
MOVEMENT_DAYS = (1, 7)


# --- the campaign's rules, as plain data -----------------------------------------------------


def indicator_rules(campaign: Campaign) -> list[IndicatorRule]:
    return [
        IndicatorRule(
            id=indicator.id,
            code=indicator.code,
            kind=indicator.kind,
            measure=indicator.measure,
            direction=indicator.direction,
            weight=indicator.weight,
        )
        for indicator in campaign.indicators
    ]


def band_limits(campaign: Campaign) -> BandLimits:
    return BandLimits(
        excellent=campaign.band_excellent,
        good=campaign.band_good,
        fair=campaign.band_fair,
        average=campaign.band_average,
    )


def campaign_period(campaign: Campaign) -> Period:
    return Period(campaign.start_date, campaign.end_date)


def period_of(campaign: Campaign, window: str, day: date) -> Period:
    return window_period(window, day, campaign.start_date, campaign.end_date)


def default_day(campaign: Campaign, today: date) -> date:
    """The day results open on: yesterday while the campaign runs (today's figures are still
    coming in), its first day before it starts, its last day after it ended."""
    return min(max(today - timedelta(days=1), campaign.start_date), campaign.end_date)


def earlier_days(campaign: Campaign, day: date) -> dict[int, date | None]:
    """The days movement compares with (1 and 7 days before), None before the campaign."""
    return {
        offset: day - timedelta(days=offset)
        if day - timedelta(days=offset) >= campaign.start_date
        else None
        for offset in MOVEMENT_DAYS
    }


# --- units and the indicators that apply to them --------------------------------------------


@dataclass(frozen=True)
class Member:
    """A unit as the results show it (a light row: groups may hold ten thousand units)."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None


MEMBER_COLUMNS = (Unit.id, Unit.code, Unit.name, Unit.kind, Unit.parent_id)


def members(statement: Select) -> list[Member]:
    return [Member(*row) for row in db.session.execute(statement)]


def member_of(unit: Unit) -> Member:
    return Member(unit.id, unit.code, unit.name, unit.kind, unit.parent_id)


def applicable(
    campaign: Campaign, unit_ids: Sequence[int], id_query: Select | None = None
) -> dict[int, list[IndicatorRule]]:
    """For each unit, the campaign's indicators that apply to its kind or a kind below it.
    `id_query` selects the same ids, for large groups (one query instead of chunks)."""
    rules = indicator_rules(campaign)
    by_id = {indicator.id: target_rule(indicator) for indicator in campaign.indicators}
    if id_query is None:
        kinds_below = subtree_kinds(unit_ids)
    else:
        kinds_below = defaultdict(set)
        statement = (
            select(UnitClosure.ancestor_id, Unit.kind)
            .join(Unit, Unit.id == UnitClosure.descendant_id)
            .where(UnitClosure.ancestor_id.in_(id_query))
            .group_by(UnitClosure.ancestor_id, Unit.kind)
        )
        for unit_id, kind in db.session.execute(statement):
            kinds_below[unit_id].add(kind)
    # Units with the same kinds below them (all communes, say) share one list.
    by_kinds: dict[frozenset[str], list[IndicatorRule]] = {}
    found = {}
    for unit_id in unit_ids:
        kinds = frozenset(kinds_below.get(unit_id, ()))
        if kinds not in by_kinds:
            by_kinds[kinds] = [rule for rule in rules if is_relevant(by_id[rule.id], set(kinds))]
        found[unit_id] = by_kinds[kinds]
    return found


def effective_targets(
    campaign: Campaign, unit_ids: Sequence[int], id_query: Select | None = None
) -> dict[tuple[int, int], Effective]:
    """Effective targets (own or inherited; counts added up) by (unit id, indicator id)."""
    indicators = list(campaign.indicators)
    ratio_ids = [indicator.id for indicator in indicators if indicator.is_ratio]
    found = effective_ratio_targets(ratio_ids, id_query if id_query is not None else unit_ids)
    if any(not indicator.is_ratio for indicator in indicators):
        wanted = set(unit_ids)
        found.update(
            (key, effective)
            for key, effective in effective_count_targets(
                campaign.owner_unit_id, indicators
            ).items()
            if key[0] in wanted
        )
    return found


def _window_targets(
    campaign: Campaign,
    rules: Sequence[IndicatorRule],
    unit_id: int,
    effective: dict[tuple[int, int], Effective],
    period: Period,
) -> dict[int, float | None]:
    length = campaign_period(campaign).days
    targets = {}
    for rule in rules:
        target = effective.get((unit_id, rule.id))
        targets[rule.id] = window_target(target.value if target else None, rule, period, length)
    return targets


# --- scores and ranks of a group of units ---------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A unit's score and place in its group on the day, and how both moved."""

    unit: Member
    result: UnitScore
    band: Band | None
    rank: int | None
    earlier_ranks: dict[int, int | None] = field(default_factory=dict)  # days before → rank
    earlier_results: dict[int, UnitScore | None] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        return self.result.score

    @property
    def missing(self) -> bool:
        return self.result.missing

    def movement(self, days: int) -> int | None:
        """Places gained since `days` days before (1 or 7)."""
        return movement(self.rank, self.earlier_ranks.get(days))

    def score_change(self, days: int) -> float | None:
        earlier = self.earlier_results.get(days)
        return score_change(self.score, earlier.score if earlier else None)


def score_units(
    campaign: Campaign,
    units: Sequence[Member],
    periods: Sequence[Period],
    id_query: Select | None = None,
) -> list[dict[int, UnitScore]]:
    """Every unit's score over each period (in the order given): two queries for the figures
    of all units and periods, one for their targets."""
    unit_ids = [unit.id for unit in units]
    if not unit_ids:
        return [{} for _period in periods]
    rules_of = applicable(campaign, unit_ids, id_query)
    effective = effective_targets(campaign, unit_ids, id_query)
    totals = queries.window_totals(
        indicator_rules(campaign),
        id_query if id_query is not None else unit_ids,
        periods,
        campaign.start_date,
    )
    scored: list[dict[int, UnitScore]] = []
    for index, period in enumerate(periods):
        by_unit = {}
        for unit in units:
            rules = rules_of[unit.id]
            by_unit[unit.id] = score_unit(
                rules,
                {
                    rule.id: totals[(unit.id, rule.id, index)]
                    for rule in rules
                    if (unit.id, rule.id, index) in totals
                },
                _window_targets(campaign, rules, unit.id, effective, period),
            )
        scored.append(by_unit)
    return scored


def rank_units(
    campaign: Campaign,
    units: Sequence[Member],
    day: date,
    window: str,
    id_query: Select | None = None,
) -> list[Standing]:
    """The units ranked by their score over the window ending on `day`, best first (units
    sharing a rank by code), with their ranks and scores 1 and 7 days before.

    `id_query` selects the same units' ids, for large groups (SQL instead of a long list).
    """
    day = min(max(day, campaign.start_date), campaign.end_date)
    earlier = earlier_days(campaign, day)
    periods = {
        offset: period_of(campaign, window, when)
        for offset, when in earlier.items()
        if when is not None
    }
    standings = rank_periods(campaign, units, period_of(campaign, window, day), periods, id_query)
    for standing in standings:
        # Before the campaign there was nothing to rank: no rank, no score, no movement.
        for offset in earlier:
            standing.earlier_ranks.setdefault(offset, None)
            standing.earlier_results.setdefault(offset, None)
    return standings


def rank_periods(
    campaign: Campaign,
    units: Sequence[Member],
    main: Period,
    earlier: dict[object, Period],
    id_query: Select | None = None,
) -> list[Standing]:
    """The units ranked by their score over `main`, best first, with their ranks and scores
    over each of the `earlier` periods by key (1 and 7 days before; a review's first and last
    weeks): all of them from one reading of the figures."""
    keys = list(earlier)
    scored = score_units(campaign, units, [main, *earlier.values()], id_query)
    ranks = [competition_ranks({unit_id: s.score for unit_id, s in by.items()}) for by in scored]
    limits = band_limits(campaign)
    standings = []
    for unit in units:
        result = scored[0][unit.id]
        standings.append(
            Standing(
                unit=unit,
                result=result,
                band=band(result.score, limits),
                rank=ranks[0][unit.id],
                earlier_ranks={key: ranks[i][unit.id] for i, key in enumerate(keys, start=1)},
                earlier_results={key: scored[i][unit.id] for i, key in enumerate(keys, start=1)},
            )
        )
    return sorted(standings, key=_standing_order)


def _standing_order(standing: Standing):
    return (standing.rank is None, standing.rank or 0, standing.unit.code)


# --- peer groups ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Units compared with each other: those of one kind directly below a unit (the default),
    or a group the campaign defines (all units of a kind below a unit)."""

    kind: str
    parent: Unit  # the unit the members lie below
    peer_group: PeerGroup | None = None  # None: the default group of the parent's children

    @property
    def code(self) -> str | None:
        return self.peer_group.code if self.peer_group else None

    def id_query(self) -> Select:
        if self.peer_group is None:
            return select(Unit.id).where(Unit.parent_id == self.parent.id, Unit.kind == self.kind)
        return (
            select(Unit.id)
            .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
            .where(
                UnitClosure.ancestor_id == self.parent.id,
                UnitClosure.depth > 0,
                Unit.kind == self.kind,
            )
        )

    def members(self) -> list[Member]:
        return members(
            select(*MEMBER_COLUMNS).where(Unit.id.in_(self.id_query())).order_by(Unit.code)
        )


def default_groups(campaign: Campaign, parent: Unit) -> list[Group]:
    """One group per kind of the parent's children that some indicator applies to (its kind
    or a kind below), in kind order."""
    children = members(
        select(*MEMBER_COLUMNS).where(Unit.parent_id == parent.id).order_by(Unit.kind, Unit.code)
    )
    rules_of = applicable(campaign, [child.id for child in children])
    kinds = sorted({child.kind for child in children if rules_of[child.id]})
    return [Group(kind, parent) for kind in kinds]


def campaign_groups(campaign: Campaign, within: Unit) -> list[Group]:
    """The campaign's own peer groups whose root lies in `within`'s subtree."""
    statement = (
        select(PeerGroup)
        .join(UnitClosure, UnitClosure.descendant_id == PeerGroup.root_unit_id)
        .where(PeerGroup.campaign_id == campaign.id, UnitClosure.ancestor_id == within.id)
        .order_by(PeerGroup.code)
    )
    return [
        Group(peer_group.kind, peer_group.root_unit, peer_group)
        for peer_group in db.session.scalars(statement)
    ]


def campaign_group(campaign: Campaign, code: str) -> Group | None:
    """The campaign's own peer group with this code."""
    peer_group = db.session.scalar(
        select(PeerGroup).where(PeerGroup.campaign_id == campaign.id, PeerGroup.code == code)
    )
    return Group(peer_group.kind, peer_group.root_unit, peer_group) if peer_group else None


def group_of(campaign: Campaign, unit: Unit) -> Group | None:
    """The unit's default peer group: the units of its kind under the same parent."""
    if unit.parent_id is None or unit.id == campaign.owner_unit_id:
        return None
    return Group(unit.kind, unit.parent)


def rank_group(campaign: Campaign, group: Group, day: date, window: str) -> list[Standing]:
    return rank_units(campaign, group.members(), day, window, group.id_query())


# --- one unit in full -----------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator of a unit's result, everything a reader needs to check it by hand."""

    indicator: Indicator
    scored: IndicatorScore  # figures, window target, achievement, weight share, contribution
    effective: Effective | None  # the unit's target (own, inherited, added up), unprorated
    baseline: float | None
    previous_value: float | None  # the same window ending the day before
    trajectory: float | None
    on_track: bool | None
    forecast: float | None  # the window's figure expected on the campaign's last day
    forecast_target: float | None  # what the forecast is held to
    at_risk: bool | None

    @property
    def value(self) -> float | None:
        return self.scored.value

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value


@dataclass(frozen=True)
class UnitResult:
    campaign: Campaign
    unit: Unit
    day: date
    window: str
    period: Period
    score: float | None
    band: Band | None
    missing: bool
    indicators: list[IndicatorResult]
    group: Group | None  # its default peer group; None for the campaign's owner
    group_standings: list[Standing]  # that group ranked, the unit among them

    @property
    def standing(self) -> Standing | None:
        return next((s for s in self.group_standings if s.unit.id == self.unit.id), None)

    @property
    def group_size(self) -> int:
        return len(self.group_standings)


def unit_result(campaign: Campaign, unit: Unit, day: date, window: str) -> UnitResult:
    """The unit's result in full, and its default peer group ranked (which scores the unit
    on the day and the day before: the indicators' change since yesterday comes from it)."""
    day = min(max(day, campaign.start_date), campaign.end_date)
    group = group_of(campaign, unit)
    standings = rank_group(campaign, group, day, window) if group is not None else []
    standing = next((s for s in standings if s.unit.id == unit.id), None)
    if standing is not None:
        now, before = standing.result, standing.earlier_results.get(1)
    else:
        yesterday = earlier_days(campaign, day)[1]
        when = [day] + ([yesterday] if yesterday else [])
        scored = score_units(
            campaign, [member_of(unit)], [period_of(campaign, window, d) for d in when]
        )
        now, before = scored[0][unit.id], scored[1][unit.id] if yesterday else None
    details = indicator_details(campaign, [unit], day, window)[unit.id]
    indicators = []
    for item in now.indicators:
        detail = details[item.indicator.id]
        previous = before.of(item.indicator.id) if before else None
        indicators.append(
            IndicatorResult(
                indicator=detail.indicator,
                scored=item,
                effective=detail.effective,
                baseline=detail.baseline,
                previous_value=previous.value if previous else None,
                trajectory=detail.trajectory,
                on_track=detail.on_track,
                forecast=detail.forecast,
                forecast_target=detail.forecast_target,
                at_risk=detail.at_risk,
            )
        )
    return UnitResult(
        campaign=campaign,
        unit=unit,
        day=day,
        window=window,
        period=period_of(campaign, window, day),
        score=now.score,
        band=band(now.score, band_limits(campaign)),
        missing=now.missing,
        indicators=indicators,
        group=group,
        group_standings=standings,
    )


@dataclass(frozen=True)
class Detail:
    """Trajectory and forecast of one unit and indicator on a day."""

    indicator: Indicator
    effective: Effective | None
    baseline: float | None
    value: float | None
    trajectory: float | None
    on_track: bool | None
    forecast: float | None
    forecast_target: float | None
    at_risk: bool | None
    milestones: list[tuple[date, float]]
    series: list[tuple[date, float | None]]  # the window's figure on each day up to `day`


def indicator_details(
    campaign: Campaign,
    units: Sequence[Unit | Member],
    day: date,
    window: str,
    indicator_ids: Sequence[int] | None = None,
    *,
    full_series: bool = False,
) -> dict[int, dict[int, Detail]]:
    """For each unit and indicator (all, or those of `indicator_ids`): the window's figure
    day by day (the last FORECAST_DAYS days, or with `full_series` every day since the
    campaign began), its trajectory and on-track flag on `day`, and the forecast for the last
    day."""
    rules = [
        rule
        for rule in indicator_rules(campaign)
        if indicator_ids is None or rule.id in indicator_ids
    ]
    unit_ids = [unit.id for unit in units]
    rules_of = {
        unit_id: [rule for rule in applying if rule in rules]
        for unit_id, applying in applicable(campaign, unit_ids).items()
    }
    by_id = {indicator.id: indicator for indicator in campaign.indicators}
    effective = effective_targets(campaign, unit_ids)
    baselines = _baselines(rules, unit_ids)
    milestones = _milestones(rules, unit_ids)
    day = min(max(day, campaign.start_date), campaign.end_date)
    first = campaign.start_date if full_series else day - timedelta(days=FORECAST_DAYS - 1)
    days = [
        first + timedelta(days=n)
        for n in range((day - first).days + 1)
        if first + timedelta(days=n) >= campaign.start_date
    ]
    periods = {when: period_of(campaign, window, when) for when in days}
    to_date = period_of(campaign, CAMPAIGN, day)
    running = queries.running_series(
        rules,
        unit_ids,
        queries.days_read([*periods.values(), to_date], campaign.start_date),
    )
    whole = campaign_period(campaign)
    last_period = period_of(campaign, window, campaign.end_date)
    details: dict[int, dict[int, Detail]] = {}
    for unit_id in unit_ids:
        details[unit_id] = {}
        for rule in rules_of[unit_id]:
            by_day = running.get((unit_id, rule.id), {})
            series = [
                (when, value_of(_window(by_day, periods[when], rule), rule.is_ratio))
                for when in days
            ]
            target = effective.get((unit_id, rule.id))
            target_value = target.value if target else None
            trajectory = trajectory_value(
                day,
                start=campaign.start_date,
                end=campaign.end_date,
                baseline=baselines.get((unit_id, rule.id)),
                target=target_value,
                milestones=milestones.get((unit_id, rule.id), []),
            )
            # A flow count's path runs to a campaign total: it is held to the figure so far.
            compared = to_date if rule.is_flow and not rule.is_ratio else periods[day]
            value = value_of(_window(by_day, compared, rule), rule.is_ratio)
            forecast_target = window_target(target_value, rule, last_period, whole.days)
            projected = forecast(series, campaign.end_date, is_ratio=rule.is_ratio)
            details[unit_id][rule.id] = Detail(
                indicator=by_id[rule.id],
                effective=target,
                baseline=baselines.get((unit_id, rule.id)),
                value=series[-1][1],
                trajectory=trajectory,
                on_track=is_on_track(value, trajectory, rule),
                forecast=projected,
                forecast_target=forecast_target,
                at_risk=is_at_risk(projected, forecast_target, rule),
                milestones=milestones.get((unit_id, rule.id), []),
                series=series,
            )
    return details


def _window(by_day: dict[date, Running], period: Period, rule: IndicatorRule) -> Totals:
    return window_figures(
        by_day.get(period.end), by_day.get(period.start - timedelta(days=1)), is_flow=rule.is_flow
    )


def _baselines(rules, unit_ids) -> dict[tuple[int, int], float]:
    statement = select(Baseline).where(
        Baseline.indicator_id.in_([rule.id for rule in rules]), Baseline.unit_id.in_(unit_ids)
    )
    return {(b.unit_id, b.indicator_id): b.value for b in db.session.scalars(statement)}


def _milestones(rules, unit_ids) -> dict[tuple[int, int], list[tuple[date, float]]]:
    statement = (
        select(Milestone)
        .where(
            Milestone.indicator_id.in_([rule.id for rule in rules]),
            Milestone.unit_id.in_(unit_ids),
        )
        .order_by(Milestone.milestone_date)
    )
    found: dict[tuple[int, int], list[tuple[date, float]]] = {}
    for milestone in db.session.scalars(statement):
        found.setdefault((milestone.unit_id, milestone.indicator_id), []).append(
            (milestone.milestone_date, milestone.value)
        )
    return found


# --- the level breakdown --------------------------------------------------------------------


@dataclass(frozen=True)
class LevelFigures:
    """The figures entered by the units of one kind in a subtree, for every indicator, over
    the chosen window and over the campaign's first week (where they started)."""

    kind: str
    now: dict[int, Totals]
    first_week: dict[int, Totals]


def level_breakdown(campaign: Campaign, unit: Unit, day: date, window: str) -> list[LevelFigures]:
    return level_figures(
        campaign,
        unit,
        now=period_of(campaign, window, day),
        first=period_of(campaign, WEEK, campaign.start_date + timedelta(days=6)),
    )


def level_figures(campaign: Campaign, unit: Unit, *, now: Period, first: Period):
    """The figures by kind of the unit's subtree over `now` and over `first` (where they
    started: the campaign's first week, or a review's)."""
    rules = indicator_rules(campaign)
    totals = queries.kind_totals(rules, unit.id, [now, first], campaign.start_date)
    found = {key[0] for key in totals}
    kinds = [kind for kind in unit_kinds_of_subtree(unit.id) if kind in found]

    def of(kind: str, index: int) -> dict[int, Totals]:
        return {
            rule.id: totals[(kind, rule.id, index)]
            for rule in rules
            if (kind, rule.id, index) in totals
        }

    return [LevelFigures(kind=kind, now=of(kind, 0), first_week=of(kind, 1)) for kind in kinds]


# --- the matrix -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Matrix:
    """Every unit of one kind below a unit (all levels down), scored over a window: the rows
    of the units × indicators matrix. `kinds` are the kinds one may choose instead."""

    unit: Unit
    kind: str | None
    kinds: list[str]
    standings: list[Standing]


# Orders of the matrix: by score (rank), by name, or by one indicator's achievement.
SORT_BY_SCORE = "score"
SORT_BY_NAME = "name"


def matrix_kinds(campaign: Campaign, unit: Unit) -> list[str]:
    """The kinds of the units below `unit` that some indicator applies to, higher first."""
    below = _kinds_below(unit)
    return [
        found
        for found in unit_kinds_of_subtree(unit.id)
        if found in below and any(i.applies_to(found) for i in campaign.indicators)
    ]


def matrix(campaign: Campaign, unit: Unit, kind: str | None, day: date, window: str) -> Matrix:
    """`kind` None (or one that does not report) takes the highest kind that reports."""
    kinds = matrix_kinds(campaign, unit)
    if kind not in kinds:
        kind = kinds[0] if kinds else None
    if kind is None:
        return Matrix(unit, None, kinds, [])
    id_query = (
        select(Unit.id)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == unit.id, UnitClosure.depth > 0, Unit.kind == kind)
    )
    rows = members(select(*MEMBER_COLUMNS).where(Unit.id.in_(id_query)).order_by(Unit.code))
    return Matrix(unit, kind, kinds, rank_units(campaign, rows, day, window, id_query))


def _kinds_below(unit: Unit) -> set[str]:
    statement = (
        select(Unit.kind)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == unit.id, UnitClosure.depth > 0)
        .distinct()
    )
    return set(db.session.scalars(statement))


def sort_standings(standings: Sequence[Standing], order: str) -> list[Standing]:
    """`order`: SORT_BY_SCORE (rank), SORT_BY_NAME, or an indicator code (its capped
    achievement, best first; units where it does not count last). Ties keep the rank order."""
    if order == SORT_BY_NAME:
        return sorted(standings, key=lambda s: (s.unit.name, s.unit.code))
    if order == SORT_BY_SCORE:
        return sorted(standings, key=_standing_order)

    def by_indicator(standing: Standing):
        scored = next((s for s in standing.result.indicators if s.indicator.code == order), None)
        achieved = scored.capped_achievement if scored else None
        return (achieved is None, -(achieved or 0), *_standing_order(standing))

    return sorted(standings, key=by_indicator)
