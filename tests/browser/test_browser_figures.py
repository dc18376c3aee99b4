"""Daily figures in a real browser: a reporter on a 360-px phone enters today's figures, is
stopped by a numerator above its denominator and saves once it is corrected, all within a
minute; a manager fills in a commune that has not reported.

The world is tests/factories.py's: P1{A1, D1{C11 Xã Đức Trung, C12 Xã Đức Quang}, D2{C21}};
reporter@C11, manager@D1. Campaign HN runs from ten days ago to twenty days ahead (dates where
the campaigns run, Asia/Ho_Chi_Minh), so its entry page opens on today. Its two ratio
indicators are the 92-day template's SO_HOA and DUNG_HAN, whose denominators share one label.
"""

import re
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from app.db import db
from app.units.queries import unit_by_code
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus, Indicator
from campaigns.progress.queries import entry_of, revisions_of
from campaigns.queries import campaign_by_code
from tests.browser.browsing import PHONE, open_campaign, page_width, sign_in
from tests.factories import (
    PASSWORD,
    enter_figures_for_test,
    make_campaign,
    make_indicator,
    make_world,
)

CODE = "HN"
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DIGITISED = "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC"
ON_TIME = "Tỷ lệ hồ sơ giải quyết đúng hạn"
SETTLED = "Số hồ sơ đã giải quyết"  # the denominator of both
TOO_LARGE = "Tử số không được lớn hơn mẫu số."
ONE_MINUTE = 60.0


def local_now() -> datetime:
    return datetime.now(TIMEZONE)


def build_campaign(app) -> date:
    """The world and campaign HN; today's date where it runs."""
    today = local_now().date()
    with app.app_context():
        make_world()
        campaign = make_campaign(
            CODE,
            "P1",
            start=today - timedelta(days=10),
            end=today + timedelta(days=20),
            status=CampaignStatus.ACTIVE,
        )
        for code, name, numerator_label in (
            ("SO_HOA", DIGITISED, "Số hồ sơ được số hóa"),
            ("DUNG_HAN", ON_TIME, "Số hồ sơ giải quyết đúng hạn"),
        ):
            make_indicator(
                campaign,
                code,
                name=name,
                numerator_label=numerator_label,
                denominator_label=SETTLED,
                unit_kinds=["commune"],
            )
        db.session.commit()
    return today


def figures_of(app, unit_code: str, day: date) -> dict[str, tuple]:
    """{indicator code: (numerator, denominator, revisions [(user name, source, on behalf)])}
    of what the database holds."""
    with app.app_context():
        campaign = campaign_by_code(CODE)
        unit = unit_by_code(unit_code)
        found = {}
        for indicator in db.session.scalars(
            db.select(Indicator).where(Indicator.campaign_id == campaign.id)
        ):
            entry = entry_of(indicator.id, unit.id, day)
            if entry is not None:
                revisions = [
                    (revision.changed_by.username, revision.source, revision.on_behalf)
                    for revision in revisions_of(entry.id)
                ]
                found[indicator.code] = (entry.numerator, entry.denominator, revisions)
        return found


