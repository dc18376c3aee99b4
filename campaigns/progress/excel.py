"""The Excel import of daily figures: a pre-filled template to download, an uploaded copy read
back, and the preview of what confirming it would change (issue 4, item 6).

The template has one row per unit × day (the units the user may write figures for, the days
chosen) and, per indicator of the campaign, one column for a count or two (numerator,
denominator) for a ratio, filled with the current figures; cells of indicators a unit does not
report are grey. A hidden sheet names the campaign, the template version and the column
layout, and carries an HMAC of them under the application's secret key, so a file that is not
such a template, or is another campaign's, is refused. Text from the database never starts a
cell with = + - @ (formula injection); a formula where a figure belongs is refused.

Figures are checked and written only by the core: the preview runs its checks without writing
(operations.plan_entries, so it lists every problem the confirmation would meet), and the
confirmation saves for real (save_entries), all or nothing.
"""

import hashlib
import hmac
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import openpyxl
import xlsxwriter
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from sqlalchemy import select

from app.db import db
from app.formatting import format_number
from app.scope import Access, Reach, reach, reachable_unit_ids
from app.spreadsheets import FORMULA_STARTS, PendingUploads, UploadError, safe_text
from app.units.models import Unit, UnitClosure
from app.users.models import User
from campaigns.models import Campaign, Indicator
from campaigns.progress import queries
from campaigns.progress.models import Entry
from campaigns.progress.operations import LOCKED, EntryError, EntryInput, plan_entries
from campaigns.progress.rules import Figures, Problem, whole_number

SIGNATURE_SHEET = "tiendo"
TEMPLATE_KIND = "tiendo:progress"
TEMPLATE_VERSION = "1"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROWS = 2  # indicator names, then the numerator and denominator labels
UNIT_CODE, UNIT_NAME, DAY = 0, 1, 2  # columns A, B, C
FIRST_FIGURE = 3  # column D
NUMERATOR, DENOMINATOR = "numerator", "denominator"
# The largest figure the database keeps (a 32-bit integer on PostgreSQL).
FIGURE_MAX = 2_147_483_647
LINES_MAX = 100_000
# Rows of one template (units × days); more is a file nobody fills in by hand.
TEMPLATE_ROWS_MAX = 20_000


# Uploads wait here between their preview and their confirmation.
PENDING = PendingUploads("progress")

# --- who may import, which units, which days ------------------------------------------------


@dataclass(frozen=True)
class TemplateUnit:
    unit: Unit
    indicators: list[Indicator]  # those the unit reports, in the campaign's order


def _reporting_kinds(campaign: Campaign) -> set[str] | None:
    """The unit kinds some indicator applies to; None when one applies to every kind."""
    kinds: set[str] = set()
    for indicator in campaign.indicators:
        if not indicator.applies_to_kinds:
            return None
        kinds.update(indicator.applies_to_kinds)
    return kinds


def may_import(campaign: Campaign, user: User | None) -> bool:
    """Whether the user may write the figures of at least one unit reporting in the campaign
    (one indexed query: the campaign page asks it on every view)."""
    if not campaign.indicators or reach(user, Access.WRITE) is Reach.NONE:
        return False
    statement = (
        select(Unit.id)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(
            UnitClosure.ancestor_id == campaign.owner_unit_id,
            UnitClosure.depth > 0,
            Unit.id.in_(reachable_unit_ids(user, Access.WRITE)),
        )
        .limit(1)
    )
    kinds = _reporting_kinds(campaign)
    if kinds is not None:
        statement = statement.where(Unit.kind.in_(sorted(kinds)))
    return db.session.scalar(statement) is not None


