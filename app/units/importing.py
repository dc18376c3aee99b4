"""Reading and checking a unit list before anything is written.

A unit file is CSV (UTF-8, comma or semicolon separated) or XLSX with the columns
`code, name, kind, parent_code` and optionally `households, population, active_from,
active_to`. Every row is checked and every problem is reported with its line number, so the
person importing can fix the whole file in one pass; `operations.import_units` refuses to
write anything while a single error remains.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
from flask_babel import format_decimal
from flask_babel import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from app.codes import is_valid_code

REQUIRED_COLUMNS = ("code", "name", "kind", "parent_code")
OPTIONAL_COLUMNS = ("households", "population", "active_from", "active_to")
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# "2.450" is how a Vietnamese spreadsheet writes two thousand four hundred and fifty.
WHOLE_NUMBER_PATTERN = re.compile(r"^-?(\d+|\d{1,3}(\.\d{3})+)$")
# The columns are 32-bit integers on every database.
WHOLE_NUMBER_MAX = 2_147_483_647
# Cells beyond the header's columns, kept under this key by the CSV reader.
EXTRA_CELLS = "\x00extra"
NAME_MAX_LENGTH = 255


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    kind: str
    parent_code: str | None
    households: int | None = None
    population: int | None = None
    active_from_date: date | None = None
    active_to_date: date | None = None


@dataclass(frozen=True)
class RowError:
    line: int | None  # None: the problem is the file itself
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Line %(line)d: %(message)s", line=self.line, message=self.message)


@dataclass
class UnitList:
    """The rows of a unit list that could be read, and what was wrong with the others."""

    rows: list[UnitRow]
    errors: list[RowError] = field(default_factory=list)
    # Codes written on refused rows: other rows may name them as parent without a second error.
    rejected_codes: set[str] = field(default_factory=set)


class Formula(str):
    """A spreadsheet cell holding a formula instead of a value."""


class UnitFileError(Exception):
    """The file cannot be read as a unit list, or some of its rows are wrong."""

    def __init__(self, errors: Sequence[RowError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = list(errors)


def read_unit_file(path: Path) -> UnitList:
    """Read and check every row of a CSV or XLSX file.

    Raises UnitFileError when the file itself cannot be read (type, encoding, columns); row
    problems are collected in the returned UnitList, and `operations.import_units` refuses it
    while any remain.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(path.read_bytes())
    elif suffix == ".xlsx":
        records = _xlsx_records(path)
    else:
        raise UnitFileError([RowError(None, _("Only .csv and .xlsx files can be imported."))])
    return parse_unit_records(records)


def parse_unit_records(records: Iterable[tuple[int, Mapping[str, object]]]) -> UnitList:
    """Turn (line, {column: value}) records into UnitRows, collecting every row's errors."""
    units = UnitList(rows=[])
    first_line_of_code: dict[str, int] = {}
    for line, record in records:
        extra_cells = [cell for cell in record.get(EXTRA_CELLS, ()) if _cell_text(cell)]
        values = {column: value for column, value in record.items() if column != EXTRA_CELLS}
        if not extra_cells and all(_cell_text(value) == "" for value in values.values()):
            continue
        row, problems = None, _cell_problems(values, extra_cells)
        if not problems:
            row, problems = _parse_row(line, values, first_line_of_code)
        code = _cell_text(values.get("code"))
        # A later row with this code is a duplicate even when this row is refused.
        first_line_of_code.setdefault(code, line)
        if row is None:
            units.errors.extend(RowError(line, message) for message in problems)
            if code:
                units.rejected_codes.add(code)
            continue
        units.rows.append(row)
    if not units.rows and not units.errors:
        raise UnitFileError([RowError(None, _("The file has no units."))])
    return units


def _cell_problems(values: Mapping[str, object], extra_cells: list[object]) -> list[str]:
    """Problems that make the rest of the row meaningless: shifted cells, formulas."""
    if extra_cells:
        return [_("the row has more cells than the header.")]
    return [
        _("column %(column)s holds a formula; type the value itself.", column=column)
        for column, value in values.items()
        if isinstance(value, Formula)
    ]


def _parse_row(
    line: int, values: Mapping[str, object], first_line_of_code: Mapping[str, int]
) -> tuple[UnitRow | None, list[str]]:
    """The row, or None and every problem found in it."""
    problems: list[str] = []
    code = _cell_text(values.get("code"))
    name = _cell_text(values.get("name"))
    kind = _cell_text(values.get("kind")).lower()
    parent_code = _cell_text(values.get("parent_code")) or None
    if not code:
        problems.append(_("the code is empty."))
    elif not is_valid_code(code):
        problems.append(
            _(
                "code “%(code)s” may only contain letters, digits, “.”, “_” and “-” (at most 32).",
                code=code,
            )
        )
    elif code in first_line_of_code:
        problems.append(
            _(
                "code “%(code)s” already appears on line %(line)d.",
                code=code,
                line=first_line_of_code[code],
            )
        )
    if not name:
        problems.append(_("the name is empty."))
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(_("the name is longer than %(max)d characters.", max=NAME_MAX_LENGTH))
    if not kind:
        problems.append(_("the kind is empty."))
    elif not KIND_PATTERN.match(kind):
        problems.append(
            _(
                "kind “%(kind)s” must be a lower-case word such as province, district or commune.",
                kind=kind,
            )
        )
    if parent_code is not None and parent_code == code:
        problems.append(_("a unit cannot be its own parent."))
    households = _whole_number(values.get("households"), "households", problems)
    population = _whole_number(values.get("population"), "population", problems)
    active_from = _date(values.get("active_from"), "active_from", problems)
    active_to = _date(values.get("active_to"), "active_to", problems)
    if active_from and active_to and active_to < active_from:
        problems.append(_("active_to is before active_from."))
    if problems:
        return None, problems
    row = UnitRow(
        line, code, name, kind, parent_code, households, population, active_from, active_to
    )
    return row, []


