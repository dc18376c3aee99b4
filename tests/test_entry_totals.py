"""Running totals of daily entries (EntryTotal), which the results read instead of the entries.

They must always equal what the entries say. The pure rule is checked by hand; the totals the
operations keep are checked against a brute-force recomputation from the `entries` table
after saves in any order, corrections of earlier days, a lower stock level, the Excel-free
bulk load, and a campaign whose dates move.
"""

import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.db import db
from campaigns.operations import update_campaign
from campaigns.progress.models import Entry, EntryTotal
from campaigns.progress.operations import (
    EntryInput,
    GeneratedEntry,
    load_generated_entries,
    save_entries,
)
from campaigns.progress.rules import Figures, Running, running_totals
from tests.factories import (
    enter_figures_for_test,
    local_moment,
    make_campaign,
    make_indicator,
    make_units,
)

START, END = date(2022, 6, 1), date(2022, 6, 12)


def d(day: int) -> date:
    return date(2022, 6, day)


# --- the rule ---------------------------------------------------------------------------------


def test_a_flow_runs_up_its_sums_from_the_first_figure_on():
    figures = {d(3): Figures(2, 4), d(5): Figures(3, 5), d(6): Figures(0, 1)}

    rows = running_totals(figures, d(1), d(8), None, is_flow=True)

    # Nothing before 03/06; then 2/4, 2/4, 2+3/4+5, 5+0/9+1, carried to 08/06.
    assert rows == [
        (d(3), Running(2, 4, 1)),
        (d(4), Running(2, 4, 1)),
        (d(5), Running(5, 9, 2)),
        (d(6), Running(5, 10, 3)),
        (d(7), Running(5, 10, 3)),
        (d(8), Running(5, 10, 3)),
    ]


def test_a_flow_continues_from_the_day_before():
    rows = running_totals({d(5): Figures(3, None)}, d(4), d(5), Running(7, None, 2), is_flow=True)
    # A count: 7 before, +0 on 04/06, +3 on 05/06; the denominator stays None.
    assert rows == [(d(4), Running(7, None, 2)), (d(5), Running(10, None, 3))]


def test_a_stock_carries_its_latest_level_even_when_it_goes_down():
    figures = {d(2): Figures(40, 100), d(4): Figures(35, 100)}

    rows = running_totals(figures, d(1), d(5), None, is_flow=False)

    assert rows == [
        (d(2), Running(40, 100, 1)),
        (d(3), Running(40, 100, 1)),
        (d(4), Running(35, 100, 2)),
        (d(5), Running(35, 100, 2)),
    ]


# --- the totals kept by the operations --------------------------------------------------------


def expected_totals(campaign) -> dict[tuple[str, str, date], tuple[int, int | None, int]]:
    """Brute force from the entries: for every unit and indicator with an entry, every day
    from its first entry to the campaign's end, Σ (flows) or the latest (stocks) of its
    entries on or before the day, and how many entries."""
    expected = {}
    for indicator in campaign.indicators:
        entries = db.session.scalars(
            select(Entry).where(Entry.indicator_id == indicator.id).order_by(Entry.entry_date)
        ).all()
        for unit in {entry.unit for entry in entries}:
            own = [entry for entry in entries if entry.unit_id == unit.id]
            day = own[0].entry_date
            while day <= campaign.end_date:
                so_far = [entry for entry in own if entry.entry_date <= day]
                if indicator.measure == "flow":
                    denominators = [entry.denominator for entry in so_far]
                    figures = (
                        sum(entry.numerator for entry in so_far),
                        None if None in denominators else sum(denominators),
                    )
                else:
                    figures = (so_far[-1].numerator, so_far[-1].denominator)
                expected[(unit.code, indicator.code, day)] = (*figures, len(so_far))
                day += timedelta(days=1)
    return expected


def kept_totals(campaign) -> dict[tuple[str, str, date], tuple[int, int | None, int]]:
    codes = {indicator.id: indicator.code for indicator in campaign.indicators}
    kept = {}
    for total in db.session.scalars(
        select(EntryTotal).where(EntryTotal.indicator_id.in_(list(codes)))
    ):
        unit = db.session.get(type(campaign.owner_unit), total.unit_id)
        kept[(unit.code, codes[total.indicator_id], total.total_date)] = (
            total.numerator,
            total.denominator,
            total.entries,
        )
    return kept


