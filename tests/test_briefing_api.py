"""/api/v1/campaigns/{code}/briefings: drafting (201, then 200 with the same draft), reading
the newest version a token may see, publishing, the files with the same bearer token, every
refusal, publish freezing the figures, and the briefing's figures equal to the ranking API's.

The campaign BT and its figures, worked out by hand, are those of tests/briefing_world.py.
"Today" is 11/06/2022.
"""

import io
from datetime import date

import pytest
from docx import Document
from openapi_spec_validator import validate
from openpyxl import load_workbook

from app.db import db
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from targets.briefings import api
from targets.briefings.models import Briefing
from tests.briefing_world import CODE, build_campaign, change_c12, drafted
from tests.factories import make_campaign, make_token

BRIEFINGS = f"/api/v1/campaigns/{CODE}/briefings"
DAY = "2022-06-10"
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(api, "local_today", lambda: date(2022, 6, 11))


@pytest.fixture
def tokens(app, world) -> dict[str, str]:
    with app.app_context():
        build_campaign()
        found = {name: make_token(user_by_username(name)) for name in world.users}
        db.session.commit()
    return found


def call(client, method: str, path: str, token: str, **options):
    headers = {"Authorization": f"Bearer {token}", **ENGLISH}
    return client.open(path, method=method, headers=headers, **options)


def draft(client, token: str, body: object = None, status: int = 201) -> dict:
    response = call(client, "POST", BRIEFINGS, token, json={"date": DAY} if body is None else body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def read(client, token: str, day: str = DAY, status: int = 200) -> dict:
    response = call(client, "GET", f"{BRIEFINGS}/{day}", token)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def publish(client, token: str, status: int = 200) -> dict:
    response = call(client, "POST", f"{BRIEFINGS}/{DAY}/publish", token)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def date_errors(body: dict) -> list[dict]:
    return [error for error in body["errors"] if error["field"] == "date"]


# --- drafting -------------------------------------------------------------------------------


def test_a_draft_is_made_once_then_returned(app, client, tokens):
    made = draft(client, tokens["admin"])

    assert (made["date"], made["version"], made["status"]) == (DAY, 1, "draft")
    # The bottom district is criticised, the top one praised (tests/briefing_world.py).
    assert {(line["unit"], line["reason"]) for line in made["criticism"]} >= {
        ("D1", "bottom_of_group")
    }
    assert ("D2", "top_of_group") in {(line["unit"], line["reason"]) for line in made["praise"]}
    assert all(line["text"] for line in made["praise"] + made["criticism"])
    base = app.config["BASE_URL"]
    assert made["links"] == {
        extension: f"{base}/api/v1/campaigns/{CODE}/briefings/{DAY}/v1.{extension}"
        for extension in ("xlsx", "docx", "txt")
    }

    again = draft(client, tokens["admin"], status=200)

    assert again == made
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Briefing.id))) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Give the day of the briefing, as yyyy-mm-dd."),
        ([DAY], "Give the day of the briefing, as yyyy-mm-dd."),
        ({"date": "10/06/2022"}, "Not a date: write it as yyyy-mm-dd."),
        ({"date": "2022-02-30"}, "Not a date: write it as yyyy-mm-dd."),
        ({"date": 20220610}, "Not a date: write it as yyyy-mm-dd."),
        ({"date": "2022-05-31"}, "2022 is not a day of the campaign"),  # the day before it
        ({"date": "2022-06-12"}, "has not come yet"),  # tomorrow
    ],
)
def test_a_wrong_day_is_refused(app, client, tokens, body, message):
    refused = draft(client, tokens["admin"], body, status=422)

    assert message in date_errors(refused)[0]["message"]
    assert read(client, tokens["admin"], status=404)


