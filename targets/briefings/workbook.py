"""A briefing as an Excel workbook: the owner's figures, the figures by level, each group's
ranking, every line of praise and criticism (the dropped ones too, marked, with their note),
the units that did not report, the overdue tasks, the directions and what a correction
changed.

It is written like the results exports (targets.results.excel: a title block above a frozen
header row, figures as numbers with Excel formats, names through safe_text), but from the
briefing's snapshot only, in the briefing's language: a published version gives the same
workbook forever.
"""

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from xlsxwriter.worksheet import Worksheet

from app.units.kinds import kind_label
from targets.briefings.models import Briefing
from targets.briefings.rules import Section
from targets.briefings.text import (
    by_kind,
    change_lines,
    directions_lines,
    heading,
    is_review,
    period_text,
    window_name,
)
from targets.briefings.wording import document_locale
from targets.results.excel import (
    COUNT,
    DECIMAL,
    DECIMAL_CHANGE,
    FIRST_ROW,
    HEADER_ROW,
    MOVEMENT,
    PERCENT,
    PERCENT_CHANGE,
    PERIOD_ROW,
    SCORE,
    SUBJECT_ROW,
    SUMMARY_ROW,
    TITLE_ROW,
    XLSX_MIME,  # noqa: F401  (the pages send the workbook as it)
    Book,
)
from targets.results.rules import Band


def briefing_xlsx(briefing: Briefing) -> bytes:
    with force_locale(document_locale()):
        book = BriefingBook(briefing)
        _figures_sheet(book)
        _levels_sheet(book)
        for group in book.content.get("groups") or []:
            _group_sheet(book, group)
        _lines_sheet(book)
        _not_reported_sheet(book)
        _overdue_sheet(book)
        _directions_sheet(book)
        return book.close()


class BriefingBook(Book):
    """The results' workbook writer, its sheets headed by the briefing's snapshot."""

    def __init__(self, briefing: Briefing):
        self.briefing = briefing
        self.content = briefing.content
        super().__init__(
            briefing.campaign, date.fromisoformat(self.content["day"]), self.content["window"]
        )

    def sheet(self, name: str, subject: str) -> Worksheet:
        sheet = self.workbook.add_worksheet(self._sheet_name(name))
        self.text(sheet, TITLE_ROW, 0, self.content["campaign"]["name"], self.title_format)
        self.text(sheet, SUBJECT_ROW, 0, f"{heading(self.briefing)} – {subject}", self.bold)
        self.text(
            sheet,
            PERIOD_ROW,
            0,
            f"{window_name(self.content)}: {period_text(self.content)}",
        )
        return sheet

    def band_of(self, sheet: Worksheet, row: int, column: int, band: str | None) -> None:
        self.band(sheet, row, column, Band(band) if band else None)


def _figure_format(indicator: dict) -> str:
    return PERCENT if indicator["is_ratio"] else COUNT


def _figures_sheet(book: BriefingBook) -> None:
    content = book.content
    sheet = book.sheet(_("Figures"), content["campaign"]["owner"]["name"])
    if content.get("score") is not None:
        book.text(sheet, SUMMARY_ROW, 0, _("Score"), book.bold)
        book.number(sheet, SUMMARY_ROW, 1, content["score"], SCORE)
        book.band_of(sheet, SUMMARY_ROW, 2, content.get("band"))
    book.headers(
        sheet,
        [
            _("Code"),
            _("Indicator"),
            by_kind(content, _("The day"), _("The last day")),
            window_name(content),
            _("Numerator"),
            _("Denominator"),
            _("Campaign to date"),
            _("Target"),
            _("Achievement"),
            _("Baseline"),
            by_kind(
                content, _("Change since yesterday"), _("Change from the first week to the last")
            ),
            _("On track"),
            _("Forecast"),
            _("At risk"),
        ],
    )
    sheet.freeze_panes(FIRST_ROW, 2)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 13, 13)
    for row, indicator in enumerate(content.get("indicators") or [], start=FIRST_ROW):
        figure = _figure_format(indicator)
        derived = PERCENT if indicator["is_ratio"] else DECIMAL
        window = indicator["window"]
        book.text(sheet, row, 0, indicator["code"])
        book.text(sheet, row, 1, indicator["name"])
        book.number(sheet, row, 2, indicator["day"]["value"], figure)
        book.number(sheet, row, 3, window["value"], figure)
        book.number(sheet, row, 4, window["numerator"], COUNT)
        book.number(sheet, row, 5, window["denominator"], COUNT)
        book.number(sheet, row, 6, indicator["campaign"]["value"], figure)
        book.number(sheet, row, 7, indicator["target"], derived)
        book.number(sheet, row, 8, indicator["achievement"], PERCENT)
        book.number(sheet, row, 9, indicator["baseline"], derived)
        change = PERCENT_CHANGE if indicator["is_ratio"] else DECIMAL_CHANGE
        book.number(sheet, row, 10, indicator["change"], change)
        book.yes_no(sheet, row, 11, indicator["on_track"])
        book.number(sheet, row, 12, indicator["forecast"], derived)
        book.yes_no(sheet, row, 13, indicator["at_risk"])


