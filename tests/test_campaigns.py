"""The campaign pages: list (scoped), create, view, edit, status changes and indicators, with
every refusal. Expected values are written by hand from the World of tests/factories.py."""

import html
import re
from datetime import date, time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func, select

from app.db import db
from app.units.models import Unit
from campaigns import hooks
from campaigns.hooks import CampaignLink
from campaigns.models import Campaign, Indicator
from campaigns.operations import (
    CampaignError,
    CampaignErrors,
    add_indicator,
    create_campaign_with_indicators,
    set_status,
    update_campaign,
    update_indicator,
)
from campaigns.progress.models import EntrySource
from campaigns.progress.operations import EntryInput, save_entries
from campaigns.queries import campaign_by_code
from tests.factories import World, make_campaign, make_indicator, make_user
from tests.pages import english

# --- helpers -----------------------------------------------------------------------------------


def page_text(response) -> str:
    """The visible text of a page, tags removed, entities decoded, spaces collapsed."""
    raw = response.get_data(as_text=True)
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def flashed(client: FlaskClient, response) -> str:
    """The page a refused action redirects to, as text (it carries the flashed message)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return page_text(client.get(response.headers["Location"]))


def campaign_form(**overrides: str) -> dict[str, str]:
    """What the browser sends for the new-campaign form, with the defaults it shows."""
    form = {
        "code": "CD92",
        "name": "Chiến dịch cao điểm 92 ngày đêm",
        "legal_basis": "Kế hoạch 170/KH-UBND",
        "owner_unit": "P1",
        "start_date": "2022-06-01",
        "end_date": "2022-08-31",
        "entry_deadline": "16:30",
        "lock_after_days": "3",
        "ranking_window": "week",
        "top_n": "3",
        "bottom_n": "3",
        "improvement_points": "10",
        "decline_points": "10",
        "below_target_percent": "50",
        "missing_days_limit": "3",
        "band_excellent": "90",
        "band_good": "80",
        "band_fair": "70",
        "band_average": "50",
        "briefing_time": "06:30",
        "reminder_time": "15:30",
        "webhook_url": "",
        "issuer_name": "",
        "issuer_code": "",
        "place_name": "",
    }
    form.update(overrides)
    return form


def edit_form(**overrides: str) -> dict[str, str]:
    form = campaign_form(**overrides)
    del form["code"], form["owner_unit"]
    return form


def indicator_form(**overrides) -> dict:
    form = {
        "code": "HS_TRUC_TUYEN",
        "name": "Tỷ lệ hồ sơ TTHC xử lý trực tuyến",
        "kind": "ratio",
        "measure": "flow",
        "direction": "higher",
        "weight": "1",
        "numerator_label": "Hồ sơ trực tuyến",
        "denominator_label": "Tổng số hồ sơ tiếp nhận",
    }
    form.update(overrides)
    return form


def campaign_state(app: Flask, code: str) -> dict | None:
    """Every column of the campaign and its indicators, to compare before and after."""
    with app.app_context():
        campaign = campaign_by_code(code)
        if campaign is None:
            return None
        state = {column.name: getattr(campaign, column.name) for column in Campaign.__table__.c}
        state["indicators"] = [
            {column.name: getattr(indicator, column.name) for column in Indicator.__table__.c}
            | {"unit_kinds": indicator.applies_to_kinds}
            for indicator in campaign.indicators
        ]
        return state


def campaign_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Campaign))


def add_campaign(app: Flask, code: str = "CD92", owner: str = "P1", indicators=("I1",), **kw):
    with app.app_context():
        status = kw.pop("status", "draft")
        campaign = make_campaign(code, owner, **kw)
        for indicator in indicators:
            make_indicator(campaign, indicator)
        campaign.status = status
        db.session.commit()


def listed_codes(response) -> list[str]:
    assert response.status_code == 200
    table = response.get_data(as_text=True)
    return re.findall(r'<a href="/campaigns/([^"/]+)">', table)


@pytest.fixture
def today(monkeypatch):
    """Fix the campaigns' "today" (Asia/Ho_Chi_Minh) for the pages."""

    def set_today(day: date) -> None:
        monkeypatch.setattr("campaigns.controllers.local_today", lambda: day)

    return set_today


# --- create ------------------------------------------------------------------------------------


def test_admin_creates_a_draft_campaign_with_the_defaults(app: Flask, world: World, login):
    admin = english(login("admin"))

    response = admin.post("/campaigns/new", data=campaign_form())

    assert response.status_code == 302
    assert response.headers["Location"] == "/campaigns/CD92"
    state = campaign_state(app, "CD92")
    assert {key: state[key] for key in state if key not in ("id", "created_at")} == {
        "code": "CD92",
        "name": "Chiến dịch cao điểm 92 ngày đêm",
        "legal_basis": "Kế hoạch 170/KH-UBND",
        "owner_unit_id": world.units["P1"],
        "start_date": date(2022, 6, 1),
        "end_date": date(2022, 8, 31),
        "status": "draft",
        "entry_deadline": time(16, 30),
        "lock_after_days": 3,
        "requires_task_evidence": False,
        "ranking_window": "week",
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
        "briefing_time": time(6, 30),
        "auto_publish": False,
        "reminder_time": time(15, 30),
        "webhook_url": "",
        "issuer_name": "",
        "issuer_code": "",
        "place_name": "",
        "created_by_id": world.users["admin"],
        "indicators": [],
    }
    page = page_text(admin.get("/campaigns/CD92"))
    assert "Campaign CD92 created as a draft. Add its indicators, then start it." in page


