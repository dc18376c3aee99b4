"""Saving daily figures: every page, the Excel import and the API go through `save_entries`.

A batch is checked as a whole (figures, dates, scope, locks, concurrent changes, unusual
figures) before anything is written, then written all at once: each change appends a
revision, an unchanged figure writes nothing. Operations flush; the caller commits.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, delete, func, insert, select, text, tuple_

from app.db import db, utcnow
from app.formatting import format_datetime
from app.scope import Access, reachable_unit_ids
from app.units.models import Unit, UnitClosure
from app.users.models import Role, User
from campaigns.models import Campaign, CampaignStatus, Indicator, Measure
from campaigns.progress import queries
from campaigns.progress.models import Entry, EntryRevision, EntrySource, EntryTotal
from campaigns.progress.rules import (
    Figures,
    Problem,
    Running,
    date_problem,
    figure_problems,
    is_late,
    is_locked,
    is_outlier,
    is_stock_decrease,
    lock_moment,
    running_totals,
    whole_number,
)


class Unseen:
    """The marker of "no revision given": the batch does not check for concurrent changes."""

    def __repr__(self) -> str:
        return "UNSEEN"


UNSEEN = Unseen()


@dataclass(frozen=True)
class EntryInput:
    """One figure pair of a batch, as given (text from a form or file, numbers from the API).

    `seen_revision` is the revision the person had in front of them (0 when the cell was
    empty); if the entry has moved on since, the save is refused instead of overwriting.
    `confirmed` accepts a figure far outside the unit's history; `reason` explains a lower
    stock level or an admin's change to a locked day. `position` is what problems refer to:
    the index in a request, the line of a file, the cell of a page.
    """

    unit: str
    indicator: str
    day: date
    numerator: object
    denominator: object = None
    seen_revision: int | Unseen = UNSEEN
    confirmed: bool = False
    reason: str = ""
    position: int | None = None


@dataclass(frozen=True)
class EntryProblem:
    position: int | None  # None: the batch as a whole
    field: str | None
    code: str  # a rules.Problem, or one of the batch-level codes of this module
    message: str
    out_of_scope: bool = False  # the user may not write this unit (a 403, not a 422)
    current: Entry | None = None  # with a conflict: what the other person saved


# Batch-level problems, beside the figure problems of rules.Problem.
CAMPAIGN_NOT_ACTIVE = "campaign_not_active"
UNKNOWN_UNIT = "unknown_unit"
UNKNOWN_INDICATOR = "unknown_indicator"
OUTSIDE_CAMPAIGN = "outside_campaign"
OWNER_UNIT = "owner_unit"  # the owner's figures are its subtree's; it enters none itself
NOT_APPLICABLE = "not_applicable"
OUT_OF_SCOPE = "out_of_scope"
GIVEN_TWICE = "given_twice"
LOCKED = "locked"
CONFLICT = "conflict"


class EntryError(Exception):
    """A batch was refused; `problems` lists everything wrong with it, in position order."""

    def __init__(self, problems: Sequence[EntryProblem]):
        super().__init__("\n".join(problem.message for problem in problems))
        self.problems = sorted(problems, key=lambda problem: problem.position or 0)

    @property
    def out_of_scope(self) -> bool:
        return any(problem.out_of_scope for problem in self.problems)


@dataclass
class SaveSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class _Checked:
    item: EntryInput
    unit: Unit
    indicator: Indicator
    figures: Figures


@dataclass
class Plan:
    """What a checked batch would do: each write with the entry it changes (None: a new one),
    and the entries it leaves as they are."""

    writes: list[tuple["_Checked", Entry | None]] = field(default_factory=list)
    unchanged: list[Entry] = field(default_factory=list)


def plan_entries(
    campaign: Campaign,
    inputs: Sequence[EntryInput],
    *,
    user: User | None,
    now: datetime | None = None,
) -> Plan:
    """Check the whole batch and say what it would change, writing nothing; EntryError lists
    every problem. The Excel preview shows this plan; `save_entries` carries it out."""
    now = now or utcnow()
    timezone = current_app.config["TIMEZONE"]
    today = now.astimezone(ZoneInfo(timezone)).date()
    if campaign.status != CampaignStatus.ACTIVE:
        raise EntryError([campaign_not_active(campaign)])

    problems: list[EntryProblem] = []
    checked = _check_items(campaign, inputs, user, today, problems)
    plan = Plan()
    if not checked:
        if problems:
            raise EntryError(problems)
        return plan

    days = [item.item.day for item in checked]
    known = queries.entries_between(
        {c.indicator.id for c in checked},
        {c.unit.id for c in checked},
        min(days) - timedelta(days=queries.HISTORY_DAYS),
        max(days),
    )
    existing = queries.entries_by_key(known)
    histories = _histories(known, checked)
    for item in checked:
        key = (item.indicator.id, item.unit.id, item.item.day)
        entry = existing.get(key)
        if entry is not None and _same(entry, item.figures):
            plan.unchanged.append(entry)  # nothing is overwritten, whoever saved it
            continue
        problems.extend(_conflict_problems(item, entry))
        problems.extend(_lock_problems(campaign, item, user, now, timezone))
        problems.extend(_history_problems(item, histories[(item.indicator.id, item.unit.id)]))
        plan.writes.append((item, entry))
    if problems:
        raise EntryError(problems)
    return plan


def save_entries(
    campaign: Campaign,
    inputs: Sequence[EntryInput],
    *,
    user: User | None,
    source: EntrySource,
    now: datetime | None = None,
) -> SaveSummary:
    """Check the whole batch, then write it. `user` None is the system (the demo)."""
    now = now or utcnow()
    plan = plan_entries(campaign, inputs, user=user, now=now)
    timezone = current_app.config["TIMEZONE"]
    summary = SaveSummary(unchanged=len(plan.unchanged), entries=list(plan.unchanged))
    for item, entry in plan.writes:
        summary.entries.append(_write(item, entry, user, source, now, campaign, timezone))
        if entry is None:
            summary.created += 1
        else:
            summary.updated += 1
    db.session.flush()
    refresh_totals(
        campaign,
        [(item.indicator.id, item.unit.id, item.item.day) for item, _entry in plan.writes],
    )
    return summary


@dataclass(frozen=True)
class _Earlier:
    """A figure pair of the unit before a given day: saved, or earlier in the same batch."""

    day: date
    figures: Figures


def _histories(
    known: Sequence[Entry], checked: Sequence[_Checked]
) -> dict[tuple[int, int], list[_Earlier]]:
    """Each (indicator, unit) of the batch with its saved figures and the batch's own, by day.
    A batch's own figures replace the saved ones of the same day."""
    by_day: dict[tuple[int, int], dict[date, Figures]] = defaultdict(dict)
    for entry in known:
        by_day[(entry.indicator_id, entry.unit_id)][entry.entry_date] = Figures(
            entry.numerator, entry.denominator
        )
    for item in checked:
        by_day[(item.indicator.id, item.unit.id)][item.item.day] = item.figures
    return {
        key: [_Earlier(day, figures) for day, figures in sorted(days.items())]
        for key, days in by_day.items()
    }


