"""Excel exports of the results: a unit's overview, a peer group's ranking, the units ×
indicators matrix. Every figure comes from the engine, so a workbook reads to the digit as
the page it was downloaded from.

Every sheet opens with a title block (campaign, unit or group, day and window) above a
frozen header row. Figures are numbers with Excel formats (percent for ratios, thousands
separators for counts), so they can be added up and re-sorted; a figure that does not exist
is an empty cell. Scores and achievements are coloured by band, with the campaign's own
limits, through conditional formats, so the colours follow an edited value. Names from the
database go through safe_text: a unit called "=HYPERLINK(...)" stays text.
"""

import io
import re
from collections.abc import Sequence
from datetime import date, datetime

import xlsxwriter
from flask_babel import gettext as _
from xlsxwriter.worksheet import Worksheet

from app.formatting import format_date
from app.spreadsheets import safe_text
from app.units.kinds import kind_label
from app.units.models import Unit
from campaigns.models import Campaign, Indicator
from targets.results import engine
from targets.results.charts import Trend, trends
from targets.results.labels import band_colour, band_label, group_title, window_label
from targets.results.rules import Band, IndicatorScore, Status, value_of

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Rows of every sheet: the title block, a summary line, the header, then the data.
TITLE_ROW, SUBJECT_ROW, PERIOD_ROW, SUMMARY_ROW, HEADER_ROW = range(5)
FIRST_ROW = HEADER_ROW + 1

PERCENT = "0.00%"
COUNT = "#,##0"
DECIMAL = "#,##0.00"
SCORE = "0.00"
PERCENT_CHANGE = "+0.00%;-0.00%;0.00%"
DECIMAL_CHANGE = "+#,##0.00;-#,##0.00;0"
MOVEMENT = "+0;-0;0"
DAY = "dd/mm/yyyy"

SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Where the trend sheet's charts start, right of its figures; rows between two charts.
CHART_GAP_COLUMNS = 1
CHART_ROWS = 16


# --- the three workbooks ---------------------------------------------------------------------


def unit_workbook(campaign: Campaign, unit: Unit, day: date, window: str) -> bytes:
    """The unit's overview: its indicators and score, the figures by level, the ranking of
    each peer group below it, and the daily trend of each indicator with a chart."""
    result = engine.unit_result(campaign, unit, day, window)
    book = Book(campaign, day, window)
    _indicator_sheet(book, result)
    _level_sheet(book, unit, engine.level_breakdown(campaign, unit, day, window))
    for group in engine.default_groups(campaign, unit) + engine.campaign_groups(campaign, unit):
        _group_sheet(book, group, engine.rank_group(campaign, group, day, window))
    _trend_sheet(book, unit, trends(campaign, unit, day, window))
    return book.close()


def ranking_workbook(campaign: Campaign, group: engine.Group, day: date, window: str) -> bytes:
    book = Book(campaign, day, window)
    _group_sheet(book, group, engine.rank_group(campaign, group, day, window))
    return book.close()


def matrix_workbook(
    campaign: Campaign, unit: Unit, kind: str | None, day: date, window: str, order: str
) -> bytes:
    """Every unit of `kind` below the unit: its rank, score and band, and its achievement
    of each indicator, in the order chosen on the page."""
    found = engine.matrix(campaign, unit, kind, day, window)
    book = Book(campaign, day, window)
    subject = (
        _("%(kind)s units below %(unit)s", kind=kind_label(found.kind), unit=unit.name)
        if found.kind
        else unit.name
    )
    sheet = book.sheet(_("Matrix"), subject)
    indicators = list(campaign.indicators)
    headers = [_("Rank"), _("Code"), _("Unit"), _("Score"), _("Band")]
    book.headers(sheet, [*headers, *(indicator.name for indicator in indicators)])
    sheet.freeze_panes(FIRST_ROW, 3)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 2, 30)
    sheet.set_column(3, 4, 10)
    sheet.set_column(5, 4 + len(indicators), 14)
    row = FIRST_ROW
    for standing in engine.sort_standings(found.standings, order):
        book.number(sheet, row, 0, standing.rank, COUNT)
        book.text(sheet, row, 1, standing.unit.code)
        book.text(sheet, row, 2, standing.unit.name)
        book.number(sheet, row, 3, standing.score, SCORE)
        book.band(sheet, row, 4, standing.band)
        for column, indicator in enumerate(indicators, start=5):
            scored = standing.result.of(indicator.id)
            book.number(sheet, row, column, shown_achievement(scored), PERCENT)
        row += 1
    book.band_colours(sheet, 3, row - 1, fractions=False)
    for column in range(5, 5 + len(indicators)):
        book.band_colours(sheet, column, row - 1, fractions=True)
    return book.close()


