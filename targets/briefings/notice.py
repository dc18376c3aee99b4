"""A briefing as a Word file in the layout of an official notice (thông báo), after Decree
30/2020/NĐ-CP on administrative documents: A4, margins 2 cm top and bottom, 3 cm left, 2 cm
right; Times New Roman 13 pt.

The header is a table without borders. Left: the superior body ("UBND TỈNH BÌNH PHƯỚC"), the
issuer in bold upper case with a short rule under it, and "Số: 12/TB-STTTT". Right: the
national name, the motto in bold, underlined, and the place and date in italics. Then
"THÔNG BÁO", the subject, the legal basis, sections I–VII (figures, levels, rankings, praise,
criticism, units not reported and overdue tasks, directions), "Nơi nhận:" and the signature
block. A correction (version 2 and after) says so under the subject and lists what changed.

Everything comes from the briefing's snapshot, in the briefing's language.
"""

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.formatting import format_date, format_number
from targets.briefings.models import Briefing
from targets.briefings.rules import Section
from targets.briefings.text import (
    by_kind,
    campaign_day_text,
    change_lines,
    directions_lines,
    figure,
    is_final_report,
    is_review,
    not_reported_sentence,
    progress_text,
    shown_items,
    window_name,
)
from targets.briefings.wording import document_locale
from targets.results.labels import band_label
from targets.results.rules import Band

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

FONT = "Times New Roman"
BODY_SIZE = Pt(13)
TITLE_SIZE = Pt(14)
HEADER_SIZE = Pt(12)  # the national name and the superior body fit their column at 12 pt
TABLE_SIZE = Pt(11)
SMALL_SIZE = Pt(11)  # the recipients' list
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
TOP, BOTTOM, LEFT, RIGHT = Cm(2), Cm(2), Cm(3), Cm(2)
TEXT_WIDTH_CM = 16  # 21 − 3 − 2
HEADER_COLUMNS_CM = (6.5, 9.5)
FOOTER_COLUMNS_CM = (7.0, 9.0)
FIRST_LINE_INDENT = Cm(1)
# A ranking longer than this shows its first and last RANKING_ENDS units only.
RANKING_ROWS_MAX = 10
RANKING_ENDS = 5
NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII")
# What follows a paragraph's borders in its properties: Word refuses them in another order.
AFTER_BORDERS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def briefing_docx(briefing: Briefing) -> bytes:
    with force_locale(document_locale()):
        notice = Notice(briefing)
        notice.write()
        return notice.save()


