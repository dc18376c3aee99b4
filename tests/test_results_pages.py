"""The results pages with the test client: a unit's results and the campaign overview, "why
this rank?", the matrix, a group's full ranking, charts and exports, bad parameters and empty
states, and the "Results" link of the campaign page.

The World of tests/factories.py: P1{A1, D1{C11, C12}, D2{C21}}, P2{D3}; admin@P1,
manager@D1, reporter@C11, viewer@P1. Campaign KQ (P1, active, 01/06–31/08/2022) has two
ratio indicators reported by communes: HS (weight 2, target 50% on P1) and DH (weight 1,
target 100% on P1); C11 has a baseline of 1/5 = 20% for HS. The pages' "today" is
11/06/2022, so they open on 10/06; most tests read the day window of 10/06.

Figures (numerator/denominator):

    day     C11: HS  DH    C12: HS  DH    C21: HS  DH
    08/06        0/1 0/1        1/1  –          –   –
    09/06        0/2 0/2        1/1 1/1         –   –
    10/06        2/3 3/4        1/4 1/2        1/1  –

Scores on 10/06, day window (weight shares: HS 2/3, DH 1/3; achievements capped at 1):
- C11: HS 2/3 = 66,67% → 66,67 / 50 > 1 → 1; DH 3/4 = 75% → 0,75.
  100 × (2/3 × 1 + 1/3 × 0,75) = 66,6667 + 25 = 91,67 (excellent, ≥ 90).
- C12: HS 25% → 0,5; DH 50% → 0,5. 33,3333 + 16,6667 = 50,00 (average: exactly at 50).
- C21: HS 100% → 1; DH not reported → 0. 66,67 (average).
- D1 = C11 + C12: HS 3/7 = 42,86% → 0,857143; DH 4/6 = 66,67% → 0,666667.
  57,1429 + 22,2222 = 79,3651 → 79,37 (fair: just below 80).
- D2 = C21: 66,67. P1: HS 4/8 = 50% → 1; DH 4/6 → 66,6667 + 22,2222 = 88,89 (good).
On 09/06: C11 0, C12 100 (C12 first, C11 second); D1 HS 1/3, DH 1/3 → 44,44 + 11,11 =
55,56, D2 0 (D1 first). So on 10/06 C11 moved up one place (▲1), C12 down one (▼1), and the
districts kept theirs (–).
"""

import html
import re
from datetime import date
from pathlib import Path

import pytest

from app.db import db
from app.units.queries import unit_by_code
from campaigns.models import CampaignStatus, PeerGroup
from campaigns.queries import campaign_by_code
from targets.results import controllers, labels, pages
from targets.results.rules import Band
from tests.factories import (
    enter_figures_for_test,
    make_campaign,
    make_indicator,
    set_targets_for_test,
)
from tests.html import element, text_in, text_of, texts_of_class
from tests.pages import english, get

CODE = "KQ"
DAY = "2022-06-10"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FIGURES = {
    ("C11", "HS", date(2022, 6, 8)): (0, 1),
    ("C11", "DH", date(2022, 6, 8)): (0, 1),
    ("C12", "HS", date(2022, 6, 8)): (1, 1),
    ("C11", "HS", date(2022, 6, 9)): (0, 2),
    ("C11", "DH", date(2022, 6, 9)): (0, 2),
    ("C12", "HS", date(2022, 6, 9)): (1, 1),
    ("C12", "DH", date(2022, 6, 9)): (1, 1),
    ("C11", "HS", date(2022, 6, 10)): (2, 3),
    ("C11", "DH", date(2022, 6, 10)): (3, 4),
    ("C12", "HS", date(2022, 6, 10)): (1, 4),
    ("C12", "DH", date(2022, 6, 10)): (1, 2),
    ("C21", "HS", date(2022, 6, 10)): (1, 1),
}


class Today:
    def __init__(self):
        self.day = date(2022, 6, 11)


@pytest.fixture
def today(monkeypatch) -> Today:
    """The pages' "today" in the campaign's time zone."""
    clock = Today()
    monkeypatch.setattr(controllers, "local_today", lambda: clock.day)
    return clock


