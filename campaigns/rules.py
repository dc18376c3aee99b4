"""Pure rules of campaigns: plain data in, plain data out, no Flask.

Pages, the API and (later) briefings all say "day N of M, K days left" the same way.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Phase(StrEnum):
    BEFORE = "before"  # today is before the start date
    RUNNING = "running"  # start date <= today <= end date
    ENDED = "ended"  # today is after the end date


@dataclass(frozen=True)
class CampaignDay:
    """Where `today` falls in a campaign.

    `length` is M, the number of days from start to end, both included (01/06–31/08 = 92).
    While running, `day` is N (1 on the start date, M on the end date) and `days_left` is K,
    the days still to come after today (0 on the end date). Before the start, `days_left` is
    the number of days until the start (1 on the day before). After the end, both are None
    and 0.
    """

    phase: Phase
    length: int
    day: int | None
    days_left: int


def campaign_day(start: date, end: date, today: date) -> CampaignDay:
    if end < start:
        raise ValueError("the end date is before the start date")
    length = (end - start).days + 1
    if today < start:
        return CampaignDay(Phase.BEFORE, length, None, (start - today).days)
    if today > end:
        return CampaignDay(Phase.ENDED, length, None, 0)
    return CampaignDay(Phase.RUNNING, length, (today - start).days + 1, (end - today).days)


# Status changes a campaign may make: draft → active → closed, nothing else.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"active"}),
    "active": frozenset({"closed"}),
    "closed": frozenset(),
}


def may_change_status(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def bands_ordered(excellent: float, good: float, fair: float, average: float) -> bool:
    """The score bands of DESIGN §5 must read 0 ≤ average ≤ fair ≤ good ≤ excellent ≤ 100."""
    return 0 <= average <= fair <= good <= excellent <= 100