@pytest.fixture
def campaign(app_context):
    make_units(
        ("P", "Tỉnh", "province", None),
        ("D", "Huyện", "district", "P"),
        ("X", "Xã X", "commune", "D"),
        ("Y", "Xã Y", "commune", "D"),
    )
    campaign = make_campaign("TT", "P", start=START, end=END, status="active")
    make_indicator(campaign, "HS")  # a flow ratio
    make_indicator(campaign, "TK", kind="count", measure="stock")
    db.session.flush()
    return campaign


def test_totals_follow_saves_in_any_order_and_corrections(campaign):
    # Later days first, then earlier ones, then a correction of the middle day.
    enter_figures_for_test(
        campaign, {("X", "HS", d(5)): (3, 5), ("X", "TK", d(5)): (10, None)}, at="2022-06-05 15:00"
    )
    enter_figures_for_test(
        campaign,
        {("X", "HS", d(2)): (1, 2), ("Y", "HS", d(3)): (4, 4), ("X", "TK", d(2)): (7, None)},
        at="2022-06-05 15:30",
    )
    enter_figures_for_test(campaign, {("X", "HS", d(2)): (2, 2)}, at="2022-06-05 16:00")
    save_entries(
        campaign,
        [EntryInput("X", "TK", d(7), 8, None, reason="Rà soát, trùng 2 tài khoản")],
        user=None,
        source="demo",
        now=local_moment("2022-06-07 15:00"),
    )
    db.session.flush()

    kept = kept_totals(campaign)
    assert kept == expected_totals(campaign)
    # By hand: X's HS 2/2 (02/06) + 3/5 (05/06) = 5/7 from 05/06, two entries; its TK level
    # 7 from 02/06, 10 from 05/06, 8 from 07/06 to the end (12/06).
    assert kept[("X", "HS", d(4))] == (2, 2, 1)
    assert kept[("X", "HS", d(12))] == (5, 7, 2)
    assert [kept[("X", "TK", d(day))][0] for day in (2, 4, 5, 6, 7, 12)] == [7, 7, 10, 10, 8, 8]
    assert ("Y", "HS", d(2)) not in kept  # nothing before Y's first entry


def test_generated_entries_get_their_totals_too(campaign):
    rows = [
        GeneratedEntry(unit, "HS", d(day), day, 2 * day, local_moment("2022-06-12 15:00"), False)
        for unit in ("X", "D")
        for day in (1, 4, 9)
    ]
    load_generated_entries(campaign, rows)
    db.session.flush()

    kept = kept_totals(campaign)
    assert kept == expected_totals(campaign)
    assert kept[("D", "HS", d(12))] == (1 + 4 + 9, 2 + 8 + 18, 3)


def test_moving_the_campaigns_dates_rebuilds_the_totals(campaign):
    enter_figures_for_test(campaign, {("X", "HS", d(3)): (1, 2)}, at="2022-06-03 15:00")

    update_campaign(campaign, name=campaign.name, start_date=START, end_date=d(20))
    db.session.flush()

    kept = kept_totals(campaign)
    assert kept == expected_totals(campaign)
    assert kept[("X", "HS", d(20))] == (1, 2, 1)  # the new last day has its totals


def test_two_people_saving_one_unit_at_once_leave_right_totals(app, campaign):
    """Two transactions save the same unit's figures of different days at the same moment:
    each must rewrite the totals after the other, never from a view that misses the other's
    entry (PostgreSQL runs them truly at once; SQLite lets one writer in at a time)."""
    db.session.commit()
    campaign_id = campaign.id
    start = threading.Barrier(2)
    errors = []

    def save(day: int, numerator: int) -> None:
        with app.app_context():
            try:
                mine = db.session.get(type(campaign), campaign_id)
                start.wait(timeout=10)
                for attempt in range(20):
                    try:
                        enter_figures_for_test(
                            mine, {("X", "HS", d(day)): (numerator, 10)}, at="2022-06-12 15:00"
                        )
                        db.session.commit()
                        return
                    except OperationalError:  # SQLite: the other writer holds the database
                        db.session.rollback()
                        time.sleep(0.05 * (attempt + 1))
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=args) for args in ((3, 1), (6, 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    db.session.expire_all()
    kept = kept_totals(campaign)
    assert kept == expected_totals(campaign)
    assert kept[("X", "HS", d(12))] == (3, 20, 2)  # 1/10 + 2/10
