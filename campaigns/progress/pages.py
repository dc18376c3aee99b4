"""Between the progress pages and the core: the cells of a page, what was typed in them, the
EntryInputs handed to `save_entries`, and every refusal put back next to its field.

A page (the entry page of one unit, the grid of a unit's children) is a `Sheet`: some units ×
some indicators for one day. Each cell carries the figures it was opened with and the revision
seen, so only the cells a person changed are sent, and a cell someone else saved meanwhile is
refused by the core instead of being overwritten. The core decides everything else (figures,
dates, locks, scope); the pages only hide inputs that could not be saved anyway.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import ceil
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db
from app.formatting import format_datetime
from app.scope import Access, reachable_unit_ids
from app.units.models import Unit
from app.users.models import Role, User
from campaigns.models import Campaign, CampaignStatus, Indicator
from campaigns.progress import queries
from campaigns.progress.models import Entry, EntrySource
from campaigns.progress.operations import (
    CONFLICT,
    LOCKED,
    EntryError,
    EntryInput,
    EntryProblem,
    SaveSummary,
    campaign_not_active,
    problem_message,
    save_entries,
)
from campaigns.progress.rules import (
    Problem,
    date_problem,
    is_locked,
    lock_moment,
    whole_number,
)

Key = tuple[int, int]  # (unit id, indicator id)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")  # a date picker sends ISO; a person types dd/mm/yyyy
NOTE_MAX_LENGTH = 1000
_CHUNK = 900


def cell_name(prefix: str, unit_id: int, indicator_id: int) -> str:
    """The name of one input of a cell: num, den (the figures), was-num, was-den (the figures
    the page was opened with), seen (the revision), ok (confirmed), note (why)."""
    return f"{prefix}-{unit_id}-{indicator_id}"


def plain(value: int | None) -> str:
    """A figure as an input shows it: digits only, readable back in either language."""
    return "" if value is None else str(value)


def _normal(text: str) -> int | str:
    number = whole_number(text)
    return number if number is not None else text.strip()


@dataclass
class CellState:
    """One cell of a form: what it shows, what it was opened with, and its messages."""

    numerator: str = ""
    denominator: str = ""
    was_numerator: str = ""
    was_denominator: str = ""
    seen: int = 0
    confirmed: bool = False
    note: str = ""
    # "numerator", "denominator", "note" (next to those fields) and "cell" (the whole cell)
    errors: dict[str, list[str]] = field(default_factory=dict)
    ask_confirmation: bool = False  # show "this figure is right"
    ask_note: bool = False  # show the note field
    other: Entry | None = None  # what someone else saved meanwhile

    @classmethod
    def of(cls, entry: Entry | None) -> "CellState":
        if entry is None:
            return cls()
        numerator, denominator = plain(entry.numerator), plain(entry.denominator)
        return cls(numerator, denominator, numerator, denominator, entry.revision)

    @classmethod
    def read(cls, form: Mapping[str, str], key: Key) -> "CellState | None":
        """The cell as submitted; None when the form does not hold it."""
        unit_id, indicator_id = key

        def value(prefix: str) -> str | None:
            return form.get(cell_name(prefix, unit_id, indicator_id))

        numerator = value("num")
        if numerator is None:
            return None
        seen = (value("seen") or "").strip()
        note = (value("note") or "").strip()
        confirmed = value("ok") is not None
        return cls(
            numerator=numerator,
            denominator=value("den") or "",
            was_numerator=value("was-num") or "",
            was_denominator=value("was-den") or "",
            # A revision that is not a number (a tampered form) counts as "saw nothing".
            seen=int(seen) if seen.isascii() and seen.isdigit() else 0,
            confirmed=confirmed,
            note=note,
            ask_confirmation=confirmed,
            ask_note=bool(note),
        )

    def changed(self, is_ratio: bool) -> bool:
        """Did the person change the figures? ("1.080" and "1080" are the same figure.)"""
        if _normal(self.numerator) != _normal(self.was_numerator):
            return True
        return is_ratio and _normal(self.denominator) != _normal(self.was_denominator)

    def adopt(self, entry: Entry | None) -> None:
        """After a conflict: the cell now knows the other person's figures and revision, so
        saving again (after checking) is a deliberate change of them."""
        self.other = entry
        self.seen = entry.revision if entry else 0
        self.was_numerator = plain(entry.numerator) if entry else ""
        self.was_denominator = plain(entry.denominator) if entry else ""

    def add(self, name: str, message: str) -> None:
        messages = self.errors.setdefault(name, [])
        if message not in messages:
            messages.append(message)

    def messages(self, name: str) -> list[str]:
        return self.errors.get(name, [])


def reported_indicators(campaign: Campaign, unit: Unit) -> list[Indicator]:
    """The indicators the unit reports: those that apply to its kind; none for the campaign's
    owner, whose figures are those of its subtree (queries.reporting_units)."""
    if unit.id == campaign.owner_unit_id:
        return []
    return [indicator for indicator in campaign.indicators if indicator.applies_to(unit.kind)]


def ids_within(user: User, access: Access, unit_ids: Sequence[int]) -> set[int]:
    """Those of `unit_ids` the user may read / write, in one query per chunk."""
    found: set[int] = set()
    ids = sorted(set(unit_ids))
    for offset in range(0, len(ids), _CHUNK):
        statement = select(Unit.id).where(
            Unit.id.in_(ids[offset : offset + _CHUNK]),
            Unit.id.in_(reachable_unit_ids(user, access)),
        )
        found.update(db.session.scalars(statement))
    return found


@dataclass
class Sheet:
    """The cells of one page for one day: `rows` × `indicators`, each cell that the row
    reports holding the day's entry (if any) and what the form shows."""

    campaign: Campaign
    day: date
    rows: list[Unit]
    indicators: list[Indicator]
    user: User
    now: datetime
    # The day's entries as queries.entries_by_key gives them: (indicator id, unit id, day).
    entries: dict[tuple[int, int, date], Entry] = field(default_factory=dict)
    reported: dict[int, list[Indicator]] = field(default_factory=dict)
    writable_units: set[int] = field(default_factory=set)
    states: dict[Key, CellState] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)  # about the whole page
    reason_messages: list[str] = field(default_factory=list)  # next to the reason field
    forbidden: bool = False  # the core found a cell outside the user's scope

    @classmethod
    def build(
        cls, campaign: Campaign, rows: list[Unit], day: date, user: User, now: datetime
    ) -> "Sheet":
        sheet = cls(campaign, day, rows, list(campaign.indicators), user, now)
        sheet.reported = {row.id: reported_indicators(campaign, row) for row in rows}
        unit_ids = [row.id for row in rows]
        if rows and sheet.indicators:
            sheet.entries = queries.entries_by_key(
                queries.entries_between(
                    [indicator.id for indicator in sheet.indicators], unit_ids, day, day
                )
            )
        sheet.writable_units = ids_within(user, Access.WRITE, unit_ids)
        for unit_id, indicator_id in sheet.cells():
            entry = sheet.entries.get((indicator_id, unit_id, day))
            sheet.states[(unit_id, indicator_id)] = CellState.of(entry)
        return sheet

    def previous_day(self) -> dict[Key, Entry]:
        """The figures of the day before, by cell (shown beside the inputs)."""
        if not self.rows or not self.indicators:
            return {}
        before = self.day - timedelta(days=1)
        entries = queries.entries_between(
            [indicator.id for indicator in self.indicators],
            [row.id for row in self.rows],
            before,
            before,
        )
        return {(entry.unit_id, entry.indicator_id): entry for entry in entries}

    # --- what the page shows ----------------------------------------------------------------

    def cells(self) -> Iterator[Key]:
        """Every cell a row reports, row by row."""
        for row in self.rows:
            for indicator in self.reported[row.id]:
                yield (row.id, indicator.id)

    def reports(self, row: Unit, indicator: Indicator) -> bool:
        return indicator in self.reported[row.id]

    def entry(self, row: Unit, indicator: Indicator) -> Entry | None:
        return self.entries.get((indicator.id, row.id, self.day))

    def state(self, row: Unit, indicator: Indicator) -> CellState:
        return self.states[(row.id, indicator.id)]

    def writable(self, key: Key) -> bool:
        """The user may write this cell: the core is asked, even on a locked or closed day."""
        return key[0] in self.writable_units and key in self.states

    @property
    def timezone(self) -> str:
        return current_app.config["TIMEZONE"]

    @property
    def today(self) -> date:
        return local_date(self.now)

    @property
    def day_problem(self) -> Problem | None:
        return date_problem(self.day, self.campaign.start_date, self.campaign.end_date, self.today)

    @property
    def locked(self) -> bool:
        campaign = self.campaign
        return is_locked(
            self.day, self.now, campaign.entry_deadline, campaign.lock_after_days, self.timezone
        )

    @property
    def locked_since(self) -> datetime:
        campaign = self.campaign
        return lock_moment(
            self.day, campaign.entry_deadline, campaign.lock_after_days, self.timezone
        )

    @property
    def is_admin(self) -> bool:
        return self.user.role == Role.ADMIN

    @property
    def open(self) -> bool:
        """Figures of this day can be typed at all (by someone allowed to)."""
        return (
            self.campaign.status == CampaignStatus.ACTIVE
            and self.day_problem is None
            and (not self.locked or self.is_admin)
        )

    def editable(self, row: Unit, indicator: Indicator) -> bool:
        """Show inputs for this cell."""
        return self.open and self.writable((row.id, indicator.id))

    @property
    def any_editable(self) -> bool:
        return self.open and any(self.writable(key) for key in self.states)

    @property
    def needs_reason(self) -> bool:
        """An admin correcting a locked day must say why."""
        return self.locked and self.any_editable

    @property
    def invalid(self) -> bool:
        return bool(self.messages or self.reason_messages) or any(
            state.errors for state in self.states.values()
        )

    # --- saving -----------------------------------------------------------------------------

    def read(self, form: Mapping[str, str]) -> None:
        """Take the submitted cells the user may write (the others keep the stored figures)."""
        for key in list(self.states):
            if not self.writable(key):
                continue
            submitted = CellState.read(form, key)
            if submitted is None:
                continue
            if len(submitted.note) > NOTE_MAX_LENGTH:
                submitted.add("note", _("At most %(max)d characters.", max=NOTE_MAX_LENGTH))
            self.states[key] = submitted

    def inputs(self, reason: str) -> tuple[list[EntryInput], list[Key]]:
        """One EntryInput per changed cell, and the cell of each position."""
        indicators = {indicator.id: indicator for indicator in self.indicators}
        units = {row.id: row for row in self.rows}
        inputs: list[EntryInput] = []
        keys: list[Key] = []
        for key, state in self.states.items():
            indicator = indicators[key[1]]
            if not self.writable(key) or not state.changed(indicator.is_ratio):
                continue
            inputs.append(
                EntryInput(
                    unit=units[key[0]].code,
                    indicator=indicator.code,
                    day=self.day,
                    numerator=state.numerator,
                    denominator=state.denominator if indicator.is_ratio else None,
                    seen_revision=state.seen,
                    confirmed=state.confirmed,
                    reason="; ".join(part for part in (reason.strip(), state.note) if part),
                    position=len(inputs),
                )
            )
            keys.append(key)
        return inputs, keys

    def save(self, reason: str) -> SaveSummary | None:
        """Save every changed cell at once through the core; None when it refused the batch
        (each problem is then next to its field, and nothing was written)."""
        if self.invalid:
            return None
        inputs, keys = self.inputs(reason)
        try:
            return save_entries(
                self.campaign, inputs, user=self.user, source=EntrySource.WEB, now=self.now
            )
        except EntryError as error:
            self.forbidden = error.out_of_scope
            self.attach(error.problems, keys)
            return None

    def attach(self, problems: Sequence[EntryProblem], keys: Sequence[Key]) -> None:
        """Put each problem next to its field; problems of the batch or the day go on top."""
        for problem in problems:
            position = problem.position
            state = None
            if position is not None and 0 <= position < len(keys):
                state = self.states.get(keys[position])
            if state is None or problem.field == "date" or problem.code == LOCKED:
                if problem.field == "reason":
                    _add_once(self.reason_messages, problem.message)
                else:
                    _add_once(self.messages, problem.message)
                continue
            if problem.code == CONFLICT:
                state.adopt(problem.current)
                state.add("cell", problem.message)
            elif problem.field in ("numerator", "denominator"):
                state.add(problem.field, problem.message)
                if problem.code == Problem.OUTLIER:
                    state.ask_confirmation = True
            elif problem.field == "reason":
                state.ask_note = True
                state.add("note", problem.message)
            else:
                state.add("cell", problem.message)