def build_campaign(code: str = CODE, *, figures=True, status=CampaignStatus.ACTIVE):
    campaign = make_campaign(code, "P1", status=status)
    communes = {"unit_kinds": ["commune"]}
    make_indicator(campaign, "HS", name="Tỷ lệ hồ sơ trực tuyến", weight=2, **communes)
    make_indicator(campaign, "DH", name="Tỷ lệ đúng hạn", **communes)
    set_targets_for_test(
        campaign, {("P1", "HS"): 0.5, ("P1", "DH"): 1.0}, baselines={("C11", "HS"): (1, 5)}
    )
    if figures:
        enter_figures_for_test(campaign, FIGURES, at="2022-06-10 15:00")
    return campaign


@pytest.fixture
def campaign(app, world, today):
    with app.app_context():
        build_campaign()
        db.session.commit()


def unit_url(unit: str, suffix: str = "", **args) -> str:
    query = "&".join(
        f"{name}={value}" for name, value in {"date": DAY, "window": "day", **args}.items()
    )
    return f"/campaigns/{CODE}/results/units/{unit}{suffix}?{query}"


def row_ids(markup: str, prefix: str) -> list[str]:
    return re.findall(rf'<tr\b[^>]*\bid="{prefix}-([^"]+)"', markup)


# --- the unit page --------------------------------------------------------------------------


def test_unit_page_shows_the_figures_worked_out_by_hand(campaign, login):
    page = get(login("reporter"), unit_url("C11"))

    assert text_in(page, "score") == "91,67"
    hs = element(page, "indicator-HS")
    assert texts_of_class(hs, "indicator-value") == ["66,67%"]
    assert texts_of_class(hs, "change")[0].startswith("+66,7 ")  # 66,67% − 0% on 09/06
    assert texts_of_class(hs, "target")[0].startswith("50%")
    assert texts_of_class(hs, "from-to")[0].replace("from ", "").startswith("20%")
    assert "66,7%" in texts_of_class(hs, "from-to")[0]
    # Trajectory on 10/06: 20% + (50% − 20%) × 9/91 = 22,97% ≤ 66,67%: on track.
    assert "track-on-track" in hs
    assert "22,97%" in texts_of_class(hs, "track")[0]
    dh = element(page, "indicator-DH")
    assert texts_of_class(dh, "indicator-value") == ["75%"]
    # No baseline: the trajectory is the target itself, 100% > 75%: behind.
    assert "track-behind" in dh
    assert 'loading="lazy"' in hs and "/results/charts/C11/HS.png?date=2022-06-10" in hs
    assert 'id="level-breakdown"' not in page  # a commune's figures are all its own


def test_unit_page_words_in_english(campaign, login):
    page = get(english(login("reporter")), unit_url("C11"))

    assert text_in(page, "unit-rank").startswith("Rank 1 of 2 in Commune units of Huyện Đức Hợp")
    hs = element(page, "indicator-HS")
    assert "+66.7 percentage points" in text_of(hs)
    assert "(inherited from above)" in text_of(hs)
    assert "from 20% to 66.7%" in text_of(hs)
    assert "Excellent" in text_in(page, "unit-score")
    assert "Day 10 of 92, 82 days left" in text_in(page, "campaign-day")


def test_movement_arrows(campaign, login):
    page = get(login("manager"), unit_url("D1"))

    communes = element(page, "group-commune")
    assert row_ids(communes, "rank") == ["C11", "C12"]
    c11, c12 = element(communes, "rank-C11"), element(communes, "rank-C12")
    assert "▲1" in c11 and "movement-up" in c11
    assert "▼1" in c12 and "movement-down" in c12
    assert texts_of_class(c11, "score") == ["91,67"]
    assert texts_of_class(c12, "score") == ["50"]
    # C12's HS series 1, 1, 0,25 (08–10/06) falls: the forecast 0% misses 50%. C11 rises.
    assert texts_of_class(c12, "at-risk") == ["1"]
    assert texts_of_class(c11, "at-risk") == ["0"]
    # The district's own rank among P1's districts did not change: "–" with its title.
    rank = element(page, "unit-rank")
    assert "movement-same" in rank