def _check_items(
    campaign: Campaign,
    inputs: Sequence[EntryInput],
    user: User | None,
    today: date,
    problems: list[EntryProblem],
) -> list[_Checked]:
    units = _units_by_code({item.unit for item in inputs})
    unit_ids = [unit.id for unit in units.values()]
    below_owner = _ids_among(
        unit_ids,
        select(UnitClosure.descendant_id).where(
            UnitClosure.ancestor_id == campaign.owner_unit_id, UnitClosure.depth > 0
        ),
    )
    writable = _ids_among(unit_ids, reachable_unit_ids(user, Access.WRITE)) if user else None
    indicators = {indicator.code: indicator for indicator in campaign.indicators}
    seen: set[tuple[str, str, date]] = set()
    checked = []
    for item in inputs:
        position = item.position
        unit = units.get(item.unit)
        indicator = indicators.get(item.indicator)
        applicable = True
        if unit is None:
            problems.append(
                EntryProblem(
                    position,
                    "unit",
                    UNKNOWN_UNIT,
                    _("No unit has the code “%(code)s”.", code=item.unit),
                )
            )
        elif unit.id == campaign.owner_unit_id:
            problems.append(
                EntryProblem(
                    position,
                    "unit",
                    OWNER_UNIT,
                    _(
                        "The figures of %(unit)s are those of the units below it added up; "
                        "enter them for those units.",
                        unit=unit.name,
                    ),
                )
            )
            unit = None
        elif unit.id not in below_owner:
            problems.append(
                EntryProblem(
                    position,
                    "unit",
                    OUTSIDE_CAMPAIGN,
                    _(
                        "%(unit)s is not part of campaign %(campaign)s.",
                        unit=unit.name,
                        campaign=campaign.code,
                    ),
                )
            )
            unit = None
        elif writable is not None and unit.id not in writable:
            problems.append(
                EntryProblem(
                    position,
                    "unit",
                    OUT_OF_SCOPE,
                    _("You may not enter figures for %(unit)s.", unit=unit.name),
                    out_of_scope=True,
                )
            )
            unit = None
        if indicator is None:
            problems.append(
                EntryProblem(
                    position,
                    "indicator",
                    UNKNOWN_INDICATOR,
                    _(
                        "Campaign %(campaign)s has no indicator “%(code)s”.",
                        campaign=campaign.code,
                        code=item.indicator,
                    ),
                )
            )
        elif unit is not None and not indicator.applies_to(unit.kind):
            problems.append(
                EntryProblem(
                    position,
                    "indicator",
                    NOT_APPLICABLE,
                    _(
                        "%(indicator)s is not reported by %(unit)s.",
                        indicator=indicator.name,
                        unit=unit.name,
                    ),
                )
            )
            applicable = False
        day_problem = date_problem(item.day, campaign.start_date, campaign.end_date, today)
        if day_problem:
            problems.append(
                EntryProblem(position, "date", day_problem, problem_message(day_problem, campaign))
            )
        key = (item.unit, item.indicator, item.day)
        duplicate = key in seen
        if duplicate:
            problems.append(
                EntryProblem(
                    position,
                    None,
                    GIVEN_TWICE,
                    _(
                        "%(unit)s, %(indicator)s on %(day)s is given twice.",
                        unit=item.unit,
                        indicator=item.indicator,
                        day=item.day.strftime("%d/%m/%Y"),
                    ),
                )
            )
        seen.add(key)
        is_ratio = indicator.is_ratio if indicator else True
        figure_issues = figure_problems(item.numerator, item.denominator, is_ratio=is_ratio)
        problems.extend(
            EntryProblem(position, field_name, problem, problem_message(problem, campaign))
            for field_name, problem in figure_issues.items()
        )
        if (
            unit
            and indicator
            and applicable
            and not day_problem
            and not figure_issues
            and not duplicate
        ):
            checked.append(
                _Checked(
                    item,
                    unit,
                    indicator,
                    Figures(
                        whole_number(item.numerator),
                        whole_number(item.denominator) if indicator.is_ratio else None,
                    ),
                )
            )
    return checked


