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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
from flask_babel import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

REQUIRED_COLUMNS = ("code", "name", "kind", "parent_code")
OPTIONAL_COLUMNS = ("households", "population", "active_from", "active_to")
CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# "2.450" is how a Vietnamese spreadsheet writes two thousand four hundred and fifty.
WHOLE_NUMBER_PATTERN = re.compile(r"^(\d+|\d{1,3}(\.\d{3})+)$")
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


class UnitFileError(Exception):
    """The file cannot be read as a unit list, or some of its rows are wrong."""

    def __init__(self, errors: Sequence[RowError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = list(errors)


def read_unit_file(path: Path) -> list[UnitRow]:
    """Parse and check a CSV or XLSX file; raise UnitFileError listing every bad row."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(path.read_bytes())
    elif suffix == ".xlsx":
        records = _xlsx_records(path)
    else:
        raise UnitFileError([RowError(None, _("Only .csv and .xlsx files can be imported."))])
    return parse_unit_records(records)


def parse_unit_records(records: Iterable[tuple[int, Mapping[str, object]]]) -> list[UnitRow]:
    """Turn (line, {column: value}) records into UnitRows, collecting every error."""
    rows: list[UnitRow] = []
    errors: list[RowError] = []
    first_line_of_code: dict[str, int] = {}
    for line, record in records:
        if all(_cell_text(value) == "" for value in record.values()):
            continue
        row_errors: list[str] = []
        code = _cell_text(record.get("code"))
        name = _cell_text(record.get("name"))
        kind = _cell_text(record.get("kind")).lower()
        parent_code = _cell_text(record.get("parent_code")) or None
        if not code:
            row_errors.append(_("the code is empty."))
        elif not CODE_PATTERN.match(code):
            row_errors.append(
                _(
                    "code “%(code)s” may only contain letters, digits, “.”, “_” and “-” "
                    "(at most 32).",
                    code=code,
                )
            )
        elif code in first_line_of_code:
            row_errors.append(
                _(
                    "code “%(code)s” already appears on line %(line)d.",
                    code=code,
                    line=first_line_of_code[code],
                )
            )
        else:
            first_line_of_code[code] = line
        if not name:
            row_errors.append(_("the name is empty."))
        elif len(name) > NAME_MAX_LENGTH:
            row_errors.append(_("the name is longer than %(max)d characters.", max=NAME_MAX_LENGTH))
        if not kind:
            row_errors.append(_("the kind is empty."))
        elif not KIND_PATTERN.match(kind):
            row_errors.append(
                _(
                    "kind “%(kind)s” must be a lower-case word such as province, district or "
                    "commune.",
                    kind=kind,
                )
            )
        if parent_code is not None and parent_code == code:
            row_errors.append(_("a unit cannot be its own parent."))
        households = _whole_number(record.get("households"), "households", row_errors)
        population = _whole_number(record.get("population"), "population", row_errors)
        active_from = _date(record.get("active_from"), "active_from", row_errors)
        active_to = _date(record.get("active_to"), "active_to", row_errors)
        if active_from and active_to and active_to < active_from:
            row_errors.append(_("active_to is before active_from."))
        if row_errors:
            errors.extend(RowError(line, message) for message in row_errors)
            continue
        rows.append(
            UnitRow(
                line, code, name, kind, parent_code, households, population, active_from, active_to
            )
        )
    if errors:
        raise UnitFileError(errors)
    if not rows:
        raise UnitFileError([RowError(None, _("The file has no units."))])
    return rows


def check_tree(rows: Sequence[UnitRow], stored_parents: Mapping[str, str | None]) -> None:
    """Check that every parent exists and no unit becomes its own ancestor.

    `stored_parents` maps each code already in the database to its parent's code; rows of the
    file override it, as the import would.
    """
    parents = dict(stored_parents)
    parents.update({row.code: row.parent_code for row in rows})
    errors = [
        RowError(
            row.line,
            _(
                "parent code “%(parent)s” is neither in the file nor in the database.",
                parent=row.parent_code,
            ),
        )
        for row in rows
        if row.parent_code is not None and row.parent_code not in parents
    ]
    for row in rows:
        cycle = _cycle_through(row.code, parents)
        if cycle:
            errors.append(
                RowError(
                    row.line, _("the parent codes form a loop: %(loop)s.", loop=" → ".join(cycle))
                )
            )
    if errors:
        raise UnitFileError(sorted(errors, key=lambda error: error.line or 0))


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
        errors.append(
            RowError(
                None,
                _(
                    "Unknown columns: %(columns)s (allowed: %(allowed)s).",
                    columns=", ".join(column or _("(empty)") for column in unknown),
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
    records = []
    for record in reader:
        line = reader.line_num
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            raise UnitFileError([RowError(line, _("the row has more cells than the header."))])
        records.append((line, dict(zip(header, record, strict=False))))
    return records


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
        records = []
        formula_errors = []
        for line, values in enumerate(rows, start=2):
            record = dict(zip(header, values, strict=False))
            for column, value in record.items():
                if isinstance(value, str) and value.startswith("="):
                    formula_errors.append(
                        RowError(
                            line,
                            _(
                                "column %(column)s holds a formula; type the value itself.",
                                column=column,
                            ),
                        )
                    )
            records.append((line, record))
        if formula_errors:
            raise UnitFileError(formula_errors)
        return records
    finally:
        workbook.close()