def test_new_campaign_form_shows_the_defaults_with_scoring_folded(world: World, login):
    response = english(login("admin")).get("/campaigns/new")

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert re.search(r'name="owner_unit"[^>]*value="P1"', body)
    assert re.search(r'type="time"[^>]*value="16:30"', body)
    assert re.search(r'name="lock_after_days"[^>]*value="3"', body)
    assert re.search(r'<option selected value="week">|<option value="week" selected', body)
    assert re.search(r'name="below_target_percent"[^>]*value="50"', body)
    assert re.search(r'name="band_average"[^>]*value="50"', body)
    assert re.search(r'<details [^>]*id="advanced-scoring"\s*>', body)  # folded: not "open"
    # The owner picker offers the admin's province and the units right below it.
    options = re.findall(
        r'<option value="([^"]+)">', body.split('id="owner-options"')[1].split("</datalist>")[0]
    )
    assert options[:1] == ["P1"] and set(options) == {"P1", "A1", "D1", "D2"}


def test_dates_typed_as_dd_mm_yyyy_are_accepted(app: Flask, world: World, login):
    response = login("admin").post(
        "/campaigns/new", data=campaign_form(start_date="01/06/2022", end_date="31/08/2022")
    )

    assert response.status_code == 302
    state = campaign_state(app, "CD92")
    assert (state["start_date"], state["end_date"]) == (date(2022, 6, 1), date(2022, 8, 31))


def test_one_day_campaign_is_accepted(app: Flask, world: World, login):
    response = login("admin").post(
        "/campaigns/new", data=campaign_form(start_date="2022-06-01", end_date="2022-06-01")
    )

    assert response.status_code == 302
    assert campaign_state(app, "CD92")["end_date"] == date(2022, 6, 1)


def test_scoring_settings_are_saved_with_a_decimal_comma(app: Flask, world: World, login):
    form = campaign_form(
        ranking_window="month",
        requires_task_evidence="y",
        entry_deadline="17:00",
        lock_after_days="0",
        top_n="2",
        bottom_n="1",
        improvement_points="7,5",
        decline_points="12",
        below_target_percent="37,5",
        missing_days_limit="7",
        band_excellent="95",
        band_good="85,5",
        band_fair="75",
        band_average="55",
    )

    assert login("admin").post("/campaigns/new", data=form).status_code == 302

    state = campaign_state(app, "CD92")
    assert {key: state[key] for key in form if key in state} | {
        "below_target_share": state["below_target_share"]
    } == {
        "name": "Chiến dịch cao điểm 92 ngày đêm",
        "legal_basis": "Kế hoạch 170/KH-UBND",
        "code": "CD92",
        "start_date": date(2022, 6, 1),
        "end_date": date(2022, 8, 31),
        "ranking_window": "month",
        "requires_task_evidence": True,
        "entry_deadline": time(17, 0),
        "lock_after_days": 0,
        "top_n": 2,
        "bottom_n": 1,
        "improvement_points": 7.5,
        "decline_points": 12.0,
        "below_target_share": 0.375,
        "missing_days_limit": 7,
        "band_excellent": 95.0,
        "band_good": 85.5,
        "band_fair": 75.0,
        "band_average": 55.0,
        "briefing_time": time(6, 30),
        "reminder_time": time(15, 30),
        "webhook_url": "",
        "issuer_name": "",
        "issuer_code": "",
        "place_name": "",
    }


# Case → (form fields changed, message shown). Every one is answered 422 and stores nothing.
REFUSED_NEW_CAMPAIGNS = {
    "end before start": (
        {"start_date": "2022-06-02", "end_date": "2022-06-01"},
        "The end date is before the start date.",
    ),
    "duplicate code": ({"code": "TAKEN"}, "The campaign code “TAKEN” is taken."),
    "code with accents": (
        {"code": "CĐ92"},
        "A code has 1 to 32 letters without accents, digits, “.”, “_” or “-”.",
    ),
    "reserved code": ({"code": "new"}, "“new” is a reserved word; choose another code."),
    "no code": ({"code": ""}, "Please fill in this field."),
    "no name": ({"name": "  "}, "Please fill in this field."),
    "no start date": ({"start_date": ""}, "Please fill in this field."),
    "unreadable date": ({"end_date": "31/02/2022"}, "Not a date; write it as dd/mm/yyyy."),
    "unreadable deadline": (
        {"entry_deadline": "4pm"},
        "Not a time of day; write it as hh:mm, e.g. 16:30.",
    ),
    "negative lock days": ({"lock_after_days": "-1"}, "The number of days must be 0 or more."),
    "unknown window": ({"ranking_window": "year"}, "“year” is not one of"),
    "owner in another province": (
        {"owner_unit": "D3"},
        "No unit with code “D3” among the units you may configure.",
    ),
    "unknown owner": (
        {"owner_unit": "ZZ9"},
        "No unit with code “ZZ9” among the units you may configure.",
    ),
    "top 0": ({"top_n": "0"}, "The number must be at least 1."),
    "bottom 0": ({"bottom_n": "0"}, "The number must be at least 1."),
    "improvement 0": ({"improvement_points": "0"}, "The number must be greater than 0."),
    "decline not a number": ({"decline_points": "ten"}, "Not a number; write e.g. 0,5 or 12."),
    "below-target share 0": (
        {"below_target_percent": "0"},
        "The share must be above zero and at most 100 per cent.",
    ),
    "below-target share over 100": (
        {"below_target_percent": "100,01"},
        "The share must be above zero and at most 100 per cent.",
    ),
    "missing days 0": ({"missing_days_limit": "0"}, "must be between 1 and 7."),
    "missing days 8": ({"missing_days_limit": "8"}, "must be between 1 and 7."),
    "bands out of order": (
        {"band_fair": "85"},
        "The bands must rise: 0 ≤ average ≤ fair ≤ good ≤ excellent ≤ 100.",
    ),
    "band over 100": (
        {"band_excellent": "101"},
        "The bands must rise: 0 ≤ average ≤ fair ≤ good ≤ excellent ≤ 100.",
    ),
}


