"""The demo campaign's 92 days of daily entries (issue 4, item 9), checked against DESIGN §9.

Every figure checked here is computed from the entries in the database (SQL sums, or Python
over the rows), never taken from the generator. The demo is loaded ONCE for the module (about
3 s): the `demo` fixture (tests/conftest.py) builds its own application on the session
database, runs `flask demo` through the CLI runner and empties the tables when the module is
done. So no test here may use the `app` fixture, whose teardown would empty the tables in
between; the test of `load_generated_entries` works inside the demo's database and rolls back.
"""

import csv
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.db import db
from app.units.models import Unit
from app.units.queries import unit_by_code
from app.users.models import User
from campaigns.models import Campaign, CampaignStatus, Indicator
from campaigns.progress.models import Entry, EntryRevision
from campaigns.progress.operations import GeneratedEntry, load_generated_entries
from campaigns.progress.queries import discipline
from campaigns.queries import campaign_by_code
from targets import demo_entries
from targets.demo_entries import DemoUnit
from tests.conftest import Demo
from tests.factories import make_campaign, make_indicator

CODE = "CD92-2022"
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = time(16, 30)
LAND_REGISTRY = "70-VPDKDD"
INDICATORS = ["DVC_PHAT_SINH", "HS_TRUC_TUYEN", "SO_HOA", "BAO_CAO_TT", "DUNG_HAN"]
FLOWS = INDICATORS[1:]
# The province's targets (the preset's); the few own targets of targets/demo.py are all on
# HS_TRUC_TUYEN, which no unit is anywhere near half of.
TARGETS = {"DVC_PHAT_SINH": 0.8, "HS_TRUC_TUYEN": 0.5, "SO_HOA": 1.0, "BAO_CAO_TT": 0.5}
TARGETS["DUNG_HAN"] = 1.0

FIRST_WEEK = (date(2022, 6, 1), date(2022, 6, 7))
WEEK_TO_29_JULY = (date(2022, 7, 23), date(2022, 7, 29))
LAST_WEEK = (date(2022, 8, 25), date(2022, 8, 31))

# Designed in targets/demo_entries.py (MISSED_DAYS, LAGGARDS), written out again by hand.
MISSED = {
    ("25321", "2022-07-04"),
    ("25321", "2022-07-11"),
    ("25321", "2022-07-23"),
    ("25321", "2022-07-24"),
    ("25321", "2022-07-26"),
    ("25321", "2022-07-28"),
    ("70-SXD", "2022-06-15"),
    ("70-SXD", "2022-06-16"),
    ("70-SXD", "2022-07-08"),
    ("70-SXD", "2022-07-27"),
    ("70-SXD", "2022-08-19"),
    ("25318", "2022-06-02"),
    ("25318", "2022-06-03"),
    ("25318", "2022-07-22"),
    ("25225", "2022-06-05"),
    ("25225", "2022-06-12"),
    ("25225", "2022-06-19"),
    ("25225", "2022-06-26"),
    ("694", "2022-08-10"),
    ("694", "2022-08-11"),
}
LAGGARDS = {"70-SXD", "693", "25318", "25321"}


@pytest.fixture
def demo_context(demo: Demo) -> Iterator[Campaign]:
    with demo.app.app_context():
        yield campaign_by_code(CODE)
        db.session.rollback()


def percent(indicator: str, first: date, last: date, *where) -> float:
    """Σ numerators ÷ Σ denominators of the entries of the days `first`–`last`, in %."""
    statement = (
        select(func.sum(Entry.numerator), func.sum(Entry.denominator))
        .join(Indicator, Indicator.id == Entry.indicator_id)
        .join(Campaign, Campaign.id == Indicator.campaign_id)
        .join(Unit, Unit.id == Entry.unit_id)
        .where(
            Campaign.code == CODE,
            Indicator.code == indicator,
            Entry.entry_date >= first,
            Entry.entry_date <= last,
            *where,
        )
    )
    numerator, denominator = db.session.execute(statement).one()
    return 100 * numerator / denominator


AGENCIES = (Unit.kind == "agency", Unit.code != LAND_REGISTRY)
LAND = (Unit.code == LAND_REGISTRY,)
DISTRICTS = (Unit.kind == "district",)
COMMUNES = (Unit.kind == "commune",)


