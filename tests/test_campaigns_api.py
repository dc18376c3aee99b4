"""/api/v1/campaigns: create a campaign with its indicators (all or nothing) and read one
back; scope, errors and the OpenAPI document. Expected bodies are written by hand."""

import pytest
from flask import Flask
from openapi_spec_validator import validate
from sqlalchemy import func, select

from app.db import db
from app.users.queries import user_by_username
from campaigns.models import Campaign, Indicator
from tests.factories import World, make_campaign, make_indicator, make_token, make_user

ENGLISH = {"Accept-Language": "en"}


def token_of(app: Flask, username: str) -> str:
    with app.app_context():
        plain = make_token(user_by_username(username))
        db.session.commit()
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **ENGLISH}


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Campaign)),
            db.session.scalar(select(func.count()).select_from(Indicator)),
        )


def body(**overrides) -> dict:
    payload = {
        "code": "CD92-2022",
        "name": "Chiến dịch cao điểm 92 ngày đêm",
        "owner_unit": "P1",
        "start_date": "2022-06-01",
        "end_date": "2022-08-31",
        "legal_basis": "Kế hoạch 170/KH-UBND",
        "indicators": [
            {
                "code": "HS_TRUC_TUYEN",
                "name": "Tỷ lệ hồ sơ TTHC xử lý trực tuyến",
                "kind": "ratio",
                "measure": "flow",
                "direction": "higher",
                "weight": 2,
                "numerator_label": "Hồ sơ trực tuyến",
                "denominator_label": "Hồ sơ tiếp nhận",
            },
            {
                "code": "TO_CNS",
                "name": "Tổ công nghệ số cộng đồng",
                "kind": "count",
                "measure": "stock",
                "direction": "higher",
                "weight": 0.5,
                "unit_kinds": ["commune"],
            },
        ],
    }
    payload.update(overrides)
    return payload


def indicator(**overrides) -> dict:
    item = {"code": "I", "name": "Chỉ tiêu", "kind": "ratio", "measure": "flow", "weight": 1}
    item.update(overrides)
    return item


EXPECTED_SCORING = {
    "top_n": 3,
    "bottom_n": 3,
    "improvement_points": 10.0,
    "decline_points": 10.0,
    "below_target_share": 0.5,
    "missing_days_limit": 3,
    "band_excellent": 90.0,
    "band_good": 80.0,
    "band_fair": 70.0,
    "band_average": 50.0,
}
EXPECTED_BRIEFING = {
    "briefing_time": "06:30",
    "auto_publish": False,
    "reminder_time": "15:30",
    "webhook_url": "",
    "issuer_name": "",
    "issuer_code": "",
    "place_name": "",
}
EXPECTED_BODY = {
    "code": "CD92-2022",
    "name": "Chiến dịch cao điểm 92 ngày đêm",
    "legal_basis": "Kế hoạch 170/KH-UBND",
    "owner_unit": "P1",
    "start_date": "2022-06-01",
    "end_date": "2022-08-31",
    "status": "draft",
    "ranking_window": "week",
    "entry_deadline": "16:30",
    "lock_after_days": 3,
    "requires_task_evidence": False,
    "scoring": EXPECTED_SCORING,
    "briefing": EXPECTED_BRIEFING,
    "indicators": [
        {
            "code": "HS_TRUC_TUYEN",
            "name": "Tỷ lệ hồ sơ TTHC xử lý trực tuyến",
            "kind": "ratio",
            "measure": "flow",
            "direction": "higher",
            "weight": 2.0,
            "unit_kinds": [],
            "numerator_label": "Hồ sơ trực tuyến",
            "denominator_label": "Hồ sơ tiếp nhận",
        },
        {
            "code": "TO_CNS",
            "name": "Tổ công nghệ số cộng đồng",
            "kind": "count",
            "measure": "stock",
            "direction": "higher",
            "weight": 0.5,
            "unit_kinds": ["commune"],
            "numerator_label": "",
            "denominator_label": "",
        },
    ],
}


