"""Results, scores and rankings (DESIGN §4 and §5), as pure functions.

No Flask and no database: callers pass plain data (figures already added up in SQL by
targets.results.queries, targets, baselines, milestones) and get plain data back. The pages,
the API, the Excel exports and the briefings all score and rank through these, so a figure
reads the same wherever it is shown. README.md ("Results, scores and rankings") states the
same rules in plain Vietnamese and English; tests/test_results_rules.py holds them to answers
computed by hand.

- Windows: a day, the 7 days ending on the day, the month to date, the campaign to date;
  never before the campaign's first day nor after its last.
- Figures: flows are summed over the window, stocks carried forward (each unit's latest
  level on or before the window's end, then summed). Across units, numerators and
  denominators are added up, then divided: percentages are never averaged.
- Achievement: higher-is-better actual ÷ target; lower-is-better ratio (1 − actual) ÷
  (1 − target). The score uses it capped at 1 (clipped at 0); the uncapped value is shown.
- Score: 100 × Σ wᵢ·min(achᵢ, 1) ÷ Σ wᵢ, two decimals, over the indicators that apply to the
  unit; a flow or stock with no figures counts 0; a reported ratio whose denominator is 0,
  and an indicator without a target, are left out and the weights renormalised.
- Ranking: score descending, equal scores share a rank (1, 2, 2, 4).
"""

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property
from itertools import pairwise
from typing import TypeVar

from targets.rules import meets

Key = TypeVar("Key", bound=Hashable)

RATIO = "ratio"
FLOW = "flow"

DAY = "day"
WEEK = "week"  # the 7 days ending on the day (DESIGN §4: rolling 7 days)
MONTH = "month"  # from the first of the day's month
CAMPAIGN = "campaign"  # from the campaign's first day
WINDOWS = (DAY, WEEK, MONTH, CAMPAIGN)
WEEK_DAYS = 7

# The forecast fits a line through the last FORECAST_DAYS daily values of the ranking
# window's figure, and needs at least FORECAST_MIN_POINTS of them.
FORECAST_DAYS = 14
FORECAST_MIN_POINTS = 3


# --- windows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days a window covers, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def window_period(window: str, day: date, campaign_start: date, campaign_end: date) -> Period:
    """The days of `window` ending on `day`, kept inside the campaign.

    A day before the campaign gives the campaign's first day, a day after it the last: there
    are no figures outside it.
    """
    day = min(max(day, campaign_start), campaign_end)
    if window == DAY:
        start = day
    elif window == WEEK:
        start = day - timedelta(days=WEEK_DAYS - 1)
    elif window == MONTH:
        start = day.replace(day=1)
    elif window == CAMPAIGN:
        start = campaign_start
    else:
        raise ValueError(f"unknown window {window!r}")
    return Period(max(start, campaign_start), day)


# --- an indicator's figures -----------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRule:
    """What scoring needs to know of an indicator."""

    id: int
    code: str
    kind: str  # "ratio" or "count"
    measure: str  # "flow" or "stock"
    direction: str = "higher"
    weight: float = 1.0

    # Cached: scoring a national group asks them hundreds of thousands of times.
    @cached_property
    def is_ratio(self) -> bool:
        return self.kind == RATIO

    @cached_property
    def is_flow(self) -> bool:
        return self.measure == FLOW

    @cached_property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"


@dataclass(frozen=True)
class Totals:
    """A unit's figures of one indicator over one window, its whole subtree added up.

    `entries` counts the entries dated inside the window. For a flow the numerator and
    denominator are sums over the window; for a stock, the latest level of each unit on or
    before the window's end, added up, and `reported` says whether any unit had one.
    """

    numerator: float = 0
    denominator: float | None = None
    entries: int = 0
    reported: bool = False

    @property
    def empty(self) -> bool:
        return not self.reported


NO_TOTALS = Totals()


def value_of(totals: Totals, is_ratio: bool) -> float | None:
    """The figure a unit shows: numerator ÷ denominator for a ratio, the numerator for a
    count; None when nothing was reported, or a ratio's denominator is 0."""
    if not totals.reported:
        return None
    if not is_ratio:
        return float(totals.numerator)
    if not totals.denominator:
        return None
    return totals.numerator / totals.denominator


def window_target(
    target: float | None, indicator: IndicatorRule, period: Period, campaign_days: int
) -> float | None:
    """The target a window's figure is held to.

    Ratios and stocks compare with the target as it is. A flow count's target is a quantity
    for the whole campaign (12 conferences), so a window is held to its share of the days:
    target × window days ÷ campaign days.
    """
    if target is None or indicator.is_ratio or not indicator.is_flow:
        return target
    return target * period.days / campaign_days


def achievement(value: float, target: float, indicator: IndicatorRule) -> float:
    """How far the figure is towards its target, uncapped (1 = met; the score caps it).

    Higher is better: actual ÷ target (a target of 0 is met by anything). Lower is better, a
    ratio with target t < 1: (1 − actual) ÷ (1 − t), never below 0 (t = 1 is always met).
    Lower is better, a count: target ÷ actual, 1 when the actual is 0.
    """
    if not indicator.lower_is_better:
        return 1.0 if target <= 0 else value / target
    if indicator.is_ratio:
        if target >= 1:
            return 1.0
        return max(0.0, (1 - value) / (1 - target))
    return 1.0 if value <= 0 else target / value


