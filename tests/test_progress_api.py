"""/api/v1/campaigns/{code}/progress: saving many figures at once (counts, idempotence, all or
nothing with every error listed, scope, campaign state) and reading a unit's own figures.

The API's clock is set to 10/06/2022 16:00 in Ho Chi Minh City (09:00 UTC).
"""

from datetime import UTC, date, datetime

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from app.db import db
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from campaigns.progress.models import Entry, EntryRevision, EntrySource
from campaigns.progress.operations import EntryInput, save_entries
from campaigns.queries import campaign_by_code
from tests.factories import make_campaign, make_indicator, make_token

NOW = datetime(2022, 6, 10, 9, 0, tzinfo=UTC)
URL = "/api/v1/campaigns/CD92/progress"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr("campaigns.progress.api.utcnow", lambda: NOW)


@pytest.fixture
def campaign(app, world):
    """CD92 on P1 (active, 01/06–31/08/2022): HS a ratio (every unit), TK a count (stock,
    communes only), in that order."""
    with app.app_context():
        created = make_campaign("CD92", "P1", status=CampaignStatus.ACTIVE)
        make_indicator(created, "HS")
        make_indicator(created, "TK", "count", "stock", unit_kinds=["commune"])
        db.session.commit()
    return "CD92"


def headers(app, username: str) -> dict[str, str]:
    with app.app_context():
        token = make_token(user_by_username(username))
        db.session.commit()
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def item(unit="C11", indicator="HS", day="2022-06-09", numerator=30, denominator=100, **more):
    body = {"unit": unit, "indicator": indicator, "date": day, "numerator": numerator}
    if denominator is not None:
        body["denominator"] = denominator
    return {**body, **more}


# --- PUT ------------------------------------------------------------------------------------


def test_put_saves_and_counts_then_is_idempotent(app, client, campaign):
    auth = headers(app, "manager")
    body = [
        item("C11", "HS", numerator=30, denominator=100),
        item("C12", "HS", numerator=10, denominator=20),
        item("C11", "TK", numerator=1080, denominator=None),
    ]

    first = client.put(URL, json=body, headers=auth)

    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"created": 3, "updated": 0, "unchanged": 0}
    with app.app_context():
        revisions = db.session.scalars(select(EntryRevision)).all()
        assert {(r.source, r.on_behalf, r.changed_by.username) for r in revisions} == {
            ("api", True, "manager")
        }
        assert len(revisions) == 3

    again = client.put(URL, json=body, headers=auth)

    assert again.status_code == 200
    assert again.get_json() == {"created": 0, "updated": 0, "unchanged": 3}
    with app.app_context():
        assert count(EntryRevision) == 3 and count(Entry) == 3

    body[1] = item("C12", "HS", numerator=11, denominator=20)
    changed = client.put(URL, json=body, headers=auth)
    assert changed.get_json() == {"created": 0, "updated": 1, "unchanged": 2}
    with app.app_context():
        assert count(EntryRevision) == 4
        entry = db.session.scalars(select(Entry).where(Entry.numerator == 11)).one()
        assert (entry.denominator, entry.revision, entry.unit.code) == (20, 2, "C12")


def test_a_reporter_saves_its_own_unit_not_on_behalf(app, client, campaign):
    response = client.put(URL, json=[item()], headers=headers(app, "reporter"))
    assert response.get_json() == {"created": 1, "updated": 0, "unchanged": 0}
    with app.app_context():
        revision = db.session.scalars(select(EntryRevision)).one()
        assert (revision.source, revision.on_behalf) == ("api", False)


def test_an_empty_list_saves_nothing(app, client, campaign):
    response = client.put(URL, json=[], headers=headers(app, "manager"))
    assert response.get_json() == {"created": 0, "updated": 0, "unchanged": 0}