# --- create ------------------------------------------------------------------------------------


def test_create_answers_201_with_the_campaign(app: Flask, client, world: World):
    response = client.post("/api/v1/campaigns", json=body(), headers=bearer(token_of(app, "admin")))

    assert response.status_code == 201, response.get_json()
    assert response.get_json() == EXPECTED_BODY
    assert response.headers["Location"].endswith("/api/v1/campaigns/CD92-2022")
    assert counts(app) == (1, 2)
    again = client.get("/api/v1/campaigns/CD92-2022", headers=bearer(token_of(app, "reporter")))
    assert again.status_code == 200
    # A reporter does not configure the campaign, so it is not told the webhook address.
    assert again.get_json() == EXPECTED_BODY | {
        "briefing": EXPECTED_BRIEFING | {"webhook_url": None}
    }


def test_create_with_optional_settings(app: Flask, client, world: World):
    payload = body(
        ranking_window="month",
        entry_deadline="17:15",
        lock_after_days=0,
        requires_task_evidence=True,
        indicators=[indicator(direction="lower")],
    )
    payload.pop("legal_basis")

    response = client.post(
        "/api/v1/campaigns", json=payload, headers=bearer(token_of(app, "admin"))
    )

    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (
        created["legal_basis"],
        created["ranking_window"],
        created["entry_deadline"],
        created["lock_after_days"],
        created["requires_task_evidence"],
    ) == ("", "month", "17:15", 0, True)
    assert created["indicators"] == [
        {
            "code": "I",
            "name": "Chỉ tiêu",
            "kind": "ratio",
            "measure": "flow",
            "direction": "lower",
            "weight": 1.0,
            "unit_kinds": [],
            "numerator_label": "",
            "denominator_label": "",
        }
    ]


def test_every_bad_field_is_listed_and_nothing_is_stored(app: Flask, client, world: World):
    with app.app_context():
        make_campaign("TAKEN")
        db.session.commit()
    before = counts(app)
    payload = body(
        code="TAKEN",
        start_date="2022-06-02",
        end_date="2022-06-01",
        ranking_window="year",
        indicators=[
            indicator(code="OK"),
            indicator(code="A", weight=0),
            indicator(code="B", kind="percent", weight="heavy"),
            indicator(code="OK", measure="level"),
            indicator(code="C", name=""),
            "not an object",
            indicator(code="D", colour="red"),
        ],
    )

    response = client.post(
        "/api/v1/campaigns", json=payload, headers=bearer(token_of(app, "admin"))
    )

    assert response.status_code == 422
    answer = response.get_json()
    assert answer["message"] == "The campaign was not created; nothing was stored."
    assert sorted(
        answer["errors"], key=lambda e: (e["index"] is not None, e["index"] or 0, e["field"] or "")
    ) == [
        {"index": None, "field": "code", "message": "The campaign code “TAKEN” is taken."},
        {"index": None, "field": "end_date", "message": "The end date is before the start date."},
        {
            "index": None,
            "field": "ranking_window",
            "message": "“year” is not one of day, week, month, campaign.",
        },
        {"index": 1, "field": "weight", "message": "The weight must be greater than 0."},
        {"index": 2, "field": "kind", "message": "“percent” is not one of ratio, count."},
        {"index": 2, "field": "weight", "message": "Not a number."},
        {"index": 3, "field": "code", "message": "The campaign already has an indicator “OK”."},
        {"index": 3, "field": "measure", "message": "“level” is not one of flow, stock."},
        {"index": 4, "field": "name", "message": "The name is empty."},
        {"index": 5, "field": None, "message": "Not a JSON object."},
        {"index": 6, "field": "colour", "message": "Unknown field."},
    ]
    assert counts(app) == before


