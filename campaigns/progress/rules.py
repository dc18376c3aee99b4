"""Pure rules of daily entries (DESIGN §4, §6): what a valid figure is, when an entry is late
or locked, and when a figure is so far from the unit's own history that it must be confirmed.

No Flask and no database: the entry page, the grid, the Excel import and the API all check
figures through these, and the tests call them directly.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# A figure more than this many times the unit's usual one (3.000 typed for 30) must be
# confirmed before it is saved. Low figures are not questioned: quiet days and weekends are real.
OUTLIER_FACTOR = 10
# The unit's usual figure is the median of its recent days; with fewer, nothing is compared.
OUTLIER_MIN_HISTORY = 3
# Figures are stored as 32-bit integers on every database.
FIGURE_MAX = 2_147_483_647


class Problem(StrEnum):
    """Why a figure cannot be saved as given; the pages and API word each one."""

    MISSING = "missing"  # a required figure is empty
    NOT_WHOLE = "not_whole"  # not a whole number
    NEGATIVE = "negative"
    ABOVE_DENOMINATOR = "above_denominator"  # numerator > denominator
    NO_DENOMINATOR = "no_denominator"  # a count has no denominator
    BEFORE_CAMPAIGN = "before_campaign"
    AFTER_CAMPAIGN = "after_campaign"
    IN_THE_FUTURE = "in_the_future"  # after today where the campaign runs
    TOO_LARGE = "too_large"  # beyond what the database stores
    STOCK_DECREASE = "stock_decrease"  # a level below the previous one needs a reason
    OUTLIER = "outlier"  # far outside the unit's history: confirm it


@dataclass(frozen=True)
class Figures:
    numerator: int
    denominator: int | None


def whole_number(value: object) -> int | None:
    """The whole number ≥ 0 in `value` (int, integral float, or digits with optional thousands
    dots as Vietnamese officers type them: "1.080"); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        groups = text.split(".")
        if text.isdigit():
            return int(text)
        if (
            len(groups) > 1
            and groups[0].isdigit()
            and len(groups[0]) <= 3
            and all(len(group) == 3 and group.isdigit() for group in groups[1:])
        ):
            return int("".join(groups))
    return None


def figure_problems(
    numerator: object, denominator: object, *, is_ratio: bool
) -> dict[str, Problem]:
    """Problems of the figures themselves, by field ("numerator", "denominator")."""
    problems: dict[str, Problem] = {}
    parsed: dict[str, int | None] = {}
    for field, value in (("numerator", numerator), ("denominator", denominator)):
        if field == "denominator" and not is_ratio:
            if value not in (None, ""):
                problems[field] = Problem.NO_DENOMINATOR
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            problems[field] = Problem.MISSING
            continue
        number = whole_number(value)
        if number is None:
            negative = isinstance(value, int | float) and not isinstance(value, bool) and value < 0
            text_negative = isinstance(value, str) and value.strip().startswith("-")
            problems[field] = Problem.NEGATIVE if negative or text_negative else Problem.NOT_WHOLE
            continue
        if number > FIGURE_MAX:
            problems[field] = Problem.TOO_LARGE
            continue
        parsed[field] = number
    if (
        is_ratio
        and parsed.get("numerator") is not None
        and parsed.get("denominator") is not None
        and parsed["numerator"] > parsed["denominator"]
    ):
        problems["numerator"] = Problem.ABOVE_DENOMINATOR
    return problems


def date_problem(day: date, start: date, end: date, today: date) -> Problem | None:
    if day < start:
        return Problem.BEFORE_CAMPAIGN
    if day > end:
        return Problem.AFTER_CAMPAIGN
    if day > today:
        return Problem.IN_THE_FUTURE
    return None


def deadline(day: date, deadline_time: time, timezone: str) -> datetime:
    """The moment, in UTC, when day `day`'s figures are due (e.g. 16:30 in Ho Chi Minh City)."""
    return datetime.combine(day, deadline_time, ZoneInfo(timezone)).astimezone(UTC)


def is_late(day: date, saved_at: datetime, deadline_time: time, timezone: str) -> bool:
    """Saved after the day's deadline: at the deadline itself is still on time."""
    return saved_at > deadline(day, deadline_time, timezone)


def lock_moment(day: date, deadline_time: time, lock_after_days: int, timezone: str) -> datetime:
    """From this moment on only an admin, giving a reason, may change the day's figures."""
    return deadline(day, deadline_time, timezone) + timedelta(days=lock_after_days)


def is_locked(
    day: date, now: datetime, deadline_time: time, lock_after_days: int, timezone: str
) -> bool:
    return now > lock_moment(day, deadline_time, lock_after_days, timezone)


def is_stock_decrease(new: Figures, previous: Figures | None) -> bool:
    """A stock level (accounts registered...) below the last one before it is unusual."""
    if previous is None:
        return False
    return new.numerator < previous.numerator or (
        new.denominator is not None
        and previous.denominator is not None
        and new.denominator < previous.denominator
    )


def is_outlier(value: int, history: Sequence[int]) -> bool:
    """More than OUTLIER_FACTOR times the median of the unit's earlier figures.

    Needs OUTLIER_MIN_HISTORY earlier figures; a median of 0 compares nothing (the first
    dossiers after quiet days are normal).
    """
    if len(history) < OUTLIER_MIN_HISTORY:
        return False
    median = statistics.median(history)
    return median > 0 and value > OUTLIER_FACTOR * median


def days_in_window(end: date, days: int) -> list[date]:
    """The `days` days ending on `end`, oldest first."""
    return [end - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


@dataclass(frozen=True)
class Running:
    """A unit's figures from the campaign's first day to a day: for a flow the sums of its
    entries, for a stock its latest level; `entries` counts the entries so far."""

    numerator: int
    denominator: int | None
    entries: int


def running_totals(
    figures: dict[date, Figures],
    first_day: date,
    last_day: date,
    before: Running | None,
    *,
    is_flow: bool,
) -> list[tuple[date, Running]]:
    """The running figures of each day from `first_day` to `last_day`, given the unit's
    figures by day and its running figures on the day before `first_day` (None: nothing yet).
    Days before the unit's first figure have no running figures and are left out."""
    current = before
    found = []
    day = first_day
    while day <= last_day:
        today = figures.get(day)
        if today is not None:
            entries = (current.entries if current else 0) + 1
            if is_flow and current is not None:
                denominator = (
                    None
                    if today.denominator is None
                    else (current.denominator or 0) + today.denominator
                )
                current = Running(current.numerator + today.numerator, denominator, entries)
            else:
                current = Running(today.numerator, today.denominator, entries)
        if current is not None:
            found.append((day, current))
        day += timedelta(days=1)
    return found