def test_band_badges_around_the_limits(campaign, login):
    page = get(
        english(login("admin")), f"/campaigns/{CODE}/results/matrix/P1?date={DAY}&window=day"
    )

    # 91,67 ≥ 90 excellent; 66,67 and 50,00 (at the limit) average.
    assert "score band-excellent" in element(page, "row-C11")
    assert "score band-average" in element(page, "row-C12")
    assert "score band-average" in element(page, "row-C21")
    district_page = get(english(login("admin")), unit_url("D1"))
    # 79,37: just below 80, fair.
    assert text_in(district_page, "score") == "79.37"
    assert "band-fair" in element(district_page, "unit-score")


def test_campaign_overview_on_the_owner_unit(campaign, login):
    page = get(english(login("viewer")), unit_url("P1"))

    assert "Campaign overview" in page
    assert text_in(page, "score") == "88.89"
    assert "unit-rank" not in page  # the owner is compared with no one
    districts = element(page, "group-district")
    assert row_ids(districts, "rank") == ["D1", "D2"]
    assert "movement-same" in element(districts, "rank-D1")
    # Agencies take no indicator (they have no commune below): no group of agencies.
    assert 'id="group-agency"' not in page
    # Level breakdown: the communes' figures, nothing in the first week → 10/06.
    assert text_in(page, "level-commune") == "Commune – → 50% – → 66.67%"


def test_long_groups_show_both_ends_and_link_to_the_full_ranking(app, campaign, login, monkeypatch):
    with app.app_context():
        db.session.add(
            PeerGroup(
                campaign_id=campaign_by_code(CODE).id,
                code="ALL",
                name="Mọi xã của tỉnh",
                root_unit=unit_by_code("P1"),
                kind="commune",
            )
        )
        db.session.commit()
    monkeypatch.setattr(pages, "LONG_GROUP", 2)
    monkeypatch.setattr(pages, "ENDS_SHOWN", 1)

    page = get(english(login("viewer")), unit_url("P1"))

    group = element(page, "group-ALL")
    assert "Mọi xã của tỉnh" in group
    # 3 communes > 2: the best (C11 91,67) and the last (C12 50), one left out between.
    assert row_ids(group, "rank") == ["C11", "C12"]
    assert "… 1 more: the full ranking" in text_of(group)
    assert f"/campaigns/{CODE}/results/ranking?group=ALL" in group


def test_why_page_contributions_add_up_to_the_score(campaign, login):
    page = get(login("manager"), unit_url("D1", "/why"))

    hs = element(page, "why-HS")
    assert texts_of_class(hs, "numerator") == ["3"]
    assert texts_of_class(hs, "denominator") == ["7"]
    assert texts_of_class(hs, "value") == ["42,86%"]
    assert texts_of_class(hs, "target") == ["50%"]
    assert texts_of_class(hs, "achievement") == ["85,71%"]  # 3/7 ÷ 50%
    assert texts_of_class(hs, "weight") == ["2"]
    assert texts_of_class(hs, "share") == ["66,67%"]
    contributions = [
        float(text.replace(",", "."))
        for text in texts_of_class(element(page, "contributions"), "text-end")
        if re.fullmatch(r"[\d,]+", text)
    ]
    # 100 × 2/3 × 6/7 = 57,1429 and 100 × 1/3 × 2/3 = 22,2222; sum 79,3651 → 79,37.
    assert contributions[:2] == [57.1429, 22.2222]
    assert text_in(page, "contribution-sum") == "79,3651"
    assert text_in(page, "score") == "79,37"
    assert round(sum(contributions[:2]), 2) == 79.37


def test_why_page_statuses_in_words_and_neighbours_outside_scope(campaign, login):
    page = get(english(login("reporter")), unit_url("C11", "/why", date="2022-06-09"))

    # 09/06: C11 0/2 and 0/2, both scored at 0; C12 100.
    assert "Scored: its achievement counts." in text_in(page, "why-HS")
    around = element(page, "group-around")
    assert row_ids(around, "around") == ["C11"]  # the reporter may not read C12
    assert "a unit outside your units" in text_of(around)
    assert texts_of_class(around, "rank") == ["1", "2"]
    assert texts_of_class(around, "score") == ["100", "0"]
    c21 = get(english(login("admin")), unit_url("C21", "/why"))
    assert "Not reported in the window: counts as 0." in text_in(c21, "why-DH")
    assert "Excellent from 90" in text_in(c21, "band-limits")


