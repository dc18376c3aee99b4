"""The briefing pages with the test client: the archive and drafting, a version as leaders
read it, the administrator's workflow on a draft (directions, dropping, restoring, adding
and removing lines, refreshing figures, publishing after a confirmation), corrections, share
links, the print view, the files and charts, the subscription, and drafts hidden from the
other readers.

The campaign BT and its figures, worked out by hand, are those of tests/briefing_world.py.
The pages' "today" is 11/06/2022.
"""

import re
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.db import db, utcnow
from app.units.queries import unit_by_code
from app.users.queries import user_by_username
from campaigns.queries import campaign_by_code
from targets.briefings import controllers
from targets.briefings.models import Briefing, BriefingItem, BriefingShareLink
from targets.briefings.operations import draft_daily_briefing
from targets.briefings.sharing import create_share_link
from targets.briefings.subscriptions import is_subscribed
from tests.briefing_world import CODE, DAY, build_campaign, change_c12, drafted
from tests.html import element, text_in, text_of, texts_of_class
from tests.pages import english, get, post

ARCHIVE = f"/campaigns/{CODE}/briefings"
V1 = f"{ARCHIVE}/2022-06-10/v1"
V2 = f"{ARCHIVE}/2022-06-10/v2"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(controllers, "local_today", lambda: date(2022, 6, 11))


@pytest.fixture
def campaign(app, world):
    with app.app_context():
        build_campaign()


def versions(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [
            (briefing.version, briefing.status)
            for briefing in db.session.scalars(db.select(Briefing).order_by(Briefing.version))
        ]


def items(app, version: int = 1) -> list[BriefingItem]:
    with app.app_context():
        briefing = db.session.scalar(db.select(Briefing).where(Briefing.version == version))
        return sorted(briefing.items, key=lambda item: item.position)


def document(page: str) -> list[str]:
    """What the page says of the briefing (not the links to other versions around it)."""
    sections = ("briefing-header", "figures", "rankings", "items", "not-reported", "charts")
    return [element(page, section) for section in sections]


def row_ids(markup: str) -> list[str]:
    return re.findall(r'<tr\b[^>]*\bid="rank-([^"]+)"', markup)


# --- the archive and drafting ---------------------------------------------------------------


def test_admin_drafts_yesterdays_briefing_from_the_archive(app, campaign, login):
    admin = english(login("admin"))
    page = get(admin, ARCHIVE)
    assert "Draft the briefing of 10/06/2022" in text_in(page, "draft-default")
    assert 'id="no-briefings"' in page

    response = post(admin, f"{ARCHIVE}/draft", {"day": "2022-06-10"})

    assert response.headers["Location"] == V1
    assert versions(app) == [(1, "draft")]
    archive = get(admin, ARCHIVE)
    day = text_in(archive, "day-2022-06-10")
    assert "10/06/2022" in day and "version 1" in day and "Draft" in day
    # Drafting the same day again opens the same draft.
    assert post(admin, f"{ARCHIVE}/draft", {"day": "10/06/2022"}).headers["Location"] == V1
    assert versions(app) == [(1, "draft")]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2022-05-31", "is not a day of the campaign"),  # the day before the first
        ("2022-06-12", "has not come yet"),  # the day after "today"
        ("", "Please fill in this field."),
        ("10.06.2022", "Not a date"),
    ],
)
def test_a_day_that_cannot_be_briefed_is_refused(app, campaign, login, day, message):
    admin = english(login("admin"))

    response = post(admin, f"{ARCHIVE}/draft", {"day": day}, status=422)

    assert message in text_in(response.get_data(as_text=True), "draft-briefing")
    assert versions(app) == []


def test_today_can_be_drafted_but_not_tomorrow(app, campaign, login):
    admin = login("admin")

    post(admin, f"{ARCHIVE}/draft", {"day": "2022-06-11"})
    post(admin, f"{ARCHIVE}/draft", {"day": "2022-06-12"}, status=422)

    with app.app_context():
        assert [b.day for b in db.session.scalars(db.select(Briefing))] == [date(2022, 6, 11)]


