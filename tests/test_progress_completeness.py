"""The "who reported" page against a case worked out by hand.

Campaign PRG (P1, 01/06–31/08/2022, deadline 16:30 local) with three indicators reported by
communes only, so the reporting units are the three communes C11, C12 (D1) and C21 (D2).
Figures saved at these local moments:

    C11  10/06 all three at 10/06 15:00 (on time)
         09/06 all three at 09/06 16:30 (on time: the deadline itself)
         08/06 all three at 08/06 16:31 (late)
    C12  10/06 all three at 10/06 17:00 (late)
         07/06 HS only   at 07/06 10:00 (partly)
         05/06 all three at 06/06 09:00 (late)
    C21  09/06 HS, HN    at 09/06 12:00 (partly)
         03/06 all three at 03/06 10:00 (on time, before the 7 days ending 10/06)

On 10/06: C11 on time, C12 late, C21 not reported. Over 04/06–10/06 (a day counts as missing
unless every indicator is in):
    C11  missing 04, 05, 06, 07 = 4; late 08 = 1
    C12  missing 04, 06, 07 (partly), 08, 09 = 5; late 05, 10 = 2
    C21  missing all 7 (09 is partly); late 0
On 09/06: C11 on time, C12 not reported, C21 partly.
On 03/06 the window is 01/06–03/06 (days before the campaign do not count): C11 and C12
missing 3, C21 missing 2 (01 and 02).
"""

import html
import re
from datetime import date

import pytest

from app.db import db
from campaigns.models import CampaignStatus
from campaigns.progress import controllers
from campaigns.queries import campaign_by_code
from tests.factories import enter_figures_for_test, local_moment, make_campaign, make_indicator

CODE = "PRG"
ALL = ("HS", "TK", "HN")
FIGURES = {"HS": (5, 10), "TK": (20, 40), "HN": (1, None)}
ENTERED = [
    ("C11", date(2022, 6, 10), ALL, "2022-06-10 15:00"),
    ("C11", date(2022, 6, 9), ALL, "2022-06-09 16:30"),
    ("C11", date(2022, 6, 8), ALL, "2022-06-08 16:31"),
    ("C12", date(2022, 6, 10), ALL, "2022-06-10 17:00"),
    ("C12", date(2022, 6, 7), ("HS",), "2022-06-07 10:00"),
    ("C12", date(2022, 6, 5), ALL, "2022-06-06 09:00"),
    ("C21", date(2022, 6, 9), ("HS", "HN"), "2022-06-09 12:00"),
    ("C21", date(2022, 6, 3), ALL, "2022-06-03 10:00"),
]


@pytest.fixture
def clock(monkeypatch):
    moment = {"now": local_moment("2022-06-10 18:00")}
    monkeypatch.setattr(controllers, "utcnow", lambda: moment["now"])
    return moment


@pytest.fixture
def reported(app, world, clock):
    with app.app_context():
        campaign = make_campaign(CODE, "P1", status=CampaignStatus.ACTIVE)
        make_indicator(campaign, "HS", unit_kinds=["commune"])
        make_indicator(campaign, "TK", measure="stock", unit_kinds=["commune"])
        make_indicator(campaign, "HN", "count", unit_kinds=["commune"])
        db.session.flush()
        for unit, day, indicators, moment in ENTERED:
            figures = {(unit, code, day): FIGURES[code] for code in indicators}
            enter_figures_for_test(campaign, figures, at=moment)
        db.session.commit()


def page_of(login, username: str, query: str = ""):
    client = login(username)
    assert client.get("/language/en").status_code == 302
    response = client.get(f"/campaigns/{CODE}/progress/reports{query}")
    assert response.status_code == 200
    return response


def counts(response) -> dict[str, int]:
    body = response.get_data(as_text=True)
    found = re.findall(
        r'id="group-(\w+)"[^>]*>[^<]*<span class="badge [\w-]+ group-count">(\d+)</span>', body
    )
    return {group: int(count) for group, count in found}


def rows(response) -> dict[str, tuple[str, int, int]]:
    """unit code → (group, missing days, late days), in the order shown."""
    body = response.get_data(as_text=True)
    found = re.findall(
        r'<tr id="unit-(\w+)" data-group="(\w+)">.*?'
        r'class="text-end missing-days">(\d+)</td>\s*<td class="text-end late-days">(\d+)</td>',
        body,
        re.S,
    )
    return {code: (group, int(missing), int(late)) for code, group, missing, late in found}