def shown_achievement(scored: IndicatorScore | None) -> float | None:
    """The achievement a reader sees: uncapped when scored, 0 when not reported (it counts
    0), none when the indicator is left out of the score."""
    if scored is None:
        return None
    if scored.status is Status.SCORED:
        return scored.achievement
    return scored.capped_achievement


# --- the sheets ------------------------------------------------------------------------------


def _indicator_sheet(book: "Book", result: engine.UnitResult) -> None:
    sheet = book.sheet(_("Indicators"), result.unit.name)
    book.text(sheet, SUMMARY_ROW, 0, _("Score"), book.bold)
    book.number(sheet, SUMMARY_ROW, 1, result.score, SCORE)
    book.band(sheet, SUMMARY_ROW, 2, result.band)
    book.band_colours(sheet, 1, SUMMARY_ROW, first_row=SUMMARY_ROW, fractions=False)
    if result.standing is not None and result.standing.rank is not None:
        book.text(
            sheet,
            SUMMARY_ROW,
            3,
            _("Rank %(rank)s of %(size)s", rank=result.standing.rank, size=result.group_size),
        )
    if result.missing:
        book.text(sheet, SUMMARY_ROW, 5, _("No figures in this window"))
    book.headers(
        sheet,
        [
            _("Code"),
            _("Indicator"),
            _("Value"),
            _("Numerator"),
            _("Denominator"),
            _("Target"),
            _("Achievement"),
            _("Change since yesterday"),
            _("On track"),
            _("Forecast"),
            _("At risk"),
            _("Weight"),
            _("Contribution (points)"),
        ],
    )
    sheet.freeze_panes(FIRST_ROW, 2)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 12, 13)
    row = FIRST_ROW
    for item in result.indicators:
        indicator, scored = item.indicator, item.scored
        figure = PERCENT if indicator.is_ratio else COUNT
        derived = PERCENT if indicator.is_ratio else DECIMAL
        reported = scored.totals.reported
        book.text(sheet, row, 0, indicator.code)
        book.text(sheet, row, 1, indicator.name)
        book.number(sheet, row, 2, item.value, figure)
        book.number(sheet, row, 3, scored.totals.numerator if reported else None, COUNT)
        book.number(sheet, row, 4, scored.totals.denominator if reported else None, COUNT)
        book.number(sheet, row, 5, scored.target, derived)
        book.number(sheet, row, 6, shown_achievement(scored), PERCENT)
        change = PERCENT_CHANGE if indicator.is_ratio else DECIMAL_CHANGE
        book.number(sheet, row, 7, item.change, change)
        book.yes_no(sheet, row, 8, item.on_track)
        book.number(sheet, row, 9, item.forecast, derived)
        book.yes_no(sheet, row, 10, item.at_risk)
        book.number(sheet, row, 11, indicator.weight, DECIMAL)
        book.number(sheet, row, 12, scored.contribution if scored.counted else None, SCORE)
        row += 1
    book.band_colours(sheet, 6, row - 1, fractions=True)


def _level_sheet(book: "Book", unit: Unit, levels: Sequence[engine.LevelFigures]) -> None:
    """One row per level and indicator: the figures entered by the units of that kind, over
    the window and over the campaign's first week."""
    sheet = book.sheet(_("Levels"), unit.name)
    book.headers(
        sheet,
        [
            _("Level"),
            _("Indicator"),
            _("Numerator"),
            _("Denominator"),
            _("Value"),
            _("Value in the first week"),
        ],
    )
    sheet.freeze_panes(FIRST_ROW, 2)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 5, 14)
    row = FIRST_ROW
    for level in levels:
        for indicator in book.campaign.indicators:
            now = level.now.get(indicator.id)
            first = level.first_week.get(indicator.id)
            if now is None and first is None:
                continue
            figure = PERCENT if indicator.is_ratio else COUNT
            book.text(sheet, row, 0, kind_label(level.kind))
            book.text(sheet, row, 1, indicator.name)
            if now is not None and now.reported:
                book.number(sheet, row, 2, now.numerator, COUNT)
                book.number(sheet, row, 3, now.denominator, COUNT)
            for column, totals in ((4, now), (5, first)):
                value = value_of(totals, indicator.is_ratio) if totals is not None else None
                book.number(sheet, row, column, value, figure)
            row += 1
    if row > FIRST_ROW:
        sheet.autofilter(HEADER_ROW, 0, row - 1, 5)