class Notice:
    def __init__(self, briefing: Briefing):
        self.briefing = briefing
        self.content = briefing.content
        self.campaign = self.content["campaign"]
        self.document = Document()
        self._set_up_page()

    # --- the parts, top to bottom -----------------------------------------------------------

    def write(self) -> None:
        self._header()
        self._title()
        self._basis()
        self._corrections()
        sections = [
            (_("RESULTS BY INDICATOR"), self._indicators),
            (_("RESULTS BY LEVEL"), self._levels),
            (_("RANKINGS"), self._rankings),
            (_("PRAISE"), lambda: self._items(Section.PRAISE)),
            (_("CRITICISM"), lambda: self._items(Section.CRITICISM)),
            (_("UNITS NOT REPORTED AND OVERDUE TASKS"), self._missing),
            (_("DIRECTIONS"), self._directions),
        ]
        for numeral, (title, write) in zip(NUMERALS, sections, strict=True):
            self.heading(f"{numeral}. {title}")
            write()
        self._footer()

    def _header(self) -> None:
        if self.briefing.is_draft:
            self.paragraph(_("DRAFT"), bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
        table = self.borderless_table(2, HEADER_COLUMNS_CM)
        left, right = table.rows[0].cells
        owner = self.campaign["owner"]["name"].upper()
        issuer = self.campaign["issuer_name"].strip()
        if issuer:
            self.cell_line(left, _("PEOPLE'S COMMITTEE OF %(unit)s", unit=owner), HEADER_SIZE)
            self.cell_line(left, issuer.upper(), HEADER_SIZE, bold=True)
        else:
            self.cell_line(left, _("PEOPLE'S COMMITTEE"), HEADER_SIZE, bold=True)
            self.cell_line(left, owner, HEADER_SIZE, bold=True)
        self.rule(left, width_cm=2.5, column_cm=HEADER_COLUMNS_CM[0])
        self.cell_line(right, _("SOCIALIST REPUBLIC OF VIETNAM"), HEADER_SIZE, bold=True)
        motto = self.cell_line(right, _("Independence - Freedom - Happiness"), BODY_SIZE)
        motto.runs[0].bold = True
        motto.runs[0].underline = True
        number_cell, date_cell = table.add_row().cells
        self.cell_line(number_cell, notice_number(self.briefing), BODY_SIZE)
        self.cell_line(date_cell, place_and_date(self.briefing), BODY_SIZE, italic=True)
        _set_widths(table, HEADER_COLUMNS_CM)

    def _title(self) -> None:
        kind = _("REPORT") if is_final_report(self.content) else _("NOTICE")
        self.paragraph(kind, bold=True, size=TITLE_SIZE, space_before=Pt(12))
        self.paragraph(subject(self.briefing), bold=True, size=TITLE_SIZE)
        if self.briefing.version > 1:
            self.paragraph(
                _("(Correction no. %(number)d)", number=self.briefing.version - 1), italic=True
            )
        self.rule_paragraph(width_cm=4)

    def _basis(self) -> None:
        basis = self.campaign["legal_basis"].strip()
        if basis:
            self.body(_("Pursuant to %(basis)s;", basis=basis), italic=True)
        issuer = issuer_name(self.campaign)
        day = format_date(date.fromisoformat(self.content["day"]))
        progress = self.content.get("progress")
        start = format_date(date.fromisoformat(self.content["period"]["start"]))
        if is_final_report(self.content):
            self.body(
                _(
                    "%(issuer)s reports the results of the campaign from %(start)s to %(end)s "
                    "as follows:",
                    issuer=issuer,
                    start=start,
                    end=day,
                )
            )
        elif is_review(self.content):
            self.body(
                _(
                    "%(issuer)s gives notice of the results from %(start)s to %(end)s as follows:",
                    issuer=issuer,
                    start=start,
                    end=day,
                )
            )
        elif progress and progress.get("day"):
            self.body(
                _(
                    "%(issuer)s gives notice of the results up to %(day)s (%(progress)s) as "
                    "follows:",
                    issuer=issuer,
                    day=day,
                    progress=campaign_day_text(progress),
                )
            )
        else:
            self.body(
                _(
                    "%(issuer)s gives notice of the results up to %(day)s as follows:",
                    issuer=issuer,
                    day=day,
                )
            )

    def _corrections(self) -> None:
        if self.briefing.version == 1:
            return
        self.body(_("This notice corrects the version issued before it. What changed:"))
        lines = change_lines(self.briefing)
        for line in lines or [_("No figure changed.")]:
            self.body("- " + line)

    def _indicators(self) -> None:
        content = self.content
        if content.get("score") is not None and content.get("band"):
            self.body(
                _(
                    "Score of %(unit)s: %(score)s (%(band)s).",
                    unit=self.campaign["owner"]["name"],
                    score=format_number(content["score"], document_locale()),
                    band=band_label(Band(content["band"])),
                )
            )
        indicators = content.get("indicators") or []
        if not indicators:
            self.body(_("No indicators."))
            return
        headers = [
            _("Indicator"),
            by_kind(content, _("The day"), _("The last day")),
            window_name(content),
            _("Campaign to date"),
            _("Target"),
            _("Baseline → now"),
            _("Progress"),
        ]
        rows = []
        for indicator in indicators:
            is_ratio = indicator["is_ratio"]
            now = indicator["window"]["value"]
            rows.append(
                [
                    indicator["name"],
                    figure(indicator["day"]["value"], is_ratio),
                    figure(now, is_ratio),
                    figure(indicator["campaign"]["value"], is_ratio),
                    figure(indicator["target"], is_ratio),
                    f"{figure(indicator['baseline'], is_ratio)} → {figure(now, is_ratio)}",
                    progress_text(indicator) or "–",
                ]
            )
        self.grid(headers, rows, widths_cm=(4.2, 1.8, 1.8, 1.8, 1.6, 2.6, 2.2))

    def _levels(self) -> None:
        levels = self.content.get("levels") or []
        indicators = self.content.get("indicators") or []
        if not levels or not indicators:
            self.body(_("No figures by level."))
            return
        self.body(
            by_kind(
                self.content,
                _("Each level: its first week of the campaign → now."),
                _("Each level: the first week of the period → the whole period."),
            )
        )
        rows = []
        for level in levels:
            row = [level["label"]]
            for indicator in indicators:
                figures = level["indicators"].get(indicator["code"], {})
                is_ratio = indicator["is_ratio"]
                row.append(
                    f"{figure(figures.get('first_week'), is_ratio)} → "
                    f"{figure(figures.get('now'), is_ratio)}"
                )
            rows.append(row)
        first = 3.0
        rest = (TEXT_WIDTH_CM - first) / len(indicators)
        self.grid(
            [_("Level"), *(indicator["name"] for indicator in indicators)],
            rows,
            widths_cm=(first, *([rest] * len(indicators))),
        )

    def _rankings(self) -> None:
        groups = self.content.get("groups") or []
        if not groups:
            self.body(_("No groups to rank."))
            return
        locale = document_locale()
        for group in groups:
            rows = group["rows"]
            self.heading(group["title"], italic=True)
            shown = rows
            if len(rows) > RANKING_ROWS_MAX:
                self.body(
                    _(
                        "%(count)d units: the first %(ends)d and the last %(ends)d.",
                        count=len(rows),
                        ends=RANKING_ENDS,
                    ),
                    italic=True,
                )
                shown = [*rows[:RANKING_ENDS], None, *rows[-RANKING_ENDS:]]
            movement = by_kind(
                self.content,
                _("Movement over 7 days"),
                _("Movement from the first week to the last"),
            )
            self.grid(
                [_("Rank"), _("Unit"), _("Score"), _("Band"), movement],
                [
                    ["…", "…", "", "", ""]
                    if row is None
                    else [
                        "–" if row["rank"] is None else str(row["rank"]),
                        row["name"],
                        format_number(row["score"], locale),
                        band_label(Band(row["band"])) if row["band"] else "–",
                        _movement(row.get("movement_7d")),
                    ]
                    for row in shown
                ],
                widths_cm=(1.6, 6.4, 2.2, 2.8, 3.0),
            )

    def _items(self, section: str) -> None:
        items = shown_items(self.briefing, section)
        if not items:
            self.body(_("None."))
        for item in items:
            self.body("- " + item.text)

    def _missing(self) -> None:
        if self.content.get("not_reported"):
            self.body(not_reported_sentence(self.content))
        else:
            self.body(_("Every unit reported."))
        tasks = self.content.get("overdue_tasks") or []
        for task in tasks:
            self.body(
                _(
                    "Overdue task “%(task)s” (due %(due)s): %(units)s.",
                    task=task["title"],
                    due=format_date(date.fromisoformat(task["due_date"])),
                    units=", ".join(unit["name"] for unit in task["units"]),
                )
            )
        if not tasks:
            self.body(_("No task is overdue."))

    def _directions(self) -> None:
        lines = directions_lines(self.briefing)
        for line in lines or [_("None.")]:
            self.body(line)

    def _footer(self) -> None:
        self.document.add_paragraph()
        table = self.borderless_table(2, FOOTER_COLUMNS_CM)
        recipients, signature = table.rows[0].cells
        heading = self.cell_line(recipients, _("Recipients:"), HEADER_SIZE, bold=True, italic=True)
        heading.alignment = WD_ALIGN_PARAGRAPH.LEFT
        lines = [
            _("- The units of the campaign;"),
            _("- Filed: VT, %(code)s.", code=self.campaign["issuer_code"].strip() or "VP"),
        ]
        if self.campaign["issuer_name"].strip():
            owner = self.campaign["owner"]["name"]
            lines.insert(0, _("- People's Committee of %(unit)s (to report);", unit=owner))
        for line in lines:
            self.cell_line(recipients, line, SMALL_SIZE).alignment = WD_ALIGN_PARAGRAPH.LEFT
        self.cell_line(signature, issuer_name(self.campaign).upper(), BODY_SIZE, bold=True)

    # --- building blocks --------------------------------------------------------------------

    def _set_up_page(self) -> None:
        section = self.document.sections[0]
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = TOP, BOTTOM
        section.left_margin, section.right_margin = LEFT, RIGHT
        normal = self.document.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = BODY_SIZE
        # Word picks the East Asian font for some Vietnamese letters: name it too.
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
        normal.paragraph_format.space_after = Pt(3)
        properties = self.document.core_properties
        properties.title = subject(self.briefing)
        properties.author = issuer_name(self.campaign)
        properties.last_modified_by = ""
        moment = self.briefing.published_at or self.briefing.created_at
        properties.created = properties.modified = moment.astimezone(UTC).replace(tzinfo=None)
        properties.revision = self.briefing.version

    def paragraph(
        self,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        size: Pt | None = None,
        align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.CENTER,
        space_before: Pt | None = None,
    ) -> Paragraph:
        paragraph = self.document.add_paragraph()
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size is not None:
            run.font.size = size
        if align is not None:
            paragraph.alignment = align
        if space_before is not None:
            paragraph.paragraph_format.space_before = space_before
        return paragraph

    def heading(self, text: str, *, italic: bool = False) -> Paragraph:
        """A section's title: bold, indented like the text, kept with what follows."""
        paragraph = self.paragraph(
            text, bold=True, italic=italic, align=WD_ALIGN_PARAGRAPH.LEFT, space_before=Pt(6)
        )
        paragraph.paragraph_format.first_line_indent = FIRST_LINE_INDENT
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def body(self, text: str, *, italic: bool = False) -> Paragraph:
        """A paragraph of the text: justified, its first line indented."""
        paragraph = self.paragraph(text, italic=italic, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        paragraph.paragraph_format.first_line_indent = FIRST_LINE_INDENT
        return paragraph

    def borderless_table(self, columns: int, widths_cm: tuple[float, ...]) -> Table:
        table = self.document.add_table(rows=1, cols=columns)  # "Normal Table": no borders
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _set_widths(table, widths_cm)
        return table

    def cell_line(
        self, cell: _Cell, text: str, size: Pt, *, bold: bool = False, italic: bool = False
    ) -> Paragraph:
        """A centred line in a header cell (the cell's first, empty paragraph first)."""
        first = cell.paragraphs[0]
        paragraph = first if not first.text and not first.runs else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = size
        return paragraph

    def rule(self, cell: _Cell, *, width_cm: float, column_cm: float) -> None:
        """The short line under the issuer's name: the top border of an empty paragraph
        indented to `width_cm` in the middle of its column."""
        paragraph = cell.add_paragraph()
        _short_rule(paragraph, width_cm, column_cm)

    def rule_paragraph(self, *, width_cm: float) -> None:
        _short_rule(self.document.add_paragraph(), width_cm, TEXT_WIDTH_CM)

    def grid(self, headers: list[str], rows: list[list[str]], *, widths_cm) -> Table:
        """A table with borders: a bold header row, then the rows; figures on the right."""
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            _cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _repeat_as_header(table.rows[0])
        for values in rows:
            cells = table.add_row().cells
            for column, (cell, text) in enumerate(zip(cells, values, strict=True)):
                align = WD_ALIGN_PARAGRAPH.LEFT if column == 0 else WD_ALIGN_PARAGRAPH.CENTER
                _cell_text(cell, text, align=align)
        _set_widths(table, widths_cm)
        return table

    def save(self) -> bytes:
        output = io.BytesIO()
        self.document.save(output)
        return output.getvalue()


def _set_widths(table: Table, widths_cm: tuple[float, ...]) -> None:
    """Column widths as Word reads them (each cell) and as LibreOffice does (the grid)."""
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _cell_text(
    cell: _Cell, text: str, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None
) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = TABLE_SIZE


def _repeat_as_header(row) -> None:
    """The header row is printed again at the top of each page the table runs onto."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _short_rule(paragraph: Paragraph, width_cm: float, column_cm: float) -> None:
    side = Cm((column_cm - width_cm) / 2)
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    paragraph.paragraph_format.space_after = Pt(0)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        top.set(qn(name), value)
    borders.append(top)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *AFTER_BORDERS)


def _movement(places: int | None) -> str:
    if places is None:
        return "–"
    return f"+{places}" if places > 0 else str(places) if places < 0 else "0"


# --- the words of the header, shared with the other outputs ---------------------------------
# Callers are inside force_locale(document_locale()).


def issuer_name(campaign: dict) -> str:
    """Who issues the notice: the campaign's issuer, else the owner's People's Committee."""
    return campaign["issuer_name"].strip() or _(
        "People's Committee of %(unit)s", unit=campaign["owner"]["name"]
    )


def notice_number(briefing: Briefing) -> str:
    """ "Số: 12/TB-STTTT" for the number 12 (a final report, a báo cáo: "12/BC-STTTT");
    "Số: …/TB-STTTT" while it is not given. A number typed in full ("12/TB-STTTT") is kept
    as it is."""
    code = briefing.content["campaign"]["issuer_code"].strip()
    number = (briefing.number or "").strip() or "…"
    if "/" not in number:
        kind = "BC" if is_final_report(briefing.content) else "TB"
        number = f"{number}/{kind}-{code}" if code else f"{number}/{kind}"
    return _("No.: %(number)s", number=number)


def place_and_date(briefing: Briefing) -> str:
    """ "Bình Phước, ngày 30 tháng 7 năm 2022": the day of publication (of the draft while
    unpublished), in the local time zone; days below 10 and the months January and February
    take a leading zero, as Decree 30/2020/NĐ-CP writes them."""
    campaign = briefing.content["campaign"]
    local = _local_date(briefing.published_at or briefing.created_at)
    return _(
        "%(place)s, %(day)s/%(month)s/%(year)s",
        place=campaign["place_name"].strip() or campaign["owner"]["name"],
        day=f"{local.day:02d}",
        month=f"{local.month:02d}" if local.month <= 2 else str(local.month),
        year=local.year,
    )


def subject(briefing: Briefing) -> str:
    content = briefing.content
    name = content["campaign"]["name"]
    if is_final_report(content):
        return _(
            "Final report on the results of %(campaign)s from %(start)s to %(end)s",
            campaign=name,
            start=format_date(briefing.start_date),
            end=format_date(briefing.end_date),
        )
    if is_review(content):
        return _(
            "Review of the results of %(campaign)s from %(start)s to %(end)s",
            campaign=name,
            start=format_date(briefing.start_date),
            end=format_date(briefing.end_date),
        )
    return _(
        "Briefing on the results of %(campaign)s on %(day)s",
        campaign=name,
        day=format_date(briefing.end_date),
    )


def _local_date(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
