"""Between the results pages and the engine: the day and window a request asks for, the
words and marks the pages show (bands, statuses, movement, changes), and the few reads the
pages need beside the engine's (whether a unit has figures yet, the at-risk counts of the rows
a ranking shows, a unit's neighbours in its group).

The engine computes every figure; this module only chooses which to compute and says them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db import db
from app.formatting import format_date, format_number, format_percent
from app.scope import Access
from app.units.models import Unit, UnitClosure
from app.users.models import User
from campaigns.models import Campaign, Indicator
from campaigns.progress.models import Entry
from campaigns.progress.pages import ids_within, parse_day
from targets.controllers import show_value
from targets.results import engine, labels
from targets.results.engine import Group, Standing
from targets.results.labels import group_title
from targets.results.rules import NO_TOTALS, WINDOWS, Band, BandLimits, Status, band, value_of
from targets.rules import Effective, TargetSource

LONG_GROUP = 15  # a ranking longer than this shows only its two ends on the unit page
ENDS_SHOWN = 5  # units shown at the top and at the bottom of a long ranking
AROUND = 2  # units shown above and below a unit in its group on the "why" page

STATUS_WORDS = {
    Status.SCORED: _l("Scored: its achievement counts."),
    Status.NOT_REPORTED: _l("Not reported in the window: counts as 0."),
    Status.ZERO_DENOMINATOR: _l(
        "Reported, but the denominator is 0: left out, and the other weights renormalised."
    ),
    Status.NO_TARGET: _l("No target: left out, and the other weights renormalised."),
}
TARGET_SOURCES = {
    TargetSource.OWN: _l("own target"),
    TargetSource.INHERITED: _l("inherited from above"),
    TargetSource.SUM_OF_CHILDREN: _l("sum of the units below"),
}


class BadRequest(Exception):
    """A query parameter that means nothing; the page answers 400 with the message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _locale() -> str:
    return str(get_locale())