def test_the_archive_lists_days_newest_first_with_their_versions(app, campaign, login):
    drafted(app, published=True)
    with app.app_context():
        campaign = campaign_by_code(CODE)
        draft_daily_briefing(campaign, DAY, user=None)  # version 2, a draft
        draft_daily_briefing(campaign, date(2022, 6, 9), user=None)  # a draft only
        db.session.commit()

    admin_page = get(english(login("admin")), ARCHIVE)
    viewer_page = get(english(login("viewer")), ARCHIVE)

    assert re.findall(r'id="day-([\d-]+)"', admin_page) == ["2022-06-10", "2022-06-09"]
    assert texts_of_class(element(admin_page, "day-2022-06-10"), "briefing-version") == [
        "version 2 (correction) Draft",
        "version 1 Published",
    ]
    # Drafts are not listed for a viewer, nor a day with only a draft.
    assert re.findall(r'id="day-([\d-]+)"', viewer_page) == ["2022-06-10"]
    assert texts_of_class(viewer_page, "briefing-version") == ["version 1 Published"]
    assert 'id="draft-briefing"' not in viewer_page


def test_the_archive_is_paginated(app, campaign, login):
    with app.app_context():
        campaign = campaign_by_code(CODE)
        for offset in range(3):
            draft_daily_briefing(campaign, DAY - timedelta(days=offset), user=None)
        db.session.commit()
    app.config["PER_PAGE"] = 2
    admin = login("admin")

    first = get(admin, ARCHIVE)
    second = get(admin, f"{ARCHIVE}?page=2")

    assert re.findall(r'id="day-([\d-]+)"', first) == ["2022-06-10", "2022-06-09"]
    assert re.findall(r'id="day-([\d-]+)"', second) == ["2022-06-08"]
    get(admin, f"{ARCHIVE}?page=3", status=404)


# --- a version as leaders read it -----------------------------------------------------------


def test_the_briefing_shows_the_figures_worked_out_by_hand(app, campaign, login):
    drafted(app, published=True)

    page = get(english(login("viewer")), V1)

    # The title is written once, in the briefing's language (Vietnamese), whatever the page's.
    assert "Điểm tin ngày 10/06/2022" in text_in(page, "briefing-title")
    assert "Day 10 of 92, 82 days left" in text_in(page, "campaign-day")
    hs = element(page, "indicator-HS")
    assert texts_of_class(hs, "indicator-value") == ["50%"]  # P1: 6/12
    assert texts_of_class(hs, "target") == ["50%"]
    assert texts_of_class(hs, "day-value") == ["50%"]
    assert texts_of_class(hs, "campaign-value") == ["50%"]  # only 10/06 has figures
    districts = element(page, "group-P1-district")
    assert row_ids(districts) == ["D2", "D1"]
    assert texts_of_class(element(districts, "rank-D1"), "score") == ["75"]
    assert texts_of_class(element(districts, "rank-D1"), "rank") == ["2"]
    communes = element(page, "group-XA")
    assert row_ids(communes) == ["C11", "C21", "C12"]
    assert [
        texts_of_class(element(communes, f"rank-{code}"), "rank")[0] for code in row_ids(communes)
    ] == ["1", "1", "3"]
    # Praise and criticism, as worded by the briefing: the top and the bottom district.
    assert "Huyện Bù Đốp" in text_in(page, "praise")
    assert "Huyện Đức Hợp" in text_in(page, "criticism")
    assert 'id="draft-panel"' not in page and 'id="published-actions"' not in page


def test_without_a_version_the_reader_gets_the_newest_they_may_see(app, campaign, login):
    drafted(app, published=True)
    with app.app_context():
        draft_daily_briefing(campaign_by_code(CODE), DAY, user=None)  # version 2, a draft
        db.session.commit()

    admin_page = get(english(login("admin")), f"{ARCHIVE}/2022-06-10")
    viewer_page = get(english(login("viewer")), f"{ARCHIVE}/2022-06-10")

    assert text_in(admin_page, "briefing-version") == "version 2 (correction)"
    assert text_in(viewer_page, "briefing-version") == "version 1"
    assert "version 2" not in text_in(viewer_page, "briefing-header")
    get(login("viewer"), f"{ARCHIVE}/2022-06-09", status=404)  # no briefing that day
    get(login("viewer"), f"{ARCHIVE}/10-06-2022", status=404)  # not a day