def test_create_campaign_refused(app: Flask, world: World, login):
    add_campaign(app, "TAKEN")
    admin = english(login("admin"))
    before = campaign_count(app)

    outcomes = {}
    for case, (overrides, message) in REFUSED_NEW_CAMPAIGNS.items():
        response = admin.post("/campaigns/new", data=campaign_form(**overrides))
        outcomes[case] = (response.status_code, message in page_text(response))

    assert outcomes == dict.fromkeys(REFUSED_NEW_CAMPAIGNS, (422, True))
    assert campaign_count(app) == before


@pytest.mark.parametrize(
    ("overrides", "folded"),
    [({"band_fair": "85"}, False), ({"missing_days_limit": "9"}, False), ({"name": ""}, True)],
)
def test_scoring_section_opens_when_one_of_its_fields_is_wrong(world, login, overrides, folded):
    response = login("admin").post("/campaigns/new", data=campaign_form(**overrides))

    assert response.status_code == 422
    tag = re.search(r'<details [^>]*id="advanced-scoring"[^>]*>', response.get_data(as_text=True))
    assert ("open" not in tag.group(0)) is folded


def test_admin_may_give_the_campaign_to_a_district(app: Flask, world: World, login):
    response = login("admin").post("/campaigns/new", data=campaign_form(owner_unit="D1"))

    assert response.status_code == 302
    assert campaign_state(app, "CD92")["owner_unit_id"] == world.units["D1"]


@pytest.mark.parametrize("username", ["manager", "reporter", "viewer"])
def test_only_admins_create_campaigns(app: Flask, world: World, login, username: str):
    client = login(username)

    assert client.get("/campaigns/new").status_code == 403
    assert client.post("/campaigns/new", data=campaign_form(owner_unit="C11")).status_code == 403
    assert campaign_count(app) == 0


# --- the list ----------------------------------------------------------------------------------

# CP1 is owned by the province P1, CD1 by its district D1 and CP2 by the other province.
VISIBLE = {
    "admin": ["CD1", "CP1"],  # admin@P1 reads all of P1
    "manager": ["CD1", "CP1"],  # its own district's campaign and the province's above it
    "reporter": ["CD1", "CP1"],  # C11 lies under D1 and P1
    "viewer": ["CD1", "CP1"],
    "reporter2": ["CD1", "CP1"],  # C12 lies under D1 too
    "reporter21": ["CP1"],  # C21 lies under D2: D1's campaign does not concern it
    "admin2": ["CP2"],  # admin@P2 sees nothing of P1
}


def test_each_user_lists_only_the_campaigns_that_concern_them(app: Flask, world: World, login):
    with app.app_context():
        make_user("reporter21", "reporter", "C21")
        db.session.commit()
    # Different start dates fix the order: newest first.
    add_campaign(app, "CP1", "P1", start=date(2022, 6, 1), end=date(2022, 8, 31))
    add_campaign(app, "CD1", "D1", start=date(2022, 7, 1), end=date(2022, 8, 31))
    add_campaign(app, "CP2", "P2", start=date(2022, 6, 1), end=date(2022, 8, 31))

    listed = {username: listed_codes(login(username).get("/campaigns/")) for username in VISIBLE}

    assert listed == VISIBLE


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("admin", "CD1", 200),
        ("manager", "CD1", 200),
        ("reporter21", "CD1", 403),
        ("admin", "CP2", 403),
        ("admin2", "CP2", 200),
        ("admin2", "CP1", 403),
        ("admin", "NOPE", 404),
    ],
)
def test_campaign_page_follows_the_same_visibility(app, world, login, username, code, status):
    with app.app_context():
        make_user("reporter21", "reporter", "C21")
        db.session.commit()
    add_campaign(app, "CP1", "P1")
    add_campaign(app, "CD1", "D1")
    add_campaign(app, "CP2", "P2")

    assert login(username).get(f"/campaigns/{code}").status_code == status


def test_list_shows_status_and_the_day_of_active_campaigns(app, world, login, today):
    add_campaign(app, "RUNNING", "P1", status="active", start=date(2022, 6, 1))
    add_campaign(app, "PLANNED", "P1", start=date(2022, 9, 1), end=date(2022, 9, 30))
    add_campaign(app, "DONE", "P1", status="closed", start=date(2022, 1, 1), end=date(2022, 3, 1))
    today(date(2022, 6, 5))

    page = page_text(english(login("viewer")).get("/campaigns/"))

    running = "Chiến dịch RUNNING RUNNING Tỉnh Một 01/06/2022 31/08/2022 Active"
    assert f"{running} Day 5 of 92, 87 days left" in page
    assert "Chiến dịch PLANNED PLANNED Tỉnh Một 01/09/2022 30/09/2022 Draft" in page
    assert "Chiến dịch DONE DONE Tỉnh Một 01/01/2022 01/03/2022 Closed" in page
    assert page.count("days left") == 1  # only active campaigns count their days