# --- the day and the window -----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The day and window a page shows, the days one may choose, and why the day shown is
    not the one asked for (if it is not)."""

    day: date
    window: str
    first_day: date
    last_day: date
    note: str | None = None

    @property
    def previous_day(self) -> date | None:
        before = self.day - timedelta(days=1)
        return before if before >= self.first_day else None

    @property
    def next_day(self) -> date | None:
        after = self.day + timedelta(days=1)
        return after if after <= self.last_day else None

    @property
    def args(self) -> dict[str, str]:
        """The query arguments that keep this choice on the next page."""
        return {"date": self.day.isoformat(), "window": self.window}


def choose(campaign: Campaign, date_text: str | None, window_text: str | None, today: date):
    """The day (`?date=`, dd/mm/yyyy or yyyy-mm-dd) and window (`?window=`) asked for.

    Empty means the default: the engine's default day, the campaign's ranking window. A day
    outside the campaign, or after today, is moved to the nearest day with results, and the
    note says so. Raises BadRequest for a value that is not a date or a window.
    """
    window = (window_text or "").strip() or campaign.ranking_window
    if window not in WINDOWS:
        raise BadRequest(
            _(
                "“%(value)s” is not a window: choose day, week, month or campaign.",
                value=window_text,
            )
        )
    first = campaign.start_date
    last = max(first, min(campaign.end_date, today))
    text = (date_text or "").strip()
    if not text:
        return Choice(engine.default_day(campaign, today), window, first, last)
    day = parse_day(text)
    if day is None:
        raise BadRequest(
            _("“%(value)s” is not a date: write it as dd/mm/yyyy, e.g. 15/06/2022.", value=text)
        )
    if first <= day <= last:
        return Choice(day, window, first, last)
    shown = first if day < first else last
    if day < first:
        note = _(
            "The campaign starts on %(start)s: the results of %(shown)s are shown instead of "
            "%(day)s.",
            start=format_date(first),
            shown=format_date(shown),
            day=format_date(day),
        )
    elif day > campaign.end_date:
        note = _(
            "The campaign ended on %(end)s: the results of %(shown)s are shown instead of %(day)s.",
            end=format_date(campaign.end_date),
            shown=format_date(shown),
            day=format_date(day),
        )
    else:
        note = _(
            "%(day)s has not come yet: the results of %(shown)s are shown.",
            shown=format_date(shown),
            day=format_date(day),
        )
    return Choice(shown, window, first, last, note)


def choose_order(campaign: Campaign, text: str | None) -> str:
    """The matrix's order: by score (the default), by name, or by an indicator's code."""
    order = (text or "").strip() or engine.SORT_BY_SCORE
    codes = {indicator.code for indicator in campaign.indicators}
    if order not in (engine.SORT_BY_SCORE, engine.SORT_BY_NAME, *codes):
        raise BadRequest(
            _(
                "“%(value)s” is not an order: sort by score, by name or by an indicator's code.",
                value=text,
            )
        )
    return order


# --- reads beside the engine ----------------------------------------------------------------


def applies(campaign: Campaign, unit: Unit) -> bool:
    """Whether some indicator of the campaign is measured on the unit or a unit below it."""
    return bool(engine.applicable(campaign, [unit.id])[unit.id])


def has_figures(campaign: Campaign, unit: Unit, day: date) -> bool:
    """Whether any unit of the subtree entered a figure of the campaign up to `day`."""
    statement = (
        select(Entry.id)
        .join(UnitClosure, UnitClosure.descendant_id == Entry.unit_id)
        .where(
            UnitClosure.ancestor_id == unit.id,
            Entry.indicator_id.in_([indicator.id for indicator in campaign.indicators]),
            Entry.entry_date >= campaign.start_date,
            Entry.entry_date <= day,
        )
        .limit(1)
    )
    return db.session.scalar(statement) is not None


def at_risk_counts(
    campaign: Campaign, units: Sequence[engine.Member], day: date, window: str
) -> dict[int, int]:
    """For each unit, how many of its indicators are forecast to miss their target."""
    if not units:
        return {}
    details = engine.indicator_details(campaign, units, day, window)
    return {
        unit_id: sum(1 for detail in by_indicator.values() if detail.at_risk)
        for unit_id, by_indicator in details.items()
    }


# --- groups ---------------------------------------------------------------------------------


def group_args(group: Group) -> dict[str, str]:
    """The query arguments naming a group on the ranking page and its chart and export."""
    if group.peer_group is not None:
        return {"group": group.peer_group.code}
    return {"parent": group.parent.code, "kind": group.kind}


@dataclass(frozen=True)
class GroupTable:
    """A group's ranking as the unit page shows it: all of it, or its two ends when long."""

    group: Group
    label: str
    top: list[Standing]
    bottom: list[Standing]  # empty unless rows were left out between top and bottom
    size: int
    at_risk: dict[int, int]

    @property
    def cut(self) -> bool:
        return bool(self.bottom)

    @property
    def args(self) -> dict[str, str]:
        return group_args(self.group)


def group_table(campaign: Campaign, group: Group, day: date, window: str) -> GroupTable:
    standings = engine.rank_group(campaign, group, day, window)
    if len(standings) > LONG_GROUP:
        top, bottom = standings[:ENDS_SHOWN], standings[-ENDS_SHOWN:]
    else:
        top, bottom = standings, []
    shown = [standing.unit for standing in (*top, *bottom)]
    return GroupTable(
        group=group,
        label=group_title(group),
        top=top,
        bottom=bottom,
        size=len(standings),
        at_risk=at_risk_counts(campaign, shown, day, window),
    )


@dataclass(frozen=True)
class Neighbour:
    standing: Standing
    readable: bool  # the reader may see who it is; otherwise only its rank and score
    is_unit: bool  # the unit the page is about