def rows(*columns, where=()) -> list:
    statement = (
        select(*columns)
        .select_from(Entry)
        .join(Unit, Unit.id == Entry.unit_id)
        .join(Indicator, Indicator.id == Entry.indicator_id)
        .where(*where)
    )
    return db.session.execute(statement).all()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- how many -----------------------------------------------------------------------------


def test_every_unit_reports_every_indicator_every_day_but_the_missed_ones(demo, demo_context):
    # 18 agencies + 11 districts + 111 communes; the province reports nothing of its own.
    units = {code for (code,) in rows(Unit.code)}
    assert len(units) == 18 + 11 + 111
    assert "70" not in units
    # 140 units × 5 indicators × 92 days, minus 20 missed unit-days of 5 entries each.
    assert count(Entry) == 140 * 5 * 92 - 20 * 5 == 64_300
    assert count(EntryRevision) == 64_300
    per_day = defaultdict(int)
    for code, day in rows(Unit.code, Entry.entry_date):
        per_day[(code, day)] += 1
    assert set(per_day.values()) == {5}  # a unit enters all five or nothing
    all_days = {date(2022, 6, 1) + timedelta(days=n) for n in range(92)}
    missed = {
        (code, day.isoformat()) for code in units for day in all_days if (code, day) not in per_day
    }
    assert missed == MISSED
    # The demo's summary line says so (the CLI speaks Vietnamese: a thousands dot).
    assert "64.300" in demo.output


# --- online processing (HS_TRUC_TUYEN) ----------------------------------------------------


def test_the_province_goes_from_21_6_to_96_9_percent_online(demo_context):
    first_week = percent("HS_TRUC_TUYEN", *FIRST_WEEK)
    week_to_29_july = percent("HS_TRUC_TUYEN", *WEEK_TO_29_JULY)
    assert abs(first_week - 21.6) <= 1.5, first_week
    assert abs(week_to_29_july - 96.9) <= 1.5, week_to_29_july
    # It climbs week after week in between, and stays near 96,9% until the end.
    weeks = [
        percent("HS_TRUC_TUYEN", end - timedelta(days=6), end)
        for end in (date(2022, 6, 7) + timedelta(weeks=n) for n in range(8))
    ]
    assert weeks == sorted(weeks)
    assert weeks[0] < 25 < 60 < weeks[3] < 95 < week_to_29_july
    for end in (date(2022, 7, 29) + timedelta(days=n) for n in range(0, 34)):
        value = percent("HS_TRUC_TUYEN", end - timedelta(days=6), end)
        assert abs(value - 96.9) <= 1.5, (end, value)


def test_the_levels_split_as_in_design_9(demo_context):
    # 7 days ending 29/07/2022: DESIGN §9, within 2 points.
    expected = {AGENCIES: 99.93, LAND: 76.7, DISTRICTS: 99.90, COMMUNES: 98.79}
    for where, figure in expected.items():
        value = percent("HS_TRUC_TUYEN", *WEEK_TO_29_JULY, *where)
        assert abs(value - figure) <= 2, (where, value)
    # The first week starts near the baselines of targets/demo.py. The communes' 0,2 dossiers
    # a day (14 a quarter) leave more room for chance: about 100 dossiers in all that week.
    start = {AGENCIES: (82.89, 2), LAND: (15.13, 1.5), DISTRICTS: (49.94, 2), COMMUNES: (87, 4)}
    for where, (figure, margin) in start.items():
        value = percent("HS_TRUC_TUYEN", *FIRST_WEEK, *where)
        assert abs(value - figure) <= margin, (where, value)
    # The land registry weighs 88% of the dossiers in the first week, 10% by late July.
    shares = [dossiers(*week, *LAND) / dossiers(*week) for week in (FIRST_WEEK, WEEK_TO_29_JULY)]
    assert 0.85 < shares[0] < 0.91
    assert 0.08 < shares[1] < 0.12


def dossiers(first: date, last: date, *where) -> int:
    return rows(func.sum(Entry.denominator), where=(*window(first, last), *where))[0][0]