def test_a_reporter_enters_today_s_figures_on_a_phone_within_a_minute(app, open_browser, shoot):
    today = build_campaign(app)
    shown_day = today.strftime("%d/%m/%Y")
    page = open_browser(PHONE)
    widths = {}

    started = time.monotonic()
    page.goto("/login")
    widths["sign-in"] = page_width(page)
    shoot(page, "sign-in")
    page.get_by_label("Tên đăng nhập").fill("reporter")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xã Đức Trung")
    widths["home"] = page_width(page)
    open_campaign(page, CODE, phone=True)
    widths["campaign"] = page_width(page)
    page.get_by_role("link", name="Nhập số liệu", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Số liệu của Xã Đức Trung")
    expect(page.get_by_label("Ngày", exact=True)).to_have_value(today.isoformat())
    widths["entry"] = page_width(page)
    shoot(page, "entry-page")

    digitised = page.get_by_label(f"Số hồ sơ được số hóa, {DIGITISED}", exact=True)
    digitised_total = page.get_by_label(f"{SETTLED}, {DIGITISED}", exact=True)
    on_time = page.get_by_label(f"Số hồ sơ giải quyết đúng hạn, {ON_TIME}", exact=True)
    on_time_total = page.get_by_label(f"{SETTLED}, {ON_TIME}", exact=True)
    digitised.press_sequentially("120")  # 120 digitised of 100 settled: impossible
    digitised_total.press_sequentially("100")
    on_time.press_sequentially("45")
    on_time_total.press_sequentially("50")
    save = page.get_by_role("button", name=f"Lưu số liệu ngày {shown_day}")
    save.click()

    message = page.get_by_role("region", name=DIGITISED).get_by_text(TOO_LARGE)
    expect(message).to_be_visible()
    expect(page.get_by_text(TOO_LARGE)).to_have_count(1)  # the other indicator is fine
    expect(digitised).to_have_attribute("aria-invalid", "true")
    expect(digitised_total).not_to_have_attribute("aria-invalid", "true")
    # Next to the field: right under it, in its column.
    field, below = digitised.bounding_box(), message.bounding_box()
    assert field["x"] == below["x"]
    assert 0 <= below["y"] - (field["y"] + field["height"]) < 10
    expect(page.get_by_role("alert").filter(has_text="Chưa lưu dữ liệu nào")).to_be_visible()
    # What was typed is still there, to be corrected rather than typed again.
    expect(digitised).to_have_value("120")
    expect(on_time).to_have_value("45")
    widths["refused"] = page_width(page)
    shoot(page, "numerator-above-denominator")
    assert figures_of(app, "C11", today) == {}

    digitised.fill("")
    digitised.press_sequentially("80")
    save.click()
    expect(
        page.get_by_role("alert").filter(has_text=f"Đã lưu số liệu ngày {shown_day}")
    ).to_have_text(f"Đã lưu số liệu ngày {shown_day}: 2 mới, 0 thay đổi.")
    elapsed = time.monotonic() - started
    # The page shows the figures as they are now stored, and nothing in error.
    expect(digitised).to_have_value("80")
    expect(digitised_total).to_have_value("100")
    expect(on_time).to_have_value("45")
    expect(on_time_total).to_have_value("50")
    expect(page.get_by_text(TOO_LARGE)).to_have_count(0)
    expect(digitised).not_to_have_attribute("aria-invalid", "true")
    widths["saved"] = page_width(page)
    shoot(page, "saved")

    assert elapsed < ONE_MINUTE, f"{elapsed:.1f} s from the sign-in page to the saved figures"
    # Nothing is wider than the phone: no sideways scrolling on any page of the way.
    assert widths == dict.fromkeys(widths, 360)
    assert figures_of(app, "C11", today) == {
        "SO_HOA": (80, 100, [("reporter", "web", False)]),
        "DUNG_HAN": (45, 50, [("reporter", "web", False)]),
    }


def test_a_manager_fills_in_a_commune_that_has_not_reported(app, open_browser, shoot):
    today = build_campaign(app)
    shown_day = today.strftime("%d/%m/%Y")
    # Xã Đức Trung reported today; Xã Đức Quang did not.
    with app.app_context():
        enter_figures_for_test(
            campaign_by_code(CODE),
            {("C11", "SO_HOA", today): (70, 100), ("C11", "DUNG_HAN", today): (40, 50)},
            at=local_now().strftime("%Y-%m-%d %H:%M"),
            by=user_by_username("reporter"),
            source="web",
        )
        db.session.commit()
    page = open_browser()
    sign_in(page, "manager")
    open_campaign(page, CODE)
    page.get_by_role("link", name="Nhập số liệu", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Số liệu các đơn vị trực thuộc Huyện Đức Hợp"
    )
    reported = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile("Xã Đức Trung"))
    )
    missing = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile("Xã Đức Quang"))
    )
    expect(missing.get_by_role("rowheader")).to_contain_text("chưa báo cáo")
    expect(missing.get_by_role("cell")).to_contain_text(["chưa nhập", "chưa nhập"])
    expect(missing.get_by_role("cell").first).to_have_class(re.compile(r"\bcell-missing\b"))
    expect(reported.get_by_role("cell").filter(has_text="chưa nhập")).to_have_count(0)
    shoot(page, "grid-with-a-missing-commune")

    def cell(label: str, indicator: str):
        return page.get_by_label(f"{label}, {indicator}, Xã Đức Quang", exact=True)

    cell("Số hồ sơ được số hóa", DIGITISED).fill("30")
    cell(SETTLED, DIGITISED).fill("60")
    cell("Số hồ sơ giải quyết đúng hạn", ON_TIME).fill("25")
    cell(SETTLED, ON_TIME).fill("40")
    cell(SETTLED, ON_TIME).press("Enter")  # the keyboard submits the grid

    # Xã Đức Trung's figures went back unchanged: only Xã Đức Quang's two are new.
    expect(
        page.get_by_role("alert").filter(has_text=f"Đã lưu số liệu ngày {shown_day}")
    ).to_have_text(f"Đã lưu số liệu ngày {shown_day}: 2 mới, 0 thay đổi.")
    expect(missing.get_by_role("rowheader")).not_to_contain_text("chưa báo cáo")
    expect(missing.get_by_role("cell").filter(has_text="chưa nhập")).to_have_count(0)
    expect(cell("Số hồ sơ được số hóa", DIGITISED)).to_have_value("30")
    shoot(page, "grid-saved")

    missing.get_by_role("link", name="lịch sử").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lịch sử thay đổi số liệu")
    revision = page.get_by_role("row").filter(has_text="manager")
    expect(revision).to_contain_text("30 / 60")
    expect(revision).to_contain_text("nhập thay")
    shoot(page, "history-on-behalf")

    assert figures_of(app, "C12", today) == {
        "SO_HOA": (30, 60, [("manager", "web", True)]),
        "DUNG_HAN": (25, 40, [("manager", "web", True)]),
    }
    assert figures_of(app, "C11", today) == {
        "SO_HOA": (70, 100, [("reporter", "web", False)]),
        "DUNG_HAN": (40, 50, [("reporter", "web", False)]),
    }
