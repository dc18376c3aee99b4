"""Reads of daily entries: a unit's figures, their history, and who reported (DESIGN §6)."""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select, tuple_

from app.db import db
from app.units.models import Unit, UnitClosure
from campaigns.models import Campaign, Indicator
from campaigns.progress.models import Entry, EntryRevision
from campaigns.progress.rules import days_in_window, deadline

# Earlier days a new figure is compared with (rules.is_outlier) and searched for the previous
# stock level.
HISTORY_DAYS = 28
_CHUNK = 500


def has_entries(campaign: Campaign) -> bool:
    indicator_ids = select(Indicator.id).where(Indicator.campaign_id == campaign.id)
    return bool(db.session.scalar(select(exists().where(Entry.indicator_id.in_(indicator_ids)))))


def entries_between(
    indicator_ids: Iterable[int], unit_ids: Iterable[int], start: date, end: date
) -> list[Entry]:
    """Entries of these units and indicators dated from `start` to `end`, oldest first."""
    unit_ids = sorted(set(unit_ids))
    found: list[Entry] = []
    for offset in range(0, len(unit_ids), _CHUNK):
        statement = (
            select(Entry)
            .where(
                Entry.indicator_id.in_(sorted(set(indicator_ids))),
                Entry.unit_id.in_(unit_ids[offset : offset + _CHUNK]),
                Entry.entry_date >= start,
                Entry.entry_date <= end,
            )
            .order_by(Entry.entry_date)
        )
        found.extend(db.session.scalars(statement))
    return found


def _entry_marks(
    indicator_ids: Iterable[int], unit_ids: Iterable[int], start: date, end: date
) -> Iterator[tuple[int, int, date, bool]]:
    """(unit id, indicator id, day, late) of the entries `entries_between` would give: all
    that `day_reports` needs, without building an Entry for each (a week of a province's
    entries is thousands of them: most of the "who reported" page's time)."""
    unit_ids = sorted(set(unit_ids))
    for offset in range(0, len(unit_ids), _CHUNK):
        yield from db.session.execute(
            select(Entry.unit_id, Entry.indicator_id, Entry.entry_date, Entry.late).where(
                Entry.indicator_id.in_(sorted(set(indicator_ids))),
                Entry.unit_id.in_(unit_ids[offset : offset + _CHUNK]),
                Entry.entry_date >= start,
                Entry.entry_date <= end,
            )
        )


def entries_by_key(entries: Iterable[Entry]) -> dict[tuple[int, int, date], Entry]:
    return {(entry.indicator_id, entry.unit_id, entry.entry_date): entry for entry in entries}


def history_before(
    entries: Iterable[Entry], indicator_id: int, unit_id: int, day: date
) -> list[Entry]:
    """The unit's entries of the indicator before `day` within HISTORY_DAYS, newest first."""
    earliest = day - timedelta(days=HISTORY_DAYS)
    return sorted(
        (
            entry
            for entry in entries
            if entry.indicator_id == indicator_id
            and entry.unit_id == unit_id
            and earliest <= entry.entry_date < day
        ),
        key=lambda entry: entry.entry_date,
        reverse=True,
    )


def revisions_of(entry_id: int) -> list[EntryRevision]:
    statement = (
        select(EntryRevision)
        .where(EntryRevision.entry_id == entry_id)
        .order_by(EntryRevision.revision.desc())
    )
    return list(db.session.scalars(statement))


def entry_of(indicator_id: int, unit_id: int, day: date) -> Entry | None:
    return db.session.scalar(
        select(Entry).where(
            tuple_(Entry.indicator_id, Entry.unit_id, Entry.entry_date)
            == (indicator_id, unit_id, day)
        )
    )


# --- who reported -------------------------------------------------------------------------


def reporting_units(campaign: Campaign) -> list[tuple[Unit, list[Indicator]]]:
    """The units expected to report, each with the indicators it reports: every unit below the
    campaign's owner (the owner's figures are its subtree's) whose kind an indicator applies to,
    in code order."""
    statement = (
        select(Unit)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == campaign.owner_unit_id, UnitClosure.depth > 0)
        .order_by(Unit.code)
    )
    units = []
    for unit in db.session.scalars(statement):
        indicators = [i for i in campaign.indicators if i.applies_to(unit.kind)]
        if indicators:
            units.append((unit, indicators))
    return units


@dataclass(frozen=True)
class DayReport:
    """How a unit reported one day: every indicator, some, or none; and whether late."""

    unit: Unit
    day: date
    entered: int  # indicators with figures for the day
    expected: int
    late: bool  # some of the day's figures first came after its deadline

    @property
    def complete(self) -> bool:
        return self.entered >= self.expected

    @property
    def missing(self) -> bool:
        return self.entered == 0


@dataclass(frozen=True)
class Discipline:
    """A unit's record over recent days: days not fully reported, days reported late."""

    unit: Unit
    missing_days: int
    late_days: int


def day_reports(
    campaign: Campaign, days: Sequence[date], reporters: Sequence[tuple[Unit, list[Indicator]]]
) -> dict[tuple[int, date], DayReport]:
    """For each reporting unit and day, what it entered; one query for all of them."""
    if not days or not reporters:
        return {}
    entered: dict[tuple[int, date], set[int]] = defaultdict(set)
    late: set[tuple[int, date]] = set()
    indicator_ids = {indicator.id for indicator in campaign.indicators}
    for unit_id, indicator_id, day, is_late in _entry_marks(
        indicator_ids, [unit.id for unit, _ in reporters], min(days), max(days)
    ):
        entered[(unit_id, day)].add(indicator_id)
        if is_late:
            late.add((unit_id, day))
    reports = {}
    for unit, indicators in reporters:
        wanted = {indicator.id for indicator in indicators}
        for day in days:
            key = (unit.id, day)
            reports[key] = DayReport(
                unit=unit,
                day=day,
                entered=len(entered[key] & wanted),
                expected=len(wanted),
                late=key in late,
            )
    return reports


def discipline(
    campaign: Campaign,
    end: date,
    days: int = 7,
    *,
    reporters: Sequence[tuple[Unit, list[Indicator]]] | None = None,
    now: datetime | None = None,
) -> list[Discipline]:
    """Each reporting unit's missing and late days among the `days` days ending on `end`.

    Days before the campaign started are not counted; with `now`, neither is a day whose
    deadline has not come yet (at 10:00 nobody is missing today's figures). `reporters`
    narrows the units (to those the reader may see); by default, all of them.
    """
    window = [day for day in days_in_window(end, days) if campaign.start_date <= day]
    if now is not None:
        timezone = current_app.config["TIMEZONE"]
        due = [day for day in window if now > deadline(day, campaign.entry_deadline, timezone)]
    else:
        due = window
    reporters = reporting_units(campaign) if reporters is None else reporters
    reports = day_reports(campaign, window, reporters)
    return [
        Discipline(
            unit=unit,
            missing_days=sum(not reports[(unit.id, day)].complete for day in due),
            late_days=sum(reports[(unit.id, day)].late for day in window),
        )
        for unit, _indicators in reporters
    ]
