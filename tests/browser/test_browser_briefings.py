"""Briefings in a real browser: an administrator writes the directions of the draft and
publishes it through the confirmation page; a leader reads the published briefing on a phone
and opens its print view.

The world is tests/briefing_world.py's: campaign BT of P1, indicator HS (target 50%), figures
of 10/06/2022, districts ranked D2 Huyện Bù Đốp (100) first and D1 Huyện Đức Hợp (75) last,
so the briefing praises the first and criticises the second.
"""

from playwright.sync_api import expect

from app.db import db
from app.users.queries import user_by_username
from targets.briefings.models import Briefing
from targets.briefings.operations import edit_draft, publish
from tests import briefing_world
from tests.briefing_world import CODE, drafted
from tests.browser.browsing import PHONE, open_campaign, page_width, sign_in
from tests.factories import local_moment, make_world

TITLE = "Điểm tin ngày 10/06/2022"
FIRST_DIRECTION = "Huyện Đức Hợp rà soát hồ sơ tồn, báo cáo trước 17 giờ."
DIRECTIONS = FIRST_DIRECTION + "\nCác xã cập nhật số liệu đúng giờ chốt."


def build(app) -> None:
    """The world, campaign BT with its figures, and the draft briefing of 10/06/2022."""
    with app.app_context():
        make_world()
        db.session.commit()
        briefing_world.build_campaign()
    drafted(app)


def status_of_the_briefing(app) -> str:
    with app.app_context():
        return db.session.scalars(db.select(Briefing.status)).one()


def test_an_admin_writes_the_directions_and_publishes_the_briefing(app, open_browser, shoot):
    build(app)
    page = open_browser()
    sign_in(page, "admin")
    open_campaign(page, CODE)
    page.get_by_role("link", name="Điểm tin", exact=True).click()
    page.get_by_role("link", name="10/06/2022").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(
        page.get_by_role("heading", name="Bản dự thảo: chỉ quản trị viên xem được")
    ).to_be_visible()
    shoot(page, "draft")

    page.get_by_label("Chỉ đạo").fill(DIRECTIONS)
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Đã lưu ý kiến chỉ đạo và số hiệu văn bản.")
    expect(page.get_by_label("Chỉ đạo")).to_have_value(DIRECTIONS)

    page.get_by_role("link", name="Phát hành", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phát hành điểm tin ngày 10/06/2022?")
    shoot(page, "confirmation")
    assert status_of_the_briefing(app) == "draft"  # asking changes nothing

    page.get_by_role("button", name="Phát hành", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Đã phát hành", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Chỉ đạo")).to_be_visible()
    expect(page.get_by_text(FIRST_DIRECTION)).to_have_text(DIRECTIONS)
    expect(page.get_by_label("Chỉ đạo")).to_have_count(0)  # frozen: nothing left to edit
    shoot(page, "published")

    with app.app_context():
        briefing = db.session.scalars(db.select(Briefing)).one()
        assert (briefing.status, briefing.version, briefing.published_by.username) == (
            "published",
            1,
            "admin",
        )
        # A browser sends a textarea's lines ended by CR LF (the HTML standard's rule).
        assert briefing.directions == DIRECTIONS.replace("\n", "\r\n")


def test_a_viewer_reads_the_published_briefing_on_a_phone_and_prints_it(app, open_browser, shoot):
    build(app)
    with app.app_context():
        briefing = db.session.scalars(db.select(Briefing)).one()
        edit_draft(briefing, directions=DIRECTIONS, number="12/TB-STTTT")
        publish(
            briefing,
            user=user_by_username("admin"),
            now=local_moment("2022-06-11 07:00"),
        )
        db.session.commit()
    page = open_browser(PHONE)
    sign_in(page, "viewer")
    open_campaign(page, CODE, phone=True)
    page.get_by_role("link", name="Điểm tin", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điểm tin")
    widths = {"archive": page_width(page)}
    shoot(page, "archive")
    page.get_by_role("link", name="10/06/2022").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Đã phát hành", exact=True)).to_be_visible()
    expect(page.get_by_role("list", name="Biểu dương")).to_contain_text("Huyện Bù Đốp")
    expect(page.get_by_role("list", name="Phê bình")).to_contain_text("Huyện Đức Hợp")
    expect(page.get_by_text(FIRST_DIRECTION)).to_have_text(DIRECTIONS)
    # The charts are drawn on the server when first asked for (lazily, as they scroll in).
    charts = page.get_by_role("img")
    expect(charts).to_have_count(3)
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_js_property("complete", True)
        assert chart.evaluate("image => image.naturalWidth") > 0
    widths["briefing"] = page_width(page)
    shoot(page, "briefing")

    page.get_by_role("link", name="In", exact=True).click()
    expect(page.get_by_role("link", name="Quay lại điểm tin")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("list", name="Biểu dương")).to_contain_text("Huyện Bù Đốp")
    expect(page.get_by_role("list", name="Phê bình")).to_contain_text("Huyện Đức Hợp")
    expect(page.get_by_text(FIRST_DIRECTION)).to_have_text(DIRECTIONS)
    shoot(page, "print-view")
    # Nothing is wider than the phone.
    assert widths == dict.fromkeys(widths, 360)