def _levels_sheet(book: BriefingBook) -> None:
    """One row per level and indicator: its value over the campaign's first week and now."""
    content = book.content
    sheet = book.sheet(_("Levels"), content["campaign"]["owner"]["name"])
    book.headers(
        sheet,
        [
            _("Level"),
            _("Indicator"),
            by_kind(
                content, _("Value in the first week"), _("Value in the first week of the period")
            ),
            window_name(content),
        ],
    )
    sheet.freeze_panes(FIRST_ROW, 2)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 3, 14)
    row = FIRST_ROW
    for level in content.get("levels") or []:
        for indicator in content.get("indicators") or []:
            figures = level["indicators"].get(indicator["code"])
            if figures is None:
                continue
            book.text(sheet, row, 0, level["label"])
            book.text(sheet, row, 1, indicator["name"])
            book.number(sheet, row, 2, figures["first_week"], _figure_format(indicator))
            book.number(sheet, row, 3, figures["now"], _figure_format(indicator))
            row += 1


def _group_sheet(book: BriefingBook, group: dict) -> None:
    # The tab is short (31 characters at most); the title block names the group in full.
    short = group["title"] if group.get("code") else kind_label(group["kind"])
    sheet = book.sheet(_("Ranking – %(group)s", group=short), group["title"])
    indicators = book.content.get("indicators") or []
    headers = [
        _("Rank"),
        _("Movement since yesterday"),
        by_kind(
            book.content,
            _("Movement over 7 days"),
            _("Movement from the first week to the last"),
        ),
        _("Code"),
        _("Unit"),
        _("Score"),
        _("Band"),
        _("Missing"),
    ]
    book.headers(sheet, [*headers, *(indicator["name"] for indicator in indicators)])
    sheet.freeze_panes(FIRST_ROW, 5)
    sheet.set_column(0, 2, 11)
    sheet.set_column(3, 3, 10)
    sheet.set_column(4, 4, 30)
    sheet.set_column(5, 7, 11)
    sheet.set_column(8, 7 + len(indicators), 14)
    for row, unit in enumerate(group["rows"], start=FIRST_ROW):
        book.number(sheet, row, 0, unit["rank"], COUNT)
        book.number(sheet, row, 1, unit.get("movement_1d"), MOVEMENT)
        book.number(sheet, row, 2, unit.get("movement_7d"), MOVEMENT)
        book.text(sheet, row, 3, unit["unit"])
        book.text(sheet, row, 4, unit["name"])
        book.number(sheet, row, 5, unit["score"], SCORE)
        book.band_of(sheet, row, 6, unit["band"])
        if unit["missing"]:
            book.text(sheet, row, 7, _("Yes"))
        for column, indicator in enumerate(indicators, start=8):
            figures = unit["indicators"].get(indicator["code"]) or {}
            book.number(sheet, row, column, figures.get("value"), _figure_format(indicator))