def test_new_campaign_button_only_for_admins(app: Flask, world: World, login):
    add_campaign(app, "CP1")

    assert "New campaign" in page_text(english(login("admin")).get("/campaigns/"))
    for username in ("manager", "reporter", "viewer"):
        assert "New campaign" not in page_text(english(login(username)).get("/campaigns/"))


def test_empty_list_tells_an_admin_how_to_start(world: World, login):
    admin_page = page_text(english(login("admin")).get("/campaigns/"))
    reporter_page = page_text(english(login("reporter")).get("/campaigns/"))

    assert "There is no campaign yet." in admin_page
    assert "Start with “New campaign”: give it a code, a name and its dates." in admin_page
    assert "No campaign concerns your units yet." in reporter_page
    assert "New campaign" not in reporter_page


def test_list_is_paginated(app: Flask, world: World, login):
    app.config["PER_PAGE"] = 2
    for month in (1, 2, 3):
        add_campaign(app, f"M{month}", start=date(2022, month, 1), end=date(2022, month, 28))
    admin = login("admin")

    first = listed_codes(admin.get("/campaigns/"))
    second = listed_codes(admin.get("/campaigns/?page=2"))

    assert (first, second) == (["M3", "M2"], ["M1"])


def test_navbar_leads_to_the_campaigns(world: World, login):
    page = english(login("reporter")).get("/units/C11").get_data(as_text=True)

    assert '<a class="nav-link" href="/campaigns/">Campaigns</a>' in page


# --- the campaign page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 5, 31), "Starts in 1 day"),
        (date(2022, 5, 30), "Starts in 2 days"),
        (date(2022, 6, 1), "Day 1 of 92, 91 days left"),
        (date(2022, 8, 30), "Day 91 of 92, 1 day left"),
        (date(2022, 8, 31), "Day 92 of 92, 0 days left"),
        (date(2022, 9, 1), "Ended"),
    ],
)
def test_campaign_page_says_which_day_it_is(app, world, login, today, day, expected):
    add_campaign(app, "CD92", status="active")
    today(day)

    response = english(login("reporter")).get("/campaigns/CD92")

    assert re.search(r'id="campaign-day"><strong>([^<]*)<', response.get_data(as_text=True)).group(
        1
    ) == (expected)


def test_campaign_page_shows_the_campaign_and_its_indicators(app: Flask, world: World, login):
    with app.app_context():
        campaign = make_campaign("CD92", "P1", legal_basis="Kế hoạch 170/KH-UBND")
        make_indicator(
            campaign,
            "HS_TRUC_TUYEN",
            name="Tỷ lệ hồ sơ trực tuyến",
            numerator_label="Hồ sơ trực tuyến",
            denominator_label="Hồ sơ tiếp nhận",
            weight=2.5,
        )
        make_indicator(
            campaign,
            "TO_CNS",
            "count",
            "stock",
            name="Tổ công nghệ số cộng đồng",
            direction="lower",
            unit_kinds=["commune", "district"],
            numerator_label="Tổ",
        )
        db.session.commit()

    page = page_text(english(login("viewer")).get("/campaigns/CD92"))

    assert "Chiến dịch CD92 Draft" in page
    assert "Kế hoạch 170/KH-UBND · Tỉnh Một · from 01/06/2022 to 31/08/2022 · code CD92" in page
    assert (
        "Tỷ lệ hồ sơ trực tuyến HS_TRUC_TUYEN Ratio (%) · Flow Higher is better 2.5 All units "
        "Hồ sơ trực tuyến / Hồ sơ tiếp nhận"
    ) in page
    assert (
        "Tổ công nghệ số cộng đồng TO_CNS Count · Stock Lower is better 1 District, Commune Tổ"
    ) in page or ("TO_CNS Count · Stock Lower is better 1 Commune, District Tổ") in page
    assert "Daily entry deadline 16:30 Days until entries lock 3 Ranking window Last 7 days" in page
    # A viewer changes nothing: no action buttons.
    for action in ("Edit campaign", "Start the campaign", "Add indicator", "Remove"):
        assert action not in page


def test_configurer_sees_the_actions_of_each_status(app: Flask, world: World, login):
    add_campaign(app, "DRAFT")
    add_campaign(app, "ACTIVE", status="active")
    add_campaign(app, "CLOSED", status="closed")
    admin = english(login("admin"))

    draft = page_text(admin.get("/campaigns/DRAFT"))
    active = page_text(admin.get("/campaigns/ACTIVE"))
    closed = page_text(admin.get("/campaigns/CLOSED"))

    actions = ("Edit campaign", "Start the campaign", "Close the campaign", "Add indicator")
    shown = {
        name: tuple(action in page for action in (*actions, "Remove"))
        for name, page in (("draft", draft), ("active", active), ("closed", closed))
    }
    assert shown == {
        "draft": (True, True, False, True, True),
        "active": (True, False, True, True, False),
        "closed": (False, False, False, False, False),
    }
    assert "This campaign is closed: everything in it is read-only." in closed


def test_links_of_other_packages_are_buttons_primary_first(app: Flask, world: World, login):
    def links(campaign, user):
        return [
            CampaignLink("Probe", f"/probe/{campaign.code}"),
            CampaignLink(f"Targets for {user.username}", "/somewhere", primary=True),
        ]

    add_campaign(app, "CD92")
    hooks.register_campaign_links(links)
    try:
        body = english(login("manager")).get("/campaigns/CD92").get_data(as_text=True)
    finally:
        hooks._link_sources.remove(links)

    actions = body.split('id="campaign-actions"')[1].split("</div>")[0]
    buttons = re.findall(r'<a class="btn (btn-[a-z-]+)" href="([^"]+)">([^<]+)</a>', actions)
    ours = [button for button in buttons if button[2] in ("Probe", "Targets for manager")]
    assert ours == [
        ("btn-primary", "/somewhere", "Targets for manager"),
        ("btn-outline-primary", "/probe/CD92", "Probe"),
    ]
    # Whatever other packages add, every primary link comes before the others.
    kinds = [button[0] == "btn-primary" for button in buttons]
    assert kinds == sorted(kinds, reverse=True)