def neighbours(standings: Sequence[Standing], unit: Unit, user: User) -> list[Neighbour]:
    """The unit's place in its group and AROUND places either side. Units the user may not
    read are shown by rank and score only, so a unit can check its rank without learning
    more than that about units outside its reach."""
    position = next(
        (index for index, standing in enumerate(standings) if standing.unit.id == unit.id), None
    )
    if position is None:
        return []
    shown = standings[max(0, position - AROUND) : position + AROUND + 1]
    readable = ids_within(user, Access.READ, [standing.unit.id for standing in shown])
    return [
        Neighbour(standing, standing.unit.id in readable, standing.unit.id == unit.id)
        for standing in shown
    ]


# --- words and figures ----------------------------------------------------------------------


def band_label(band: Band | None) -> str:
    return labels.band_label(band) or _("no score")


def status_words(status: Status) -> str:
    return str(STATUS_WORDS[status])


def target_source(effective: Effective | None) -> str:
    return str(TARGET_SOURCES[effective.source]) if effective else ""


def _decimal(value: float, digits: int) -> str:
    return format_decimal(value, format="#,##0." + "#" * digits, locale=_locale())


def signed(value: float, digits: int) -> str:
    """+1,2 / -0,5 / 0 in the reader's language (-0,04 to one decimal is 0, not -0)."""
    rounded = round(value, digits) or 0.0  # -0.0 is falsy: plain 0
    return ("+" if rounded > 0 else "") + _decimal(rounded, digits)


def change_text(change: float | None, indicator: Indicator) -> str:
    """The change since the day before: percentage points for a ratio, an amount otherwise."""
    if change is None:
        return "–"
    if indicator.is_ratio:
        return _("%(change)s percentage points", change=signed(change * 100, 1))
    return signed(change, 2)


def from_to(baseline: float | None, value: float | None, indicator: Indicator) -> str | None:
    """ "from 21,6% to 96,9%" (one decimal, as a briefing says it)."""
    if baseline is None or value is None:
        return None
    if indicator.is_ratio:
        before, now = format_percent(baseline, _locale(), 1), format_percent(value, _locale(), 1)
    else:
        before, now = format_number(baseline, _locale()), format_number(value, _locale())
    return _("from %(before)s to %(now)s", before=before, now=now)


def points(value: float | None, digits: int = 4) -> str:
    """Points of a score to `digits` decimals, so that contributions add up by hand."""
    if value is None:
        return "–"
    return _decimal(round(value, digits), digits)


@dataclass(frozen=True)
class Cell:
    """One cell of the matrix: the value, coloured by the band its counted achievement × 100
    falls in (None: the indicator does not apply, or is left out of the score)."""

    text: str
    band: Band | None
    title: str


def matrix_cell(standing: Standing, indicator: Indicator, limits: BandLimits) -> Cell:
    scored = standing.result.of(indicator.id)
    if scored is None:
        return Cell("", None, _("Does not apply to this unit."))
    achieved = scored.capped_achievement if scored.counted else None
    title = status_words(scored.status)
    if achieved is not None:
        title = _(
            "Counted achievement %(achievement)s. %(status)s",
            achievement=format_percent(achieved, _locale()),
            status=title,
        )
    return Cell(
        text=show_value(scored.value, indicator),
        band=band(achieved * 100, limits) if achieved is not None else None,
        title=title,
    )


def levels_below(
    campaign: Campaign, unit: Unit, day: date, window: str
) -> list[engine.LevelFigures]:
    """The level breakdown of the unit's subtree; none when it holds only the unit's own
    level (a commune's figures are its own: nothing to break down)."""
    levels = engine.level_breakdown(campaign, unit, day, window)
    if len(levels) == 1 and levels[0].kind == unit.kind:
        return []
    return levels


def level_text(level: engine.LevelFigures, indicator: Indicator) -> str:
    """A level's figure in the campaign's first week → now: "21,62% → 96,9%"."""
    if indicator.id not in level.now and indicator.id not in level.first_week:
        return "–"
    before, now = (
        value_of(figures.get(indicator.id, NO_TOTALS), indicator.is_ratio)
        for figures in (level.first_week, level.now)
    )
    return f"{show_value(before, indicator)} → {show_value(now, indicator)}"
