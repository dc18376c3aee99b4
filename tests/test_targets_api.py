"""/api/v1/campaigns/{code}/targets: reading the effective targets of a unit's children and
setting many targets at once, all or nothing, with the error shape of the issue."""

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from app.db import db
from app.units.queries import unit_by_code
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from campaigns.queries import campaign_by_code
from targets.models import Baseline, Target, TargetRevision
from tests.factories import make_campaign, make_indicator, make_token, set_targets_for_test

URL = "/api/v1/campaigns/CD92/targets"


@pytest.fixture
def campaign(app, world):
    """CD92 on P1: HS (ratio, 50% on P1, 60% on D1) and TEAM (count, communes)."""
    with app.app_context():
        created = make_campaign("CD92", "P1", status=CampaignStatus.ACTIVE)
        make_indicator(created, "HS")
        make_indicator(created, "TEAM", "count", "stock", unit_kinds=["commune"])
        set_targets_for_test(
            created,
            {("P1", "HS"): 0.5, ("D1", "HS"): 0.6, ("C11", "TEAM"): 10, ("C12", "TEAM"): 15},
        )
        db.session.commit()
    return "CD92"


def headers(app, username: str) -> dict[str, str]:
    with app.app_context():
        token = make_token(user_by_username(username))
        db.session.commit()
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def own(unit: str, indicator: str) -> float | None:
    campaign = campaign_by_code("CD92")
    indicator_id = next(i.id for i in campaign.indicators if i.code == indicator)
    row = db.session.scalar(
        select(Target).where(
            Target.unit_id == unit_by_code(unit).id, Target.indicator_id == indicator_id
        )
    )
    return None if row is None else row.value


def revision_count() -> int:
    return db.session.scalar(select(func.count()).select_from(TargetRevision))


# --- GET ------------------------------------------------------------------------------------


def test_the_children_of_a_unit_with_their_effective_targets(app, client, campaign):
    response = client.get(f"{URL}?unit=P1", headers=headers(app, "viewer"))
    assert response.status_code == 200
    items = {(item["unit"], item["indicator"]): item for item in response.get_json()["items"]}
    assert set(items) == {(unit, i) for unit in ("A1", "D1", "D2") for i in ("HS", "TEAM")}
    assert items[("D1", "HS")] == {
        "unit": "D1", "indicator": "HS", "target": 0.6, "inherited": False, "source": "own",
        "from_unit": "D1",
    }  # fmt: skip
    assert items[("D2", "HS")] == {
        "unit": "D2", "indicator": "HS", "target": 0.5, "inherited": True,
        "source": "inherited", "from_unit": "P1",
    }  # fmt: skip
    assert items[("D1", "TEAM")] == {
        "unit": "D1", "indicator": "TEAM", "target": 25.0, "inherited": False,
        "source": "sum_of_children", "from_unit": None,
    }  # fmt: skip
    assert items[("D2", "TEAM")]["target"] is None and items[("D2", "TEAM")]["source"] is None


def test_inherited_from_a_middle_level(app, client, campaign):
    response = client.get(f"{URL}?unit=D1", headers=headers(app, "manager"))
    items = {(item["unit"], item["indicator"]): item for item in response.get_json()["items"]}
    assert items[("C11", "HS")]["target"] == 0.6
    assert items[("C11", "HS")]["inherited"] is True
    assert items[("C11", "HS")]["from_unit"] == "D1"
    assert items[("C11", "TEAM")] == {
        "unit": "C11", "indicator": "TEAM", "target": 10.0, "inherited": False, "source": "own",
        "from_unit": "C11",
    }  # fmt: skip


def test_without_a_unit_the_users_own_unit_is_listed(app, client, campaign):
    response = client.get(URL, headers=headers(app, "manager"))
    assert {item["unit"] for item in response.get_json()["items"]} == {"C11", "C12"}


@pytest.mark.parametrize(
    ("username", "path", "status", "message"),
    [
        ("manager", f"{URL}?unit=D2", 403, "Unit “D2” is outside your units."),
        ("admin2", f"{URL}?unit=P2", 403, "Campaign “CD92” is outside your units."),
        ("admin", f"{URL}?unit=NOPE", 404, "No unit has the code “NOPE”."),
        ("admin", "/api/v1/campaigns/NOPE/targets", 404, "No campaign has the code “NOPE”."),
    ],
)
def test_get_refusals(app, client, campaign, username, path, status, message):
    response = client.get(path, headers=headers(app, username))
    assert response.status_code == status
    assert response.get_json()["message"] == message


def test_a_unit_outside_the_campaign_is_not_found(app, client, world):
    with app.app_context():
        created = make_campaign("CD92", "D1")
        make_indicator(created, "HS")
        db.session.commit()
    response = client.get(f"{URL}?unit=P1", headers=headers(app, "admin"))
    assert response.status_code == 404
    assert "is not part of campaign CD92" in response.get_json()["message"]


def test_no_token_is_401(client, campaign):
    assert client.get(URL).status_code == 401
    assert client.put(URL, json=[]).status_code == 401


# --- PUT ------------------------------------------------------------------------------------