def test_draft_without_indicators_invites_the_admin_to_add_them(app, world, login):
    add_campaign(app, "CD92", indicators=())

    page = page_text(english(login("admin")).get("/campaigns/CD92"))

    assert "No indicators yet. Add them one by one, or use a template above if one fits." in page


# --- edit --------------------------------------------------------------------------------------


def test_admin_edits_a_campaign(app: Flask, world: World, login):
    add_campaign(app, "CD92")
    admin = login("admin")
    form = english(admin).get("/campaigns/CD92/edit")
    assert form.status_code == 200
    assert 'name="code"' not in form.get_data(as_text=True)  # the code never changes

    response = admin.post(
        "/campaigns/CD92/edit",
        data=edit_form(
            name="Chiến dịch 92 ngày (sửa)", end_date="30/09/2022", ranking_window="campaign"
        ),
    )

    assert response.status_code == 302
    state = campaign_state(app, "CD92")
    assert (state["name"], state["end_date"], state["ranking_window"], state["code"]) == (
        "Chiến dịch 92 ngày (sửa)",
        date(2022, 9, 30),
        "campaign",
        "CD92",
    )


def test_edit_form_shows_the_stored_share_in_percent(app: Flask, world: World, login):
    add_campaign(app, "CD92", below_target_share=0.35)

    body = english(login("admin")).get("/campaigns/CD92/edit").get_data(as_text=True)

    assert re.search(r'name="below_target_percent"[^>]*value="35"', body)


def test_edit_refuses_end_before_start_and_keeps_the_campaign(app: Flask, world, login):
    add_campaign(app, "CD92")
    before = campaign_state(app, "CD92")

    response = english(login("admin")).post(
        "/campaigns/CD92/edit", data=edit_form(name="Đổi tên", end_date="2022-05-31")
    )

    assert response.status_code == 422
    assert "The end date is before the start date." in page_text(response)
    assert campaign_state(app, "CD92") == before


@pytest.mark.parametrize("username", ["manager", "reporter", "viewer", "admin2"])
def test_only_the_configurer_edits(app: Flask, world: World, login, username: str):
    add_campaign(app, "CD92")
    before = campaign_state(app, "CD92")
    client = login(username)

    statuses = [
        client.get("/campaigns/CD92/edit").status_code,
        client.post("/campaigns/CD92/edit", data=edit_form(name="X")).status_code,
        client.post("/campaigns/CD92/activate").status_code,
        client.post("/campaigns/CD92/indicators/new", data=indicator_form()).status_code,
        client.post("/campaigns/CD92/indicators/I1/edit", data=indicator_form()).status_code,
        client.post("/campaigns/CD92/indicators/I1/remove").status_code,
    ]

    assert statuses == [403] * 6
    assert campaign_state(app, "CD92") == before


# --- status ------------------------------------------------------------------------------------


def test_draft_is_started_then_closed_each_after_a_confirmation(app: Flask, world, login):
    add_campaign(app, "CD92")
    admin = english(login("admin"))

    question = page_text(admin.get("/campaigns/CD92/activate"))
    assert "Start campaign CD92?" in question
    assert campaign_state(app, "CD92")["status"] == "draft"  # asking changes nothing

    started = admin.post("/campaigns/CD92/activate")
    assert "Campaign CD92 is now “Active”." in flashed(admin, started)
    assert campaign_state(app, "CD92")["status"] == "active"

    question = page_text(admin.get("/campaigns/CD92/close"))
    assert "Close campaign CD92?" in question
    assert "Closing cannot be undone." in question
    assert campaign_state(app, "CD92")["status"] == "active"

    closed = admin.post("/campaigns/CD92/close")
    assert "Campaign CD92 is now “Closed”." in flashed(admin, closed)
    assert campaign_state(app, "CD92")["status"] == "closed"


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("draft", "close", "Only an active campaign can be closed."),
        ("active", "activate", "Only a draft campaign can be started."),
        ("closed", "activate", "The campaign is closed; nothing in it can change."),
        ("closed", "close", "The campaign is closed; nothing in it can change."),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_other_status_change(app, world, login, status, action, message, method):
    add_campaign(app, "CD92", status=status)
    admin = english(login("admin"))

    response = getattr(admin, method)(f"/campaigns/CD92/{action}")

    assert message in flashed(admin, response)
    assert campaign_state(app, "CD92")["status"] == status


def test_a_campaign_without_indicators_cannot_start(app: Flask, world: World, login):
    add_campaign(app, "CD92", indicators=())
    admin = english(login("admin"))

    response = admin.post("/campaigns/CD92/activate")

    assert "Add at least one indicator before starting the campaign." in flashed(admin, response)
    assert campaign_state(app, "CD92")["status"] == "draft"


# --- a closed campaign is read-only ------------------------------------------------------------