def check_tree(units: UnitList, stored_parents: Mapping[str, str | None]) -> list[RowError]:
    """Problems of the tree the import would make: unknown parents, loops of parents.

    `stored_parents` maps each code already in the database to its parent's code; rows of the
    list override it, as the import would.
    """
    rows = units.rows
    parents = dict(stored_parents)
    parents.update({row.code: row.parent_code for row in rows})
    known = parents.keys() | units.rejected_codes
    errors = [
        RowError(
            row.line,
            _(
                "parent code “%(parent)s” is neither in the file nor in the database.",
                parent=row.parent_code,
            ),
        )
        for row in rows
        if row.parent_code is not None and row.parent_code not in known
    ]
    for row in rows:
        cycle = _cycle_through(row.code, parents)
        if cycle:
            errors.append(
                RowError(
                    row.line, _("the parent codes form a loop: %(loop)s.", loop=" → ".join(cycle))
                )
            )
    return errors


def _cycle_through(code: str, parents: Mapping[str, str | None]) -> list[str]:
    """The loop `code` belongs to, as a path back to itself; empty when it reaches a root."""
    path = [code]
    seen = {code}
    current = parents.get(code)
    while current is not None and current in parents:
        if current == code:
            return [*path, code]
        if current in seen:
            return []  # a loop above this unit; reported on the rows that form it
        path.append(current)
        seen.add(current)
        current = parents.get(current)
    return []


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _whole_number(value: object, column: str, row_errors: list[str]) -> int | None:
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = _cell_text(value)
        if not text:
            return None
        if not WHOLE_NUMBER_PATTERN.match(text):
            row_errors.append(
                _("%(column)s “%(value)s” is not a whole number.", column=column, value=text)
            )
            return None
        number = int(text.replace(".", ""))
    if number < 0:
        row_errors.append(_("%(column)s cannot be negative.", column=column))
        return None
    if number > WHOLE_NUMBER_MAX:
        row_errors.append(
            _(
                "%(column)s is larger than %(max)s.",
                column=column,
                max=format_decimal(WHOLE_NUMBER_MAX),
            )
        )
        return None
    return number


def _date(value: object, column: str, row_errors: list[str]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    row_errors.append(
        _("%(column)s “%(value)s” is not a date (dd/mm/yyyy).", column=column, value=text)
    )
    return None


def _normalised_header(cells: Iterable[object]) -> list[str]:
    header = [_cell_text(cell).lower() for cell in cells]
    while header and header[-1] == "":
        header.pop()
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [column for column in header if column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    duplicated = sorted({column for column in header if column and header.count(column) > 1})
    errors = []
    if missing:
        errors.append(
            RowError(None, _("Missing columns: %(columns)s.", columns=", ".join(missing)))
        )
    if unknown:
        unnamed = _("(empty)")
        errors.append(
            RowError(
                None,
                _(
                    "Unknown columns: %(columns)s (allowed: %(allowed)s).",
                    columns=", ".join(column or unnamed for column in unknown),
                    allowed=", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS),
                ),
            )
        )
    if duplicated:
        errors.append(
            RowError(None, _("Repeated columns: %(columns)s.", columns=", ".join(duplicated)))
        )
    if errors:
        raise UnitFileError(errors)
    return header


def _csv_records(content: bytes) -> list[tuple[int, dict[str, object]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnitFileError(
            [
                RowError(
                    None,
                    _(
                        "The file is not UTF-8 text. "
                        "In Excel, save it as “CSV UTF-8 (Comma delimited)”."
                    ),
                )
            ]
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise UnitFileError([RowError(None, _("The file is empty."))])
    # Excel in a decimal-comma locale (Vietnamese) separates CSV fields with semicolons.
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = _normalised_header(next(reader))
    return [(reader.line_num, _record(header, cells)) for cells in reader]


def _formula_or_value(cell: object) -> object:
    # Read without computing formulas (data_only=False), a formula cell is its "=..." text.
    return Formula(cell) if isinstance(cell, str) and cell.startswith("=") else cell


def _record(header: list[str], cells: Sequence[object]) -> dict[str, object]:
    record: dict[str, object] = dict(zip(header, cells, strict=False))
    record[EXTRA_CELLS] = list(cells[len(header) :])
    return record


def _xlsx_records(path: Path) -> list[tuple[int, dict[str, object]]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise UnitFileError(
            [RowError(None, _("The file is not a readable .xlsx workbook."))]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise UnitFileError([RowError(None, _("The file is empty."))])
        header = _normalised_header(first)
        return [
            (line, _record(header, [_formula_or_value(cell) for cell in cells]))
            for line, cells in enumerate(rows, start=2)
        ]
    finally:
        workbook.close()