def test_every_problem_is_listed_at_once_and_nothing_is_stored(app, client, campaign):
    # Distinct cells (a cell given twice is a problem of its own), on days not yet locked.
    body = [
        item(),  # good, but not stored
        item(numerator="30"),
        item("C12", denominator=None),
        item(day="2022-13-01"),
        item(day="2022-06-08", numerator=120, denominator=100),
        item(indicator="XX"),
        item(indicator="TK", numerator=5, denominator=6),
        item(day="2022-06-11"),
        item(numerator=12.5),
        item(day="2022-06-07", numerator=-1),
        "C11",
        {"unit": "C11", "indicator": "HS", "numerator": 1, "denominator": 2, "note": "x"},
        item(day="09/06/2022", confirmed="yes"),
        item(numerator=3_000_000_000, denominator=3_000_000_001),
        item(),  # the same cell as index 0
    ]

    response = client.put(URL, json=body, headers=headers(app, "manager"))

    assert response.status_code == 422
    payload = response.get_json()
    assert payload["message"] == "The figures were not saved; nothing was stored."
    assert [(e["index"], e["field"], e["message"]) for e in payload["errors"]] == [
        (
            1,
            "numerator",
            'Figures are JSON numbers, not strings: write 1080, not "1080" or "1.080".',
        ),
        (2, "denominator", "Type a figure."),
        (3, "date", "Not a date: write it as yyyy-mm-dd."),
        (4, "numerator", "The numerator cannot be larger than the denominator."),
        (5, "indicator", "Campaign CD92 has no indicator “XX”."),
        (6, "denominator", "This indicator is a count: it has no denominator."),
        (7, "date", "Figures can be entered up to today, not for days to come."),
        (8, "numerator", "Type a whole number, without decimals."),
        (9, "numerator", "A figure cannot be negative."),
        (10, None, "Not a JSON object."),
        (11, "note", "Unknown field."),
        (11, "date", "This field is required."),
        (12, "date", "Not a date: write it as yyyy-mm-dd."),
        (12, "confirmed", "Write true or false."),
        (13, "numerator", "This figure is larger than any figure can be."),
        (13, "denominator", "This figure is larger than any figure can be."),
        (14, None, "C11, HS on 09/06/2022 is given twice."),
    ]
    with app.app_context():
        assert count(Entry) == 0 and count(EntryRevision) == 0


def test_a_body_that_is_not_a_list_is_refused(app, client, campaign):
    response = client.put(URL, json={"unit": "C11"}, headers=headers(app, "manager"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"index": None, "field": None, "message": "The body must be a JSON list of figures."}
    ]
    no_json = client.put(URL, data="30/100", headers=headers(app, "manager"))
    assert no_json.status_code == 422


def test_units_outside_the_users_scope_are_403_with_the_errors(app, client, campaign):
    body = [item("C11"), item("C21"), item("D2", numerator=0, denominator=1)]
    response = client.put(URL, json=body, headers=headers(app, "manager"))
    assert response.status_code == 403
    assert response.get_json()["errors"] == [
        {"index": index, "field": "unit", "message": f"You may not enter figures for {name}."}
        for index, name in ((1, "Thị trấn Thanh Bình"), (2, "Huyện Bù Đốp"))
    ]
    with app.app_context():
        assert count(Entry) == 0


def test_a_unit_outside_the_campaign_is_422(app, client, campaign):
    response = client.put(URL, json=[item("D3")], headers=headers(app, "manager"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"index": 0, "field": "unit", "message": "Huyện Ba is not part of campaign CD92."}
    ]