def window(first: date, last: date, indicator: str = "HS_TRUC_TUYEN") -> tuple:
    return (Indicator.code == indicator, Entry.entry_date >= first, Entry.entry_date <= last)


# --- the other indicators -----------------------------------------------------------------


def test_on_time_settlement_goes_from_97_1_to_99_5_percent(demo_context):
    assert abs(percent("DUNG_HAN", *FIRST_WEEK) - 97.1) <= 0.5
    assert abs(percent("DUNG_HAN", *WEEK_TO_29_JULY) - 99.5) <= 0.5
    assert abs(percent("DUNG_HAN", *LAST_WEEK) - 99.5) <= 0.5


def test_digitisation_and_online_reports_rise_towards_their_targets(demo_context):
    so_hoa = [percent("SO_HOA", *week) for week in (FIRST_WEEK, WEEK_TO_29_JULY, LAST_WEEK)]
    assert so_hoa[0] < 30 and 85 < so_hoa[1] < 100 and 85 < so_hoa[2] < 100
    reports = [percent("BAO_CAO_TT", *week) for week in (FIRST_WEEK, WEEK_TO_29_JULY, LAST_WEEK)]
    assert reports[0] < 40 and reports[1] > 50 and reports[2] > 50  # target 50%
    # No reports are due at the weekend.
    due = rows(Entry.entry_date, Entry.denominator, where=(Indicator.code == "BAO_CAO_TT",))
    assert {denominator for day, denominator in due if day.weekday() >= 5} == {0}
    assert any(denominator for day, denominator in due if day.weekday() < 5)


def test_the_stock_of_services_climbs_and_never_goes_down(demo_context):
    levels = defaultdict(list)
    for code, day, numerator, denominator in rows(
        Unit.code,
        Entry.entry_date,
        Entry.numerator,
        Entry.denominator,
        where=(Indicator.code == "DVC_PHAT_SINH",),
    ):
        levels[code].append((day, numerator, denominator))
    assert len(levels) == 140
    for code, history in levels.items():
        history.sort()
        numerators = [numerator for _day, numerator, _ in history]
        assert numerators == sorted(numerators), code
        assert len({denominator for *_, denominator in history}) == 1, code
    first = [history[0] for history in levels.values()]
    last = [history[-1] for history in levels.values()]
    assert sum(n for _d, n, _ in first) / sum(d for *_, d in first) < 0.4
    assert sum(n for _d, n, _ in last) / sum(d for *_, d in last) >= 0.8  # target 80%


# --- units that lag, miss days, come late -------------------------------------------------


def test_four_units_stay_below_half_a_target(demo_context):
    """Over the 7 days ending 29/07 (flows summed, the stock's latest level), exactly the
    four designed laggards have an indicator below half its target."""
    sums = defaultdict(lambda: [0, 0])
    latest = {}
    for code, indicator, day, numerator, denominator in rows(
        Unit.code,
        Indicator.code,
        Entry.entry_date,
        Entry.numerator,
        Entry.denominator,
        where=(Entry.entry_date <= WEEK_TO_29_JULY[1],),
    ):
        if indicator == "DVC_PHAT_SINH":
            if (code not in latest) or latest[code][0] < day:
                latest[code] = (day, numerator, denominator)
        elif day >= WEEK_TO_29_JULY[0]:
            sums[(code, indicator)][0] += numerator
            sums[(code, indicator)][1] += denominator
    below = defaultdict(set)
    for (code, indicator), (numerator, denominator) in sums.items():
        if denominator and numerator / denominator < TARGETS[indicator] / 2:
            below[code].add(indicator)
    for code, (_day, numerator, denominator) in latest.items():
        if numerator / denominator < TARGETS["DVC_PHAT_SINH"] / 2:
            below[code].add("DVC_PHAT_SINH")
    assert set(below) == LAGGARDS
    assert all({"SO_HOA", "DVC_PHAT_SINH"} <= below[code] for code in LAGGARDS)
    # Over the whole campaign they also file under a quarter of their reports online.
    for code in LAGGARDS:
        assert percent("BAO_CAO_TT", date(2022, 6, 1), date(2022, 8, 31), Unit.code == code) < 25


