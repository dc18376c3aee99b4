"""A campaign's briefing settings (DESIGN §7): when the briefing is drafted, whether it is
published at once, when units are reminded, the webhook, and the head of the official notice.
Through the campaign form, the campaign page, the operations and the API; every refusal says
why next to its field and stores nothing. Expected values are written by hand."""

import re
from datetime import time, timedelta, timezone

import pytest
from flask import Flask
from openapi_spec_validator import validate

from app.db import db
from app.demo import load_demo
from campaigns.operations import CampaignError, update_campaign
from campaigns.queries import campaign_by_code
from tests.factories import World, make_campaign
from tests.html import element, field_error, text_in
from tests.test_campaigns import campaign_form, campaign_state, english, page_text
from tests.test_campaigns_api import bearer, body, counts, token_of

WEBHOOK = "https://chat.example.vn/hooks/bao-cao?key=abc123"
ISSUER = "Sở Thông tin và Truyền thông"

# The briefing fields of the form, all of them set (the defaults are 06:30, unticked, 15:30).
BRIEFING_FORM = {
    "briefing_time": "07:15",
    "auto_publish": "y",
    "reminder_time": "14:00",
    "webhook_url": f"  {WEBHOOK} ",
    "issuer_name": f" {ISSUER} ",
    "issuer_code": "STTTT",
    "place_name": "Bình Phước",
}
BRIEFING_STORED = {
    "briefing_time": time(7, 15),
    "auto_publish": True,
    "reminder_time": time(14, 0),
    "webhook_url": WEBHOOK,  # spaces around a pasted address are dropped
    "issuer_name": ISSUER,
    "issuer_code": "STTTT",
    "place_name": "Bình Phước",
}
BRIEFING_KEYS = tuple(BRIEFING_STORED)


def briefing_state(app: Flask, code: str = "CD92") -> dict:
    state = campaign_state(app, code)
    return {key: state[key] for key in BRIEFING_KEYS}


def edit_form(**overrides: str) -> dict[str, str]:
    form = campaign_form(**overrides)
    del form["code"], form["owner_unit"]
    return form


def add_campaign(app: Flask, code: str = "CD92", **settings) -> None:
    with app.app_context():
        make_campaign(code, "P1", **settings)
        db.session.commit()


def details_tag(response, element_id: str) -> str:
    return re.search(rf'<details [^>]*id="{element_id}"[^>]*>', response.get_data(as_text=True))[0]


# --- the form ----------------------------------------------------------------------------------


def test_new_campaign_form_offers_the_defaults_folded(world: World, login):
    response = english(login("admin")).get("/campaigns/new")

    body_html = response.get_data(as_text=True)
    section = element(body_html, "briefing-settings")
    assert re.search(r'name="briefing_time"[^>]*value="06:30"', section)
    assert re.search(r'name="reminder_time"[^>]*value="15:30"', section)
    assert not re.search(r'name="auto_publish"[^>]*checked', section)
    assert "open" not in details_tag(response, "briefing-settings")
    # Each field says what it is for.
    text = text_in(body_html, "briefing-settings")
    assert "Leave empty to send no reminders." in text
    assert "Ends the notice number: Số: 12/TB-STTTT. No spaces or “/”." in text
    assert "Written before the date of the notice: Bình Phước, ngày 30 tháng 7 năm 2022." in text


def test_admin_creates_a_campaign_with_every_briefing_setting(app: Flask, world: World, login):
    response = login("admin").post("/campaigns/new", data=campaign_form(**BRIEFING_FORM))

    assert response.status_code == 302, page_text(response)
    assert briefing_state(app) == BRIEFING_STORED


def test_an_empty_reminder_time_means_no_reminders(app: Flask, world: World, login):
    admin = english(login("admin"))

    assert admin.post("/campaigns/new", data=campaign_form(reminder_time="")).status_code == 302

    assert briefing_state(app)["reminder_time"] is None
    settings = text_in(admin.get("/campaigns/CD92").get_data(as_text=True), "briefing-settings")
    assert "Units that have not reported are reminded at No reminders" in settings