def test_a_day_after_the_campaign_is_refused(client, tokens, monkeypatch):
    monkeypatch.setattr(api, "local_today", lambda: date(2022, 9, 10))

    refused = draft(client, tokens["admin"], {"date": "2022-09-01"}, status=422)

    assert date_errors(refused)[0]["message"] == (
        "01/09/2022 is not a day of the campaign (01/06/2022–31/08/2022)."
    )
    assert draft(client, tokens["admin"], {"date": "2022-08-31"})["version"] == 1


def test_today_may_be_drafted(client, tokens):
    assert draft(client, tokens["admin"], {"date": "2022-06-11"})["date"] == "2022-06-11"


@pytest.mark.parametrize("user", ["manager", "reporter", "viewer", "admin2"])
def test_only_those_who_configure_the_campaign_draft(app, client, tokens, user):
    response = call(client, "POST", BRIEFINGS, tokens[user], json={"date": DAY})

    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Briefing.id))) == 0


def test_unknown_campaign_and_no_indicators(app, client, tokens):
    missing = call(client, "POST", "/api/v1/campaigns/NONE/briefings", tokens["admin"], json={})
    assert missing.status_code == 404
    with app.app_context():
        make_campaign("EMPTY", "P1", status=CampaignStatus.ACTIVE)
        db.session.commit()

    empty = call(
        client, "POST", "/api/v1/campaigns/EMPTY/briefings", tokens["admin"], json={"date": DAY}
    )

    assert empty.status_code == 409
    assert "no indicators" in empty.get_json()["message"]


# --- reading and publishing -----------------------------------------------------------------


def test_drafts_are_read_by_admins_only(client, tokens):
    draft(client, tokens["admin"])

    assert read(client, tokens["admin"])["status"] == "draft"
    read(client, tokens["viewer"], status=404)
    assert call(client, "GET", f"{BRIEFINGS}/{DAY}/v1.txt", tokens["viewer"]).status_code == 403
    # The manager of D1 and the reporter of C11 do not read P1's briefings at all.
    for user in ("manager", "reporter"):
        assert call(client, "GET", f"{BRIEFINGS}/{DAY}", tokens[user]).status_code == 403
    assert call(client, "GET", f"{BRIEFINGS}/2022-6-10", tokens["admin"]).status_code == 404


def test_publishing_freezes_the_briefing_and_a_correction_says_what_changed(app, client, tokens):
    draft(client, tokens["admin"])

    published = publish(client, tokens["admin"])

    assert (published["version"], published["status"]) == (1, "published")
    assert published["published_at"] is not None
    assert read(client, tokens["viewer"]) == published
    publish(client, tokens["admin"], status=409)  # nothing left to publish
    assert call(client, "POST", f"{BRIEFINGS}/{DAY}/publish", tokens["viewer"]).status_code == 403

    change_c12(app)

    # P1's figure stays 6/12 = 50% in the published version.
    frozen = read(client, tokens["viewer"])
    assert frozen == published
    assert frozen["indicators"][0]["value"] == 0.5
    correction = draft(client, tokens["admin"])  # 201: version 2, the correction
    assert (correction["version"], correction["status"]) == (2, "draft")
    # 8/12 = 66,67% now; the change is said in the briefing's language (Vietnamese).
    assert correction["indicators"][0]["value"] == pytest.approx(8 / 12)
    assert any("50% → 66,67%" in line for line in correction["changes"])
    assert read(client, tokens["admin"])["version"] == 2
    assert read(client, tokens["viewer"])["version"] == 1
    assert publish(client, tokens["admin"])["version"] == 2
    assert read(client, tokens["viewer"])["version"] == 2


def test_publishing_a_day_without_a_draft_is_a_conflict(client, tokens):
    response = call(client, "POST", f"{BRIEFINGS}/{DAY}/publish", tokens["admin"])

    assert response.status_code == 409
    assert response.get_json()["message"] == "The briefing of 2022-06-10 has no draft to publish."


# --- files ----------------------------------------------------------------------------------


