"""The pure rules of campaigns (campaigns/rules.py): "day N of M, K days left", the status
transitions and the order of the score bands. Expected values are counted by hand on the
calendar: 01/06/2022–31/08/2022 is 30 + 31 + 31 = 92 days."""

from datetime import date

import pytest

from campaigns.rules import (
    CampaignDay,
    Phase,
    bands_ordered,
    campaign_day,
    may_change_status,
)
from tests.test_layering import ROOT, imported_packages

START = date(2022, 6, 1)
END = date(2022, 8, 31)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # before the start: "starts in K days", K counted to the start date
        (date(2022, 5, 1), CampaignDay(Phase.BEFORE, 92, None, 31)),
        (date(2022, 5, 31), CampaignDay(Phase.BEFORE, 92, None, 1)),
        # day 1 on the start date, with 91 days still to come after it
        (date(2022, 6, 1), CampaignDay(Phase.RUNNING, 92, 1, 91)),
        (date(2022, 6, 2), CampaignDay(Phase.RUNNING, 92, 2, 90)),
        # 29/07/2022, the date of the seed's "96,9%": June has 30 days, so day 30 + 29 = 59
        (date(2022, 7, 29), CampaignDay(Phase.RUNNING, 92, 59, 33)),
        (date(2022, 8, 30), CampaignDay(Phase.RUNNING, 92, 91, 1)),
        # day M on the end date, nothing left
        (date(2022, 8, 31), CampaignDay(Phase.RUNNING, 92, 92, 0)),
        # the day after: ended
        (date(2022, 9, 1), CampaignDay(Phase.ENDED, 92, None, 0)),
        (date(2023, 1, 1), CampaignDay(Phase.ENDED, 92, None, 0)),
    ],
    ids=str,
)
def test_day_of_a_92_day_campaign(today, expected):
    assert campaign_day(START, END, today) == expected


def test_one_day_campaign_is_day_1_of_1_with_nothing_left():
    day = date(2022, 6, 1)

    assert campaign_day(day, day, day) == CampaignDay(Phase.RUNNING, 1, 1, 0)
    assert campaign_day(day, day, date(2022, 5, 31)).phase == Phase.BEFORE
    assert campaign_day(day, day, date(2022, 6, 2)).phase == Phase.ENDED


def test_leap_february_counts_29_days():
    assert campaign_day(date(2024, 2, 1), date(2024, 2, 29), date(2024, 2, 29)) == CampaignDay(
        Phase.RUNNING, 29, 29, 0
    )


def test_end_before_start_is_refused():
    with pytest.raises(ValueError, match="end date is before the start date"):
        campaign_day(date(2022, 6, 2), date(2022, 6, 1), date(2022, 6, 1))


STATUSES = ("draft", "active", "closed")
ALLOWED = {("draft", "active"), ("active", "closed")}


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_only_draft_to_active_to_closed(current, new):
    assert may_change_status(current, new) is ((current, new) in ALLOWED)


def test_unknown_status_goes_nowhere():
    assert may_change_status("archived", "active") is False
    assert may_change_status("draft", "archived") is False


@pytest.mark.parametrize(
    ("bands", "ordered"),
    [
        ((90, 80, 70, 50), True),  # the defaults of DESIGN §5
        ((100, 100, 100, 100), True),  # equal bands are allowed, 100 included
        ((0, 0, 0, 0), True),
        ((90, 80, 70, 70), True),
        ((90, 80, 70, 70.01), False),  # average above fair
        ((90, 80, 80.5, 50), False),  # fair above good
        ((79.99, 80, 70, 50), False),  # good above excellent
        ((100.01, 80, 70, 50), False),  # excellent above 100
        ((90, 80, 70, -0.01), False),  # average below 0
    ],
)
def test_bands_must_rise_within_0_and_100(bands, ordered):
    assert bands_ordered(*bands) is ordered


def test_rules_do_not_import_flask():
    imported = imported_packages(ROOT / "campaigns" / "rules.py")

    assert imported <= {"dataclasses", "datetime", "enum"}