def test_missing_and_unreadable_campaign_fields(app: Flask, client, world: World):
    payload = {
        "code": 92,
        "start_date": "01/06/2022",
        "end_date": "2022-08-31",
        "owner_unit": "P1",
        "lock_after_days": "three",
        "indicators": {"code": "X"},
    }

    response = client.post(
        "/api/v1/campaigns", json=payload, headers=bearer(token_of(app, "admin"))
    )

    assert response.status_code == 422
    assert sorted(response.get_json()["errors"], key=lambda e: e["field"]) == [
        {"index": None, "field": "code", "message": "Not a text."},
        {"index": None, "field": "indicators", "message": "Not a list."},
        {"index": None, "field": "lock_after_days", "message": "Not a whole number."},
        {"index": None, "field": "name", "message": "This field is required."},
        {
            "index": None,
            "field": "start_date",
            "message": "Not a date; write it as yyyy-mm-dd.",
        },
    ]
    assert counts(app) == (0, 0)


@pytest.mark.parametrize("payload", [[body()], "text", None])
def test_body_must_be_a_json_object(app: Flask, client, world: World, payload):
    response = client.post(
        "/api/v1/campaigns", json=payload, headers=bearer(token_of(app, "admin"))
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"index": None, "field": None, "message": "The body must be a JSON object."}
    ]


def test_unknown_owner_unit_is_422(app: Flask, client, world: World):
    response = client.post(
        "/api/v1/campaigns", json=body(owner_unit="ZZ9"), headers=bearer(token_of(app, "admin"))
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"index": None, "field": "owner_unit", "message": "No unit has the code “ZZ9”."}
    ]
    assert counts(app) == (0, 0)


# (user, owner unit) → status. Only an admin creates campaigns, and only for a unit of its
# own subtree (admin@P1: P1 and below; admin2@P2: P2 and below).
WHO_MAY_CREATE = [
    ("admin", "P1", 201),
    ("admin", "C21", 201),
    ("admin", "P2", 403),
    ("admin", "D3", 403),
    ("admin2", "D3", 201),
    ("admin2", "P1", 403),
    ("manager", "D1", 403),
    ("manager", "C11", 403),
    ("reporter", "C11", 403),
    ("viewer", "P1", 403),
]


@pytest.mark.parametrize(("username", "owner", "status"), WHO_MAY_CREATE)
def test_who_may_create_which_campaign(app: Flask, client, world: World, username, owner, status):
    response = client.post(
        "/api/v1/campaigns", json=body(owner_unit=owner), headers=bearer(token_of(app, username))
    )

    assert response.status_code == status, response.get_json()
    assert counts(app) == ((1, 2) if status == 201 else (0, 0))


def test_403_messages(app: Flask, client, world: World):
    outside = client.post(
        "/api/v1/campaigns", json=body(owner_unit="D3"), headers=bearer(token_of(app, "admin"))
    )
    not_admin = client.post(
        "/api/v1/campaigns", json=body(), headers=bearer(token_of(app, "manager"))
    )

    assert outside.get_json() == {
        "code": 403,
        "status": "Forbidden",
        "message": "Unit “D3” is outside the units you may configure.",
    }
    assert not_admin.get_json()["message"] == "Only an administrator may create campaigns."


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer td_never-issued"}, {"Authorization": "Basic abc"}],
)
def test_create_without_a_valid_token_is_401(app: Flask, client, world: World, headers):
    response = client.post("/api/v1/campaigns", json=body(), headers={**headers, **ENGLISH})

    assert response.status_code == 401
    assert counts(app) == (0, 0)


# --- read --------------------------------------------------------------------------------------