def test_the_links_give_the_files_with_the_same_token(app, client, tokens):
    draft(client, tokens["admin"])
    links = publish(client, tokens["admin"])["links"]
    base = app.config["BASE_URL"]

    files = {
        extension: call(client, "GET", url.removeprefix(base), tokens["viewer"])
        for extension, url in links.items()
    }

    assert files["txt"].status_code == 200
    assert files["txt"].headers["Content-Type"] == "text/plain; charset=utf-8"
    text = files["txt"].get_data().decode("utf-8")
    assert "Huyện Bù Đốp" in text and len(text) <= 3000
    notice = Document(io.BytesIO(files["docx"].get_data()))
    assert any("10/06/2022" in paragraph.text for paragraph in notice.paragraphs)
    workbook = load_workbook(io.BytesIO(files["xlsx"].get_data()), read_only=True)
    assert workbook.sheetnames
    workbook.close()
    for response in files.values():
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    # Without the token, or for a version that does not exist.
    assert client.get(links["txt"].removeprefix(base)).status_code == 401
    missing = call(client, "GET", f"{BRIEFINGS}/{DAY}/v2.txt", tokens["viewer"])
    assert missing.status_code == 404


# --- the figures are the ranking's ----------------------------------------------------------


def test_the_briefings_figures_equal_the_ranking_apis(app, client, tokens):
    drafted(app, published=True)
    with app.app_context():
        content = db.session.scalar(db.select(Briefing)).content
    queries = {
        "P1/district": "parent=P1&kind=district",
        "XA": "group=XA",
    }

    for group in content["groups"]:
        ranking = call(
            client,
            "GET",
            f"/api/v1/campaigns/{CODE}/ranking?date={DAY}&{queries[group['key']]}",
            tokens["viewer"],
        ).get_json()
        assert [(row["unit"], row["rank"], row["score"]) for row in group["rows"]] == [
            (item["unit"], item["rank"], item["score"]) for item in ranking["items"]
        ]
    results = call(
        client, "GET", f"/api/v1/campaigns/{CODE}/results?unit=P1&date={DAY}", tokens["viewer"]
    ).get_json()
    briefing = read(client, tokens["viewer"])
    assert [(i["code"], i["value"], i["target"]) for i in briefing["indicators"]] == [
        (i["code"], i["value"], i["target"]) for i in results["indicators"]
    ]
    assert briefing["score"] == results["score"]
    # And by hand: districts D2 100 (rank 1), D1 75 (rank 2); XA: C11 and C21 100 (rank 1),
    # C12 50 (rank 3); P1 6/12 = 50%.
    by_key = {group["key"]: group["rows"] for group in content["groups"]}
    assert [(r["unit"], r["rank"], r["score"]) for r in by_key["P1/district"]] == [
        ("D2", 1, 100.0),
        ("D1", 2, 75.0),
    ]
    assert [(r["unit"], r["rank"], r["score"]) for r in by_key["XA"]] == [
        ("C11", 1, 100.0),
        ("C21", 1, 100.0),
        ("C12", 3, 50.0),
    ]
    assert briefing["indicators"][0]["value"] == 0.5


# --- the OpenAPI document -------------------------------------------------------------------


def test_the_openapi_document_describes_the_briefings(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    validate(spec)
    paths = {path: set(operations) - {"parameters"} for path, operations in spec["paths"].items()}
    assert paths["/api/v1/campaigns/{code}/briefings"] == {"post"}
    assert paths["/api/v1/campaigns/{code}/briefings/{day}"] == {"get"}
    assert paths["/api/v1/campaigns/{code}/briefings/{day}/publish"] == {"post"}
    files = spec["paths"]["/api/v1/campaigns/{code}/briefings/{day}/v{version}.{extension}"]
    extension = next(p for p in files["parameters"] if p["name"] == "extension")
    assert sorted(extension["schema"]["enum"]) == ["docx", "txt", "xlsx"]
    post = spec["paths"]["/api/v1/campaigns/{code}/briefings"]["post"]
    assert {"200", "201", "401", "403", "404", "409", "422"} <= set(post["responses"])