def _add_once(messages: list[str], message: str) -> None:
    if message not in messages:
        messages.append(message)


# --- the day --------------------------------------------------------------------------------


def local_date(now: datetime) -> date:
    """The date where the campaigns run at the UTC moment `now`."""
    return now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def default_day(campaign: Campaign, today: date) -> date:
    """Today, or the campaign's last day once it is over (its first before it starts)."""
    return min(max(today, campaign.start_date), campaign.end_date)


def parse_day(text: str | None) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime((text or "").strip(), pattern).date()
        except ValueError:
            continue
    return None


def choose_day(text: str | None, campaign: Campaign, today: date) -> tuple[date, str | None]:
    """The day asked for in `?date=`, or the default one with a message saying why."""
    if not text:
        return default_day(campaign, today), None
    day = parse_day(text)
    if day is None:
        return default_day(campaign, today), _("“%(value)s” is not a date.", value=text)
    return day, None


def neighbours(campaign: Campaign, day: date, today: date) -> tuple[date | None, date | None]:
    """The days before and after `day` that can be chosen (inside the campaign, up to today)."""
    last = min(campaign.end_date, today)
    before = day - timedelta(days=1)
    after = day + timedelta(days=1)
    return (
        before if campaign.start_date <= before <= last else None,
        after if campaign.start_date <= after <= last else None,
    )