def test_every_write_to_a_closed_campaign_is_refused(app: Flask, world: World, login):
    add_campaign(app, "CD92", status="closed")
    before = campaign_state(app, "CD92")
    admin = english(login("admin"))

    for method, path, data in [
        ("get", "/campaigns/CD92/edit", None),
        ("post", "/campaigns/CD92/edit", edit_form(name="Đổi tên")),
        ("get", "/campaigns/CD92/indicators/new", None),
        ("post", "/campaigns/CD92/indicators/new", indicator_form()),
        ("get", "/campaigns/CD92/indicators/I1/edit", None),
        ("post", "/campaigns/CD92/indicators/I1/edit", indicator_form(code="I1", weight="3")),
        ("get", "/campaigns/CD92/indicators/I1/remove", None),
        ("post", "/campaigns/CD92/indicators/I1/remove", None),
    ]:
        response = getattr(admin, method)(path, data=data)
        assert "The campaign is closed; nothing in it can change." in flashed(admin, response), (
            method,
            path,
        )

    assert campaign_state(app, "CD92") == before


# --- indicators --------------------------------------------------------------------------------


def test_admin_adds_a_ratio_indicator(app: Flask, world: World, login):
    add_campaign(app, "CD92", indicators=())
    admin = login("admin")

    response = admin.post(
        "/campaigns/CD92/indicators/new",
        data=indicator_form(weight="0,5", unit_kinds=["district", "commune"]),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/campaigns/CD92#indicators"
    (indicator,) = campaign_state(app, "CD92")["indicators"]
    assert {key: indicator[key] for key in indicator if key not in ("id", "campaign_id")} == {
        "code": "HS_TRUC_TUYEN",
        "name": "Tỷ lệ hồ sơ TTHC xử lý trực tuyến",
        "kind": "ratio",
        "measure": "flow",
        "direction": "higher",
        "weight": 0.5,
        "numerator_label": "Hồ sơ trực tuyến",
        "denominator_label": "Tổng số hồ sơ tiếp nhận",
        "position": 0,
        "unit_kinds": ["commune", "district"],
    }


def test_a_count_indicator_keeps_no_denominator_label(app: Flask, world: World, login):
    add_campaign(app, "CD92", indicators=())

    login("admin").post(
        "/campaigns/CD92/indicators/new",
        data=indicator_form(code="HOI_NGHI", kind="count", measure="stock", direction="lower"),
    )

    (indicator,) = campaign_state(app, "CD92")["indicators"]
    assert (indicator["kind"], indicator["measure"], indicator["direction"]) == (
        "count",
        "stock",
        "lower",
    )
    assert (indicator["numerator_label"], indicator["denominator_label"]) == (
        "Hồ sơ trực tuyến",
        "",
    )


def test_save_and_add_another_comes_back_to_an_empty_form(app: Flask, world: World, login):
    add_campaign(app, "CD92", indicators=())

    response = login("admin").post(
        "/campaigns/CD92/indicators/new", data=indicator_form(another="y")
    )

    assert response.headers["Location"] == "/campaigns/CD92/indicators/new"
    assert [row["code"] for row in campaign_state(app, "CD92")["indicators"]] == ["HS_TRUC_TUYEN"]


def test_unit_kinds_offered_are_those_under_the_owner(app: Flask, world: World, login):
    add_campaign(app, "CP1", "P1", indicators=())
    add_campaign(app, "CD1", "D1", indicators=())
    admin = english(login("admin"))

    def offered(code: str) -> list[str]:
        body = admin.get(f"/campaigns/{code}/indicators/new").get_data(as_text=True)
        return re.findall(r'name="unit_kinds" type="checkbox" value="([^"]+)"', body) or (
            re.findall(r'type="checkbox"[^>]*value="([^"]+)"', body)
        )

    # Higher levels first: P1 itself, then A1 / D1 / D2 (agency, district), then communes.
    assert offered("CP1") == ["province", "agency", "district", "commune"]
    assert offered("CD1") == ["district", "commune"]


def test_weight_must_be_greater_than_zero(app: Flask, world: World, login):
    add_campaign(app, "CD92", indicators=())
    admin = english(login("admin"))

    refused = admin.post("/campaigns/CD92/indicators/new", data=indicator_form(weight="0"))
    assert refused.status_code == 422
    assert "The weight must be greater than 0." in page_text(refused)
    assert campaign_state(app, "CD92")["indicators"] == []

    accepted = admin.post("/campaigns/CD92/indicators/new", data=indicator_form(weight="0,01"))
    assert accepted.status_code == 302
    assert campaign_state(app, "CD92")["indicators"][0]["weight"] == 0.01


REFUSED_INDICATORS = {
    "duplicate code": ({"code": "I1"}, "The campaign already has an indicator “I1”."),
    "code with a space": (
        {"code": "HS TT"},
        "A code has 1 to 32 letters without accents, digits, “.”, “_” or “-”.",
    ),
    "no name": ({"name": ""}, "Please fill in this field."),
    "negative weight": ({"weight": "-1"}, "The weight must be greater than 0."),
    "weight not a number": ({"weight": "một"}, "Not a number; write e.g. 0,5 or 12."),
    "no weight": ({"weight": ""}, "Please fill in this field."),
    "unknown kind": ({"kind": "percent"}, "“percent” is not one of ratio, count."),
    "unknown measure": ({"measure": "level"}, "“level” is not one of flow, stock."),
    "unknown direction": ({"direction": "up"}, "“up” is not one of higher, lower."),
    "unit kind not under the owner": (
        {"unit_kinds": ["village"]},
        "Choose among the kinds of unit listed.",
    ),
    "label too long": ({"numerator_label": "x" * 256}, "At most 255 characters."),
}


def test_add_indicator_refused(app: Flask, world: World, login):
    add_campaign(app, "CD92")
    before = campaign_state(app, "CD92")
    admin = english(login("admin"))

    outcomes = {}
    for case, (overrides, message) in REFUSED_INDICATORS.items():
        response = admin.post("/campaigns/CD92/indicators/new", data=indicator_form(**overrides))
        outcomes[case] = (response.status_code, message in page_text(response))

    assert outcomes == dict.fromkeys(REFUSED_INDICATORS, (422, True))
    assert campaign_state(app, "CD92") == before


def test_admin_edits_an_indicator(app: Flask, world: World, login):
    with app.app_context():
        campaign = make_campaign("CD92")
        make_indicator(campaign, "I1", unit_kinds=["commune", "district"])
        make_indicator(campaign, "I2")
        db.session.commit()
    admin = english(login("admin"))
    form = admin.get("/campaigns/CD92/indicators/I1/edit").get_data(as_text=True)
    assert re.search(r'checked[^>]*value="commune"|value="commune"[^>]*checked', form)

    response = admin.post(
        "/campaigns/CD92/indicators/I1/edit",
        data=indicator_form(code="DUNG_HAN", weight="2,5", unit_kinds=["district", "agency"]),
    )

    assert response.status_code == 302
    first, second = campaign_state(app, "CD92")["indicators"]
    assert (first["code"], first["weight"], first["unit_kinds"], first["position"]) == (
        "DUNG_HAN",
        2.5,
        ["agency", "district"],
        0,
    )
    assert second["code"] == "I2"
    # Renaming onto another indicator's code is refused.
    clash = admin.post("/campaigns/CD92/indicators/DUNG_HAN/edit", data=indicator_form(code="I2"))
    assert clash.status_code == 422
    assert "The campaign already has an indicator “I2”." in page_text(clash)


def test_unknown_indicator_is_404(app: Flask, world: World, login):
    add_campaign(app, "CD92")

    assert login("admin").get("/campaigns/CD92/indicators/NOPE/edit").status_code == 404
    assert login("admin").post("/campaigns/CD92/indicators/NOPE/remove").status_code == 404


def test_indicator_removed_after_confirmation_only_from_a_draft(app: Flask, world, login):
    with app.app_context():
        campaign = make_campaign("CD92")
        for code in ("I1", "I2", "I3"):
            make_indicator(campaign, code)
        db.session.commit()
    admin = english(login("admin"))

    question = page_text(admin.get("/campaigns/CD92/indicators/I1/remove"))
    assert "Remove indicator I1?" in question
    assert len(campaign_state(app, "CD92")["indicators"]) == 3

    removed = admin.post("/campaigns/CD92/indicators/I1/remove")
    assert "Indicator I1 removed." in flashed(admin, removed)
    remaining = campaign_state(app, "CD92")["indicators"]
    assert [(row["code"], row["position"]) for row in remaining] == [("I2", 0), ("I3", 1)]

    with app.app_context():
        campaign_by_code("CD92").status = "active"
        db.session.commit()
    refused = admin.post("/campaigns/CD92/indicators/I2/remove")
    assert "Indicators can only be removed while the campaign is a draft." in flashed(
        admin, refused
    )
    assert len(campaign_state(app, "CD92")["indicators"]) == 2


def test_active_campaign_takes_indicators_until_it_has_entries(app: Flask, world, login):
    add_campaign(app, "CD92", status="active")
    admin = english(login("admin"))

    # No figures yet: an indicator may still be added.
    added = admin.post("/campaigns/CD92/indicators/new", data=indicator_form(code="I2"))
    assert added.status_code == 302

    with app.app_context():
        save_entries(
            campaign_by_code("CD92"),
            [EntryInput("C11", "I1", date(2022, 6, 1), "3", "10")],
            user=None,
            source=EntrySource.DEMO,
        )
        db.session.commit()
    before = campaign_state(app, "CD92")
    message = "Units have already entered figures in this campaign; no indicator can be added"
    assert "Add indicator" not in page_text(admin.get("/campaigns/CD92"))
    asked = admin.get("/campaigns/CD92/indicators/new")
    assert message in flashed(admin, asked)
    posted = admin.post("/campaigns/CD92/indicators/new", data=indicator_form(code="I3"))
    assert message in flashed(admin, posted)
    assert campaign_state(app, "CD92") == before

    # Their code, kind and measure are frozen too; the name may still change.
    edit_page = admin.get("/campaigns/CD92/indicators/I1/edit").get_data(as_text=True)
    assert 'name="code"' not in edit_page and 'name="kind"' not in edit_page
    renamed = admin.post(
        "/campaigns/CD92/indicators/I1/edit",
        data=indicator_form(code="OTHER", kind="count", name="Tên mới"),
    )
    assert renamed.status_code == 302
    first = campaign_state(app, "CD92")["indicators"][0]
    assert (first["code"], first["kind"], first["name"]) == ("I1", "ratio", "Tên mới")


# --- the whole set-up, as an admin does it in the browser --------------------------------------


def test_setting_up_a_campaign_by_hand(app: Flask, world: World, login, today):
    """List → new → create → indicators (save and add another) → start: a dozen requests."""
    today(date(2022, 6, 1))
    admin = english(login("admin"))

    assert admin.get("/campaigns/").status_code == 200
    assert admin.get("/campaigns/new").status_code == 200
    created = admin.post("/campaigns/new", data=campaign_form())
    assert created.headers["Location"] == "/campaigns/CD92"
    indicators = [
        ("DVC_PHAT_SINH", "Tỷ lệ DVCTT phát sinh hồ sơ", "stock"),
        ("HS_TRUC_TUYEN", "Tỷ lệ hồ sơ TTHC xử lý trực tuyến", "flow"),
        ("SO_HOA", "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC", "flow"),
        ("BAO_CAO_TT", "Tỷ lệ báo cáo thực hiện trực tuyến", "flow"),
        ("DUNG_HAN", "Tỷ lệ hồ sơ giải quyết đúng hạn", "flow"),
    ]
    for position, (code, name, measure) in enumerate(indicators):
        last = position == len(indicators) - 1
        form = indicator_form(code=code, name=name, measure=measure)
        if not last:
            form["another"] = "y"
        saved = admin.post("/campaigns/CD92/indicators/new", data=form)
        assert saved.status_code == 302
    started = admin.post("/campaigns/CD92/activate")

    page = flashed(admin, started)
    assert "Campaign CD92 is now “Active”." in page
    assert "Day 1 of 92, 91 days left" in page
    assert [row["code"] for row in campaign_state(app, "CD92")["indicators"]] == [
        code for code, _name, _measure in indicators
    ]


# --- the operations themselves -----------------------------------------------------------------


def test_refused_operations_leave_the_session_untouched(app: Flask, world: World):
    """Operations check everything before they change anything: nothing new, dirty or
    deleted in the session after a refusal."""
    with app.app_context(), force_locale("en"):
        campaign = make_campaign("CD92")
        indicator = make_indicator(campaign, "I1")
        db.session.commit()
        owner = campaign.owner_unit

        refusals = [
            lambda: create_campaign_with_indicators(
                code="CD93",
                name="Chiến dịch",
                owner_unit=owner,
                start_date=date(2022, 6, 1),
                end_date=date(2022, 8, 31),
                created_by=None,
                indicators=[
                    {"code": "A", "name": "A", "kind": "ratio", "measure": "flow"},
                    {"code": "B", "name": "B", "kind": "ratio", "measure": "flow", "weight": 0},
                ],
            ),
            lambda: update_campaign(
                campaign, name="X", start_date=date(2022, 6, 1), end_date=date(2022, 8, 31), top_n=0
            ),
            lambda: update_indicator(
                indicator,
                code="I1",
                name="Tên",
                kind="ratio",
                measure="flow",
                direction="higher",
                weight=-1,
            ),
            lambda: set_status(campaign, "closed"),
            lambda: add_indicator(campaign, code="I1", name="Trùng", kind="count", measure="flow"),
        ]
        messages = []
        for refusal in refusals:
            with pytest.raises(CampaignError) as raised:
                refusal()
            messages.append((raised.value.field, raised.value.message))
            assert not (db.session.new or db.session.dirty or db.session.deleted)

    assert messages == [
        ("weight", "The weight must be greater than 0."),
        ("top_n", "The number must be at least 1."),
        ("weight", "The weight must be greater than 0."),
        ("status", "Only an active campaign can be closed."),
        ("code", "The campaign already has an indicator “I1”."),
    ]
    assert campaign_count(app) == 1


def test_all_or_nothing_creation_reports_each_indicator_by_position(app: Flask, world: World):
    with app.app_context():
        with pytest.raises(CampaignErrors) as raised:
            create_campaign_with_indicators(
                code="CD92",
                name="",
                owner_unit=db.session.get(Unit, world.units["P1"]),
                start_date=date(2022, 6, 1),
                end_date=date(2022, 8, 31),
                created_by=None,
                indicators=[
                    {"code": "A", "name": "A", "kind": "ratio", "measure": "flow"},
                    {"code": "A", "name": "A", "kind": "count", "measure": "stock"},
                    {"code": "C", "name": "C", "kind": "ratio", "measure": "flow", "weight": 0},
                ],
            )
        found = [(index, error.field) for index, error in raised.value.errors]

    assert found == [(None, "name"), (1, "code"), (2, "weight")]
    assert campaign_count(app) == 0


def test_update_campaign_takes_only_known_settings(app: Flask, world: World):
    with app.app_context():
        campaign = make_campaign("CD92")
        with pytest.raises(TypeError, match="status"):
            update_campaign(
                campaign,
                name="X",
                start_date=date(2022, 6, 1),
                end_date=date(2022, 8, 31),
                status="closed",
            )


# --- Vietnamese, the default -------------------------------------------------------------------


def test_pages_render_in_vietnamese_by_default(app: Flask, world: World, login):
    with app.app_context():
        campaign = make_campaign("CD92")
        make_indicator(campaign, "I1", weight=2.5)
        db.session.commit()
    admin = login("admin")

    pages = {
        path: admin.get(path)
        for path in (
            "/campaigns/",
            "/campaigns/new",
            "/campaigns/CD92",
            "/campaigns/CD92/edit",
            "/campaigns/CD92/activate",
            "/campaigns/CD92/indicators/new",
            "/campaigns/CD92/indicators/I1/edit",
            "/campaigns/CD92/indicators/I1/remove",
        )
    }

    assert {path: response.status_code for path, response in pages.items()} == dict.fromkeys(
        pages, 200
    )
    assert all('<html lang="vi">' in response.get_data(as_text=True) for response in pages.values())
    # Numbers in the Vietnamese way: the weight 2.5 reads "2,5" on the page and in the form.
    assert ">2,5</td>" in pages["/campaigns/CD92"].get_data(as_text=True)
    assert 'value="2,5"' in pages["/campaigns/CD92/indicators/I1/edit"].get_data(as_text=True)