def test_why_page_leaves_out_a_zero_denominator(app, campaign, login):
    with app.app_context():
        enter_figures_for_test(
            campaign_by_code(CODE),
            {("C21", "DH", date(2022, 6, 10)): (0, 0)},
            at="2022-06-10 16:00",
        )
        db.session.commit()

    page = get(english(login("admin")), unit_url("C21", "/why"))

    dh = element(page, "why-DH")
    assert "the denominator is 0: left out" in text_of(dh)
    assert texts_of_class(dh, "counted") == ["left out"]
    # HS alone counts: weight share 2/2 = 100%, achievement 1/1 ÷ 50% capped at 1 → 100.
    assert texts_of_class(element(page, "why-HS"), "share") == ["100%"]
    assert text_in(page, "score") == "100"


def test_why_page_leaves_out_an_indicator_without_target(app, campaign, login):
    with app.app_context():
        set_targets_for_test(campaign_by_code(CODE), {("P1", "DH"): None})
        db.session.commit()

    page = get(english(login("reporter")), unit_url("C11", "/why"))

    assert "No target: left out" in text_in(page, "why-DH")
    # HS alone: 66,67% ÷ 50% capped at 1 → 100.
    assert text_in(page, "score") == "100"


# --- the matrix -----------------------------------------------------------------------------


def matrix_rows(client, **args) -> list[str]:
    query = "&".join(
        f"{name}={value}" for name, value in {"date": DAY, "window": "day", **args}.items()
    )
    return row_ids(get(client, f"/campaigns/{CODE}/results/matrix/P1?{query}"), "row")


def test_matrix_sorts_by_score_name_and_indicator(campaign, login):
    client = login("admin")

    assert matrix_rows(client) == ["C11", "C21", "C12"]  # 91,67, 66,67, 50
    # Thị trấn Thanh Bình, Xã Đức Quang, Xã Đức Trung.
    assert matrix_rows(client, sort="name") == ["C21", "C12", "C11"]
    # DH: 75%, 50%, not reported (0).
    assert matrix_rows(client, sort="DH") == ["C11", "C12", "C21"]


def test_matrix_paginates(app, campaign, login):
    app.config["PER_PAGE"] = 2
    client = login("admin")

    assert matrix_rows(client) == ["C11", "C21"]
    assert matrix_rows(client, page=2) == ["C12"]
    assert client.get(f"/campaigns/{CODE}/results/matrix/P1?date={DAY}&page=3").status_code == 404


def test_matrix_colours_cells_by_band(campaign, login):
    page = get(login("admin"), f"/campaigns/{CODE}/results/matrix/P1?date={DAY}&window=day")

    cells = re.findall(r'matrix-cell band-(\w+)"', element(page, "row-C11"))
    assert cells == ["excellent", "fair"]  # HS capped 100; DH 75
    cells = re.findall(r'matrix-cell band-(\w+)"', element(page, "row-C21"))
    assert cells == ["excellent", "weak"]  # DH not reported counts 0
    assert 'id="legend"' in page


def test_matrix_kind_must_be_a_level_below(campaign, login):
    assert matrix_rows(login("admin"), kind="commune") == ["C11", "C21", "C12"]
    page = get(english(login("admin")), f"/campaigns/{CODE}/results/matrix/P1?kind=village", 400)

    assert "“village” is not a level of the units below Tỉnh Một that report." in page
    export = login("admin").get(f"/campaigns/{CODE}/results/matrix/P1.xlsx?kind=village")
    assert export.status_code == 400


# --- the full ranking -----------------------------------------------------------------------


def test_full_ranking_of_a_parent_and_kind(campaign, login):
    client = login("manager")

    page = get(
        client, f"/campaigns/{CODE}/results/ranking?parent=D1&kind=commune&date={DAY}&window=day"
    )
    assert row_ids(page, "rank") == ["C11", "C12"]
    # Without a kind, the first group below the parent; without a parent, the user's unit.
    assert row_ids(
        get(client, f"/campaigns/{CODE}/results/ranking?parent=D1&date={DAY}&window=day"), "rank"
    ) == ["C11", "C12"]
    assert row_ids(
        get(client, f"/campaigns/{CODE}/results/ranking?date={DAY}&window=day"), "rank"
    ) == ["C11", "C12"]
    assert (
        client.get(f"/campaigns/{CODE}/results/ranking?parent=D1&kind=village").status_code == 404
    )
    assert (
        client.get(f"/campaigns/{CODE}/results/ranking?parent=P1&kind=district").status_code == 403
    )
    assert client.get(f"/campaigns/{CODE}/results/ranking?group=NOPE").status_code == 404