# --- words ----------------------------------------------------------------------------------
# The core's own sentences, so a page says before saving what the core would say when refusing.


def campaign_closed_message(campaign: Campaign) -> str | None:
    if campaign.status == CampaignStatus.ACTIVE:
        return None
    return campaign_not_active(campaign).message


def day_problem_message(problem: Problem | None, campaign: Campaign) -> str | None:
    return problem_message(problem, campaign) if problem else None


def lock_message(sheet: Sheet) -> str | None:
    if not sheet.locked:
        return None
    day = sheet.day.strftime("%d/%m/%Y")
    since = format_datetime(sheet.locked_since, sheet.timezone)
    if sheet.is_admin:
        return _(
            "The figures of %(day)s are locked since %(since)s: give the reason for the "
            "correction.",
            day=day,
            since=since,
        )
    return _(
        "The figures of %(day)s are locked since %(since)s; ask an administrator to correct them.",
        day=day,
        since=since,
    )


@dataclass(frozen=True)
class DayStatus:
    """How far a unit's report of one day is: indicators entered, and when and whether late."""

    expected: int
    entered: int
    late: bool
    at: datetime | None  # when the last of the day's figures first came in

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.entered >= self.expected


def day_status(sheet: Sheet, row: Unit) -> DayStatus:
    entries = [
        entry
        for indicator in sheet.reported[row.id]
        if (entry := sheet.entry(row, indicator)) is not None
    ]
    return DayStatus(
        expected=len(sheet.reported[row.id]),
        entered=len(entries),
        late=any(entry.late for entry in entries),
        at=max((entry.first_entered_at for entry in entries), default=None),
    )