def capped(achievement_value: float) -> float:
    """The achievement a score counts: between 0 and 1."""
    return min(1.0, max(0.0, achievement_value))


class Status(StrEnum):
    """How an indicator enters a unit's score."""

    SCORED = "scored"  # figures and a target: its achievement counts
    NOT_REPORTED = "not_reported"  # no figures in the window (no level, for a stock): 0
    ZERO_DENOMINATOR = "zero_denominator"  # reported, but 0 dossiers: left out
    NO_TARGET = "no_target"  # nothing to compare with: left out


@dataclass(frozen=True)
class IndicatorScore:
    indicator: IndicatorRule
    totals: Totals
    value: float | None
    target: float | None  # the window's target (window_target)
    status: Status
    achievement: float | None  # uncapped; None unless SCORED
    weight_share: float  # the indicator's weight ÷ the weights that count; 0 when left out
    contribution: float  # points of the score: 100 × weight share × capped achievement

    @property
    def counted(self) -> bool:
        return self.status in (Status.SCORED, Status.NOT_REPORTED)

    @property
    def capped_achievement(self) -> float | None:
        if self.status is Status.NOT_REPORTED:
            return 0.0
        return None if self.achievement is None else capped(self.achievement)


@dataclass(frozen=True)
class UnitScore:
    """A unit's score over one window: its indicators, the score (None when no indicator
    counts) and whether its subtree has no entry dated inside the window at all."""

    indicators: tuple[IndicatorScore, ...]
    score: float | None
    missing: bool

    def of(self, indicator_id: int) -> IndicatorScore | None:
        return next((s for s in self.indicators if s.indicator.id == indicator_id), None)