def test_editing_sets_the_reminders_off_and_on_again(app: Flask, world: World, login):
    add_campaign(app)
    admin = login("admin")

    off = admin.post("/campaigns/CD92/edit", data=edit_form(reminder_time=""))
    state_off = briefing_state(app)
    on = admin.post("/campaigns/CD92/edit", data=edit_form(reminder_time="16:00"))

    assert (off.status_code, on.status_code) == (302, 302)
    assert state_off["reminder_time"] is None
    assert briefing_state(app)["reminder_time"] == time(16, 0)


def test_edit_form_shows_the_stored_settings(app: Flask, world: World, login):
    add_campaign(app, **BRIEFING_STORED | {"reminder_time": None})

    page = login("admin").get("/campaigns/CD92/edit").get_data(as_text=True)

    section = element(page, "briefing-settings")
    assert re.search(r'name="briefing_time"[^>]*value="07:15"', section)
    assert re.search(r'name="reminder_time"[^>]*value=""', section)
    assert re.search(r'name="auto_publish"[^>]*checked|checked[^>]*name="auto_publish"', section)
    assert re.search(rf'name="webhook_url"[^>]*value="{re.escape(WEBHOOK)}"', section)
    assert re.search(r'name="issuer_code"[^>]*value="STTTT"', section)


LONG_URL_PREFIX = "https://chat.example.vn/"

# Case → (form fields changed, message next to the field). Each is answered 422, opens the
# briefing section and stores nothing.
REFUSED = {
    "no briefing time": ({"briefing_time": ""}, "Please fill in this field."),
    "briefing time unreadable": (
        {"briefing_time": "6h30"},
        "Not a time of day; write it as hh:mm, e.g. 16:30.",
    ),
    "reminder at 25:00": (
        {"reminder_time": "25:00"},
        "Not a time of day; write it as hh:mm, e.g. 16:30.",
    ),
    "webhook over ftp": ({"webhook_url": "ftp://chat.example.vn/hook"}, "A webhook address"),
    "webhook without scheme": ({"webhook_url": "chat.example.vn/hook"}, "A webhook address"),
    "webhook without host": ({"webhook_url": "https://"}, "A webhook address"),
    "webhook with a space": ({"webhook_url": "https://chat.example.vn/a b"}, "A webhook address"),
    "webhook unreadable": ({"webhook_url": "http://[::1"}, "A webhook address"),
    "webhook of 1001 characters": (
        {"webhook_url": LONG_URL_PREFIX + "a" * (1001 - len(LONG_URL_PREFIX))},
        "At most 1000 characters.",
    ),
    "notice code with a slash": ({"issuer_code": "TB/STTTT"}, "A notice code has at most 32"),
    "notice code with a space": ({"issuer_code": "ST TTT"}, "A notice code has at most 32"),
    "notice code of 33 characters": ({"issuer_code": "S" * 33}, "At most 32 characters."),
    "issuer of 256 characters": ({"issuer_name": "S" * 256}, "At most 255 characters."),
    "place of 256 characters": ({"place_name": "B" * 256}, "At most 255 characters."),
}


def field_errors(response, field: str) -> str:
    return field_error(response.get_data(as_text=True), field)


@pytest.mark.parametrize("case", REFUSED)
def test_bad_briefing_settings_are_refused_next_to_their_field(app, world, login, case):
    overrides, message = REFUSED[case]
    admin = english(login("admin"))

    response = admin.post("/campaigns/new", data=campaign_form(**overrides))

    assert response.status_code == 422
    (field,) = overrides
    assert message in field_errors(response, field)
    assert "open" in details_tag(response, "briefing-settings")
    assert campaign_state(app, "CD92") is None


