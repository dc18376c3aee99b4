"""/api/v1/campaigns/{code}/results and /ranking: scores, bands, ranks with a tie, movement
and a stock carried forward, worked out by hand on a small province; the defaults; every
refusal; the OpenAPI document.

The province T (campaign KQ, 01–30/06/2022, ranked by day):

    T (province) ── SO (agency; enters nothing)
    ├── H1 (district) ── X11, X12 (communes)
    └── H2 (district) ── X21, X22 (communes)

Indicators: ONLINE, a ratio flow of weight 2 for every unit, target 50% set on T (inherited
below), baseline of X11 2/10 = 20%; ACCOUNTS, a count stock of weight 1 for communes, own
targets X11 100, X12 100, X21 50, X22 50 (so H1 200, H2 100, T 300, added up).

Figures (ONLINE numerator/denominator; ACCOUNTS level):

    day     X11          X12       X21         X22
    05/06   ACC 80
    09/06   ONL 4/10     ONL 5/10  ACC 60
    10/06   ONL 8/10     ONL 4/10  ONL 3/10    ONL 3/10, ACC 50

Scores over the day window, 100 × (2 × min(ONL ÷ 0.5, 1) + 1 × min(ACC ÷ target, 1)) ÷ 3:

    10/06  X11 (2·1 + 80/100) → 93.33   X12 (2·0.8 + 0) → 53.33
           X21 (2·0.6 + 1) → 73.33      X22 (2·0.6 + 1) → 73.33  (a tie)
    09/06  X11 (2·0.8 + 0.8) → 80.00    X12 (2·1 + 0) → 66.67
           X21 (0 + 1) → 33.33          X22 nothing → 0.00 (missing)
    03/06  nobody has a figure: every score 0.00, every rank 1.
"""

from datetime import date

import pytest
from flask import Flask
from openapi_spec_validator import validate

from app.db import db
from app.units.queries import unit_by_code
from campaigns.models import CampaignStatus
from campaigns.operations import add_peer_group
from tests.factories import (
    enter_figures_for_test,
    make_campaign,
    make_indicator,
    make_token,
    make_units,
    make_user,
    set_targets_for_test,
)

ENGLISH = {"Accept-Language": "en"}
RESULTS = "/api/v1/campaigns/KQ/results"
RANKING = "/api/v1/campaigns/KQ/ranking"

UNITS = (
    ("T", "Tỉnh Thử", "province", None),
    ("SO", "Sở Thử", "agency", "T"),
    ("H1", "Huyện Một", "district", "T"),
    ("X11", "Xã Một Một", "commune", "H1"),
    ("X12", "Xã Một Hai", "commune", "H1"),
    ("H2", "Huyện Hai", "district", "T"),
    ("X21", "Xã Hai Một", "commune", "H2"),
    ("X22", "Xã Hai Hai", "commune", "H2"),
)
FIGURES = {
    date(2022, 6, 5): {("X11", "ACCOUNTS"): (80, None)},
    date(2022, 6, 9): {
        ("X11", "ONLINE"): (4, 10),
        ("X12", "ONLINE"): (5, 10),
        ("X21", "ACCOUNTS"): (60, None),
    },
    date(2022, 6, 10): {
        ("X11", "ONLINE"): (8, 10),
        ("X12", "ONLINE"): (4, 10),
        ("X21", "ONLINE"): (3, 10),
        ("X22", "ONLINE"): (3, 10),
        ("X22", "ACCOUNTS"): (50, None),
    },
}