def writable_units(campaign: Campaign, user: User, root: Unit | None = None) -> list[TemplateUnit]:
    """The units reporting in the campaign (below its owner, with an indicator that applies)
    whose figures the user may write, within `root`'s subtree when given, in tree order: a
    unit, then the units below it (children by kind, then code)."""
    if not campaign.indicators or reach(user, Access.WRITE) is Reach.NONE:
        return []
    rows = db.session.execute(
        select(Unit, UnitClosure.depth)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == campaign.owner_unit_id)
    ).all()
    units = {unit.id: unit for unit, _depth in rows}
    depths = {unit.id: depth for unit, depth in rows}
    writable = set(
        db.session.scalars(
            select(UnitClosure.descendant_id).where(
                UnitClosure.ancestor_id == campaign.owner_unit_id,
                UnitClosure.descendant_id.in_(reachable_unit_ids(user, Access.WRITE)),
            )
        )
    )
    within = None
    if root is not None:
        within = set(
            db.session.scalars(
                select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == root.id)
            )
        )
    children: dict[int, list[Unit]] = defaultdict(list)
    for unit in units.values():
        if unit.parent_id in units and unit.id != campaign.owner_unit_id:
            children[unit.parent_id].append(unit)
    for kids in children.values():
        kids.sort(key=lambda unit: (unit.kind, unit.code))
    found = []
    stack = [units[campaign.owner_unit_id]] if campaign.owner_unit_id in units else []
    while stack:
        unit = stack.pop()
        stack.extend(reversed(children.get(unit.id, [])))
        if depths[unit.id] == 0 or unit.id not in writable:
            continue
        if within is not None and unit.id not in within:
            continue
        indicators = [i for i in campaign.indicators if i.applies_to(unit.kind)]
        if indicators:
            found.append(TemplateUnit(unit, indicators))
    return found


def group_roots(units: Sequence[TemplateUnit]) -> list[Unit]:
    """Units of the list with other units of the list below them: the choices of "only the
    units of ..." on the download form."""
    by_id = {item.unit.id: item.unit for item in units}
    roots: set[int] = set()
    for item in units:
        parent_id = item.unit.parent_id
        while parent_id is not None:
            if parent_id in by_id:
                roots.add(parent_id)
            parent = db.session.get(Unit, parent_id)
            parent_id = parent.parent_id if parent else None
    return [item.unit for item in units if item.unit.id in roots]


def default_days(campaign: Campaign, today: date) -> tuple[date, date] | None:
    """The last 7 days up to today, inside the campaign; None before it starts."""
    end = min(today, campaign.end_date)
    if end < campaign.start_date:
        return None
    return max(campaign.start_date, end - timedelta(days=6)), end


def days_problem(campaign: Campaign, start: date, end: date, today: date) -> str | None:
    """Why the days start..end cannot make a template, in words; None when they can."""
    if start > end:
        return _("The first day comes after the last day.")
    if start < campaign.start_date:
        return _("The campaign starts on %(day)s.", day=campaign.start_date.strftime("%d/%m/%Y"))
    if end > campaign.end_date:
        return _("The campaign ended on %(day)s.", day=campaign.end_date.strftime("%d/%m/%Y"))
    if end > today:
        return _("Figures can be entered up to today, not for days to come.")
    return None


def date_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


# --- the template ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One figure column of the template: an indicator's numerator or denominator."""

    indicator: str  # code
    part: str  # NUMERATOR or DENOMINATOR


def layout_of(indicators: Iterable[Indicator]) -> list[Column]:
    columns = []
    for indicator in indicators:
        columns.append(Column(indicator.code, NUMERATOR))
        if indicator.is_ratio:
            columns.append(Column(indicator.code, DENOMINATOR))
    return columns


def _layout_text(layout: Sequence[Column]) -> str:
    return json.dumps([[column.indicator, column.part] for column in layout])