def _conflict_problems(item: _Checked, entry: Entry | None) -> list[EntryProblem]:
    seen = item.item.seen_revision
    if isinstance(seen, Unseen):
        return []
    current = entry.revision if entry else 0
    if seen == current:
        return []
    who = entry.revisions[-1].changed_by if entry and entry.revisions else None
    return [
        EntryProblem(
            item.item.position,
            None,
            CONFLICT,
            _(
                "%(who)s saved %(figures)s for this cell at %(when)s, after you opened the "
                "page. Check the figure and save again.",
                who=(who.full_name or who.username) if who else _("Someone"),
                figures=figures_text(entry) if entry else "–",
                when=format_datetime(entry.updated_at, current_app.config["TIMEZONE"])
                if entry
                else "–",
            ),
            current=entry,
        )
    ]


def _lock_problems(
    campaign: Campaign, item: _Checked, user: User | None, now: datetime, timezone: str
) -> list[EntryProblem]:
    day = item.item.day
    if user is None or not is_locked(
        day, now, campaign.entry_deadline, campaign.lock_after_days, timezone
    ):
        return []
    since = format_datetime(
        lock_moment(day, campaign.entry_deadline, campaign.lock_after_days, timezone), timezone
    )
    if user.role != Role.ADMIN:
        return [
            EntryProblem(
                item.item.position,
                None,
                LOCKED,
                _(
                    "The figures of %(day)s are locked since %(since)s; ask an administrator "
                    "to correct them.",
                    day=day.strftime("%d/%m/%Y"),
                    since=since,
                ),
            )
        ]
    if not item.item.reason.strip():
        return [
            EntryProblem(
                item.item.position,
                "reason",
                LOCKED,
                _(
                    "The figures of %(day)s are locked since %(since)s: give the reason for "
                    "the correction.",
                    day=day.strftime("%d/%m/%Y"),
                    since=since,
                ),
            )
        ]
    return []


