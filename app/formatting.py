"""Vietnamese conventions for numbers, dates and search, as pure functions.

No Flask here: pages, exports and briefings all format through these, and the Jinja filters
registered by the factory only pass in the current locale and time zone.
"""

import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

DATE_PATTERN = "%d/%m/%Y"
DATETIME_PATTERN = "%d/%m/%Y %H:%M"


def format_number(value: int | float | None, locale: str) -> str:
    """54786 → "54.786" in Vietnamese, "54,786" in English; None → an en dash."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.##", locale=locale)


def format_date(value: date | None) -> str:
    """Dates are dd/mm/yyyy in both languages, as on every official document."""
    return value.strftime(DATE_PATTERN) if value else "–"


def format_datetime(value: datetime | None, timezone: str) -> str:
    """A UTC timestamp shown in the campaign's local time."""
    if value is None:
        return "–"
    return value.astimezone(ZoneInfo(timezone)).strftime(DATETIME_PATTERN)


def search_key(text: str) -> str:
    """Lower-case text without diacritics: "Huyện Bù Đốp" → "huyen bu dop".

    Officers on phones often type without accents; "đ" has no decomposition, so it is mapped
    by hand.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