def test_a_bad_webhook_on_edit_changes_nothing(app: Flask, world: World, login):
    add_campaign(app, webhook_url=WEBHOOK)
    before = campaign_state(app, "CD92")

    response = english(login("admin")).post(
        "/campaigns/CD92/edit", data=edit_form(webhook_url="mailto:lanhdao@example.vn", name="X")
    )

    assert response.status_code == 422
    assert "A webhook address starts with https:// or http://" in field_errors(
        response, "webhook_url"
    )
    assert campaign_state(app, "CD92") == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # at the limits: 1000 characters of address, 32 of code, 255 of names
        ("webhook_url", LONG_URL_PREFIX + "a" * (1000 - len(LONG_URL_PREFIX))),
        ("webhook_url", "http://10.0.0.5:8080/hook"),
        ("webhook_url", "HTTPS://CHAT.EXAMPLE.VN/HOOK"),
        ("issuer_code", "S" * 32),
        ("issuer_code", "BCĐ"),
        ("issuer_code", "VP.UBND"),
        ("issuer_name", "S" * 255),
        ("place_name", "B" * 255),
        ("webhook_url", ""),
    ],
    ids=[
        "webhook-1000",
        "webhook-http-ip-port",
        "webhook-upper-case",
        "code-32",
        "code-vietnamese",
        "code-dotted",
        "issuer-255",
        "place-255",
        "no-webhook",
    ],
)
def test_settings_at_their_limits_are_accepted(app, world, login, field: str, value: str):
    response = login("admin").post("/campaigns/new", data=campaign_form(**{field: value}))

    assert response.status_code == 302, field_errors(response, field)
    assert briefing_state(app)[field] == value


# --- the operations ----------------------------------------------------------------------------


def test_operations_refuse_what_no_form_sends(app: Flask, world: World, app_context):
    campaign = make_campaign("CD92")
    db.session.flush()
    refused = {}
    for field, value in (
        ("briefing_time", "06:30"),  # a text, not a time
        ("reminder_time", time(15, 30, tzinfo=timezone(timedelta(hours=7)))),
        ("webhook_url", "javascript:alert(1)"),
    ):
        with pytest.raises(CampaignError) as caught:
            update_campaign(
                campaign,
                name=campaign.name,
                start_date=campaign.start_date,
                end_date=campaign.end_date,
                **{field: value},
            )
        refused[field] = caught.value.field

    assert refused == {
        "briefing_time": "briefing_time",
        "reminder_time": "reminder_time",
        "webhook_url": "webhook_url",
    }
    assert (campaign.briefing_time, campaign.reminder_time, campaign.webhook_url) == (
        time(6, 30),
        time(15, 30),
        "",
    )


def test_settings_left_out_stay_but_reminders_can_be_switched_off(app, world, app_context):
    campaign = make_campaign("CD92", issuer_code="STTTT", reminder_time=time(14, 0))
    dates = {
        "name": campaign.name,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
    }

    update_campaign(campaign, **dates, briefing_time=None)
    kept = (campaign.briefing_time, campaign.issuer_code, campaign.reminder_time)
    update_campaign(campaign, **dates, reminder_time=None)

    assert kept == (time(6, 30), "STTTT", time(14, 0))
    assert campaign.reminder_time is None


# --- the campaign page -------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "manager", "viewer"])
def test_campaign_page_shows_the_briefing_settings(app, world, login, username: str):
    add_campaign(app, **BRIEFING_STORED)

    page = english(login(username)).get("/campaigns/CD92").get_data(as_text=True)

    expected = (
        "Briefings Daily briefing drafted at 07:15 Published At once, without review "
        "Units that have not reported are reminded at 14:00 "
        + (f"Webhook address {WEBHOOK} " if username == "admin" else "")
        + f"Issuing agency {ISSUER} Notice number Số: …/TB-STTTT "
        "Place on the date line Bình Phước"
    )
    assert text_in(page, "briefing-settings") == expected
    # The address may hold the chat bot's secret: only those who configure the campaign see it.
    assert (WEBHOOK in page) is (username == "admin")