def _history_problems(item: _Checked, history: Sequence[_Earlier]) -> list[EntryProblem]:
    """A lower stock level needs a reason; a flow figure far above the unit's usual ones needs
    confirming. "Earlier" includes earlier days of the same batch (a file of several days)."""
    day = item.item.day
    earliest = day - timedelta(days=queries.HISTORY_DAYS)
    before = [earlier for earlier in history if earliest <= earlier.day < day]
    problems = []
    if item.indicator.measure == Measure.STOCK and before and not item.item.reason.strip():
        previous = before[-1]
        if is_stock_decrease(item.figures, previous.figures):
            problems.append(
                EntryProblem(
                    item.item.position,
                    "reason",
                    Problem.STOCK_DECREASE,
                    _(
                        "This level is below the %(previous)s of %(day)s: write why in the note.",
                        previous=figures_text(previous.figures),
                        day=previous.day.strftime("%d/%m/%Y"),
                    ),
                )
            )
    if item.indicator.measure == Measure.FLOW and not item.item.confirmed:
        for field_name in ("numerator", "denominator"):
            value = getattr(item.figures, field_name)
            past = [getattr(earlier.figures, field_name) for earlier in before]
            if value is not None and is_outlier(value, [v for v in past if v is not None]):
                problems.append(
                    EntryProblem(
                        item.item.position,
                        field_name,
                        Problem.OUTLIER,
                        _(
                            "%(value)s is more than ten times the usual figure of this unit; "
                            "check it, then confirm it.",
                            value=format_decimal(value),
                        ),
                    )
                )
    return problems


def _write(
    item: _Checked,
    entry: Entry | None,
    user: User | None,
    source: EntrySource,
    now: datetime,
    campaign: Campaign,
    timezone: str,
) -> Entry:
    late = is_late(item.item.day, now, campaign.entry_deadline, timezone)
    if entry is None:
        entry = Entry(
            indicator=item.indicator,
            unit=item.unit,
            entry_date=item.item.day,
            numerator=item.figures.numerator,
            denominator=item.figures.denominator,
            revision=0,
            late=late,
            first_entered_at=now,
        )
        db.session.add(entry)
        old = None
    else:
        old = Figures(entry.numerator, entry.denominator)
    entry.revision += 1
    entry.numerator = item.figures.numerator
    entry.denominator = item.figures.denominator
    entry.updated_at = now
    entry.updated_by_id = user.id if user else None
    entry.revisions.append(
        EntryRevision(
            revision=entry.revision,
            old_numerator=old.numerator if old else None,
            old_denominator=old.denominator if old else None,
            numerator=item.figures.numerator,
            denominator=item.figures.denominator,
            source=source,
            on_behalf=user is not None and user.unit_id != item.unit.id,
            late=late,
            reason=item.item.reason.strip(),
            changed_at=now,
            changed_by_id=user.id if user else None,
        )
    )
    return entry


def _same(entry: Entry, figures: Figures) -> bool:
    return entry.numerator == figures.numerator and entry.denominator == figures.denominator