def status_text(status: DayStatus, day: date) -> str:
    """ "Not entered yet." / "Entered at 15:42, on time." / "Entered at 17:05, late." …"""
    if status.entered == 0 or status.at is None:
        return _("Not entered yet.")
    timezone = current_app.config["TIMEZONE"]
    local = status.at.astimezone(ZoneInfo(timezone))
    when = local.strftime("%H:%M") if local.date() == day else format_datetime(status.at, timezone)
    if status.complete:
        if status.late:
            return _("Entered at %(time)s, late.", time=when)
        return _("Entered at %(time)s, on time.", time=when)
    if status.late:
        return _(
            "%(entered)d of %(expected)d indicators entered, the last at %(time)s, late.",
            entered=status.entered,
            expected=status.expected,
            time=when,
        )
    return _(
        "%(entered)d of %(expected)d indicators entered, the last at %(time)s, on time.",
        entered=status.entered,
        expected=status.expected,
        time=when,
    )


def saved_message(summary: SaveSummary, day: date) -> tuple[str, str]:
    """The flash message after a save, and its category."""
    if not summary.created and not summary.updated:
        return _("Nothing has changed."), "info"
    return (
        _(
            "Figures of %(day)s saved: %(created)d new, %(updated)d changed.",
            day=day.strftime("%d/%m/%Y"),
            created=summary.created,
            updated=summary.updated,
        ),
        "success",
    )


def source_label(source: str) -> str:
    labels = {
        EntrySource.WEB: _("web page"),
        EntrySource.API: _("API"),
        EntrySource.IMPORT: _("Excel file"),
        EntrySource.DEMO: _("demo data"),
    }
    return labels.get(source, source)


# --- lists ----------------------------------------------------------------------------------


@dataclass
class ListPage:
    """One page of a list computed in Python, with what render_pagination needs."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self) -> Iterator[int | None]:
        """The first two pages, the last two and those around the current one; None for a
        gap."""
        previous = 0
        for number in range(1, self.pages + 1):
            if number <= 2 or number > self.pages - 2 or abs(number - self.page) <= 2:
                if number != previous + 1:
                    yield None
                yield number
                previous = number


def list_page(items: Sequence, page: int, per_page: int) -> ListPage | None:
    """Page `page` of `items`; None when there is no such page (the caller answers 404)."""
    total = len(items)
    if page < 1 or (page > 1 and (page - 1) * per_page >= total):
        return None
    start = (page - 1) * per_page
    return ListPage(list(items[start : start + per_page]), page, per_page, total)