@pytest.fixture
def tokens(app: Flask) -> dict[str, str]:
    """The province, campaign KQ with its figures and peer group XA (every commune of T), a
    campaign KQ-H2 owned by H2; a token for admin9@T and manager9@H1."""
    with app.app_context():
        make_units(*UNITS)
        users = {
            "admin9": make_user("admin9", "admin", "T"),
            "manager9": make_user("manager9", "manager", "H1"),
        }
        campaign = make_campaign(
            "KQ", "T", end=date(2022, 6, 30), status=CampaignStatus.ACTIVE, ranking_window="day"
        )
        make_indicator(campaign, "ONLINE", weight=2)
        make_indicator(campaign, "ACCOUNTS", "count", "stock", unit_kinds=["commune"])
        set_targets_for_test(
            campaign,
            {
                ("T", "ONLINE"): 0.5,
                ("X11", "ACCOUNTS"): 100,
                ("X12", "ACCOUNTS"): 100,
                ("X21", "ACCOUNTS"): 50,
                ("X22", "ACCOUNTS"): 50,
            },
            baselines={("X11", "ONLINE"): (2, 10)},
        )
        for day, figures in FIGURES.items():
            enter_figures_for_test(
                campaign,
                {(unit, indicator, day): values for (unit, indicator), values in figures.items()},
                at=f"{day.isoformat()} 15:00",
            )
        add_peer_group(
            campaign, code="XA", name="Tất cả xã", root_unit=unit_by_code("T"), kind="commune"
        )
        other = make_campaign("KQ-H2", "H2", end=date(2022, 6, 30))
        make_indicator(other, "ONLINE")
        plain = {username: make_token(user) for username, user in users.items()}
        db.session.commit()
    return plain


def get(client, url: str, token: str, language: dict[str, str] = ENGLISH, **query):
    return client.get(
        url, query_string=query, headers={"Authorization": f"Bearer {token}", **language}
    )


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/json"
    return response.get_json()


def by_code(items: list[dict]) -> dict[str, dict]:
    return {item["code"]: item for item in items}


# --- results ---------------------------------------------------------------------------------


def test_a_commune_in_full(client, tokens):
    response = get(client, RESULTS, tokens["admin9"], unit="X11", date="2022-06-10")

    body = error_of(response, 200)
    indicators = by_code(body.pop("indicators"))
    assert body == {
        "campaign": "KQ",
        "unit": "X11",
        "name": "Xã Một Một",
        "kind": "commune",
        "date": "2022-06-10",
        "window": "day",
        "period": {"start": "2022-06-10", "end": "2022-06-10"},
        "score": 93.33,  # 100 × (2 × 1 + 1 × 0.8) ÷ 3 = 93.333
        "band": "excellent",
        "missing": False,
        # Among H1's communes: X11 93.33 before X12 53.33; the day before 80.00 before 66.67;
        # seven days before both 0.00, sharing rank 1.
        "rank": 1,
        "group_size": 2,
        "movement_1d": 0,
        "movement_7d": 0,
        "score_change_1d": 13.33,  # 93.33 − 80.00
        "score_change_7d": 93.33,
    }
    online = indicators["ONLINE"]
    assert online == {
        "code": "ONLINE",
        "name": "Chỉ tiêu ONLINE",
        "kind": "ratio",
        "measure": "flow",
        "direction": "higher",
        "numerator": 8,
        "denominator": 10,
        "value": 0.8,
        "target": 0.5,
        "campaign_target": 0.5,
        "target_source": "inherited",
        "achievement": 1.6,  # 0.8 ÷ 0.5, uncapped
        "capped_achievement": 1.0,
        "status": "scored",
        "weight": 2.0,
        "weight_share": pytest.approx(2 / 3),
        "contribution": pytest.approx(100 * 2 / 3),
        "baseline": 0.2,
        # From 20% on 01/06 to 50% on 30/06: 0.2 + 0.3 × 9 ÷ 29 on 10/06.
        "trajectory": pytest.approx(0.2 + 0.3 * 9 / 29),
        "on_track": True,
        "change": pytest.approx(0.4),  # 0.8 − 0.4 the day before
        "forecast": None,  # two days of figures; a forecast needs three
        "forecast_target": 0.5,
        "at_risk": None,
    }
    accounts = indicators["ACCOUNTS"]
    assert {key: accounts[key] for key in accounts if key not in ("name", "weight_share")} == {
        "code": "ACCOUNTS",
        "kind": "count",
        "measure": "stock",
        "direction": "higher",
        "numerator": 80,  # the level of 05/06, carried forward
        "denominator": None,
        "value": 80.0,
        "target": 100.0,
        "campaign_target": 100.0,
        "target_source": "own",
        "achievement": 0.8,
        "capped_achievement": 0.8,
        "status": "scored",
        "weight": 1.0,
        "contribution": pytest.approx(100 / 3 * 0.8),
        "baseline": None,
        "trajectory": 100.0,  # no baseline nor milestone: the target itself
        "on_track": False,
        "change": 0.0,
        "forecast": 80.0,  # 80 on each day from 05/06: a flat line
        "forecast_target": 100.0,
        "at_risk": True,
    }