def figures_text(figures: Figures | Entry) -> str:
    """ "30/100" for a ratio, "2.212" for a count, in the reader's number format."""
    if figures.denominator is None:
        return format_decimal(figures.numerator)
    return f"{format_decimal(figures.numerator)}/{format_decimal(figures.denominator)}"


def _ids_among(ids: Sequence[int], allowed: Select[tuple[int]]) -> set[int]:
    """Which of `ids` the subquery `allowed` holds, in one query."""
    if not ids:
        return set()
    return set(db.session.scalars(select(Unit.id).where(Unit.id.in_(ids), Unit.id.in_(allowed))))


def _units_by_code(codes: set[str]) -> dict[str, Unit]:
    if not codes:
        return {}
    statement = db.select(Unit).where(Unit.code.in_(sorted(codes)))
    return {unit.code: unit for unit in db.session.scalars(statement)}


def campaign_not_active(campaign: Campaign) -> EntryProblem:
    if campaign.status == CampaignStatus.DRAFT:
        message = _(
            "Campaign %(code)s has not started; figures open when it starts.", code=campaign.code
        )
    else:
        message = _(
            "Campaign %(code)s is closed; its figures can no longer change.", code=campaign.code
        )
    return EntryProblem(None, None, CAMPAIGN_NOT_ACTIVE, message)


def problem_message(problem: Problem, campaign: Campaign) -> str:
    """A figure or date problem in words, for the person who typed it."""
    match problem:
        case Problem.MISSING:
            return _("Type a figure.")
        case Problem.NOT_WHOLE:
            return _("Type a whole number, without decimals.")
        case Problem.NEGATIVE:
            return _("A figure cannot be negative.")
        case Problem.ABOVE_DENOMINATOR:
            return _("The numerator cannot be larger than the denominator.")
        case Problem.NO_DENOMINATOR:
            return _("This indicator is a count: it has no denominator.")
        case Problem.BEFORE_CAMPAIGN:
            return _(
                "The campaign starts on %(day)s.", day=campaign.start_date.strftime("%d/%m/%Y")
            )
        case Problem.AFTER_CAMPAIGN:
            return _("The campaign ended on %(day)s.", day=campaign.end_date.strftime("%d/%m/%Y"))
        case Problem.TOO_LARGE:
            return _("This figure is too large; check it.")
        case Problem.IN_THE_FUTURE:
            return _("Figures can be entered up to today, not for days to come.")
    raise ValueError(problem)


# --- generated data -----------------------------------------------------------------------
# Figures the system made itself (the demo's 92 days), loaded in bulk. Pages, the Excel import
# and the API must NEVER use this: it checks nothing that `save_entries` checks (scope, dates,
# figures, locks, conflicts, history); only the database's constraints stand.


@dataclass(frozen=True)
class GeneratedEntry:
    """One generated figure pair, saved once: its only revision is revision 1."""

    unit: str  # unit code
    indicator: str  # code of one of the campaign's indicators
    day: date
    numerator: int
    denominator: int | None
    entered_at: datetime  # UTC; the entry's first_entered_at and its revision's changed_at
    late: bool
    user_id: int | None = None  # who "entered" it; None is the system


GENERATED_CHUNK = 10_000