def test_put_sets_targets_and_baselines_all_at_once(app, client, campaign):
    body = [
        {"unit": "D2", "indicator": "HS", "target": 0.55},
        {"unit": "D1", "indicator": "HS", "target": 0.6},  # unchanged
        {
            "unit": "C21",
            "indicator": "HS",
            "target": None,
            "baseline_numerator": 216,
            "baseline_denominator": 1000,
        },
        {"unit": "C11", "indicator": "TEAM", "target": 12, "baseline_numerator": 3},
    ]
    response = client.put(URL, json=body, headers=headers(app, "admin"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"updated": 3}
    with app.app_context():
        assert own("D2", "HS") == 0.55
        assert own("C11", "TEAM") == 12
        assert own("C21", "HS") is None
        baselines = {
            (b.unit.code, b.numerator, b.denominator) for b in db.session.scalars(select(Baseline))
        }
        assert baselines == {("C21", 216, 1000), ("C11", 3, None)}
        sources = [r.source for r in db.session.scalars(select(TargetRevision))]
        assert sources.count("api") == 5  # D2 target, C21 num + den, C11 target + num


def test_put_refuses_the_whole_batch_and_lists_every_problem(app, client, campaign):
    body = [
        {"unit": "D2", "indicator": "HS", "target": 0.55},
        {"unit": "D2", "indicator": "HS", "target": 1.5},
        {"unit": "C11", "indicator": "TEAM", "target": -1},
        {"unit": "NOPE", "indicator": "HS", "target": 0.5},
        {"unit": "D2", "indicator": "NOPE", "target": 0.5},
        {"unit": "D2", "indicator": "HS"},
        {"unit": "D2", "indicator": "HS", "target": "50%", "colour": "red"},
        "D2",
    ]
    with app.app_context():
        before = revision_count()
    response = client.put(URL, json=body, headers=headers(app, "admin"))
    assert response.status_code == 422
    payload = response.get_json()
    assert payload["message"] == "The targets were not saved; nothing was stored."
    assert payload["errors"] == [
        {"index": 5, "field": "target", "message": "This field is required."},
        {"index": 6, "field": "colour", "message": "Unknown field."},
        {"index": 6, "field": "target", "message": "Not a number."},
        {"index": 7, "field": None, "message": "Not a JSON object."},
    ]
    # Once the shape is right, the values are checked: every one is listed.
    response = client.put(URL, json=body[:5], headers=headers(app, "admin"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {
            "index": 1,
            "field": "target",
            "message": "The target of a ratio must lie between 0% and 100%.",
        },
        {
            "index": 2,
            "field": "target",
            "message": "The target of a count must be a whole number, 0 or more.",
        },
        {"index": 3, "field": "unit", "message": "No unit has the code “NOPE”."},
        {"index": 4, "field": "indicator", "message": "Campaign CD92 has no indicator “NOPE”."},
    ]
    with app.app_context():
        assert own("D2", "HS") is None
        assert revision_count() == before


def test_put_needs_a_json_list(app, client, campaign):
    response = client.put(URL, json={"unit": "D2"}, headers=headers(app, "admin"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"index": None, "field": None, "message": "The body must be a JSON list of targets."}
    ]


@pytest.mark.parametrize("username", ["reporter", "viewer"])
def test_reporters_and_viewers_may_not_set_targets(app, client, campaign, username):
    body = [{"unit": "C11", "indicator": "HS", "target": 0.9}]
    response = client.put(URL, json=body, headers=headers(app, username))
    assert response.status_code == 403
    assert response.get_json()["message"] == (
        "Your role may not set targets, baselines or milestones."
    )
    with app.app_context():
        assert own("C11", "HS") is None


def test_a_manager_is_refused_its_own_unit_and_units_outside_its_subtree(app, client, campaign):
    body = [
        {"unit": "C11", "indicator": "HS", "target": 0.9},
        {"unit": "D1", "indicator": "HS", "target": 0.9},
        {"unit": "D2", "indicator": "HS", "target": 0.9},
    ]
    response = client.put(URL, json=body, headers=headers(app, "manager"))
    assert response.status_code == 403
    assert response.get_json()["errors"] == [
        {
            "index": 1,
            "field": "unit",
            "message": "You cannot set the targets of your own unit Huyện Đức Hợp; the unit "
            "above sets them.",
        },
        {"index": 2, "field": "unit", "message": "Unit “D2” is outside your units."},
    ]
    with app.app_context():
        assert own("C11", "HS") is None
    ok = client.put(URL, json=body[:1], headers=headers(app, "manager"))
    assert ok.status_code == 200 and ok.get_json() == {"updated": 1}


def test_put_on_a_closed_campaign_is_a_conflict(app, client, campaign):
    with app.app_context():
        campaign_by_code("CD92").status = CampaignStatus.CLOSED
        db.session.commit()
    body = [{"unit": "D2", "indicator": "HS", "target": 0.55}]
    response = client.put(URL, json=body, headers=headers(app, "admin"))
    assert response.status_code == 409
    assert response.get_json()["message"] == "The campaign is closed; nothing in it can change."


def test_put_on_a_campaign_out_of_scope_or_unknown(app, client, campaign):
    body = [{"unit": "D3", "indicator": "HS", "target": 0.55}]
    assert client.put(URL, json=body, headers=headers(app, "admin2")).status_code == 403
    unknown = client.put("/api/v1/campaigns/NOPE/targets", json=body, headers=headers(app, "admin"))
    assert unknown.status_code == 404


def test_the_endpoints_are_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    path = spec["paths"]["/api/v1/campaigns/{code}/targets"]
    assert set(path["put"]["responses"]) == {"200", "401", "403", "404", "409", "422", "default"}
    assert set(path["get"]["responses"]) >= {"200", "401", "403", "404"}
    body = path["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    item = spec["components"]["schemas"]["EffectiveTarget"]
    assert "sum_of_children" in item["properties"]["source"]["enum"]
    assert "not inherited" in item["properties"]["inherited"]["description"]