def test_get_a_campaign_with_its_indicators(app: Flask, client, world: World):
    with app.app_context():
        campaign = make_campaign("CD1", "D1", legal_basis="KH 12", ranking_window="day")
        make_indicator(campaign, "I1", "count", "stock", direction="lower", weight=1.5)
        campaign.status = "active"
        db.session.commit()

    response = client.get("/api/v1/campaigns/CD1", headers=bearer(token_of(app, "manager")))

    assert response.status_code == 200
    assert response.get_json() == {
        "code": "CD1",
        "name": "Chiến dịch CD1",
        "legal_basis": "KH 12",
        "owner_unit": "D1",
        "start_date": "2022-06-01",
        "end_date": "2022-08-31",
        "status": "active",
        "ranking_window": "day",
        "entry_deadline": "16:30",
        "lock_after_days": 3,
        "requires_task_evidence": False,
        "scoring": EXPECTED_SCORING,
        # The manager may not configure the campaign: the webhook address is not shown.
        "briefing": EXPECTED_BRIEFING | {"webhook_url": None},
        "indicators": [
            {
                "code": "I1",
                "name": "Chỉ tiêu I1",
                "kind": "count",
                "measure": "stock",
                "direction": "lower",
                "weight": 1.5,
                "unit_kinds": [],
                "numerator_label": "",
                "denominator_label": "",
            }
        ],
    }


# A campaign owned by D1: the units above it and inside it see it, D2's commune and P2 do not.
@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 200),
        ("manager", 200),
        ("reporter", 200),
        ("viewer", 200),
        ("reporter21", 403),
        ("admin2", 403),
    ],
)
def test_get_follows_campaign_visibility(app: Flask, client, world: World, username, status):
    with app.app_context():
        make_user("reporter21", "reporter", "C21")
        make_campaign("CD1", "D1")
        db.session.commit()

    response = client.get("/api/v1/campaigns/CD1", headers=bearer(token_of(app, username)))

    assert response.status_code == status
    if status == 403:
        assert response.get_json()["message"] == "Campaign “CD1” is outside your units."


def test_get_unknown_campaign_is_404(app: Flask, client, world: World):
    response = client.get("/api/v1/campaigns/NOPE", headers=bearer(token_of(app, "admin")))

    assert response.status_code == 404
    assert response.get_json() == {
        "code": 404,
        "status": "Not Found",
        "message": "No campaign has the code “NOPE”.",
    }


def test_get_without_a_token_is_401(client, world: World):
    assert client.get("/api/v1/campaigns/CD1", headers=ENGLISH).status_code == 401


# --- the OpenAPI document ----------------------------------------------------------------------


def _resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        *_prefix, section, name = node["$ref"].split("/")
        node = document["components"][section][name]
    return node


def test_openapi_document_describes_the_campaign_endpoints(client, world: World):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)

    create = document["paths"]["/api/v1/campaigns"]["post"]
    read = document["paths"]["/api/v1/campaigns/{code}"]["get"]
    assert {"201", "401", "403", "422"} <= set(create["responses"])
    assert {"200", "401", "403", "404"} <= set(read["responses"])

    request_schema = _resolve(
        document, create["requestBody"]["content"]["application/json"]["schema"]
    )
    assert set(request_schema["required"]) == {
        "code",
        "name",
        "owner_unit",
        "start_date",
        "end_date",
    }
    items = _resolve(document, request_schema["properties"]["indicators"]["items"])
    assert set(items["required"]) == {"code", "name", "kind", "measure"}
    assert items["properties"]["kind"]["enum"] == ["ratio", "count"]

    campaign = _resolve(document, read["responses"]["200"]["content"]["application/json"]["schema"])
    assert {
        "code",
        "name",
        "legal_basis",
        "owner_unit",
        "start_date",
        "end_date",
        "status",
        "ranking_window",
        "entry_deadline",
        "lock_after_days",
        "indicators",
    } <= set(campaign["properties"])
    errors = _resolve(document, create["responses"]["422"]["content"]["application/json"]["schema"])
    item = _resolve(document, errors["properties"]["errors"]["items"])
    assert set(item["properties"]) == {"index", "field", "message"}