def _group_sheet(book: "Book", group: engine.Group, standings: Sequence[engine.Standing]) -> None:
    # The sheet's tab is short (31 characters at most); its title row names the group in full.
    short = group.peer_group.name if group.peer_group else kind_label(group.kind)
    sheet = book.sheet(_("Ranking – %(group)s", group=short), group_title(group))
    indicators = list(book.campaign.indicators)
    headers = [
        _("Rank"),
        _("Movement since yesterday"),
        _("Movement over 7 days"),
        _("Code"),
        _("Unit"),
        _("Score"),
        _("Band"),
        _("Missing"),
    ]
    book.headers(sheet, [*headers, *(indicator.name for indicator in indicators)])
    sheet.freeze_panes(FIRST_ROW, 5)
    sheet.set_column(0, 2, 11)
    sheet.set_column(3, 3, 10)
    sheet.set_column(4, 4, 30)
    sheet.set_column(5, 7, 11)
    sheet.set_column(8, 7 + len(indicators), 14)
    row = FIRST_ROW
    for standing in standings:
        book.number(sheet, row, 0, standing.rank, COUNT)
        book.number(sheet, row, 1, standing.movement(1), MOVEMENT)
        book.number(sheet, row, 2, standing.movement(7), MOVEMENT)
        book.text(sheet, row, 3, standing.unit.code)
        book.text(sheet, row, 4, standing.unit.name)
        book.number(sheet, row, 5, standing.score, SCORE)
        book.band(sheet, row, 6, standing.band)
        if standing.missing:
            book.text(sheet, row, 7, _("Yes"))
        for column, indicator in enumerate(indicators, start=8):
            scored = standing.result.of(indicator.id)
            book.number(
                sheet,
                row,
                column,
                scored.value if scored else None,
                PERCENT if indicator.is_ratio else COUNT,
            )
        row += 1
    book.band_colours(sheet, 5, row - 1, fractions=False)


def _trend_sheet(book: "Book", unit: Unit, found: dict[int, Trend]) -> None:
    """The window's figure of each indicator day by day, beside its target, and a line chart
    of the two for each indicator."""
    sheet = book.sheet(_("Trend"), unit.name)
    indicators = [indicator for indicator in book.campaign.indicators if indicator.id in found]
    headers = [_("Date")]
    for indicator in indicators:
        headers += [indicator.name, _("Target: %(indicator)s", indicator=indicator.name)]
    book.headers(sheet, headers)
    sheet.freeze_panes(FIRST_ROW, 1)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 2 * len(indicators), 16)
    days = [when for when, _value in found[indicators[0].id].detail.series] if indicators else []
    for offset, when in enumerate(days):
        book.date(sheet, FIRST_ROW + offset, 0, when)
    last_row = FIRST_ROW + len(days) - 1
    chart_column = 2 * len(indicators) + 1 + CHART_GAP_COLUMNS
    for position, indicator in enumerate(indicators):
        trend = found[indicator.id]
        column = 1 + 2 * position
        figure = PERCENT if indicator.is_ratio else COUNT
        target = PERCENT if indicator.is_ratio else DECIMAL  # a count's share of the days
        for offset, (_when, value) in enumerate(trend.detail.series):
            book.number(sheet, FIRST_ROW + offset, column, value, figure)
            book.number(sheet, FIRST_ROW + offset, column + 1, trend.targets[offset], target)
        if days:
            sheet.insert_chart(
                HEADER_ROW + position * CHART_ROWS,
                chart_column,
                book.line_chart(sheet, indicator, column, last_row),
            )


# --- writing ---------------------------------------------------------------------------------


