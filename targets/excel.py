"""The Excel round trip of targets: a pre-filled workbook to download, and reading it back.

The workbook has one row per unit × indicator of a subtree: unit code and name, indicator
code and name, the unit's OWN target (percent for ratios; empty = take the unit above's),
the baseline numerator and denominator, and, for information only, the effective target
now. A hidden sheet carries a signature and the campaign's code, so any other file is
recognised as "not this template". Text from the database never starts a cell with
= + - @ (formula injection), and a formula typed where a value belongs is refused.

Reading gives TargetInputs (position = the line in the sheet) and the problems of rows that
could not be read; targets.operations checks and applies the rest, all or nothing.
"""

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import xlsxwriter
from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select

from app.db import db
from app.formatting import format_number, format_percent, parse_decimal
from app.spreadsheets import PendingUploads, UploadError, safe_text
from app.units.models import Unit, UnitClosure
from campaigns.models import Campaign, Indicator
from targets.operations import Problem, TargetInput
from targets.queries import (
    baselines,
    effective_count_targets,
    effective_ratio_targets,
    indicator_rule,
    own_targets,
    subtree_units,
)
from targets.rules import TargetSource, relevant_units

SIGNATURE_SHEET = "tiendo"
SIGNATURE = "tiendo:targets:v1"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Columns of the data sheet, by position (A..H); only A, C, E, F and G are read back.
UNIT_CODE, UNIT_NAME, INDICATOR_CODE, INDICATOR_NAME, TARGET, NUMERATOR, DENOMINATOR = range(7)
ROWS_MAX = 200_000


# Uploads wait here between their preview and their confirmation.
PENDING = PendingUploads("targets")

# --- download -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    unit: Unit
    indicator: Indicator
    target: float | None  # the unit's own target
    baseline_numerator: int | None
    baseline_denominator: int | None
    effective: str  # the effective target now, in words


def export_rows(campaign: Campaign, root: Unit) -> list[ExportRow]:
    """Every unit of the root's subtree × every indicator that applies to it or below it,
    in tree order (a unit, then the units below it)."""
    indicators = list(campaign.indicators)
    tree = subtree_units(root.id)
    units = {
        unit.id: unit
        for unit in db.session.scalars(
            select(Unit)
            .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
            .where(UnitClosure.ancestor_id == root.id)
        )
    }
    order = _tree_order(root.id, tree, units)
    unit_ids = [unit.id for unit in order]
    indicator_ids = [indicator.id for indicator in indicators]
    own = own_targets(indicator_ids, unit_ids)
    base = baselines(indicator_ids, unit_ids)
    subtree_ids = select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == root.id)
    effective = effective_ratio_targets(
        [indicator.id for indicator in indicators if indicator.is_ratio], subtree_ids
    )
    effective.update(effective_count_targets(root.id, indicators, tree))
    source_names = _source_names({e.from_unit_id for e in effective.values()}, units)
    locale = str(get_locale())
    relevant = {
        indicator.id: relevant_units(tree, indicator_rule(indicator)) for indicator in indicators
    }
    rows = []
    for unit in order:
        for indicator in indicators:
            if unit.id not in relevant[indicator.id]:
                continue
            key = (unit.id, indicator.id)
            target = own.get(key)
            baseline = base.get(key)
            rows.append(
                ExportRow(
                    unit=unit,
                    indicator=indicator,
                    target=target.value if target else None,
                    baseline_numerator=baseline.numerator if baseline else None,
                    baseline_denominator=baseline.denominator if baseline else None,
                    effective=_describe(effective.get(key), indicator, source_names, locale),
                )
            )
    return rows


def _tree_order(root_id: int, tree, units: dict[int, Unit]) -> list[Unit]:
    children: dict[int, list[Unit]] = {}
    for node in tree:
        if node.parent_id is not None:
            children.setdefault(node.parent_id, []).append(units[node.id])
    for kids in children.values():
        kids.sort(key=lambda unit: (unit.kind, unit.code))
    order: list[Unit] = []
    stack = [units[root_id]]
    while stack:
        unit = stack.pop()
        order.append(unit)
        stack.extend(reversed(children.get(unit.id, [])))
    return order


def _source_names(ids: set[int | None], units: dict[int, Unit]) -> dict[int, str]:
    names = {unit_id: units[unit_id].name for unit_id in ids if unit_id in units}
    missing = [unit_id for unit_id in ids if unit_id is not None and unit_id not in names]
    if missing:
        statement = select(Unit.id, Unit.name).where(Unit.id.in_(missing))
        names.update({row.id: row.name for row in db.session.execute(statement)})
    return names