def test_a_tied_commune_moves_up(client, tokens):
    body = error_of(get(client, RESULTS, tokens["admin9"], unit="X22", date="2022-06-10"), 200)

    # X21 and X22 share 73.33 (100 × (2 × 0.6 + 1) ÷ 3) and rank 1 of H2's communes; the day
    # before X21 had 33.33 (rank 1) and X22 nothing (rank 2).
    assert {key: body[key] for key in ("score", "band", "rank", "group_size", "movement_1d")} == {
        "score": 73.33,
        "band": "fair",
        "rank": 1,
        "group_size": 2,
        "movement_1d": 1,
    }


def test_a_district_adds_up_its_communes(client, tokens):
    body = error_of(get(client, RESULTS, tokens["admin9"], unit="H1", date="2022-06-10"), 200)

    indicators = by_code(body["indicators"])
    # ONLINE (8 + 4) ÷ (10 + 10) = 0.6 → 1.2, capped 1; ACCOUNTS 80 (X12 none) ÷ 200 = 0.4.
    assert (indicators["ONLINE"]["numerator"], indicators["ONLINE"]["denominator"]) == (12, 20)
    assert indicators["ONLINE"]["achievement"] == pytest.approx(1.2)
    assert (indicators["ACCOUNTS"]["numerator"], indicators["ACCOUNTS"]["target"]) == (80, 200)
    assert indicators["ACCOUNTS"]["target_source"] == "sum_of_children"
    # 100 × (2 + 0.4) ÷ 3 = 80.00: exactly the lowest "good" score.
    assert (body["score"], body["band"], body["rank"], body["group_size"]) == (
        80.0,
        "good",
        1,
        2,
    )


def test_the_owner_unit_is_scored_but_not_ranked(client, tokens):
    body = error_of(get(client, RESULTS, tokens["admin9"], unit="T", date="2022-06-10"), 200)

    indicators = by_code(body["indicators"])
    # ONLINE 18 ÷ 40 = 0.45 → 0.9; ACCOUNTS 80 + 60 + 50 = 190 ÷ 300.
    assert indicators["ONLINE"]["value"] == pytest.approx(0.45)
    assert indicators["ONLINE"]["target_source"] == "own"
    assert (indicators["ACCOUNTS"]["numerator"], indicators["ACCOUNTS"]["target"]) == (190, 300)
    # 100 × (2 × 0.9 + 190 ÷ 300) ÷ 3 = 81.111
    assert (body["score"], body["band"]) == (81.11, "good")
    assert (body["rank"], body["group_size"], body["movement_1d"]) == (None, 0, None)


def test_another_window(client, tokens):
    body = error_of(
        get(client, RESULTS, tokens["admin9"], unit="X12", date="2022-06-10", window="week"),
        200,
    )

    # 04–10/06: ONLINE (5 + 4) ÷ 20 = 0.45 → 0.9; ACCOUNTS never reported → 0.
    # 100 × 2 × 0.9 ÷ 3 = 60.00
    assert body["window"] == "week"
    assert body["period"] == {"start": "2022-06-04", "end": "2022-06-10"}
    assert (body["score"], body["band"]) == (60.0, "average")
    accounts = by_code(body["indicators"])["ACCOUNTS"]
    assert (accounts["status"], accounts["achievement"], accounts["capped_achievement"]) == (
        "not_reported",
        None,
        0.0,
    )