def test_campaign_page_says_what_is_not_set(app: Flask, world: World, login):
    add_campaign(app)

    page = english(login("admin")).get("/campaigns/CD92").get_data(as_text=True)

    assert text_in(page, "briefing-settings") == (
        "Briefings Daily briefing drafted at 06:30 Published After review by an administrator "
        "Units that have not reported are reminded at 15:30 Webhook address None "
        "Issuing agency Not set Notice number Not set Place on the date line Not set"
    )


# --- the API -----------------------------------------------------------------------------------

API_SETTINGS = {
    "briefing_time": "07:15",
    "auto_publish": True,
    "reminder_time": None,
    "webhook_url": WEBHOOK,
    "issuer_name": ISSUER,
    "issuer_code": "STTTT",
    "place_name": "Bình Phước",
}


def test_api_creates_a_campaign_with_its_briefing_settings(app: Flask, client, world: World):
    response = client.post(
        "/api/v1/campaigns", json=body(**API_SETTINGS), headers=bearer(token_of(app, "admin"))
    )

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["briefing"] == API_SETTINGS
    with app.app_context():
        campaign = campaign_by_code("CD92-2022")
        assert (campaign.briefing_time, campaign.reminder_time, campaign.auto_publish) == (
            time(7, 15),
            None,
            True,
        )
    read = client.get("/api/v1/campaigns/CD92-2022", headers=bearer(token_of(app, "admin")))
    assert read.get_json()["briefing"] == API_SETTINGS


def test_api_hides_the_webhook_from_who_may_not_configure(app: Flask, client, world: World):
    add_campaign(app, "CD1", webhook_url=WEBHOOK)

    seen = {
        username: client.get(
            "/api/v1/campaigns/CD1", headers=bearer(token_of(app, username))
        ).get_json()["briefing"]["webhook_url"]
        for username in ("admin", "manager", "reporter", "viewer")
    }

    assert seen == {"admin": WEBHOOK, "manager": None, "reporter": None, "viewer": None}


def test_api_lists_every_bad_briefing_setting_and_stores_nothing(app: Flask, client, world):
    before = counts(app)

    response = client.post(
        "/api/v1/campaigns",
        json=body(
            briefing_time="6h30",
            auto_publish="maybe",
            reminder_time="25:00",
            webhook_url="ftp://chat.example.vn/hook",
            issuer_name=12,
            issuer_code="TB/STTTT",
            place_name="B" * 256,
        ),
        headers=bearer(token_of(app, "admin")),
    )

    assert response.status_code == 422
    time_message = "Not a time of day; write it as hh:mm, e.g. 16:30."
    assert {(e["index"], e["field"], e["message"]) for e in response.get_json()["errors"]} == {
        (None, "briefing_time", time_message),
        (None, "auto_publish", "Not true or false."),
        (None, "reminder_time", time_message),
        (
            None,
            "webhook_url",
            "A webhook address starts with https:// or http:// and has no spaces, "
            "e.g. https://chat.example.vn/hooks/abc.",
        ),
        (None, "issuer_name", "Not a text."),
        (
            None,
            "issuer_code",
            "A notice code has at most 32 characters, without spaces or “/”; e.g. STTTT.",
        ),
        (None, "place_name", "At most 255 characters."),
    }
    assert counts(app) == before


def test_openapi_document_describes_the_briefing_settings(client, world: World):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    schemas = document["components"]["schemas"]

    request = schemas["CampaignInput"]
    assert set(BRIEFING_KEYS) <= set(request["properties"])
    assert not set(BRIEFING_KEYS) & set(request["required"])
    assert set(schemas["CampaignBriefing"]["required"]) == set(BRIEFING_KEYS)
    assert schemas["CampaignBody"]["properties"]["briefing"]["$ref"].endswith("CampaignBriefing")


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_campaign_is_headed_by_the_information_department(app: Flask):
    with app.app_context():
        load_demo()
        campaign = campaign_by_code("CD92-2022")
        assert (campaign.issuer_name, campaign.issuer_code, campaign.place_name) == (
            "Sở Thông tin và Truyền thông",
            "STTTT",
            "Bình Phước",
        )