def round_score(raw: float) -> float:
    """Two decimals, halves rounded up as people do by hand (66,665 → 66,67)."""
    # 100 × 0,66665 is 66,66499999999999 in binary: nine decimals first give back the 66,665.
    return float(Decimal(f"{raw:.9f}").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


COUNTED = frozenset({Status.SCORED, Status.NOT_REPORTED})


def score_unit(
    indicators: Sequence[IndicatorRule],
    totals: Mapping[int, Totals],
    targets: Mapping[int, float | None],
) -> UnitScore:
    """Score a unit from its figures and window targets by indicator id.

    `indicators` are those that apply to the unit (its kind, or a kind below it). A missing
    Totals means no figures.
    """
    found = []  # (indicator, figures, value, target, status, achievement)
    weight_total = 0.0
    for indicator in indicators:
        figures = totals.get(indicator.id, NO_TOTALS)
        value = value_of(figures, indicator.is_ratio)
        target = targets.get(indicator.id)
        reached = None
        if target is None:
            status = Status.NO_TARGET
        elif not figures.reported:
            status = Status.NOT_REPORTED
        elif value is None:
            status = Status.ZERO_DENOMINATOR
        else:
            status, reached = Status.SCORED, achievement(value, target, indicator)
        if status in COUNTED:
            weight_total += indicator.weight
        found.append((indicator, figures, value, target, status, reached))
    scores = []
    raw = 0.0
    for indicator, figures, value, target, status, reached in found:
        share = indicator.weight / weight_total if status in COUNTED and weight_total else 0.0
        points = 100 * share * (capped(reached) if reached is not None else 0.0)
        raw += points
        scores.append(
            IndicatorScore(indicator, figures, value, target, status, reached, share, points)
        )
    missing = all(figures.entries == 0 for _indicator, figures, *_rest in found)
    score = round_score(raw) if weight_total > 0 else None
    return UnitScore(tuple(scores), score, missing)


# --- bands, ranks, movement -----------------------------------------------------------------


class Band(StrEnum):
    EXCELLENT = "excellent"  # xuất sắc
    GOOD = "good"  # tốt
    FAIR = "fair"  # khá
    AVERAGE = "average"  # trung bình
    WEAK = "weak"  # yếu


@dataclass(frozen=True)
class BandLimits:
    """The lowest score of each band (DESIGN §5 defaults: 90, 80, 70, 50)."""

    excellent: float = 90.0
    good: float = 80.0
    fair: float = 70.0
    average: float = 50.0


def band(score: float | None, limits: BandLimits = BandLimits()) -> Band | None:
    if score is None:
        return None
    for name, lowest in (
        (Band.EXCELLENT, limits.excellent),
        (Band.GOOD, limits.good),
        (Band.FAIR, limits.fair),
        (Band.AVERAGE, limits.average),
    ):
        if score >= lowest:
            return name
    return Band.WEAK


def competition_ranks(scores: Mapping[Key, float | None]) -> dict[Key, int | None]:
    """Rank by score, highest first; equal scores share a rank and the next rank skips
    (1, 2, 2, 4). A unit without a score has no rank."""
    ordered = sorted((score for score in scores.values() if score is not None), reverse=True)
    first_place: dict[float, int] = {}
    for position, score in enumerate(ordered, start=1):
        first_place.setdefault(score, position)
    return {key: None if score is None else first_place[score] for key, score in scores.items()}


def movement(rank_now: int | None, rank_before: int | None) -> int | None:
    """Places gained since before (positive: moved up); None when either rank is missing."""
    if rank_now is None or rank_before is None:
        return None
    return rank_before - rank_now


def score_change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None:
        return None
    return round_score(now - before)


def group_limit(size: int, wanted: int) -> int:
    """How many units of a peer group are named at its top (or bottom): `wanted` (N), but at
    most a third of the group and at least one, so no unit is both; a group of one unit is not
    compared (0). 4 units: 1; 11 units: 3."""
    if size <= 1:
        return 0
    return min(wanted, max(1, size // 3))


# --- trajectory and forecast ----------------------------------------------------------------


def trajectory_value(
    day: date,
    *,
    start: date,
    end: date,
    baseline: float | None,
    target: float | None,
    milestones: Sequence[tuple[date, float]] = (),
) -> float | None:
    """Where the unit should be on `day` (DESIGN §4): through its milestones, otherwise a
    straight line from the baseline (on the first day) to the target (on the last).

    Points: (start, baseline) when there is a baseline, each milestone, (end, target); the
    value runs straight between neighbouring points and stays flat before the first and after
    the last. With only a target there is no path to follow: the target itself. Without a
    target there is nothing to head for: None.
    """
    if target is None:
        return None
    points: dict[date, float] = {}
    if baseline is not None:
        points[start] = baseline
    points.update((when, value) for when, value in milestones if start <= when <= end)
    points[end] = target
    ordered = sorted(points.items())
    if day <= ordered[0][0]:
        return ordered[0][1]
    for (left_day, left), (right_day, right) in pairwise(ordered):
        if day <= right_day:
            fraction = (day - left_day).days / (right_day - left_day).days
            return left + (right - left) * fraction
    return ordered[-1][1]


def is_on_track(value: float | None, trajectory: float | None, indicator: IndicatorRule):
    """At least where the trajectory says (at most, lower-is-better); None when unknown."""
    if value is None or trajectory is None:
        return None
    return meets(value, trajectory, lower_is_better=indicator.lower_is_better)


def forecast(
    points: Sequence[tuple[date, float | None]], until: date, *, is_ratio: bool
) -> float | None:
    """The value expected on `until` at the recent pace: the least-squares line through the
    daily values of the last FORECAST_DAYS days given (days without a value are skipped, so
    a unit with gaps has fewer points; "fewer at the start", DESIGN §4), extended to `until`.

    None with fewer than FORECAST_MIN_POINTS values. Ratios are kept within [0, 1], counts
    at 0 or more.
    """
    if not points:
        return None
    first_day = max(day for day, _value in points) - timedelta(days=FORECAST_DAYS - 1)
    known = sorted((day, value) for day, value in points if value is not None and day >= first_day)
    if len(known) < FORECAST_MIN_POINTS:
        return None
    origin = known[0][0]
    xs = [(day - origin).days for day, _value in known]
    ys = [value for _day, value in known]
    mean_x = sum(xs) / len(xs)
    mean_y = sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    projected = mean_y + slope * ((until - origin).days - mean_x)
    if math.isnan(projected):
        return None
    if is_ratio:
        return min(1.0, max(0.0, projected))
    return max(0.0, projected)


def is_at_risk(projected: float | None, target: float | None, indicator: IndicatorRule):
    """The forecast misses the target; None when either is unknown."""
    if projected is None or target is None:
        return None
    return not meets(projected, target, lower_is_better=indicator.lower_is_better)


@dataclass(frozen=True)
class Running:
    """A subtree's figures from the campaign's first day to a day: the sums of its units'
    running totals (campaigns.progress EntryTotal). For a flow, sums of its entries so far;
    for a stock, the sum of its units' latest levels. `entries` counts the entries so far,
    `units` the units with figures by then."""

    numerator: float
    denominator: float | None
    entries: int
    units: int


def window_figures(
    at_end: Running | None, before_start: Running | None, *, is_flow: bool
) -> Totals:
    """A window's figures from the running figures on its last day and on the day before its
    first (None: nothing by then).

    A flow's window is the difference of the two (what was added inside the window); a stock's
    is the level on the last day. Entries inside the window are the difference for both.
    """
    entries = (at_end.entries if at_end else 0) - (before_start.entries if before_start else 0)
    if at_end is None:
        return Totals(entries=entries)
    if not is_flow:
        return Totals(at_end.numerator, at_end.denominator, entries, reported=True)
    numerator = at_end.numerator - (before_start.numerator if before_start else 0)
    denominator = None
    if at_end.denominator is not None:
        denominator = at_end.denominator - (
            before_start.denominator if before_start and before_start.denominator else 0
        )
    return Totals(numerator, denominator, entries, reported=entries > 0)