@pytest.mark.parametrize(
    ("asked", "day"),
    [("2022-07-15", "2022-06-30"), ("2022-05-01", "2022-06-01")],
    ids=["after-the-campaign", "before-the-campaign"],
)
def test_a_date_outside_the_campaign_is_clamped(client, tokens, asked, day):
    body = error_of(get(client, RESULTS, tokens["admin9"], unit="X11", date=asked), 200)

    assert body["date"] == day
    assert body["period"] == {"start": day, "end": day}


def test_a_stock_is_carried_to_the_last_day(client, tokens):
    body = error_of(get(client, RESULTS, tokens["admin9"], unit="X11", date="2022-06-30"), 200)

    # Nothing entered on 30/06: ONLINE not reported (0), ACCOUNTS still 80 from 05/06.
    # 100 × (0 + 0.8) ÷ 3 = 26.67
    assert (body["score"], body["band"], body["missing"]) == (26.67, "weak", True)
    assert by_code(body["indicators"])["ACCOUNTS"]["numerator"] == 80


# --- defaults --------------------------------------------------------------------------------


def test_defaults_own_unit_last_day_and_the_campaigns_window(client, tokens):
    body = error_of(get(client, RESULTS, tokens["manager9"]), 200)

    # manager9's own unit; the campaign is over: its last day; the campaign ranks by day.
    assert (body["unit"], body["date"], body["window"]) == ("H1", "2022-06-30", "day")


def test_a_user_above_the_owner_gets_the_owner_unit(client, tokens):
    body = error_of(get(client, "/api/v1/campaigns/KQ-H2/results", tokens["admin9"]), 200)

    assert body["unit"] == "H2"


@pytest.mark.parametrize(
    ("today", "day"),
    [(date(2022, 6, 11), "2022-06-10"), (date(2022, 5, 20), "2022-06-01")],
    ids=["running-yesterday", "not-started-first-day"],
)
def test_default_day_follows_today_in_the_campaigns_time_zone(
    client, tokens, monkeypatch, today, day
):
    monkeypatch.setattr("targets.results.api.local_today", lambda: today)

    results = error_of(get(client, RESULTS, tokens["admin9"], unit="X11"), 200)
    ranking = error_of(get(client, RANKING, tokens["admin9"], group="XA"), 200)

    assert (results["date"], ranking["date"]) == (day, day)


# --- ranking ---------------------------------------------------------------------------------


def test_the_campaigns_peer_group_with_a_tie_and_movement(client, tokens):
    body = error_of(get(client, RANKING, tokens["admin9"], group="XA", date="2022-06-10"), 200)

    assert {key: body[key] for key in ("campaign", "date", "window", "period", "group")} == {
        "campaign": "KQ",
        "date": "2022-06-10",
        "window": "day",
        "period": {"start": "2022-06-10", "end": "2022-06-10"},
        "group": {"parent": "T", "kind": "commune", "code": "XA", "name": "Tất cả xã", "size": 4},
    }
    # Ranks on 10/06: X11 93.33 (1), X21 and X22 73.33 (2, by code), X12 53.33 (4).
    # On 09/06: X11 80.00 (1), X12 66.67 (2), X21 33.33 (3), X22 0.00 (4); on 03/06 all 1.
    assert [
        (
            item["rank"],
            item["unit"],
            item["score"],
            item["band"],
            item["movement_1d"],
            item["movement_7d"],
        )
        for item in body["items"]
    ] == [
        (1, "X11", 93.33, "excellent", 0, 0),
        (2, "X21", 73.33, "fair", 1, -1),
        (2, "X22", 73.33, "fair", 2, -1),
        (4, "X12", 53.33, "average", -2, -3),
    ]
    first = body["items"][0]
    assert first["name"] == "Xã Một Một"
    assert first["missing"] is False
    assert by_code(first["indicators"]) == {
        "ONLINE": {
            "code": "ONLINE",
            "value": 0.8,
            "target": 0.5,
            "achievement": 1.6,
            "capped_achievement": 1.0,
            "status": "scored",
            "contribution": pytest.approx(100 * 2 / 3),
        },
        "ACCOUNTS": {
            "code": "ACCOUNTS",
            "value": 80.0,
            "target": 100.0,
            "achievement": 0.8,
            "capped_achievement": 0.8,
            "status": "scored",
            "contribution": pytest.approx(100 / 3 * 0.8),
        },
    }