class Book:
    """A workbook being written for one campaign, day and window: its formats, and cells
    written the one safe way (numbers as numbers, names as text that is never a formula)."""

    def __init__(self, campaign: Campaign, day: date, window: str):
        self.campaign = campaign
        self.day = day
        self.window = window
        self.limits = engine.band_limits(campaign)
        self.output = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(
            self.output,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        add = self.workbook.add_format
        self.title_format = add({"bold": True, "font_size": 14})
        self.bold = add({"bold": True})
        self.header_format = add(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#e9ecef", "border": 1}
        )
        self.formats = {
            pattern: add({"num_format": pattern})
            for pattern in (
                PERCENT,
                COUNT,
                DECIMAL,
                SCORE,
                PERCENT_CHANGE,
                DECIMAL_CHANGE,
                MOVEMENT,
                DAY,
            )
        }
        self.band_cells = {
            band: add({"bg_color": band_colour(band).light, "font_color": band_colour(band).text})
            for band in Band
        }
        # Conditional formats are kept apart from cell formats (Excel stores them apart).
        self.band_highlights = {
            band: add({"bg_color": band_colour(band).light, "font_color": band_colour(band).text})
            for band in Band
        }
        self.sheet_names: set[str] = set()

    def close(self) -> bytes:
        self.workbook.close()
        return self.output.getvalue()

    def sheet(self, name: str, subject: str) -> Worksheet:
        """A new sheet with its title block: the campaign, `subject`, the day and window."""
        sheet = self.workbook.add_worksheet(self._sheet_name(name))
        period = engine.period_of(self.campaign, self.window, self.day)
        self.text(sheet, TITLE_ROW, 0, self.campaign.name, self.title_format)
        self.text(sheet, SUBJECT_ROW, 0, subject, self.bold)
        self.text(
            sheet,
            PERIOD_ROW,
            0,
            _(
                "Date %(day)s, %(window)s (%(start)s–%(end)s)",
                day=format_date(self.day),
                window=window_label(self.window),
                start=format_date(period.start),
                end=format_date(period.end),
            ),
        )
        return sheet

    def _sheet_name(self, wanted: str) -> str:
        """A name Excel accepts: no []:*?/\\, no apostrophe at either end, at most 31
        characters, unique whatever the case."""
        base = " ".join(SHEET_NAME_FORBIDDEN.sub(" ", wanted).split()).strip("'").strip()
        base = base[:SHEET_NAME_MAX].strip() or _("Sheet")
        name, copy = base, 1
        while name.lower() in self.sheet_names:
            copy += 1
            suffix = f" ({copy})"
            name = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        self.sheet_names.add(name.lower())
        return name

    def headers(self, sheet: Worksheet, titles: Sequence[str]) -> None:
        for column, title in enumerate(titles):
            self.text(sheet, HEADER_ROW, column, title, self.header_format)

    def text(self, sheet: Worksheet, row: int, column: int, text: str, cell_format=None):
        sheet.write_string(row, column, safe_text(text), cell_format)

    def number(self, sheet: Worksheet, row: int, column: int, value, pattern: str) -> None:
        if value is None:
            sheet.write_blank(row, column, None, self.formats[pattern])
        else:
            sheet.write_number(row, column, value, self.formats[pattern])

    def date(self, sheet: Worksheet, row: int, column: int, day: date) -> None:
        sheet.write_datetime(
            row, column, datetime.combine(day, datetime.min.time()), self.formats[DAY]
        )

    def yes_no(self, sheet: Worksheet, row: int, column: int, value: bool | None) -> None:
        if value is not None:
            self.text(sheet, row, column, _("Yes") if value else _("No"))

    def band(self, sheet: Worksheet, row: int, column: int, band: Band | None) -> None:
        if band is not None:
            self.text(sheet, row, column, band_label(band), self.band_cells[band])

    def band_colours(
        self,
        sheet: Worksheet,
        column: int,
        last_row: int,
        *,
        fractions: bool,
        first_row: int = FIRST_ROW,
    ) -> None:
        """Colour the cells of a column by the band of their value, with the campaign's band
        limits: scores as they are, achievements (`fractions`) against the limits ÷ 100."""
        if last_row < first_row:
            return
        area = (first_row, column, last_row, column)
        # An empty cell reads as 0 to the rules below: leave it uncoloured.
        sheet.conditional_format(*area, {"type": "blanks", "stop_if_true": True})
        for band, lowest in (
            (Band.EXCELLENT, self.limits.excellent),
            (Band.GOOD, self.limits.good),
            (Band.FAIR, self.limits.fair),
            (Band.AVERAGE, self.limits.average),
        ):
            sheet.conditional_format(
                *area,
                {
                    "type": "cell",
                    "criteria": ">=",
                    "value": lowest / 100 if fractions else lowest,
                    "format": self.band_highlights[band],
                    "stop_if_true": True,
                },
            )
        sheet.conditional_format(
            *area,
            {
                "type": "cell",
                "criteria": "<",
                "value": self.limits.average / 100 if fractions else self.limits.average,
                "format": self.band_highlights[Band.WEAK],
            },
        )

    def line_chart(self, sheet: Worksheet, indicator: Indicator, column: int, last_row: int):
        """A native Excel line chart of an indicator's column and its target's beside it."""
        chart = self.workbook.add_chart({"type": "line"})
        dates = [sheet.name, FIRST_ROW, 0, last_row, 0]
        for offset, colour, dash in ((0, "#0d6efd", "solid"), (1, "#dc3545", "dash")):
            chart.add_series(
                {
                    "name": [sheet.name, HEADER_ROW, column + offset],
                    "categories": dates,
                    "values": [sheet.name, FIRST_ROW, column + offset, last_row, column + offset],
                    "line": {
                        "color": colour,
                        "width": 2 if offset == 0 else 1.25,
                        "dash_type": dash,
                    },
                }
            )
        # A chart title that starts with "=" would be read as a reference to a cell.
        chart.set_title({"name": safe_text(indicator.name), "name_font": {"size": 11}})
        chart.set_x_axis({"date_axis": True, "num_format": "dd/mm", "num_font": {"rotation": -45}})
        chart.set_y_axis({"num_format": "0%" if indicator.is_ratio else "#,##0", "min": 0})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 640, "height": 300})
        return chart