def test_drafts_are_hidden_from_readers_who_do_not_manage(app, campaign, login):
    drafted(app)

    get(login("viewer"), V1, status=403)
    get(login("viewer"), f"{ARCHIVE}/2022-06-10", status=404)
    get(login("viewer"), f"{V1}.txt", status=403)
    get(login("viewer"), f"{V1}/print", status=403)
    get(login("viewer"), f"{V1}/charts/trend-HS.png", status=403)
    assert "Draft" in text_in(get(english(login("admin")), V1), "briefing-header")


def test_readers_of_the_owner_unit_only(app, campaign, login):
    drafted(app, published=True)

    # The manager of D1 and the reporter of C11 see the campaign, not P1's briefings.
    for user in ("manager", "reporter"):
        get(login(user), ARCHIVE, status=403)
        get(login(user), V1, status=403)
    campaign_page = get(english(login("viewer")), f"/campaigns/{CODE}")
    assert f'href="{ARCHIVE}"' in campaign_page
    assert f'href="{ARCHIVE}"' not in get(login("manager"), f"/campaigns/{CODE}")


# --- the administrator's workflow on a draft ------------------------------------------------


def test_the_draft_page_offers_the_workflow(app, campaign, login):
    drafted(app)

    page = get(english(login("admin")), V1)

    assert "only administrators see it" in text_in(page, "draft-panel")
    assert f'href="{V1}/publish"' in page
    assert f'action="{V1}/refresh"' in page and f'action="{V1}/edit"' in page
    assert f'action="{V1}/items"' in page
    generated = items(app)
    for item in generated:
        assert f'action="{V1}/items/{item.id}/drop"' in element(page, f"item-{item.id}")
    assert 'id="figures-changed"' not in page


def test_directions_and_number_are_saved(app, campaign, login):
    drafted(app)
    admin = english(login("admin"))

    response = post(
        admin,
        f"{V1}/edit",
        {"number": " 12/TB-STTTT ", "directions": "Các xã khẩn trương.\nBáo cáo."},
    )

    assert response.headers["Location"] == f"{V1}#directions"
    with app.app_context():
        briefing = db.session.scalar(db.select(Briefing))
        assert (briefing.number, briefing.directions) == (
            "12/TB-STTTT",
            "Các xã khẩn trương.\nBáo cáo.",
        )
    # Too long a number is refused next to its field, and nothing changes.
    page = post(admin, f"{V1}/edit", {"number": "x" * 65, "directions": ""}, status=422)
    assert "At most 64 characters." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(Briefing)).number == "12/TB-STTTT"


def test_a_line_is_dropped_with_a_note_and_restored(app, campaign, login):
    drafted(app)
    admin = english(login("admin"))
    line = items(app)[0]

    refused = post(admin, f"{V1}/items/{line.id}/drop", {"note": "  "}, status=422)
    assert "Say why, in a short note." in text_in(refused.get_data(as_text=True), f"item-{line.id}")
    assert not items(app)[0].dropped

    post(admin, f"{V1}/items/{line.id}/drop", {"note": "Đã báo cáo bằng văn bản"})

    dropped = items(app)[0]
    assert (dropped.dropped, dropped.note) == (True, "Đã báo cáo bằng văn bản")
    page = get(admin, V1)
    shown = element(page, f"item-{line.id}")
    assert "dropped" in shown and "Left out: Đã báo cáo bằng văn bản" in text_of(shown)
    assert f'action="{V1}/items/{line.id}/restore"' in shown

    post(admin, f"{V1}/items/{line.id}/restore")

    assert (items(app)[0].dropped, items(app)[0].note) == (False, "")
    # Once published, the dropped line is left out of what readers see.
    post(admin, f"{V1}/items/{line.id}/drop", {"note": "Bỏ"})
    post(admin, f"{V1}/publish")
    assert line.text not in get(login("viewer"), V1)