def test_a_unit_without_figures_is_missing_and_last(client, tokens):
    body = error_of(get(client, RANKING, tokens["admin9"], group="XA", date="2022-06-09"), 200)

    last = body["items"][-1]
    assert (last["unit"], last["rank"], last["score"], last["band"], last["missing"]) == (
        "X22",
        4,
        0.0,
        "weak",
        True,
    )
    assert [item["missing"] for item in body["items"][:-1]] == [False, False, False]


def test_districts_below_the_province(client, tokens):
    body = error_of(get(client, RANKING, tokens["admin9"], kind="district", date="2022-06-10"), 200)

    # The parent defaults to the owner T. H1 80.00 (see the district test); H2: ONLINE
    # 6 ÷ 20 = 0.3 → 0.6, ACCOUNTS 110 ÷ 100 capped 1: 100 × (1.2 + 1) ÷ 3 = 73.33.
    assert body["group"] == {
        "parent": "T",
        "kind": "district",
        "code": None,
        "name": None,
        "size": 2,
    }
    assert [(i["rank"], i["unit"], i["score"], i["movement_1d"]) for i in body["items"]] == [
        (1, "H1", 80.0, 0),
        (2, "H2", 73.33, 0),
    ]


def test_the_only_kind_below_a_parent_is_taken(client, tokens):
    body = error_of(get(client, RANKING, tokens["manager9"], parent="H1", date="2022-06-10"), 200)

    assert body["group"]["kind"] == "commune"
    assert [(item["unit"], item["rank"]) for item in body["items"]] == [("X11", 1), ("X12", 2)]


# --- refusals --------------------------------------------------------------------------------


def test_the_ranking_parent_defaults_to_the_callers_unit(client, tokens):
    # manager9 sits at H1, below the owner T: without `parent`, H1's communes are ranked.
    body = error_of(get(client, RANKING, tokens["manager9"], date="2022-06-10"), 200)

    assert (body["group"]["parent"], body["group"]["kind"]) == ("H1", "commune")
    assert {item["unit"] for item in body["items"]} == {"X11", "X12"}


@pytest.mark.parametrize(
    ("url", "username", "query", "status", "message"),
    [
        (
            "/api/v1/campaigns/NOPE/results",
            "admin9",
            {},
            404,
            "No campaign has the code “NOPE”.",
        ),
        (RESULTS, "admin9", {"unit": "ZZ9"}, 404, "No unit has the code “ZZ9”."),
        (
            "/api/v1/campaigns/KQ-H2/results",
            "admin9",
            {"unit": "X11"},
            404,
            "Xã Một Một (X11) is not part of campaign KQ-H2.",
        ),
        (RESULTS, "manager9", {"unit": "X21"}, 403, "Unit “X21” is outside your units."),
        (
            "/api/v1/campaigns/KQ-H2/results",
            "manager9",
            {},
            403,
            "Campaign “KQ-H2” is outside your units.",
        ),
        (
            "/api/v1/campaigns/NOPE/ranking",
            "admin9",
            {},
            404,
            "No campaign has the code “NOPE”.",
        ),
        (RANKING, "admin9", {"group": "NOPE"}, 404, "Campaign KQ has no peer group “NOPE”."),
        (RANKING, "admin9", {"parent": "ZZ9"}, 404, "No unit has the code “ZZ9”."),
        (RANKING, "manager9", {"parent": "H2"}, 403, "Unit “H2” is outside your units."),
        (RANKING, "manager9", {"group": "XA"}, 403, "Unit “T” is outside your units."),
    ],
    ids=[
        "results-unknown-campaign",
        "results-unknown-unit",
        "results-unit-not-in-campaign",
        "results-unit-out-of-scope",
        "results-campaign-out-of-scope",
        "ranking-unknown-campaign",
        "ranking-unknown-group",
        "ranking-unknown-parent",
        "ranking-parent-out-of-scope",
        "ranking-group-root-out-of-scope",
    ],
)
def test_not_found_and_out_of_scope(client, tokens, url, username, query, status, message):
    body = error_of(get(client, url, tokens[username], **query), status)

    assert body["message"] == message
    assert "errors" not in body