def test_units_miss_days_and_come_late(demo_context):
    campaign = demo_context
    # Days with entries among the 7 ending 29/07, per unit.
    reported = defaultdict(set)
    for code, day in rows(Unit.code, Entry.entry_date, where=window(*WEEK_TO_29_JULY)):
        reported[code].add(day)
    missing = {code: 7 - len(days) for code, days in reported.items() if len(days) < 7}
    assert missing == {"25321": 4, "70-SXD": 1}
    # The core's discipline figures read the same.
    records = {record.unit.code: record for record in discipline(campaign, date(2022, 7, 29))}
    assert records["25321"].missing_days == 4
    assert records["693"].late_days >= 3

    # Late = entered after 16:30 local time on the entry's day, worked out here from the time.
    late_entries, on_time_entries = 0, 0
    within_afternoon = 0
    for day, entered, late, revision_late, changed in rows(
        Entry.entry_date,
        Entry.first_entered_at,
        Entry.late,
        EntryRevision.late,
        EntryRevision.changed_at,
        where=(EntryRevision.entry_id == Entry.id,),
    ):
        local = entered.astimezone(TIMEZONE)
        deadline = datetime.combine(day, DEADLINE, TIMEZONE)
        assert late == revision_late == (local > deadline)
        assert changed == entered
        if late:
            late_entries += 1
            next_morning = local.date() == day + timedelta(days=1) and time(7) <= local.time()
            evening = local.date() == day and time(16, 31) <= local.time() < time(22)
            assert evening or (next_morning and local.time() < time(10))
        else:
            on_time_entries += 1
            assert local.date() == day and local.time() >= time(8)
            within_afternoon += time(14) <= local.time() <= DEADLINE
    # A few: about 1,5% of the entries.
    assert 0.005 < late_entries / (late_entries + on_time_entries) < 0.03
    assert within_afternoon / on_time_entries > 0.8
    # Huyện Bù Đốp came late on 25, 26 and 28/07.
    late_days = {
        day
        for (day,) in rows(
            Entry.entry_date, where=(Unit.code == "693", Entry.late, *window(*WEEK_TO_29_JULY))
        )
    }
    assert {date(2022, 7, 25), date(2022, 7, 26), date(2022, 7, 28)} <= late_days


def test_revisions_say_who_entered_what(demo_context):
    reporter = db.session.scalar(select(User).where(User.username == "reporter"))
    by_user = defaultdict(int)
    for code, user_id, revision_user, source, revision, on_behalf, old, reason in rows(
        Unit.code,
        Entry.updated_by_id,
        EntryRevision.changed_by_id,
        EntryRevision.source,
        EntryRevision.revision,
        EntryRevision.on_behalf,
        EntryRevision.old_numerator,
        EntryRevision.reason,
        where=(EntryRevision.entry_id == Entry.id,),
    ):
        assert (source, revision, on_behalf, old, reason) == ("demo", 1, False, None, "")
        assert user_id == revision_user
        by_user[(code == "25308", user_id)] += 1
    # The demo reporter entered Thị trấn Thanh Bình's 92 days; nobody the others'.
    assert by_user == {(True, reporter.id): 92 * 5, (False, None): 64_300 - 92 * 5}
    assert db.session.scalar(select(func.max(Entry.revision))) == 1


# --- the same every time ------------------------------------------------------------------


def demo_units() -> list[DemoUnit]:
    """Bình Phước's reporting units, read from the shipped files (no database)."""
    data = Path(__file__).resolve().parent.parent / "app" / "data"
    units = []
    for name in ("binh_phuoc_2022.csv", "binh_phuoc_2022_agencies.csv"):
        with open(data / name, encoding="utf-8") as file:
            units += [
                DemoUnit(row["code"], row["kind"], tuple(INDICATORS))
                for row in csv.DictReader(file)
                if row["kind"] != "province"
            ]
    return sorted(units, key=lambda unit: unit.code)


def generate(seed: int = demo_entries.SEED) -> list:
    return demo_entries.generate(
        demo_units(),
        date(2022, 6, 1),
        date(2022, 8, 31),
        deadline=DEADLINE,
        timezone="Asia/Ho_Chi_Minh",
        seed=seed,
    )