def test_a_line_is_added_and_removed(app, campaign, login):
    drafted(app)
    admin = english(login("admin"))
    before = len(items(app))

    refused = post(
        admin, f"{V1}/items", {"section": "praise", "unit": "D3", "text": "x"}, status=422
    )
    assert "No unit of the campaign has the code “D3”." in refused.get_data(as_text=True)
    refused = post(admin, f"{V1}/items", {"section": "praise", "unit": "", "text": " "}, status=422)
    assert "Write the line." in refused.get_data(as_text=True)
    assert len(items(app)) == before

    post(
        admin,
        f"{V1}/items",
        {
            "section": "praise",
            "unit": "C21",
            "text": "Thị trấn Thanh Bình: làm tốt.",
            "note": "Ý kiến lãnh đạo",
        },
    )

    added = items(app)[-1]
    assert (added.section, added.added, added.unit_id, added.note) == (
        "praise",
        True,
        unit_id(app, "C21"),
        "Ý kiến lãnh đạo",
    )
    page = get(admin, V1)
    assert "Thị trấn Thanh Bình: làm tốt." in text_in(page, "praise")
    assert f'action="{V1}/items/{added.id}/remove"' in page

    post(admin, f"{V1}/items/{added.id}/remove")

    assert len(items(app)) == before
    get(admin, f"{V1}/items/{added.id}/remove", status=405)
    post(admin, f"{V1}/items/{added.id}/remove", status=404)


def unit_id(app, code: str) -> int:
    with app.app_context():
        return unit_by_code(code).id


def test_changed_figures_are_flagged_and_refreshed(app, campaign, login):
    drafted(app)
    admin = english(login("admin"))
    post(admin, f"{V1}/edit", {"number": "3/TB", "directions": "Giữ nguyên."})
    line = next(item for item in items(app) if item.reason == "bottom_of_group")
    post(admin, f"{V1}/items/{line.id}/drop", {"note": "Giữ lại"})
    assert 'id="figures-changed"' not in get(admin, V1)

    change_c12(app)  # after the draft read its figures (06:30)

    page = get(admin, V1)
    assert "Figures changed since this draft read them (last change 11/06/2022 10:00)" in text_in(
        page, "figures-changed"
    )
    assert texts_of_class(element(page, "indicator-HS"), "indicator-value") == ["50%"]

    post(admin, f"{V1}/refresh")

    page = get(admin, V1)
    assert 'id="figures-changed"' not in page
    assert texts_of_class(element(page, "indicator-HS"), "indicator-value") == ["66.67%"]  # 8/12
    with app.app_context():
        briefing = db.session.scalar(db.select(Briefing))
        assert (briefing.number, briefing.directions, briefing.version) == (
            "3/TB",
            "Giữ nguyên.",
            1,
        )
    # D1 is now at 100 like D2: no district is at the bottom, so the dropped line is gone;
    # a line dropped again later would keep its note (targets.briefings.operations).
    assert all(item.reason != "bottom_of_group" for item in items(app))


def test_publishing_asks_for_confirmation_first(app, campaign, login):
    drafted(app)
    admin = english(login("admin"))

    page = get(admin, f"{V1}/publish")

    assert "Publish the briefing of 10/06/2022?" in page
    assert "frozen" in text_in(page, "publish-explanation")
    assert versions(app) == [(1, "draft")]

    response = post(admin, f"{V1}/publish")

    assert response.headers["Location"] == V1
    assert versions(app) == [(1, "published")]
    with app.app_context():
        briefing = db.session.scalar(db.select(Briefing))
        assert briefing.published_by_id == user_by_username("admin").id
    assert "Published" in text_in(get(english(login("viewer")), V1), "briefing-header")
    # Published: no second publication, and the draft actions are refused with the reason.
    assert post(admin, f"{V1}/publish").headers["Location"] == V1
    assert get(admin, f"{V1}/publish", status=302)
    post(admin, f"{V1}/edit", {"number": "1", "directions": "x"})
    with app.app_context():
        assert db.session.scalar(db.select(Briefing)).number == ""
    assert "can no longer change" in get(admin, V1)


# --- publishing freezes; a correction says what changed ---------------------------------------


