"""The demo campaign's 92 days of daily figures, generated from a fixed seed (issue 4, item 9).

Pure: plain data in (the reporting units, the campaign's days, its deadline and time zone),
plain data out (one `DemoFigure` per unit, indicator and day). No Flask, no database;
`targets/demo.py` hands the result to `load_generated_entries`.

What the figures say (DESIGN §9; checked from the database by tests/test_demo_entries.py):

- Online processing (HS_TRUC_TUYEN), province-wide over 7 days: 21,6% in the first week of
  June (01–07/06), 96,9% over the 7 days ending 29/07/2022, and about the same until 31/08.
  On those 7 days the levels read: the 17 other provincial agencies 99,93%, Văn phòng Đăng ký
  đất đai 76,7%, the districts' own figures 99,90%, the communes 98,79%. In the first week
  they read near the baselines of targets/demo.py: 82,89%, 15,13%, 49,94% and 87% (the
  communes' 0,2 dossiers a day, about 100 that week, leave room for chance: 89,9%).
- The share of each level in the day's dossiers moves, because the seed's two ends are only
  true together that way. Before the campaign (the baselines) the province's information
  system counted almost only the land registry's dossiers: 49.315 of 56.209 a quarter, with
  120 a quarter per agency, 300 per district and 14 per commune. The first week keeps those
  volumes (a quarter is 13 weeks of 5 weekdays plus a Saturday at 35% and a Sunday at 10%,
  i.e. 70,85 weekday-equivalents: 696 dossiers per weekday for the land registry, 1,7 per
  agency, 4,2 per district, 0,2 per commune), so the province reads 21,6%. The campaign
  brings every one-stop shop's dossiers into the system, so by 23/07 a weekday holds 50
  dossiers per agency, 80 per district and 25 per commune, while the land registry's falls to
  520. These volumes are a modelling choice: the seed documents give rates, not volumes.
  With them the land registry is 10% of the dossiers and the province reads 0,767 × 520 +
  0,9993 × 850 + 0,999 × 880 + 0,9879 × 2.775 = 4.869 online of 5.025 = 96,9%.
- Everything rises on one curve: flat until 07/06 (the first week goes on meetings), then
  fast and easing into a plateau on 23/07 (1 − (1 − x)²), each unit starting 0–12 days
  late. Within a level, units differ in size and in how many dossiers they still take on
  paper; those differences are scaled so that each level's total is the level's figure.
- On-time settlement (DUNG_HAN) 97,1% → 99,5% (the seed's overdue rate 2,9% → 0,5%), the
  same for every level. Digitisation (SO_HOA) 22% → about 92% (target 100%); reports filed
  online (BAO_CAO_TT) 30% → about 80% (target 50%). SO_HOA and DUNG_HAN share their
  denominator: the dossiers settled that day.
- DVC_PHAT_SINH is a stock: the online services that have received a dossier, out of those
  the unit offers (a fixed number). It climbs over the whole campaign from 22–42% to 82–95%
  and never goes down for a unit.
- Four units lag clearly (LAGGARDS): Sở Xây dựng, Huyện Bù Đốp's own figures and two of its
  communes (Xã Tân Thành, Xã Tân Tiến) stay below half the target on SO_HOA (< 50%) and
  DVC_PHAT_SINH (< 40%), file under a quarter of their reports online over the campaign
  (BAO_CAO_TT, target 50%), and lag on online processing and on-time settlement too. No
  other unit is below half a target over the 7 days ending 29/07.
- Weekends are quiet: Saturday 35% of a weekday's dossiers, Sunday 10%, no reports due.
- Some units miss days (MISSED_DAYS, no entry at all): 20 unit-days, among them 4 of the 7
  days ending 29/07 for Xã Tân Tiến. So the campaign has (140 × 92 − 20) × 5 = 64.300 entries.
- Entries are made on their day, mostly between 14:00 and 16:30; 1% of a unit's days come
  late (16:31–22:00, or the next morning), more for the laggards (20%), and Huyện Bù Đốp is late on
  at least 3 of the 7 days ending 29/07 (LATE_DAYS). About 1,4% of the entries are late.

Randomness: every unit draws from its own `random.Random` seeded with SEED and its code, so
the figures are the same on every run, and a unit's draws do not depend on the other units
(only the scaling of its level does). Chance still moves a week's figure by a point or so;
the seed 170 was kept because its figures land close to the seed documents'.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaigns.progress.rules import is_late

SEED = 170  # Kế hoạch 170/KH-UBND

STOCK = "DVC_PHAT_SINH"
ONLINE = "HS_TRUC_TUYEN"
DIGITISED = "SO_HOA"
REPORTS = "BAO_CAO_TT"
ON_TIME = "DUNG_HAN"
INDICATORS = (STOCK, ONLINE, DIGITISED, REPORTS, ON_TIME)

LAND_REGISTRY = "70-VPDKDD"
AGENCY, DISTRICT, COMMUNE = "agency", "district", "commune"

# The curve every rate and volume follows (see the docstring).
RISE_FROM = date(2022, 6, 7)
PLATEAU = date(2022, 7, 23)
MAX_START_DELAY = 12  # days a unit may start rising after RISE_FROM

# Share of a weekday's dossiers received on Saturday (Monday = 0) and Sunday; no reports are
# due at the weekend.
WEEKDAY_FACTOR = {5: 0.35, 6: 0.10}
WEEKDAY_EQUIVALENTS_IN_A_QUARTER = 13 * (5 + 0.35 + 0.10)  # 70,85
SETTLED_FACTOR = 0.97  # dossiers settled per dossier received


@dataclass(frozen=True)
class Level:
    """One level of the split of DESIGN §9: its online rate and dossiers per unit and weekday,
    in the first week and from the plateau on."""

    start_rate: float
    end_rate: float
    quarter_dossiers: float  # per unit, the baseline quarter of targets/demo.py
    end_volume: float

    @property
    def start_volume(self) -> float:
        return self.quarter_dossiers / WEEKDAY_EQUIVALENTS_IN_A_QUARTER


LEVELS = {
    LAND_REGISTRY: Level(0.1513, 0.767, 49_315, 520),
    AGENCY: Level(0.8289, 0.9993, 120, 50),
    DISTRICT: Level(0.4994, 0.9990, 300, 80),
    COMMUNE: Level(0.87, 0.9879, 14, 25),
}

# Province-wide rates, first week → plateau.
ON_TIME_RATES = (0.971, 0.995)
DIGITISED_RATES = (0.22, 0.92)
REPORT_RATES = (0.30, 0.80)
# Reports due by weekday (Monday = 0), on a fixed schedule; none at the weekend.
REPORTS_DUE = {
    LAND_REGISTRY: (2, 2, 2, 2, 2),
    AGENCY: (1, 1, 1, 1, 1),
    DISTRICT: (2, 2, 2, 2, 2),
    COMMUNE: (1, 0, 1, 0, 1),
}
# Online services offered (the stock's denominator), by level: (lowest, highest).
SERVICES_OFFERED = {
    LAND_REGISTRY: (42, 42),
    AGENCY: (25, 140),
    DISTRICT: (160, 230),
    COMMUNE: (85, 115),
}


@dataclass(frozen=True)
class Laggard:
    """A unit that stays behind: how many times the level's share of paper dossiers it keeps
    (online) and of late settlements (on time), and its own rates of the other indicators,
    first week → end."""

    paper_factor: float
    late_factor: float
    digitised: tuple[float, float] = (0.15, 0.40)
    reports: tuple[float, float] = (0.05, 0.15)
    stock: tuple[float, float] = (0.18, 0.34)
    size: float = 0.6  # relative to its level's average unit


LAGGARDS = {
    "70-SXD": Laggard(paper_factor=2.5, late_factor=2.5),  # Sở Xây dựng
    "693": Laggard(paper_factor=1.9, late_factor=2.5),  # Huyện Bù Đốp, its own figures
    "25318": Laggard(paper_factor=15, late_factor=2.5),  # Xã Tân Thành (Bù Đốp)
    "25321": Laggard(paper_factor=15, late_factor=2.5),  # Xã Tân Tiến (Bù Đốp)
}


def _days(*text: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(day) for day in text)


# Days without any entry of the unit: 6 + 5 + 3 + 4 + 2 = 20.
MISSED_DAYS = {
    "25321": _days(  # Xã Tân Tiến: 4 of the 7 days ending 29/07
        "2022-07-04", "2022-07-11", "2022-07-23", "2022-07-24", "2022-07-26", "2022-07-28"
    ),
    "70-SXD": _days("2022-06-15", "2022-06-16", "2022-07-08", "2022-07-27", "2022-08-19"),
    "25318": _days("2022-06-02", "2022-06-03", "2022-07-22"),  # Xã Tân Thành
    "25225": _days("2022-06-05", "2022-06-12", "2022-06-19", "2022-06-26"),  # Xã Đak Ơ
    "694": _days("2022-08-10", "2022-08-11"),  # Huyện Hớn Quản
}
# Days certainly entered after the deadline (others come late at random).
LATE_DAYS = {"693": _days("2022-07-25", "2022-07-26", "2022-07-28")}
LATE_SHARE = 0.01  # of an ordinary unit's days
LAGGARD_LATE_SHARE = 0.2


@dataclass(frozen=True)
class DemoUnit:
    code: str
    kind: str  # agency, district or commune
    indicators: tuple[str, ...]  # codes of the indicators it reports


@dataclass(frozen=True)
class DemoFigure:
    unit: str
    indicator: str
    day: date
    numerator: int
    denominator: int | None
    entered_at: datetime  # UTC
    late: bool


def generate(
    units: Sequence[DemoUnit],
    start: date,
    end: date,
    *,
    deadline: time,
    timezone: str,
    seed: int = SEED,
) -> list[DemoFigure]:
    """Every unit's figures for every day from `start` to `end` but its missed days, ordered
    by day, unit and indicator."""
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    levels = {unit.code: _level_of(unit) for unit in units}
    profiles = {unit.code: _Profile.draw(unit, levels[unit.code], seed) for unit in units}
    _normalise(profiles, levels)
    figures = []
    for unit in units:
        figures.extend(
            _figures_of(unit, profiles[unit.code], levels[unit.code], days, deadline, timezone)
        )
    order = {code: position for position, code in enumerate(INDICATORS)}
    figures.sort(key=lambda f: (f.day, f.unit, order[f.indicator]))
    return figures


def _level_of(unit: DemoUnit) -> str:
    unknown = set(unit.indicators) - set(INDICATORS)
    if unknown:
        raise ValueError(f"no demo figures for indicators {sorted(unknown)}")
    if unit.code == LAND_REGISTRY:
        return LAND_REGISTRY
    if unit.kind not in (AGENCY, DISTRICT, COMMUNE):
        raise ValueError(f"no demo figures for units of kind {unit.kind!r}")
    return unit.kind


def progress(day: date, delay: int = 0, start: date = RISE_FROM, plateau: date = PLATEAU) -> float:
    """0 until `start` + `delay`, then rising fast and easing into 1 on `plateau`."""
    begin = start + timedelta(days=delay)
    if day <= begin:
        return 0.0
    if day >= plateau:
        return 1.0
    x = (day - begin).days / (plateau - begin).days
    return 1 - (1 - x) ** 2


def _between(pair: tuple[float, float], p: float) -> float:
    return pair[0] + (pair[1] - pair[0]) * p


@dataclass
class _Profile:
    """What makes a unit itself: its size, its delay, how it compares with its level."""

    rng: random.Random
    size: float
    delay: int
    paper_factor: float  # × the level's share of dossiers received on paper
    late_factor: float  # × the share settled late
    digitised_factor: float
    report_factor: float
    services: int
    stock: tuple[float, float]
    laggard: Laggard | None

    @classmethod
    def draw(cls, unit: DemoUnit, level: str, seed: int) -> "_Profile":
        rng = random.Random(f"{seed}:{unit.code}")
        laggard = LAGGARDS.get(unit.code)
        lowest, highest = SERVICES_OFFERED[level]
        return cls(
            rng=rng,
            size=laggard.size if laggard else rng.uniform(0.4, 1.8),
            delay=rng.randint(0, MAX_START_DELAY),
            paper_factor=laggard.paper_factor if laggard else rng.uniform(0.4, 1.6),
            late_factor=laggard.late_factor if laggard else rng.uniform(0.5, 1.5),
            digitised_factor=rng.uniform(0.93, 1.08),
            report_factor=rng.uniform(0.85, 1.15),
            services=rng.randint(lowest, highest),
            stock=laggard.stock if laggard else (rng.uniform(0.22, 0.42), rng.uniform(0.82, 0.95)),
            laggard=laggard,
        )


def _normalise(profiles: dict[str, "_Profile"], levels: dict[str, str]) -> None:
    """Scale the ordinary units of each level so that the level adds up to its figures: sizes
    average 1 and the size-weighted paper and late factors average 1 (laggards keep theirs)."""
    for level in set(levels.values()):
        members = [profiles[code] for code, of in levels.items() if of == level]
        ordinary = [p for p in members if p.laggard is None]
        if not ordinary:
            continue
        fixed_size = sum(p.size for p in members if p.laggard)
        scale = (len(members) - fixed_size) / sum(p.size for p in ordinary)
        for profile in ordinary:
            profile.size *= scale
        total = sum(p.size for p in members)
        for attribute in ("paper_factor", "late_factor"):
            fixed = sum(p.size * getattr(p, attribute) for p in members if p.laggard)
            free = sum(p.size * getattr(p, attribute) for p in ordinary)
            factor = (total - fixed) / free
            for profile in ordinary:
                setattr(profile, attribute, getattr(profile, attribute) * factor)


class _Counter:
    """Whole numbers whose running total follows a running total of expected amounts, so that
    a rate of 99,93% over a week comes out as 99,93% and not rounded to 100%."""

    def __init__(self, rng: random.Random):
        self.total = rng.random()

    def take(self, amount: float) -> int:
        before = math.floor(self.total)
        self.total += amount
        return math.floor(self.total) - before


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _noisy(rng: random.Random, share: float, spread: float = 0.2) -> float:
    """A share moved up or down by some percent of itself, or of what is left of it when it is
    above one half (so that 99,9% varies like 0,1%); its mean is the share."""
    if share > 0.5:
        return 1 - _noisy(rng, 1 - share, spread)
    return min(1.0, max(0.0, share * math.exp(rng.gauss(-spread * spread / 2, spread))))


def _figures_of(
    unit: DemoUnit,
    profile: _Profile,
    level_code: str,
    days: Sequence[date],
    deadline: time,
    timezone: str,
) -> list[DemoFigure]:
    rng = profile.rng
    level = LEVELS[level_code]
    laggard = profile.laggard
    paper, late_settled, digitised, reported = (_Counter(rng) for _ in range(4))
    services_used = 0
    missed = MISSED_DAYS.get(unit.code, frozenset())
    figures = []
    for day in days:
        # Every day is drawn, missed or not, so that a unit's figures do not depend on the
        # days it misses.
        p = progress(day, profile.delay)
        weekday = WEEKDAY_FACTOR.get(day.weekday(), 1.0)
        volume = profile.size * _between((level.start_volume, level.end_volume), p)
        received = _poisson(rng, volume * weekday)
        settled = _poisson(rng, volume * weekday * SETTLED_FACTOR)
        due = REPORTS_DUE[level_code][day.weekday()] if day.weekday() < 5 else 0

        paper_share = (1 - _between((level.start_rate, level.end_rate), p)) * profile.paper_factor
        online = received - paper.take(received * _noisy(rng, min(0.97, paper_share), 0.08))
        late_share = (1 - _between(ON_TIME_RATES, p)) * profile.late_factor
        on_time = settled - late_settled.take(settled * _noisy(rng, late_share, 0.08))
        if laggard:
            digitised_share = _between(laggard.digitised, p)
            report_share = _between(laggard.reports, p)
        else:
            digitised_share = min(1.0, _between(DIGITISED_RATES, p) * profile.digitised_factor)
            report_share = min(1.0, _between(REPORT_RATES, p) * profile.report_factor)
        digitised_count = digitised.take(settled * _noisy(rng, digitised_share, 0.05))
        reported_count = reported.take(due * _noisy(rng, report_share, 0.05))
        # The stock climbs over the whole campaign and never goes down.
        whole = progress(day, profile.delay, start=days[0], plateau=days[-1])
        services_used = max(
            services_used, math.floor(profile.services * _between(profile.stock, whole))
        )
        entered_at = _entered_at(rng, unit.code, day, timezone)
        if day in missed:
            continue
        late = is_late(day, entered_at, deadline, timezone)
        values = {
            STOCK: (services_used, profile.services),
            ONLINE: (online, received),
            DIGITISED: (digitised_count, settled),
            REPORTS: (reported_count, due),
            ON_TIME: (on_time, settled),
        }
        figures.extend(
            DemoFigure(unit.code, code, day, *values[code], entered_at, late)
            for code in unit.indicators
        )
    return figures


def _entered_at(rng: random.Random, code: str, day: date, timezone: str) -> datetime:
    """When the unit entered the day's figures: mostly 14:00–16:30 local time; on a late day
    16:31–22:00, or the next morning."""
    share = LAGGARD_LATE_SHARE if code in LAGGARDS else LATE_SHARE
    late = rng.random() < share or day in LATE_DAYS.get(code, ())
    if not late:
        earliest, latest = (time(14), time(16, 29)) if rng.random() < 0.85 else (time(8), time(14))
    elif rng.random() < 0.75:
        earliest, latest = time(16, 31), time(21, 59)
    else:
        day, earliest, latest = day + timedelta(days=1), time(7), time(9, 59)
    minutes = rng.randint(earliest.hour * 60 + earliest.minute, latest.hour * 60 + latest.minute)
    local = datetime.combine(
        day, time(minutes // 60, minutes % 60, rng.randint(0, 59)), ZoneInfo(timezone)
    )
    return local.astimezone(UTC)