def load_generated_entries(
    campaign: Campaign,
    rows: Sequence[GeneratedEntry],
    *,
    source: EntrySource = EntrySource.DEMO,
) -> int:
    """Insert new entries and their first revisions in bulk (tens of thousands per second);
    returns how many. Raises ValueError for an unknown unit or indicator code, and the
    database's IntegrityError for a figure it refuses or an entry that already exists.

    Only for trusted, generated data; see the note above. Flushes, never commits.
    """
    if not rows:
        return 0
    indicator_ids = {indicator.code: indicator.id for indicator in campaign.indicators}
    units = _units_by_code({row.unit for row in rows})
    unknown = sorted({row.unit for row in rows} - set(units)) + sorted(
        {row.indicator for row in rows} - set(indicator_ids)
    )
    if unknown:
        raise ValueError(f"unknown unit or indicator codes: {', '.join(unknown)}")
    user_ids = {row.user_id for row in rows} - {None}
    user_units = (
        dict(
            db.session.execute(db.select(User.id, User.unit_id).where(User.id.in_(user_ids))).all()
        )
        if user_ids
        else {}
    )
    db.session.flush()
    entry_values = [
        {
            "indicator_id": indicator_ids[row.indicator],
            "unit_id": units[row.unit].id,
            "entry_date": row.day,
            "numerator": row.numerator,
            "denominator": row.denominator,
            "revision": 1,
            "late": row.late,
            "first_entered_at": row.entered_at,
            "updated_at": row.entered_at,
            "updated_by_id": row.user_id,
        }
        for row in rows
    ]
    for offset in range(0, len(entry_values), GENERATED_CHUNK):
        db.session.execute(
            db.insert(Entry.__table__),
            entry_values[offset : offset + GENERATED_CHUNK],
        )
    # The new entries' ids, by key. (RETURNING in parameter order would insert row by row on
    # SQLite.)
    ids = {
        (indicator_id, unit_id, day): entry_id
        for entry_id, indicator_id, unit_id, day in db.session.execute(
            db.select(Entry.id, Entry.indicator_id, Entry.unit_id, Entry.entry_date).where(
                Entry.indicator_id.in_(sorted({v["indicator_id"] for v in entry_values})),
                Entry.entry_date >= min(row.day for row in rows),
                Entry.entry_date <= max(row.day for row in rows),
            )
        )
    }
    revision_values = [
        {
            "entry_id": ids[(values["indicator_id"], values["unit_id"], row.day)],
            "revision": 1,
            "old_numerator": None,
            "old_denominator": None,
            "numerator": row.numerator,
            "denominator": row.denominator,
            "source": str(source),
            "on_behalf": row.user_id is not None
            and user_units.get(row.user_id) != values["unit_id"],
            "late": row.late,
            "reason": "",
            "changed_at": row.entered_at,
            "changed_by_id": row.user_id,
        }
        for row, values in zip(rows, entry_values, strict=True)
    ]
    for offset in range(0, len(revision_values), GENERATED_CHUNK):
        db.session.execute(
            db.insert(EntryRevision.__table__),
            revision_values[offset : offset + GENERATED_CHUNK],
        )
    refresh_totals(
        campaign, [(v["indicator_id"], v["unit_id"], v["entry_date"]) for v in entry_values]
    )
    return len(rows)


# --- running totals -------------------------------------------------------------------------

TOTALS_CHUNK = 500  # (indicator, unit) pairs per statement: SQLite's bound-parameter limit
# PostgreSQL holds max_locks_per_transaction (64 by default) × connections locks in all: a
# batch locks at most this many pairs one by one.
PAIR_LOCKS_MAX = 32


