"""The unit browser as people use it: the demo admin walks Bình Phước's tree."""

import re

import pytest

from app.db import db
from app.demo import load_demo
from tests.conftest import log_in
from tests.factories import make_units

BU_DOP_COMMUNES = [
    "Thị trấn Thanh Bình",
    "Xã Hưng Phước",
    "Xã Phước Thiện",
    "Xã Thiện Hưng",
    "Xã Thanh Hòa",
    "Xã Tân Thành",
    "Xã Tân Tiến",
]


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def text_of(response) -> str:
    return text_of_html(response.get_data(as_text=True))


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo()


def test_demo_admin_browses_province_districts_communes_and_agencies(app, demo):
    client = log_in(app.test_client(), "admin", "tiendo-admin")

    province = client.get("/", follow_redirects=True)
    assert province.request.path == "/units/70"
    page = text_of(province)
    assert "Tỉnh Bình Phước" in page
    html = province.get_data(as_text=True)
    start = html.index('id="descendant-counts"')
    counts_block = html[start : html.index("<form", start)]
    counts = re.findall(r"(\d+) (Sở, ban, ngành|Cấp huyện|Cấp xã)", text_of_html(counts_block))
    assert counts == [("18", "Sở, ban, ngành"), ("11", "Cấp huyện"), ("111", "Cấp xã")]
    assert "Văn phòng Đăng ký đất đai" in page
    assert "Sở Tư pháp" in page

    district = text_of(client.get("/units/693"))
    assert "7 đơn vị trực thuộc" in district
    positions = [district.index(name) for name in BU_DOP_COMMUNES]
    assert positions == sorted(positions)  # official code order

    commune = text_of(client.get("/units/25308"))
    assert "Tỉnh Bình Phước Huyện Bù Đốp Thị trấn Thanh Bình" in commune  # breadcrumb
    assert "Không có đơn vị nào trực thuộc Thị trấn Thanh Bình." in commune


def test_kind_filter_lists_only_that_kind(app, demo):
    client = log_in(app.test_client(), "admin", "tiendo-admin")
    page = text_of(client.get("/units/70?kind=district"))
    assert "11 đơn vị trực thuộc" in page
    assert "Sở Tư pháp" not in page


def test_search_without_accents_finds_the_district(app, demo):
    client = log_in(app.test_client(), "viewer", "tiendo-viewer")
    page = text_of(client.get("/units/70", query_string={"q": "bu dop"}))
    assert "Huyện Bù Đốp" in page
    assert "Thị xã Bình Long" not in page


def test_a_search_with_no_match_says_so(app, demo):
    client = log_in(app.test_client(), "viewer", "tiendo-viewer")
    page = text_of(client.get("/units/70", query_string={"q": "khong co"}))
    assert "Không có đơn vị cấp dưới nào của Tỉnh Bình Phước khớp với “khong co”" in page


def test_manager_sees_no_way_up_above_its_district(app, demo):
    client = log_in(app.test_client(), "manager", "tiendo-manager")
    page = client.get("/units/25308").get_data(as_text=True)
    breadcrumb = page[page.index('class="breadcrumb') : page.index("</ol>")]
    assert "Huyện Bù Đốp" in breadcrumb
    assert "Tỉnh Bình Phước" not in breadcrumb


def test_unknown_unit_gets_a_vietnamese_404_page(login):
    response = login("admin").get("/units/NOPE")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_long_lists_are_paginated_and_keep_their_filter(app, world, login):
    with app.app_context():
        make_units(*[(f"X{n:02d}", f"Xã số {n}", "commune", "D2") for n in range(60)])
        db.session.commit()
    client = login("admin")

    first = client.get("/units/D2", query_string={"kind": "commune"}).get_data(as_text=True)
    second = client.get("/units/D2", query_string={"kind": "commune", "page": 2}).get_data(
        as_text=True
    )

    # D2 holds C21 and the 60 new communes: 61 = 50 on page 1 + 11 on page 2.
    assert first.count('href="/units/X') + first.count('href="/units/C21"') == 50
    assert second.count('href="/units/X') + second.count('href="/units/C21"') == 11
    assert "kind=commune" in first[first.index('class="pagination') :]


def test_pages_fit_a_phone_and_load_nothing_from_the_internet(login):
    page = login("admin").get("/units/P1").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    external = re.findall(r'(?:src|href)="(https?:)?//', page)
    assert external == []
    assert "table-responsive" in page
