"""Vietnamese conventions for numbers, dates and search, as pure functions.

No Flask here: pages, exports and briefings all format through these, and the Jinja filters
registered by the factory only pass in the current locale and time zone.
"""

import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

DATE_PATTERN = "%d/%m/%Y"
THOUSANDS_PATTERN = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
NUMBER_PATTERN = re.compile(r"^-?\d+(\.\d+)?$")
DATETIME_PATTERN = "%d/%m/%Y %H:%M"


def format_number(value: int | float | None, locale: str) -> str:
    """54786 → "54.786" in Vietnamese, "54,786" in English; None → an en dash."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.##", locale=locale)


def format_percent(fraction: float | None, locale: str, digits: int = 2) -> str:
    """0.8289 → "82,89%" in Vietnamese; trailing zeros dropped: 0.5 → "50%"."""
    if fraction is None:
        return "–"
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return format_decimal(round(fraction * 100, digits), format=pattern, locale=locale) + "%"


def parse_decimal(text: str) -> float:
    """A number as a Vietnamese officer types it: "82,89", "1.080", "2.212,5" or "82.89".

    A comma is always the decimal mark. A dot is a thousands separator when it is followed by
    groups of exactly three digits ("1.080", "54.786"), otherwise a decimal mark ("82.89").
    Raises ValueError for anything else.
    """
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned or cleaned.count(",") > 1:
        raise ValueError(text)
    if "," in cleaned:
        whole, fraction = cleaned.split(",")
        if "." in whole and not THOUSANDS_PATTERN.match(whole):
            raise ValueError(text)
        cleaned = whole.replace(".", "") + "." + fraction
    elif THOUSANDS_PATTERN.match(cleaned) and "." in cleaned:
        cleaned = cleaned.replace(".", "")
    if not NUMBER_PATTERN.match(cleaned):
        raise ValueError(text)
    return float(cleaned)


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