def test_unusual_figures_need_confirmed_and_lower_stocks_a_reason(app, client, campaign):
    with app.app_context():
        save_entries(
            campaign_by_code("CD92"),
            [
                EntryInput("C11", "HS", date(2022, 6, day), 10, 20)
                for day in (5, 6, 7)
            ] + [EntryInput("C11", "TK", date(2022, 6, 7), 50)],
            user=user_by_username("admin"),
            source=EntrySource.WEB,
            now=datetime(2022, 6, 7, 8, 0, tzinfo=UTC),
        )  # fmt: skip
        db.session.commit()
    auth = headers(app, "reporter")
    body = [
        item(numerator=101, denominator=200),
        item(indicator="TK", numerator=49, denominator=None),
    ]

    refused = client.put(URL, json=body, headers=auth)

    assert refused.status_code == 422
    assert [(e["index"], e["field"]) for e in refused.get_json()["errors"]] == [
        (0, "numerator"),
        (1, "reason"),
    ]
    body[0]["confirmed"] = True
    body[1]["reason"] = "Sáp nhập thôn"
    saved = client.put(URL, json=body, headers=auth)
    assert saved.get_json() == {"created": 2, "updated": 0, "unchanged": 0}
    with app.app_context():
        reasons = {r.entry.indicator.code: r.reason for r in db.session.scalars(
            select(EntryRevision).where(EntryRevision.source == "api"))}  # fmt: skip
        assert reasons == {"HS": "", "TK": "Sáp nhập thôn"}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (CampaignStatus.DRAFT, "Campaign CD92 has not started; figures open when it starts."),
        (CampaignStatus.CLOSED, "Campaign CD92 is closed; its figures can no longer change."),
    ],
)
def test_a_draft_or_closed_campaign_is_409(app, client, campaign, status, message):
    with app.app_context():
        campaign_by_code("CD92").status = status
        db.session.commit()
    response = client.put(URL, json=[item()], headers=headers(app, "manager"))
    assert response.status_code == 409
    assert response.get_json()["message"] == message


def test_unknown_invisible_viewer_and_anonymous(app, client, campaign):
    unknown = client.put(
        "/api/v1/campaigns/NOPE/progress", json=[item()], headers=headers(app, "admin")
    )
    assert unknown.status_code == 404
    assert unknown.get_json()["message"] == "No campaign has the code “NOPE”."
    invisible = client.put(URL, json=[item("D3")], headers=headers(app, "admin2"))
    assert invisible.status_code == 403
    assert invisible.get_json()["message"] == "Campaign “CD92” is outside your units."
    viewer = client.put(URL, json=[item()], headers=headers(app, "viewer"))
    assert viewer.status_code == 403
    assert viewer.get_json()["message"] == "Your role may not enter figures."
    assert client.put(URL, json=[item()]).status_code == 401
    assert client.get(f"{URL}?unit=C11").status_code == 401
    with app.app_context():
        assert count(Entry) == 0


# --- GET ------------------------------------------------------------------------------------


@pytest.fixture
def entries(app, campaign):
    """C11: HS 02/06 (late), 05/06 and 09/06 (twice, on 10/06: late), TK 05/06; D1: HS 05/06."""
    with app.app_context():
        cd92 = campaign_by_code("CD92")
        manager = user_by_username("manager")

        def save(*inputs, now):
            save_entries(cd92, list(inputs), user=manager, source=EntrySource.WEB, now=now)

        save(
            EntryInput("C11", "HS", date(2022, 6, 2), 1, 2),
            now=datetime(2022, 6, 3, 1, 0, tzinfo=UTC),  # 08:00 on 03/06: late
        )
        save(
            EntryInput("C11", "TK", date(2022, 6, 5), 7),
            EntryInput("C11", "HS", date(2022, 6, 5), 3, 4),
            EntryInput("D1", "HS", date(2022, 6, 5), 8, 9),
            now=datetime(2022, 6, 5, 2, 0, tzinfo=UTC),
        )
        save(EntryInput("C11", "HS", date(2022, 6, 9), 5, 6), now=NOW)
        save(EntryInput("C11", "HS", date(2022, 6, 9), 6, 6), now=NOW)
        db.session.commit()


def test_get_lists_the_units_own_entries_by_date_then_indicator(app, client, entries):
    response = client.get(f"{URL}?unit=C11", headers=headers(app, "reporter"))
    assert response.status_code == 200
    assert response.get_json() == {
        "items": [
            {"unit": "C11", "indicator": "HS", "date": "2022-06-02", "numerator": 1,
             "denominator": 2, "late": True, "revision": 1},
            {"unit": "C11", "indicator": "HS", "date": "2022-06-05", "numerator": 3,
             "denominator": 4, "late": False, "revision": 1},
            {"unit": "C11", "indicator": "TK", "date": "2022-06-05", "numerator": 7,
             "denominator": None, "late": False, "revision": 1},
            {"unit": "C11", "indicator": "HS", "date": "2022-06-09", "numerator": 6,
             "denominator": 6, "late": True, "revision": 2},
        ]
    }  # fmt: skip