def test_a_published_version_never_changes_and_a_correction_shows_the_difference(
    app, campaign, login
):
    drafted(app, published=True)
    viewer = login("viewer")
    before = document(get(viewer, V1))

    change_c12(app)

    assert document(get(viewer, V1)) == before
    admin = english(login("admin"))
    response = post(admin, f"{V1}/correction")
    assert response.headers["Location"] == V2
    assert versions(app) == [(1, "published"), (2, "draft")]
    get(login("viewer"), V2, status=403)  # a draft until published

    page = get(admin, V2)

    assert text_in(page, "briefing-version") == "version 2 (correction)"
    changes = texts_of_class(element(page, "changes"), "change-line")
    # In the briefing's language (Vietnamese): P1's rate 6/12 = 50% → 8/12 = 66,67% over the
    # day (the ranking window, and the campaign to date); D1 75 → 100 and rank 2 → 1.
    assert any("50% → 66,67%" in line for line in changes)
    assert any("Huyện Đức Hợp" in line and "75" in line and "100" in line for line in changes)
    assert texts_of_class(element(page, "indicator-HS"), "indicator-value") == ["66.67%"]
    versions_nav = text_in(page, "versions")
    assert "version 1" in versions_nav and "version 2 (correction)" in versions_nav
    # A second press opens the same draft; once published, readers read version 2.
    assert post(admin, f"{V1}/correction").headers["Location"] == V2
    post(admin, f"{V2}/publish")
    assert document(get(viewer, V1)) == before
    latest = get(english(login("viewer")), f"{ARCHIVE}/2022-06-10")
    assert text_in(latest, "briefing-version") == "version 2 (correction)"
    assert 'id="changes"' not in get(login("viewer"), V1)


# --- share links ----------------------------------------------------------------------------


def share(app, login) -> str:
    page = post(english(login("admin")), f"{V1}/share", status=200).get_data(as_text=True)
    url = text_in(page, "share-url")
    assert url.startswith(f"{app.config['BASE_URL']}/briefings/shared/")
    return url.removeprefix(app.config["BASE_URL"])


def test_a_share_link_is_shown_once_and_opens_the_briefing_without_signing_in(
    app, campaign, client, login
):
    drafted(app, published=True)

    path = share(app, login)

    page = get(client, path)
    with app.app_context():
        title = db.session.scalar(db.select(Briefing)).content["title"]
    assert text_in(page, "briefing-title") == title
    assert 'class="navbar' not in page and "/login" not in page
    assert 'id="draft-panel"' not in page and 'id="published-actions"' not in page
    chart = re.search(r'src="(/briefings/shared/[^"]+/charts/trend-HS\.png)"', page).group(1)
    response = client.get(chart)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert client.get(path).headers["Referrer-Policy"] == "no-referrer"
    # The admin's page lists it, open for 7 days; the token itself is not shown again.
    admin_page = get(english(login("admin")), V1)
    links = texts_of_class(element(admin_page, "share-links"), "share-link")
    expires = (utcnow() + timedelta(days=7)).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert len(links) == 1 and f"open until {expires:%d/%m/%Y}" in links[0]
    assert path.rsplit("/", 1)[1] not in admin_page


def test_a_revoked_expired_or_unknown_link_opens_nothing(app, campaign, client, login):
    drafted(app, published=True)
    path = share(app, login)
    with app.app_context():
        expired = create_share_link(
            db.session.scalar(db.select(Briefing)),
            user=None,
            days=7,
            now=utcnow() - timedelta(days=7, seconds=1),
        )
        db.session.commit()
        link_id = db.session.scalar(db.select(db.func.min(BriefingShareLink.id)))
    admin = english(login("admin"))
    page = get(admin, V1)
    assert "expired" in text_in(page, "share-links")

    post(admin, f"{V1}/share-links/{link_id}/revoke")

    get(client, path, status=404)
    get(client, f"/briefings/shared/{expired}", status=404)
    get(client, "/briefings/shared/not-a-token", status=404)
    get(client, f"{path}/charts/trend-HS.png", status=404)
    assert "revoked" in text_in(get(admin, V1), "share-links")


def test_a_draft_cannot_be_shared(app, campaign, login):
    drafted(app)

    post(english(login("admin")), f"{V1}/share")

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(BriefingShareLink.id))) == 0