def _describe(effective, indicator: Indicator, names: dict[int, str], locale: str) -> str:
    if effective is None:
        return _("none")
    value = (
        format_percent(effective.value, locale)
        if indicator.is_ratio
        else format_number(effective.value, locale)
    )
    if effective.source is TargetSource.INHERITED:
        return _("%(value)s, from %(unit)s", value=value, unit=names.get(effective.from_unit_id))
    if effective.source is TargetSource.SUM_OF_CHILDREN:
        return _("%(value)s, sum of the units below", value=value)
    return value


def write_workbook(campaign: Campaign, root: Unit, rows: Sequence[ExportRow]) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    whole = workbook.add_format({"num_format": "0"})
    info = workbook.add_format({"font_color": "#6c757d"})
    sheet = workbook.add_worksheet(_("Targets")[:31])
    headers = [
        _("Unit code"),
        _("Unit name"),
        _("Indicator code"),
        _("Indicator name"),
        _("Target (percent for ratios)"),
        _("Baseline numerator"),
        _("Baseline denominator"),
        _("Effective target now (not read back)"),
    ]
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header, bold)
    sheet.write_comment(
        0,
        TARGET,
        _(
            "The unit's own target. For a ratio, type the percent: %(example)s. For a count, "
            "a whole number. Leave it empty to take the target of the unit above (ratios) or "
            "the sum of the units below (counts).",
            example="50 = 50%; 82,89 = 82,89%",
        ),
        {"x_scale": 2.5, "y_scale": 2},
    )
    sheet.write_comment(
        0,
        NUMERATOR,
        _(
            "The unit's figures before the campaign. A ratio needs both numerator and "
            "denominator; a count only a numerator."
        ),
        {"x_scale": 2, "y_scale": 1.5},
    )
    sheet.freeze_panes(1, 0)
    sheet.set_column(UNIT_CODE, UNIT_CODE, 12)
    sheet.set_column(UNIT_NAME, UNIT_NAME, 30)
    sheet.set_column(INDICATOR_CODE, INDICATOR_CODE, 16)
    sheet.set_column(INDICATOR_NAME, INDICATOR_NAME, 40)
    sheet.set_column(TARGET, DENOMINATOR, 14)
    sheet.set_column(DENOMINATOR + 1, DENOMINATOR + 1, 32)
    for line, row in enumerate(rows, start=1):
        sheet.write_string(line, UNIT_CODE, safe_text(row.unit.code))
        sheet.write_string(line, UNIT_NAME, safe_text(row.unit.name))
        sheet.write_string(line, INDICATOR_CODE, safe_text(row.indicator.code))
        sheet.write_string(line, INDICATOR_NAME, safe_text(row.indicator.name))
        if row.target is not None:
            if row.indicator.is_ratio:
                sheet.write_number(line, TARGET, round(row.target * 100, 8))
            else:
                sheet.write_number(line, TARGET, row.target, whole)
        if row.baseline_numerator is not None:
            sheet.write_number(line, NUMERATOR, row.baseline_numerator, whole)
        if row.baseline_denominator is not None:
            sheet.write_number(line, DENOMINATOR, row.baseline_denominator, whole)
        sheet.write_string(line, DENOMINATOR + 1, safe_text(row.effective), info)
    signature = workbook.add_worksheet(SIGNATURE_SHEET)
    signature.write_string(0, 0, SIGNATURE)
    signature.write_string(1, 0, safe_text(campaign.code))
    signature.write_string(2, 0, safe_text(root.code))
    signature.hide()
    workbook.close()
    return output.getvalue()


# --- upload ---------------------------------------------------------------------------------


class Formula(str):
    """A cell holding a formula instead of a value."""