def test_get_filters_by_dates_and_shows_only_the_units_own_figures(app, client, entries):
    auth = headers(app, "manager")
    window = client.get(f"{URL}?unit=C11&from=2022-06-05&to=2022-06-05", headers=auth)
    assert [(i["indicator"], i["date"]) for i in window.get_json()["items"]] == [
        ("HS", "2022-06-05"),
        ("TK", "2022-06-05"),
    ]
    since = client.get(f"{URL}?unit=C11&from=2022-06-06", headers=auth)
    assert [i["date"] for i in since.get_json()["items"]] == ["2022-06-09"]
    until = client.get(f"{URL}?unit=C11&to=2022-06-04", headers=auth)
    assert [i["date"] for i in until.get_json()["items"]] == ["2022-06-02"]
    district = client.get(f"{URL}?unit=D1", headers=auth)
    assert [(i["unit"], i["numerator"]) for i in district.get_json()["items"]] == [("D1", 8)]
    own_unit = client.get(URL, headers=auth)  # default: the token owner's unit
    assert own_unit.get_json() == district.get_json()
    nothing = client.get(f"{URL}?unit=C12", headers=auth)
    assert nothing.get_json() == {"items": []}


def test_get_refuses_bad_dates_and_units(app, client, entries):
    auth = headers(app, "reporter")
    bad = client.get(f"{URL}?unit=C11&from=05/06/2022&to=2022-02-30", headers=auth)
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == [
        {"index": None, "field": "from", "message": "Not a date: write it as yyyy-mm-dd."},
        {"index": None, "field": "to", "message": "Not a date: write it as yyyy-mm-dd."},
    ]
    backwards = client.get(f"{URL}?unit=C11&from=2022-06-09&to=2022-06-05", headers=auth)
    assert backwards.status_code == 422
    assert backwards.get_json()["errors"][0]["message"] == "The first day comes after the last day."
    assert client.get(f"{URL}?unit=NOPE", headers=auth).status_code == 404
    assert client.get(f"{URL}?unit=C12", headers=auth).status_code == 403
    assert client.get(f"{URL}?unit=C11", headers=headers(app, "admin2")).status_code == 403
    assert client.get(f"{URL}?unit=C11", headers=headers(app, "viewer")).status_code == 200


def test_get_a_unit_outside_the_campaign_is_404(app, client, world):
    with app.app_context():
        make_indicator(make_campaign("CDD1", "D1", status=CampaignStatus.ACTIVE), "HS")
        db.session.commit()
    response = client.get("/api/v1/campaigns/CDD1/progress?unit=C21", headers=headers(app, "admin"))
    assert response.status_code == 404
    assert response.get_json()["message"] == (
        "Thị trấn Thanh Bình (C21) is not part of campaign CDD1."
    )


# --- the OpenAPI document -------------------------------------------------------------------


def test_the_openapi_document_describes_both_calls(client, world):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    path = document["paths"]["/api/v1/campaigns/{code}/progress"]
    assert set(path["put"]["responses"]) - {"default"} == {"200", "401", "403", "404", "409", "422"}
    assert set(path["get"]["responses"]) - {"default"} == {"200", "401", "403", "404", "422"}
    assert {p["name"] for p in path["get"]["parameters"] if p["in"] == "query"} == {
        "unit",
        "from",
        "to",
    }
    body = path["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    schemas = document["components"]["schemas"]
    assert {"ProgressInput", "Saved", "ProgressItems", "ProgressErrors"} <= set(schemas)
    assert set(schemas["ProgressInput"]["required"]) == {"unit", "indicator", "date", "numerator"}