def _signature(campaign: Campaign, layout_text: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else str(key).encode()
    message = "\n".join(
        (TEMPLATE_KIND, TEMPLATE_VERSION, str(campaign.id), campaign.code, layout_text)
    )
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _unescape(text: str) -> str:
    """The text safe_text was given back (a code typed after our apostrophe)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def current_entries(
    campaign: Campaign, units: Sequence[TemplateUnit], days: Sequence[date]
) -> dict[tuple[int, int, date], Entry]:
    if not units or not days:
        return {}
    return queries.entries_by_key(
        queries.entries_between(
            [indicator.id for indicator in campaign.indicators],
            [item.unit.id for item in units],
            min(days),
            max(days),
        )
    )


def write_template(
    campaign: Campaign,
    units: Sequence[TemplateUnit],
    days: Sequence[date],
    entries: dict[tuple[int, int, date], Entry],
) -> bytes:
    """The workbook: header rows, then one row per unit × day, pre-filled."""
    indicators = list(campaign.indicators)
    layout = layout_of(indicators)
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    header = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#e9ecef", "border": 1}
    )
    day_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    figure = workbook.add_format({"num_format": "#,##0"})
    not_reported = workbook.add_format({"bg_color": "#ced4da"})
    sheet = workbook.add_worksheet(_("Figures")[:31])

    for column, title in ((UNIT_CODE, _("Unit code")), (UNIT_NAME, _("Unit name"))):
        sheet.merge_range(0, column, 1, column, title, header)
    sheet.merge_range(0, DAY, 1, DAY, _("Date (dd/mm/yyyy)"), header)
    column = FIRST_FIGURE
    for indicator in indicators:
        title = safe_text(f"{indicator.name} ({indicator.code})")
        if indicator.is_ratio:
            sheet.merge_range(0, column, 0, column + 1, title, header)
            sheet.write_string(
                1, column, safe_text(indicator.numerator_label or _("Numerator")), header
            )
            sheet.write_string(
                1, column + 1, safe_text(indicator.denominator_label or _("Denominator")), header
            )
            column += 2
        else:
            sheet.write_string(0, column, title, header)
            sheet.write_string(
                1, column, safe_text(indicator.numerator_label or _("Number")), header
            )
            column += 1
    if layout:
        sheet.write_comment(
            0,
            FIRST_FIGURE,
            _(
                "Whole numbers only, without decimals: 1080 or 1.080. A ratio needs both its "
                "numerator and its denominator. An empty cell changes nothing. Grey cells are "
                "indicators the unit does not report. Do not add, move or remove columns."
            ),
            {"x_scale": 3, "y_scale": 2.5},
        )
    sheet.freeze_panes(HEADER_ROWS, FIRST_FIGURE)
    sheet.set_row(0, 45)
    sheet.set_column(UNIT_CODE, UNIT_CODE, 11)
    sheet.set_column(UNIT_NAME, UNIT_NAME, 30)
    sheet.set_column(DAY, DAY, 12)
    if layout:
        sheet.set_column(FIRST_FIGURE, FIRST_FIGURE + len(layout) - 1, 14)

    line = HEADER_ROWS
    for item in units:
        reported = {indicator.id for indicator in item.indicators}
        for day in days:
            sheet.write_string(line, UNIT_CODE, safe_text(item.unit.code))
            sheet.write_string(line, UNIT_NAME, safe_text(item.unit.name))
            sheet.write_datetime(line, DAY, datetime.combine(day, datetime.min.time()), day_format)
            column = FIRST_FIGURE
            for indicator in indicators:
                width = 2 if indicator.is_ratio else 1
                if indicator.id not in reported:
                    for offset in range(width):
                        sheet.write_blank(line, column + offset, None, not_reported)
                else:
                    entry = entries.get((indicator.id, item.unit.id, day))
                    if entry is not None:
                        sheet.write_number(line, column, entry.numerator, figure)
                        if indicator.is_ratio and entry.denominator is not None:
                            sheet.write_number(line, column + 1, entry.denominator, figure)
                column += width
            line += 1
    if layout and line > HEADER_ROWS:
        sheet.data_validation(
            HEADER_ROWS,
            FIRST_FIGURE,
            line - 1,
            FIRST_FIGURE + len(layout) - 1,
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": 0,
                "maximum": FIGURE_MAX,
                "error_title": _("Whole numbers only")[:32],
                "error_message": _("Type a whole number ≥ 0, without decimals.")[:255],
            },
        )

    signature = workbook.add_worksheet(SIGNATURE_SHEET)
    layout_text = _layout_text(layout)
    for row, value in enumerate(
        (
            TEMPLATE_KIND,
            TEMPLATE_VERSION,
            safe_text(campaign.code),
            layout_text,
            _signature(campaign, layout_text),
        )
    ):
        signature.write_string(row, 0, value)
    signature.hide()
    workbook.close()
    return output.getvalue()


# --- the upload -----------------------------------------------------------------------------


# --- reading it back ------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where in the sheet an EntryInput comes from: its line and the columns of its figures."""

    line: int
    indicator: str
    columns: dict[str, str]  # NUMERATOR / DENOMINATOR → column letter


@dataclass(frozen=True)
class ImportProblem:
    line: int | None  # as Excel numbers it; None: the file as a whole
    cell: str | None  # "E7"; None when the problem is the row's
    message: str
    indicator: str | None = None  # indicator code


@dataclass
class ReadFile:
    inputs: list[EntryInput] = field(default_factory=list)
    origins: dict[int, Origin] = field(default_factory=dict)  # by EntryInput.position
    problems: list[ImportProblem] = field(default_factory=list)


def read_file(path: Path, campaign: Campaign) -> ReadFile:
    """The figures of an uploaded template (blank cells are left out) and the problems of the
    cells that could not be read. Raises UploadError when the file is not this campaign's
    template."""
    try:
        # From memory: a sheet that breaks half-way leaves no file handle open.
        workbook = openpyxl.load_workbook(
            io.BytesIO(path.read_bytes()), read_only=True, data_only=False
        )
    except Exception:  # an untrusted file may break the reader in any way
        raise UploadError(_not_readable()) from None
    try:
        layout = _check_signature(workbook, campaign)
        data_sheets = [sheet for sheet in workbook.worksheets if sheet.title != SIGNATURE_SHEET]
        if not data_sheets:
            raise UploadError(_not_the_template())
        sheet = data_sheets[0]
        _check_headers(sheet, layout)
        read = ReadFile()
        for line, cells in enumerate(
            sheet.iter_rows(min_row=HEADER_ROWS + 1), start=HEADER_ROWS + 1
        ):
            if line > LINES_MAX:
                raise UploadError(
                    _(
                        "The file has more than %(count)s rows.",
                        count=format_number(LINES_MAX, str(get_locale())),
                    )
                )
            _read_row(line, cells, layout, read)
    except UploadError:
        raise
    except Exception:  # the sheets are parsed while they are read
        raise UploadError(_not_readable()) from None
    finally:
        workbook.close()
    if not read.inputs and not read.problems:
        raise UploadError(_("The file has no figures: fill in some cells and upload it again."))
    return read


def _not_readable() -> str:
    return _("The file is not a readable .xlsx workbook.")


def _not_the_template() -> str:
    return _(
        "This file is not a figures template of Tiến độ. Download the template from the "
        "import page, fill it in and upload that file."
    )


def _check_signature(workbook, campaign: Campaign) -> list[Column]:
    if SIGNATURE_SHEET not in workbook.sheetnames:
        raise UploadError(_not_the_template())
    values = [
        row[0] if row else None
        for row in workbook[SIGNATURE_SHEET].iter_rows(
            min_row=1, max_row=5, max_col=1, values_only=True
        )
    ]
    values += [None] * (5 - len(values))
    kind, version, code, layout_text, signature = values
    if kind != TEMPLATE_KIND:
        raise UploadError(_not_the_template())
    if version != TEMPLATE_VERSION:
        raise UploadError(
            _(
                "This template comes from an older version of Tiến độ; download a new one "
                "and copy the figures into it."
            )
        )
    if not isinstance(code, str) or _unescape(code) != campaign.code:
        raise UploadError(
            _(
                "This template belongs to campaign %(other)s, not %(campaign)s.",
                other=str(code),
                campaign=campaign.code,
            )
        )
    if (
        not isinstance(layout_text, str)
        or not isinstance(signature, str)
        or not hmac.compare_digest(signature, _signature(campaign, layout_text))
    ):
        raise UploadError(_not_the_template())
    return [Column(indicator, part) for indicator, part in json.loads(layout_text)]


def _check_headers(sheet, layout: Sequence[Column]) -> None:
    """The indicator columns are where the template put them (nobody inserted a column)."""
    first_row = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    for index, column in enumerate(layout):
        if column.part != NUMERATOR:
            continue
        position = FIRST_FIGURE + index
        title = first_row[position] if position < len(first_row) else None
        if not isinstance(title, str) or f"({column.indicator})" not in title:
            raise UploadError(
                _(
                    "The columns of the template were changed (column %(column)s should be "
                    "%(indicator)s). Download a new template and copy the figures into it.",
                    column=get_column_letter(position + 1),
                    indicator=column.indicator,
                )
            )


def _value(cells, index: int) -> tuple[object, bool]:
    """(value, is a formula) of a cell of the row."""
    if index >= len(cells):
        return None, False
    cell = cells[index]
    value = getattr(cell, "value", None)
    formula = (
        getattr(cell, "data_type", None) == "f"
        or isinstance(value, ArrayFormula | DataTableFormula)
        or (isinstance(value, str) and value.startswith("="))
    )
    return value, formula


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_row(line: int, cells, layout: Sequence[Column], read: ReadFile) -> None:
    figures = [_value(cells, FIRST_FIGURE + index) for index in range(len(layout))]
    if all(_blank(value) and not formula for value, formula in figures):
        return  # nothing to import on this row
    problems = read.problems
    unit_value, unit_formula = _value(cells, UNIT_CODE)
    day_value, day_formula = _value(cells, DAY)
    unit_code = None
    if unit_formula:
        problems.append(ImportProblem(line, f"A{line}", _formula_message()))
    elif _blank(unit_value):
        problems.append(ImportProblem(line, f"A{line}", _("The unit code is empty.")))
    else:
        unit_code = _code(unit_value)
    day = None
    if day_formula:
        problems.append(ImportProblem(line, f"C{line}", _formula_message()))
    else:
        day = _day(day_value)
        if day is None:
            problems.append(
                ImportProblem(
                    line,
                    f"C{line}",
                    _(
                        "“%(value)s” is not a date: write it as dd/mm/yyyy.",
                        value="" if day_value is None else str(day_value),
                    ),
                )
            )

    groups: dict[str, dict[str, tuple[int, object, bool]]] = {}
    for index, column in enumerate(layout):
        value, formula = figures[index]
        groups.setdefault(column.indicator, {})[column.part] = (index, value, formula)
    for indicator, parts in groups.items():
        if all(_blank(value) and not formula for _index, value, formula in parts.values()):
            continue
        letters = {
            part: get_column_letter(FIRST_FIGURE + index + 1)
            for part, (index, _value_, _formula) in parts.items()
        }
        usable = True
        for part, (_index, value, formula) in parts.items():
            cell = f"{letters[part]}{line}"
            if formula:
                problems.append(ImportProblem(line, cell, _formula_message(), indicator))
                usable = False
                continue
            number = whole_number(value)
            if number is not None and number > FIGURE_MAX:
                problems.append(
                    ImportProblem(
                        line,
                        cell,
                        _(
                            "%(value)s is larger than any figure can be.",
                            value=format_number(number, str(get_locale())),
                        ),
                        indicator,
                    )
                )
                usable = False
        if not (usable and unit_code and day):
            continue
        position = len(read.inputs) + 1
        read.inputs.append(
            EntryInput(
                unit=unit_code,
                indicator=indicator,
                day=day,
                numerator=parts[NUMERATOR][1] if NUMERATOR in parts else None,
                denominator=parts[DENOMINATOR][1] if DENOMINATOR in parts else None,
                position=position,
            )
        )
        read.origins[position] = Origin(line, indicator, letters)


def _formula_message() -> str:
    return _("The cell holds a formula; type the figure itself.")


def _code(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code such as 693 typed as a number
    return _unescape(str(value).strip())


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    return None


# --- the preview ----------------------------------------------------------------------------


class CellStatus(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PlannedCell:
    """One figure pair of the file against what is saved now."""

    position: int
    line: int
    cell: str  # the numerator's cell, e.g. "D7"
    unit_code: str
    unit_name: str
    indicator_code: str
    indicator_name: str
    is_ratio: bool
    day: date
    old: Figures | None
    old_revision: int  # 0 when nothing is saved
    new: Figures
    status: CellStatus


@dataclass
class ImportPlan:
    """What confirming the file would do: the cells, the problems that forbid it, the figures
    to confirm (far above the unit's usual ones) and those that need a note (a stock level
    going down; an administrator's correction of a locked day)."""

    cells: list[PlannedCell] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    unusual: list[ImportProblem] = field(default_factory=list)
    needs_reason: list[ImportProblem] = field(default_factory=list)
    reason_positions: set[int] = field(default_factory=set)

    def count(self, status: CellStatus) -> int:
        return sum(cell.status == status for cell in self.cells)

    @property
    def changes(self) -> list[PlannedCell]:
        return [cell for cell in self.cells if cell.status != CellStatus.UNCHANGED]

    @property
    def fingerprint(self) -> str:
        """A digest of every planned change and what it replaces: different as soon as
        someone saved one of these cells (or one that was unchanged) since."""
        data = [
            [
                cell.unit_code,
                cell.indicator_code,
                cell.day.isoformat(),
                *(astuple_or_none(cell.old)),
                cell.old_revision,
                cell.new.numerator,
                cell.new.denominator,
            ]
            for cell in self.changes
        ]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def astuple_or_none(figures: Figures | None) -> tuple[int | None, int | None]:
    return (figures.numerator, figures.denominator) if figures else (None, None)


def plan_import(campaign: Campaign, read: ReadFile, user: User, now: datetime) -> ImportPlan:
    """Compare the file with the saved figures and run every check of save_entries on it
    (operations.plan_entries), writing nothing."""
    plan = ImportPlan(errors=list(read.problems))
    plan.cells = _classify(campaign, read)
    problems = []
    try:
        plan_entries(campaign, read.inputs, user=user, now=now)
    except EntryError as error:
        problems = error.problems
    for problem in problems:
        origin = read.origins.get(problem.position) if problem.position else None
        found = _located(problem, origin)
        if problem.code == Problem.OUTLIER:
            plan.unusual.append(found)
        elif problem.code == Problem.STOCK_DECREASE or (
            problem.code == LOCKED and problem.field == "reason"
        ):
            plan.needs_reason.append(found)
            plan.reason_positions.add(problem.position)
        else:
            plan.errors.append(found)
    plan.errors = _sorted_unique(plan.errors)
    plan.unusual = _sorted_unique(plan.unusual)
    plan.needs_reason = _sorted_unique(plan.needs_reason)
    return plan


def _located(problem, origin: Origin | None) -> ImportProblem:
    if origin is None:
        return ImportProblem(None, None, problem.message)
    letter = {"unit": "A", "date": "C", **origin.columns}.get(problem.field or "")
    return ImportProblem(
        origin.line,
        f"{letter}{origin.line}" if letter else None,
        problem.message,
        origin.indicator if problem.field not in ("unit", "date") else None,
    )


def _column_index(cell: str | None) -> int:
    if not cell:
        return -1
    letters = cell.rstrip("0123456789")
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index


def _sorted_unique(problems: Iterable[ImportProblem]) -> list[ImportProblem]:
    """By line, then column; a problem of the row's unit or date is said once per row."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line or 0, _column_index(p.cell)))


def _classify(campaign: Campaign, read: ReadFile) -> list[PlannedCell]:
    """Each readable input as new, changed or unchanged against the saved figures."""
    indicators = {indicator.code: indicator for indicator in campaign.indicators}
    codes = sorted({item.unit for item in read.inputs})
    units = {}
    for offset in range(0, len(codes), 500):
        statement = select(Unit).where(Unit.code.in_(codes[offset : offset + 500]))
        units.update({unit.code: unit for unit in db.session.scalars(statement)})
    known = [item for item in read.inputs if item.unit in units and item.indicator in indicators]
    if not known:
        return []
    existing = queries.entries_by_key(
        queries.entries_between(
            {indicators[item.indicator].id for item in known},
            {units[item.unit].id for item in known},
            min(item.day for item in known),
            max(item.day for item in known),
        )
    )
    cells = []
    for item in known:
        unit, indicator = units[item.unit], indicators[item.indicator]
        numerator = whole_number(item.numerator)
        denominator = whole_number(item.denominator) if indicator.is_ratio else None
        if numerator is None or (indicator.is_ratio and denominator is None):
            continue
        new = Figures(numerator, denominator)
        entry = existing.get((indicator.id, unit.id, item.day))
        old = Figures(entry.numerator, entry.denominator) if entry else None
        if old is None:
            status = CellStatus.NEW
        elif old == new:
            status = CellStatus.UNCHANGED
        else:
            status = CellStatus.CHANGED
        origin = read.origins[item.position]
        cells.append(
            PlannedCell(
                position=item.position,
                line=origin.line,
                cell=f"{origin.columns[NUMERATOR]}{origin.line}",
                unit_code=unit.code,
                unit_name=unit.name,
                indicator_code=indicator.code,
                indicator_name=indicator.name,
                is_ratio=indicator.is_ratio,
                day=item.day,
                old=old,
                old_revision=entry.revision if entry else 0,
                new=new,
                status=status,
            )
        )
    return cells


def confirmed_inputs(
    read: ReadFile, plan: ImportPlan, *, confirmed: bool, reason: str
) -> list[EntryInput]:
    """The file's inputs as the confirmation saves them: unusual figures confirmed (when the
    box was ticked), the note on the rows that need one, and the revision each cell had in
    the preview, so that a save made in between is refused rather than overwritten."""
    seen = {cell.position: cell.old_revision for cell in plan.cells}
    return [
        replace(
            item,
            confirmed=confirmed,
            reason=reason.strip() if item.position in plan.reason_positions else "",
            seen_revision=seen.get(item.position, item.seen_revision),
        )
        for item in read.inputs
    ]