# --- parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date=31/02/2022", "“31/02/2022” is not a date"),
        ("date=hôm qua", "“hôm qua” is not a date"),
        ("window=year", "“year” is not a window"),
    ],
)
def test_bad_date_or_window_answers_400_in_words(campaign, login, query, message):
    page = get(english(login("reporter")), f"/campaigns/{CODE}/results/units/C11?{query}", 400)

    assert message in html.unescape(page)


def test_matrix_bad_order_answers_400(campaign, login):
    page = get(english(login("admin")), f"/campaigns/{CODE}/results/matrix/P1?sort=XX", 400)

    assert "“XX” is not an order" in html.unescape(page)


def test_empty_values_take_the_defaults(campaign, login):
    page = get(english(login("reporter")), f"/campaigns/{CODE}/results/units/C11?date=&window=")

    # Today is 11/06: the page opens on 10/06, over the campaign's ranking window (7 days).
    assert 'value="2022-06-10"' in element(page, "date-input")
    assert re.search(r'<option value="week" selected', page)
    assert "day-note" not in page


@pytest.mark.parametrize(
    ("asked", "shown", "words"),
    [
        ("2022-05-31", "2022-06-01", "The campaign starts on 01/06/2022"),  # just before
        ("2022-06-01", "2022-06-01", None),  # its first day
        ("11/06/2022", "2022-06-11", None),  # today (dd/mm/yyyy)
        ("2022-06-12", "2022-06-11", "12/06/2022 has not come yet"),  # just after today
        ("2022-09-01", "2022-06-11", "The campaign ended on 31/08/2022"),
    ],
)
def test_days_outside_are_moved_inside_with_a_note(campaign, login, asked, shown, words):
    page = get(english(login("reporter")), f"/campaigns/{CODE}/results/units/C11?date={asked}")

    assert f'value="{shown}"' in element(page, "date-input")
    if words:
        assert words in text_in(page, "day-note")
    else:
        assert "day-note" not in page


def test_previous_and_next_day_links(campaign, login, today):
    page = get(login("reporter"), unit_url("C11"))
    assert "date=2022-06-09" in element(page, "previous-day")
    assert "date=2022-06-11" in element(page, "next-day")
    last = get(login("reporter"), unit_url("C11", date="2022-06-11"))
    assert 'id="next-day"' not in last  # nothing after today
    first = get(login("reporter"), unit_url("C11", date="2022-06-01"))
    assert 'id="previous-day"' not in first


# --- empty states ---------------------------------------------------------------------------


def test_campaign_without_indicators(app, world, today, login):
    with app.app_context():
        make_campaign("TRONG", "P1", status=CampaignStatus.ACTIVE)
        db.session.commit()

    page = get(english(login("admin")), "/campaigns/TRONG/results/units/P1")

    empty = element(page, "no-indicators")
    assert "/campaigns/TRONG/targets/template" in empty
    assert "/campaigns/TRONG/targets" in empty
    assert 'id="export-link"' not in page
    viewer = get(login("viewer"), "/campaigns/TRONG/results/units/P1")
    assert "/targets/template" not in element(viewer, "no-indicators")


def test_unit_that_no_indicator_applies_to(campaign, login):
    # Both indicators are measured on communes; the agency A1 has none below it.
    page = get(login("admin"), unit_url("A1"))

    assert 'id="no-applicable"' in page
    assert 'id="unit-score"' not in page


def test_no_figures_yet(campaign, login):
    page = get(login("reporter"), unit_url("C11", date="2022-06-07"))  # the first figures: 08/06

    assert 'id="no-figures"' in page
    assert 'id="unit-score"' not in page
    # From 08/06 the commune has figures.
    assert 'id="unit-score"' in get(login("reporter"), unit_url("C11", date="2022-06-08"))