@pytest.mark.parametrize(
    ("url", "query", "errors"),
    [
        (
            RESULTS,
            {"date": "2022-13-01", "window": "year"},
            [
                ("date", "Not a date: write it as yyyy-mm-dd."),
                ("window", "“year” is not one of day, week, month, campaign."),
            ],
        ),
        (RESULTS, {"date": "10/06/2022"}, [("date", "Not a date: write it as yyyy-mm-dd.")]),
        (
            RANKING,
            {"group": "XA", "date": "20220610"},
            [("date", "Not a date: write it as yyyy-mm-dd.")],
        ),
        (
            RANKING,
            {},
            [
                (
                    "kind",
                    "Units of several kinds lie directly below Tỉnh Thử; choose one of agency, "
                    "district.",
                )
            ],
        ),
        (
            RANKING,
            {"kind": "commune", "window": "year"},
            [
                ("kind", "“commune” is not one of agency, district."),
                ("window", "“year” is not one of day, week, month, campaign."),
            ],
        ),
        (
            RANKING,
            {"parent": "X11"},
            [("parent", "No unit directly below Xã Một Một takes part in the ranking.")],
        ),
        (
            RANKING,
            {"group": "XA", "parent": "T"},
            [("group", "Give either a peer group or a parent and a kind, not both.")],
        ),
    ],
    ids=[
        "bad-date-and-window",
        "date-not-iso",
        "ranking-date-not-iso",
        "several-kinds",
        "unknown-kind-and-window",
        "parent-without-units-below",
        "group-and-parent",
    ],
)
def test_a_wrong_query_is_422_listing_every_problem(client, tokens, url, query, errors):
    body = error_of(get(client, url, tokens["admin9"], **query), 422)

    assert body["message"] == "The query is wrong; nothing was computed."
    assert body["errors"] == [
        {"index": None, "field": field, "message": message} for field, message in errors
    ]


def test_messages_are_vietnamese_by_default(client, tokens):
    response = get(client, RESULTS, tokens["manager9"], language={}, unit="X21")

    assert error_of(response, 403)["message"] == "Đơn vị “X21” nằm ngoài phạm vi đơn vị của bạn."


def test_a_token_is_needed(client, tokens):
    assert client.get(RESULTS).status_code == 401
    assert client.get(RANKING).status_code == 401


# --- the OpenAPI document --------------------------------------------------------------------


def test_openapi_document_lists_both_endpoints_with_their_query(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)

    for path, parameters, fields in [
        (
            "/api/v1/campaigns/{code}/results",
            {"unit", "date", "window"},
            {"unit", "date", "window", "score", "band", "indicators", "rank", "period"},
        ),
        (
            "/api/v1/campaigns/{code}/ranking",
            {"date", "window", "parent", "kind", "group"},
            {"items", "group", "date", "window", "period"},
        ),
    ]:
        operation = document["paths"][path]["get"]
        assert {
            parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"
        } == parameters
        assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
        reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][reference.rsplit("/", 1)[1]]
        assert fields <= set(schema["properties"])
    window = next(
        parameter
        for parameter in document["paths"]["/api/v1/campaigns/{code}/ranking"]["get"]["parameters"]
        if parameter["name"] == "window"
    )
    assert window["schema"]["enum"] == ["day", "week", "month", "campaign"]