def text_of(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text))


def test_a_day_with_one_commune_on_time_one_late_one_missing(login, reported):
    response = page_of(login, "admin", "?date=2022-06-10")

    assert "Who reported on 10/06/2022" in text_of(response)
    assert counts(response) == {"on_time": 1, "late": 1, "partial": 0, "missing": 1}
    assert rows(response) == {
        "C11": ("on_time", 4, 1),
        "C12": ("late", 5, 2),
        "C21": ("missing", 7, 0),
    }
    assert list(rows(response)) == ["C11", "C12", "C21"]  # on time, late, partly, not at all
    assert "days from 04/06/2022 to 10/06/2022" in text_of(response)


def test_a_partly_reported_day(login, reported):
    response = page_of(login, "viewer", "?date=2022-06-09")

    assert counts(response) == {"on_time": 1, "late": 0, "partial": 1, "missing": 1}
    assert {code: row[0] for code, row in rows(response).items()} == {
        "C11": "on_time",
        "C21": "partial",
        "C12": "missing",
    }
    assert "2 of 3 indicators" in text_of(response)  # C21


def test_days_before_the_campaign_are_not_counted(login, reported):
    response = page_of(login, "admin", "?date=2022-06-03")

    assert rows(response) == {
        "C21": ("on_time", 2, 0),
        "C11": ("missing", 3, 0),
        "C12": ("missing", 3, 0),
    }
    assert "days from 01/06/2022 to 03/06/2022" in text_of(response)


def test_the_default_day_is_today_where_the_campaign_runs(login, reported, clock):
    assert "Who reported on 10/06/2022" in text_of(page_of(login, "admin"))

    clock["now"] = local_moment("2022-06-11 00:30")  # still 10/06 in UTC
    assert "Who reported on 11/06/2022" in text_of(page_of(login, "admin"))


def test_the_default_day_of_a_finished_campaign_is_its_last(app, login, reported, clock):
    clock["now"] = local_moment("2022-09-05 09:00")
    with app.app_context():
        campaign_by_code(CODE).status = CampaignStatus.CLOSED
        db.session.commit()

    response = page_of(login, "admin")

    assert "Who reported on 31/08/2022" in text_of(response)
    assert counts(response) == {"on_time": 0, "late": 0, "partial": 0, "missing": 3}


def test_a_day_to_come_shows_today_instead(login, reported):
    response = page_of(login, "admin", "?date=2022-06-11")

    assert "Choose a day of the campaign up to today; 10/06/2022 is shown instead." in text_of(
        response
    )
    assert "Who reported on 10/06/2022" in text_of(response)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("reporter", {"C11": ("on_time", 4, 1)}),
        ("reporter2", {"C12": ("late", 5, 2)}),
        ("manager", {"C11": ("on_time", 4, 1), "C12": ("late", 5, 2)}),
    ],
)
def test_each_user_sees_the_units_it_may_read(login, reported, username, expected):
    response = page_of(login, username, "?date=2022-06-10")

    assert rows(response) == expected
    groups = {"on_time": 0, "late": 0, "partial": 0, "missing": 0}
    for group, _missing, _late in expected.values():
        groups[group] += 1
    assert counts(response) == groups


def test_one_group_at_a_time(login, reported):
    response = page_of(login, "admin", "?date=2022-06-10&group=missing")

    assert list(rows(response)) == ["C21"]
    assert counts(response) == {"on_time": 1, "late": 1, "partial": 0, "missing": 1}


def test_long_lists_are_paginated(app, login, reported):
    app.config["PER_PAGE"] = 2

    first = page_of(login, "admin", "?date=2022-06-10")
    second = page_of(login, "admin", "?date=2022-06-10&page=2")

    assert list(rows(first)) == ["C11", "C12"]
    assert list(rows(second)) == ["C21"]
    client = login("admin")
    assert client.get(f"/campaigns/{CODE}/progress/reports?page=3").status_code == 404


def test_a_campaign_page_leads_to_who_reported(login, reported):
    client = login("viewer")
    assert client.get("/language/en").status_code == 302

    page = client.get(f"/campaigns/{CODE}")

    assert f'href="/campaigns/{CODE}/progress/reports"' in page.get_data(as_text=True)
    assert "Who reported" in text_of(page)
