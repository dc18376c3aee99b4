"""What the browser tests share: the devices they browse with and the steps every user takes."""

import re

import pytest

from tests.browser.availability import why_not

# Every test module here imports this one: without Chromium or Playwright, each is skipped.
if why_not():
    pytest.skip(why_not(), allow_module_level=True)

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

# A reporter's phone: 360 × 740 CSS pixels, Chrome on Android.
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "screen": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
    ),
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def sign_in(page: Page, username: str) -> None:
    """Through the sign-in page, as the world's user (tests/factories.py, one password)."""
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def open_campaign(page: Page, code: str, *, phone: bool = False) -> None:
    """From any page, through the menu (folded behind its button on a phone)."""
    if phone:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Chiến dịch", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chiến dịch")
    page.get_by_role("link", name=f"Chiến dịch {code}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Chiến dịch {code}")


def page_width(page: Page) -> int:
    """The width of what the page scrolls over (once loaded); wider than the window means
    sideways scrolling."""
    page.wait_for_load_state()
    return page.evaluate("document.scrollingElement.scrollWidth")