# --- print view, files and charts -----------------------------------------------------------


def test_the_print_view_has_the_briefing_and_no_navigation(app, campaign, login):
    drafted(app, published=True)

    page = get(english(login("viewer")), f"{V1}/print")

    assert 'class="navbar' not in page
    assert 'class="print-page"' in page
    for section in ("figures", "rankings", "items", "not-reported", "charts"):
        assert f'id="{section}"' in page
    assert f'href="{V1}"' in page  # back to the page, hidden when printed ("no-print")
    css = (Path(app.static_folder) / "css" / "app.css").read_text(encoding="utf-8")
    assert "@media print" in css and "size: A4" in css


def test_the_chat_text_is_downloaded_as_utf8(app, campaign, login):
    drafted(app, published=True)

    response = login("viewer").get(f"{V1}.txt")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == "attachment; filename=diem-tin-BT-20220610-v1.txt"
    )
    text = response.get_data().decode("utf-8")
    assert len(text) <= 3000
    assert "Huyện Bù Đốp" in text and "10/06/2022" in text


@pytest.mark.parametrize(
    ("extension", "mimetype", "signature"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
    ],
)
def test_the_notice_and_the_workbook_are_downloaded(
    app, campaign, login, extension, mimetype, signature
):
    drafted(app, published=True)

    response = login("viewer").get(f"{V1}.{extension}")

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.get_data().startswith(signature)
    assert f"diem-tin-BT-20220610-v1.{extension}" in response.headers["Content-Disposition"]
    get(login("viewer"), f"{ARCHIVE}/2022-06-10/v1.pdf", status=404)


def test_the_charts_of_the_page_are_served(app, campaign, login):
    drafted(app, published=True)
    viewer = login("viewer")
    page = get(viewer, V1)

    charts = re.findall(r'src="([^"]+\.png)"', element(page, "charts"))

    # One trend (HS), then one ranking per group (districts of P1, XA).
    assert charts == [
        f"{V1}/charts/trend-HS.png",
        f"{V1}/charts/ranking-1.png",
        f"{V1}/charts/ranking-2.png",
    ]
    for chart in charts:
        response = viewer.get(chart)
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.get_data().startswith(b"\x89PNG")
    get(viewer, f"{V1}/charts/nothing.png", status=404)
    get(viewer, f"{ARCHIVE}/2022-06-10/v9/charts/trend-HS.png", status=404)


# --- subscription ---------------------------------------------------------------------------


def set_email(app, username: str, email: str) -> None:
    with app.app_context():
        user_by_username(username).email = email
        db.session.commit()


def subscribed(app, username: str) -> bool:
    with app.app_context():
        return is_subscribed(campaign_by_code(CODE), user_by_username(username))


def test_a_reader_with_an_email_address_subscribes_and_unsubscribes(app, campaign, login):
    set_email(app, "viewer", "lanh.dao@binhphuoc.gov.vn")
    viewer = english(login("viewer"))
    assert "Receive briefings by e-mail" in text_in(get(viewer, ARCHIVE), "subscription")

    post(viewer, f"{ARCHIVE}/subscription", {"subscribe": "1"})

    assert subscribed(app, "viewer")
    page = get(viewer, ARCHIVE)
    assert "You receive these briefings by e-mail at lanh.dao@binhphuoc.gov.vn." in text_in(
        page, "subscription"
    )
    post(viewer, f"{ARCHIVE}/subscription", {"subscribe": "1"})  # twice: still once
    assert subscribed(app, "viewer")

    post(viewer, f"{ARCHIVE}/subscription", {"subscribe": ""})

    assert not subscribed(app, "viewer")


def test_a_reader_without_an_email_address_is_told_where_to_add_it(app, campaign, login):
    viewer = english(login("viewer"))
    page = get(viewer, ARCHIVE)
    assert 'href="/account"' in element(page, "email-hint")

    post(viewer, f"{ARCHIVE}/subscription", {"subscribe": "1"})

    assert not subscribed(app, "viewer")
    assert "Add your e-mail address on your account page first." in get(viewer, ARCHIVE)
