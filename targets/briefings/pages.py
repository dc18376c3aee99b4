"""Between the briefing pages and a briefing's snapshot: its figures in the reader's language,
the ends of long rankings, the lines of each section.

Every figure comes from the briefing's content (targets.briefings.content), never from the
live results, so a published version reads the same forever. The sentences (praise,
criticism, a correction's changes) are those of the document, in its language.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _

from app.formatting import format_date, format_number, format_percent
from targets.briefings.models import Briefing, BriefingItem, BriefingKind
from targets.briefings.rules import Section
from targets.briefings.text import shown_items
from targets.results.pages import ENDS_SHOWN, LONG_GROUP, signed
from targets.results.pages import band_label as band_label  # bands read as on the results pages


def _locale() -> str:
    return str(get_locale())


def figure(value: float | None, is_ratio: bool) -> str:
    """ "96,89%" for a ratio, "1.080" for a count, "–" for nothing."""
    if is_ratio:
        return format_percent(value, _locale())
    return format_number(value, _locale())


def day(text: str) -> str:
    """A day of the snapshot (yyyy-mm-dd) as dd/mm/yyyy."""
    return format_date(date.fromisoformat(text))


def period_label(briefing: Briefing) -> str:
    """ "10/06/2022" for a day's briefing, "01/07/2022–31/07/2022" for a review."""
    if briefing.kind == BriefingKind.DAILY:
        return format_date(briefing.end_date)
    return f"{format_date(briefing.start_date)}–{format_date(briefing.end_date)}"


def change(value: float | None, is_ratio: bool) -> str:
    """The change since the day before: percentage points for a ratio, an amount otherwise."""
    if value is None:
        return "–"
    if is_ratio:
        return _("%(change)s percentage points", change=signed(value * 100, 1))
    return signed(value, 2)


@dataclass(frozen=True)
class GroupRows:
    """A group's ranking as the briefing shows it: all of it, or its two ends when long."""

    group: dict
    top: list[dict]
    bottom: list[dict]  # empty unless rows were left out between top and bottom

    @property
    def size(self) -> int:
        return len(self.group["rows"])

    @property
    def left_out(self) -> int:
        return self.size - len(self.top) - len(self.bottom) if self.bottom else 0


def group_rows(group: dict) -> GroupRows:
    rows = group["rows"]
    if len(rows) > LONG_GROUP:
        return GroupRows(group, rows[:ENDS_SHOWN], rows[-ENDS_SHOWN:])
    return GroupRows(group, rows, [])


def section_items(briefing: Briefing, section: str, *, with_dropped: bool) -> list[BriefingItem]:
    """The lines of a section in order: those the briefing prints, and with `with_dropped`
    (an administrator's draft) the generated lines left out too."""
    if not with_dropped:
        return shown_items(briefing, section)
    return [
        item
        for item in sorted(briefing.items, key=lambda item: item.position)
        if item.section == section
    ]


SECTIONS = (Section.PRAISE, Section.CRITICISM)