def test_the_generator_gives_the_same_figures_every_time():
    first, second = generate(), generate()
    assert len(first) == 64_300
    assert first == second
    other = generate(seed=171)
    assert len(other) == 64_300  # the design does not depend on the seed
    assert [f.numerator for f in other] != [f.numerator for f in first]


def test_the_database_holds_exactly_the_generated_figures(demo_context):
    stored = {
        (code, indicator, day, numerator, denominator, late)
        for code, indicator, day, numerator, denominator, late in rows(
            Unit.code,
            Indicator.code,
            Entry.entry_date,
            Entry.numerator,
            Entry.denominator,
            Entry.late,
        )
    }
    generated = {
        (f.unit, f.indicator, f.day, f.numerator, f.denominator, f.late) for f in generate()
    }
    assert stored == generated


def test_running_the_demo_again_adds_nothing(demo):
    with demo.app.app_context():
        before = (count(Entry), count(EntryRevision), count(Campaign))
    result = demo.app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "CD92-2022" in result.output and "64.300" not in result.output
    with demo.app.app_context():
        assert (count(Entry), count(EntryRevision), count(Campaign)) == before


# --- the bulk loader ----------------------------------------------------------------------


def test_load_generated_entries_writes_entries_and_first_revisions(demo_context):
    """On a campaign of its own, inside the demo's database; rolled back afterwards."""
    campaign = make_campaign("LOAD", "70", status=CampaignStatus.ACTIVE)
    make_indicator(campaign, "RATE")
    make_indicator(campaign, "COUNT", kind="count")
    reporter = db.session.scalar(select(User).where(User.username == "reporter"))  # at 25308
    evening = datetime(2022, 6, 1, 11, 0, tzinfo=ZoneInfo("UTC"))  # 18:00 local
    loaded = load_generated_entries(
        campaign,
        [
            GeneratedEntry("25308", "RATE", date(2022, 6, 1), 3, 4, evening, True, reporter.id),
            GeneratedEntry("25309", "RATE", date(2022, 6, 1), 0, 0, evening, False, reporter.id),
            GeneratedEntry("70-STP", "COUNT", date(2022, 6, 2), 7, None, evening, False),
        ],
    )
    assert loaded == 3
    entries = db.session.scalars(
        select(Entry)
        .join(Indicator)
        .where(Indicator.campaign_id == campaign.id)
        .order_by(Entry.entry_date, Entry.unit_id)
    ).all()
    assert [(e.unit.code, e.numerator, e.denominator, e.revision, e.late) for e in entries] == [
        ("25308", 3, 4, 1, True),
        ("25309", 0, 0, 1, False),
        ("70-STP", 7, None, 1, False),
    ]
    assert all(e.first_entered_at == e.updated_at == evening for e in entries)
    revisions = [e.revisions for e in entries]
    assert [len(r) for r in revisions] == [1, 1, 1]
    assert [
        (r[0].revision, r[0].old_numerator, r[0].numerator, r[0].denominator, r[0].late)
        for r in revisions
    ] == [(1, None, 3, 4, True), (1, None, 0, 0, False), (1, None, 7, None, False)]
    # On behalf: the reporter's unit is 25308, not 25309; the system acts for nobody.
    assert [r[0].on_behalf for r in revisions] == [False, True, False]
    assert [r[0].changed_by_id for r in revisions] == [reporter.id, reporter.id, None]
    assert {r[0].source for r in revisions} == {"demo"}

    # An unknown code is refused before anything is written.
    with pytest.raises(ValueError, match="NOPE"):
        load_generated_entries(
            campaign,
            [GeneratedEntry("NOPE", "RATE", date(2022, 6, 3), 1, 1, evening, False)],
        )
    assert count(Entry) == 64_300 + 3
    assert load_generated_entries(campaign, []) == 0
    # Beyond that only the database checks: a numerator above its denominator is refused.
    with pytest.raises(IntegrityError):
        load_generated_entries(
            campaign,
            [GeneratedEntry("25310", "RATE", date(2022, 6, 3), 5, 4, evening, False)],
        )
    db.session.rollback()
    assert unit_by_code("25310") is not None
    assert campaign_by_code("LOAD") is None