def refresh_totals(campaign: Campaign, changed: Sequence[tuple[int, int, date]]) -> None:
    """Rewrite the running totals (EntryTotal) of every (indicator, unit) whose entries
    changed, from the earliest changed day to the campaign's last day. `changed` holds
    (indicator id, unit id, day) of the entries written.

    On PostgreSQL each pair is locked first (an advisory lock held until commit, taken in a
    fixed order), so two transactions writing the same unit's figures of different days
    rewrite its totals one after the other, each seeing the other's entries. A batch of more
    than PAIR_LOCKS_MAX pairs (a bulk load, a rebuild) locks the whole campaign instead, which
    every smaller batch holds shared: a transaction may hold only so many locks. SQLite lets
    one writer in at a time anyway.
    """
    earliest: dict[tuple[int, int], date] = {}
    for indicator_id, unit_id, day in changed:
        key = (indicator_id, unit_id)
        earliest[key] = min(day, earliest.get(key, day))
    if not earliest:
        return
    flows = {i.id for i in campaign.indicators if i.measure == Measure.FLOW}
    totals = EntryTotal.__table__
    pairs = sorted(earliest)
    if db.session.get_bind().dialect.name == "postgresql":
        _lock_totals(campaign, pairs)
    for offset in range(0, len(pairs), TOTALS_CHUNK):
        chunk = pairs[offset : offset + TOTALS_CHUNK]
        starts = {pair: max(earliest[pair], campaign.start_date) for pair in chunk}
        before = _running_before(starts)
        figures = _figures_from(starts)
        db.session.execute(
            delete(totals).where(
                totals.c.indicator_id == bindparam("indicator"),
                totals.c.unit_id == bindparam("unit"),
                totals.c.total_date >= bindparam("start"),
            ),
            [{"indicator": i, "unit": u, "start": start} for (i, u), start in starts.items()],
        )
        rows = [
            {
                "indicator_id": indicator_id,
                "unit_id": unit_id,
                "total_date": day,
                "numerator": running.numerator,
                "denominator": running.denominator,
                "entries": running.entries,
            }
            for (indicator_id, unit_id), start in starts.items()
            for day, running in running_totals(
                figures.get((indicator_id, unit_id), {}),
                start,
                campaign.end_date,
                before.get((indicator_id, unit_id)),
                is_flow=indicator_id in flows,
            )
        ]
        for row_offset in range(0, len(rows), GENERATED_CHUNK):
            db.session.execute(insert(totals), rows[row_offset : row_offset + GENERATED_CHUNK])


def _lock_totals(campaign: Campaign, pairs: Sequence[tuple[int, int]]) -> None:
    # Keys (campaign id, 0) and (indicator id, unit id ≥ 1) never meet: unit ids start at 1.
    campaign_key = {"campaign": campaign.id, "zero": 0}
    if len(pairs) > PAIR_LOCKS_MAX:
        db.session.execute(text("SELECT pg_advisory_xact_lock(:campaign, :zero)"), campaign_key)
        return
    db.session.execute(text("SELECT pg_advisory_xact_lock_shared(:campaign, :zero)"), campaign_key)
    for indicator_id, unit_id in pairs:
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:indicator, :unit)"),
            {"indicator": indicator_id, "unit": unit_id},
        )


def _running_before(starts: dict[tuple[int, int], date]) -> dict[tuple[int, int], Running]:
    """Each pair's running figures on the day before its start, where it has some."""
    keys = [(i, u, start - timedelta(days=1)) for (i, u), start in starts.items()]
    statement = select(EntryTotal).where(
        tuple_(EntryTotal.indicator_id, EntryTotal.unit_id, EntryTotal.total_date).in_(keys)
    )
    return {
        (total.indicator_id, total.unit_id): Running(
            total.numerator, total.denominator, total.entries
        )
        for total in db.session.scalars(statement)
    }


def _figures_from(starts: dict[tuple[int, int], date]) -> dict[tuple[int, int], dict]:
    """Each pair's figures by day, from its start on."""
    statement = select(
        Entry.indicator_id, Entry.unit_id, Entry.entry_date, Entry.numerator, Entry.denominator
    ).where(
        tuple_(Entry.indicator_id, Entry.unit_id).in_(list(starts)),
        Entry.entry_date >= min(starts.values()),
    )
    found: dict[tuple[int, int], dict] = defaultdict(dict)
    for indicator_id, unit_id, day, numerator, denominator in db.session.execute(statement):
        if day >= starts[(indicator_id, unit_id)]:
            found[(indicator_id, unit_id)][day] = Figures(numerator, denominator)
    return found


def rebuild_totals(campaign: Campaign) -> None:
    """Every running total of the campaign, anew from its entries (after its dates moved)."""
    indicator_ids = [indicator.id for indicator in campaign.indicators]
    if not indicator_ids:
        return
    db.session.execute(
        delete(EntryTotal.__table__).where(EntryTotal.indicator_id.in_(indicator_ids))
    )
    pairs = db.session.execute(
        select(Entry.indicator_id, Entry.unit_id, func.min(Entry.entry_date))
        .where(Entry.indicator_id.in_(indicator_ids))
        .group_by(Entry.indicator_id, Entry.unit_id)
    ).all()
    refresh_totals(campaign, [(i, u, day) for i, u, day in pairs])