def test_before_the_campaign_starts(campaign, login, today):
    today.day = date(2022, 5, 20)

    page = get(english(login("reporter")), f"/campaigns/{CODE}/results/units/C11")

    assert "The campaign starts on 01/06/2022" in text_in(page, "not-started")
    assert 'value="2022-06-01"' in element(page, "date-input")


# --- charts and exports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/campaigns/{CODE}/results/charts/C11/HS.png?date={DAY}&window=day",
        f"/campaigns/{CODE}/results/charts/ranking.png?parent=D1&kind=commune&date={DAY}",
        f"/campaigns/{CODE}/results/charts/ranking.png?parent=D1",
    ],
)
def test_charts_are_png_kept_privately_for_a_short_while(campaign, login, path):
    response = login("manager").get(path)

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert response.cache_control.private
    assert response.cache_control.max_age == controllers.CHART_MAX_AGE


def test_chart_of_an_unknown_indicator_is_404(campaign, login):
    assert login("manager").get(f"/campaigns/{CODE}/results/charts/C11/XX.png").status_code == 404


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/units/C11.xlsx?date=2022-06-10", "ket-qua-KQ-C11-20220610.xlsx"),
        (
            "/ranking.xlsx?parent=D1&kind=commune&date=2022-06-09",
            "xep-hang-KQ-D1-commune-20220609.xlsx",
        ),
        ("/matrix/D1.xlsx?date=2022-06-10&sort=name", "ma-tran-KQ-D1-20220610.xlsx"),
    ],
)
def test_exports_are_workbooks_named_after_campaign_unit_and_day(campaign, login, path, name):
    response = login("manager").get(f"/campaigns/{CODE}/results{path}")

    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.data.startswith(b"PK")  # a zip, as every .xlsx
    assert f"filename={name}" in response.headers["Content-Disposition"]


def test_export_with_a_bad_day_answers_400(campaign, login):
    response = login("manager").get(f"/campaigns/{CODE}/results/units/D1.xlsx?date=xx")

    assert response.status_code == 400


# --- the way in -----------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "unit"), [("reporter", "C11"), ("viewer", "P1")])
def test_results_open_on_the_users_unit(campaign, login, username, unit):
    response = login(username).get(f"/campaigns/{CODE}/results")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/campaigns/{CODE}/results/units/{unit}"


def test_campaign_page_leads_to_the_results(app, campaign, login):
    with app.app_context():
        build_campaign("NHAP", figures=False, status=CampaignStatus.DRAFT)
        db.session.commit()
    client = english(login("viewer"))

    active = element(get(client, f"/campaigns/{CODE}"), "campaign-actions")
    link = re.search(
        rf'<a class="btn ([\w-]+)" href="/campaigns/{CODE}/results">Results</a>', active
    )
    assert link and link.group(1) == "btn-primary"
    draft = element(get(client, "/campaigns/NHAP"), "campaign-actions")
    link = re.search(r'<a class="btn ([\w-]+)" href="/campaigns/NHAP/results">Results</a>', draft)
    assert link and link.group(1) == "btn-outline-primary"  # nothing to read yet


# --- words and colours ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (1.234, 1, "+1,2"),
        (0.05, 1, "+0,1"),  # just above the rounding edge: half up
        (0.04, 1, "0"),
        (-0.04, 1, "0"),  # never "-0"
        (-0.5, 1, "-0,5"),
        (23.8095, 2, "+23,81"),
    ],
)
def test_signed_changes_in_vietnamese(app, value, digits, text):
    with app.test_request_context():
        assert pages.signed(value, digits) == text


def test_page_colours_are_the_charts_and_workbooks_colours():
    """app.css repeats targets/results/labels.py's colours: a band looks the same on the page,
    in a chart and in a workbook."""
    css = (Path(__file__).resolve().parent.parent / "app/static/css/app.css").read_text()
    for band in [*Band, None]:
        colour = labels.band_colour(band)
        name = band or "none"
        badge = re.search(rf"\.band-badge\.band-{name} {{ background-color: (#\w+);", css)
        cell = re.search(
            rf"\.result-matrix td\.band-{name} {{ background-color: (#\w+); color: (#\w+); }}", css
        )
        assert badge and badge.group(1) == colour.strong
        assert cell and cell.groups() == (colour.light, colour.text)