def read_targets(path: Path, campaign: Campaign) -> tuple[list[TargetInput], list[Problem]]:
    """The rows of a downloaded-and-edited workbook, and the problems of those that could not
    be read. Raises UploadError when the file is not this campaign's target workbook."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UploadError(_("The file is not a readable .xlsx workbook.")) from None
    try:
        _check_signature(workbook, campaign)
        sheet = workbook.worksheets[0]
        kinds = {indicator.code: indicator.is_ratio for indicator in campaign.indicators}
        inputs: list[TargetInput] = []
        problems: list[Problem] = []
        for line, cells in enumerate(sheet.iter_rows(min_row=2), start=2):
            if line > ROWS_MAX:
                raise UploadError(_("The file has more than %(count)d rows.", count=ROWS_MAX))
            item, row_problems = _read_row(line, cells, kinds)
            problems.extend(row_problems)
            if item is not None and not row_problems:
                inputs.append(item)
    finally:
        workbook.close()
    if not inputs and not problems:
        raise UploadError(_("The file has no rows of targets."))
    return inputs, problems


def _check_signature(workbook, campaign: Campaign) -> None:
    not_ours = UploadError(
        _(
            "This file is not a target workbook of Tiến độ. Download the workbook from the "
            "targets page, fill it in and upload that file."
        )
    )
    if SIGNATURE_SHEET not in workbook.sheetnames or len(workbook.sheetnames) < 2:
        raise not_ours
    values = [
        cell
        for row in workbook[SIGNATURE_SHEET].iter_rows(
            min_row=1, max_row=2, max_col=1, values_only=True
        )
        for cell in row
    ]
    if len(values) < 2 or values[0] != SIGNATURE:
        raise not_ours
    if values[1] != campaign.code:
        raise UploadError(
            _(
                "This workbook belongs to campaign %(other)s, not %(campaign)s.",
                other=str(values[1]),
                campaign=campaign.code,
            )
        )


def _cell(cells, index: int):
    if index >= len(cells):
        return None, ""
    cell = cells[index]
    value = getattr(cell, "value", None)
    if isinstance(value, str) and value.startswith("="):
        value = Formula(value)
    return value, getattr(cell, "number_format", "") or ""


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_row(line: int, cells, kinds: dict[str, bool]) -> tuple[TargetInput | None, list[Problem]]:
    values = {index: _cell(cells, index) for index in range(DENOMINATOR + 1)}
    read = (UNIT_CODE, INDICATOR_CODE, TARGET, NUMERATOR, DENOMINATOR)
    if all(_blank(values[index][0]) for index in read):
        return None, []
    problems = [
        Problem(line, field, _("The cell holds a formula; type the value itself."))
        for index, field in zip(
            read,
            ("unit", "indicator", "target", "baseline_numerator", "baseline_denominator"),
            strict=True,
        )
        if isinstance(values[index][0], Formula)
    ]
    if problems:
        return None, problems
    unit_code = _text(values[UNIT_CODE][0])
    indicator_code = _text(values[INDICATOR_CODE][0])
    if not unit_code:
        problems.append(Problem(line, "unit", _("The unit code is empty.")))
    if not indicator_code:
        problems.append(Problem(line, "indicator", _("The indicator code is empty.")))
    is_ratio = kinds.get(indicator_code)
    target = None
    if is_ratio is not None:
        target = _read_number(line, "target", *values[TARGET], percent=is_ratio, problems=problems)
    numerator = _read_number(line, "baseline_numerator", *values[NUMERATOR], problems=problems)
    denominator = _read_number(
        line, "baseline_denominator", *values[DENOMINATOR], problems=problems
    )
    if problems:
        return None, problems
    return (
        TargetInput(
            unit=unit_code,
            indicator=indicator_code,
            target=target,
            baseline_numerator=numerator,
            baseline_denominator=denominator,
            position=line,
        ),
        [],
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code such as 693 typed as a number
    return str(value).strip()


def _read_number(
    line: int,
    field: str,
    value: object,
    number_format: str,
    *,
    percent: bool = False,
    problems: list[Problem],
) -> float | None:
    """A number cell or text such as "82,89" / "1.080"; for percent columns, 50 and "50%"
    and a cell formatted as percent holding 0.5 all mean 50%."""
    if _blank(value):
        return None
    if isinstance(value, bool | datetime | date):
        problems.append(Problem(line, field, _("“%(value)s” is not a number.", value=value)))
        return None
    if isinstance(value, int | float):
        number = float(value)
        if percent and "%" not in number_format:
            number = number / 100
        return round(number, 10)
    text = str(value).strip()
    has_percent_sign = text.endswith("%")
    try:
        number = parse_decimal(text.removesuffix("%"))
    except ValueError:
        problems.append(Problem(line, field, _("“%(value)s” is not a number.", value=text)))
        return None
    if percent or has_percent_sign:
        number = number / 100
    return round(number, 10)