def _lines_sheet(book: BriefingBook) -> None:
    """Every line of praise and criticism, in the briefing's order: the generated ones with
    their reason code, those an administrator dropped (with the note saying why) and those
    they added."""
    sheet = book.sheet(_("Praise and criticism"), book.content["campaign"]["owner"]["name"])
    book.headers(
        sheet,
        [
            _("Section"),
            _("Reason"),
            _("Code"),
            _("Unit"),
            _("Text"),
            _("Dropped"),
            _("Added"),
            _("Note"),
        ],
    )
    sheet.freeze_panes(FIRST_ROW, 0)
    sheet.set_column(0, 1, 18)
    sheet.set_column(2, 2, 10)
    sheet.set_column(3, 3, 28)
    sheet.set_column(4, 4, 80)
    sheet.set_column(5, 6, 10)
    sheet.set_column(7, 7, 40)
    units = {
        item["unit_id"]: (item["unit"], item["name"]) for item in book.content.get("items") or []
    }
    sections = {Section.PRAISE: _("Praise"), Section.CRITICISM: _("Criticism")}
    items = sorted(book.briefing.items, key=lambda item: item.position)
    for row, item in enumerate(items, start=FIRST_ROW):
        book.text(sheet, row, 0, sections.get(item.section, item.section))
        book.text(sheet, row, 1, item.reason)
        if item.unit_id is not None:
            code, name = _unit_of(item, units)
            book.text(sheet, row, 2, code)
            book.text(sheet, row, 3, name)
        book.text(sheet, row, 4, item.text)
        if item.dropped:
            book.text(sheet, row, 5, _("Yes"))
        if item.added:
            book.text(sheet, row, 6, _("Yes"))
        if item.note:
            book.text(sheet, row, 7, item.note)
    if items:
        sheet.autofilter(HEADER_ROW, 0, FIRST_ROW + len(items) - 1, 7)


def _unit_of(item, units: dict[int, tuple[str, str]]) -> tuple[str, str]:
    """The unit of a line as the snapshot names it (a line an administrator added may name
    a unit the snapshot does not: then as it is named now)."""
    if item.unit_id in units:
        return units[item.unit_id]
    return item.unit.code, item.unit.name


def _not_reported_sheet(book: BriefingBook) -> None:
    """The units without figures for the day (a review: with their days without figures)."""
    review = is_review(book.content)
    sheet = book.sheet(_("Not reported"), book.content["campaign"]["owner"]["name"])
    book.headers(sheet, [_("Code"), _("Unit"), _("Level"), *([_("Days")] if review else [])])
    sheet.freeze_panes(FIRST_ROW, 0)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 3, 18)
    for row, unit in enumerate(book.content.get("not_reported") or [], start=FIRST_ROW):
        book.text(sheet, row, 0, unit["unit"])
        book.text(sheet, row, 1, unit["name"])
        book.text(sheet, row, 2, kind_label(unit["kind"]))
        if review:
            book.number(sheet, row, 3, unit["days"], COUNT)


def _overdue_sheet(book: BriefingBook) -> None:
    sheet = book.sheet(_("Overdue tasks"), book.content["campaign"]["owner"]["name"])
    book.headers(sheet, [_("Task"), _("Due date"), _("Code"), _("Unit")])
    sheet.freeze_panes(FIRST_ROW, 0)
    sheet.set_column(0, 0, 50)
    sheet.set_column(1, 2, 12)
    sheet.set_column(3, 3, 36)
    row = FIRST_ROW
    for task in book.content.get("overdue_tasks") or []:
        for unit in task["units"]:
            book.text(sheet, row, 0, task["title"])
            book.date(sheet, row, 1, date.fromisoformat(task["due_date"]))
            book.text(sheet, row, 2, unit["unit"])
            book.text(sheet, row, 3, unit["name"])
            row += 1


def _directions_sheet(book: BriefingBook) -> None:
    """The directions, line by line, then what a correction changed."""
    sheet = book.sheet(_("Directions"), book.content["campaign"]["owner"]["name"])
    sheet.set_column(0, 0, 120)
    book.headers(sheet, [_("Directions")])
    row = FIRST_ROW
    for line in directions_lines(book.briefing):
        book.text(sheet, row, 0, line)
        row += 1
    changes = change_lines(book.briefing)
    if changes:
        row += 1
        book.text(sheet, row, 0, _("What changed since the version before"), book.header_format)
        for line in changes:
            row += 1
            book.text(sheet, row, 0, line)
