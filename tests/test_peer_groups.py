"""A campaign's own peer groups (DESIGN §5: "all communes of the province"): the operations,
their pages, who may use them, and the demo's group. Expected values are written by hand from
the World of tests/factories.py:

P1 (province) ── A1 (agency), D1 (district: C11, C12), D2 (district: C21); P2 ── D3.
"""

import re

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from app.db import db
from app.demo import load_demo
from app.units.queries import unit_by_code
from campaigns.models import PeerGroup
from campaigns.operations import CampaignError, add_peer_group, remove_peer_group
from campaigns.queries import campaign_by_code, peer_groups_with_sizes
from tests.factories import World, make_campaign, make_indicator
from tests.test_campaigns import english, flashed, page_text

PAGE = "/campaigns/CD92/peer-groups"


def add_campaign(app: Flask, status: str = "active", groups=()) -> None:
    """Campaign CD92 of P1 with one indicator and peer groups (code, root code, kind)."""
    with app.app_context():
        campaign = make_campaign("CD92", "P1")
        make_indicator(campaign, "I1")
        for code, root, kind in groups:
            add_peer_group(
                campaign, code=code, name=f"Nhóm {code}", root_unit=unit_by_code(root), kind=kind
            )
        campaign.status = status
        db.session.commit()


def stored_groups(app: Flask) -> dict[str, tuple[str, str, str]]:
    """{code: (name, root unit code, kind)} of CD92's peer groups."""
    with app.app_context():
        return {
            group.code: (group.name, group.root_unit.code, group.kind)
            for group in db.session.scalars(select(PeerGroup))
        }


def group_form(**overrides: str) -> dict[str, str]:
    return {
        "code": "XA_TOAN_TINH",
        "name": "Tất cả xã của tỉnh",
        "root_unit": "P1",
        "kind": "commune",
        **overrides,
    }


# --- adding ----------------------------------------------------------------------------------


def test_admin_adds_a_group_and_sees_its_size(app: Flask, world: World, login):
    add_campaign(app, groups=[("XA_D1", "D1", "commune")])
    admin = english(login("admin"))

    response = admin.post(PAGE, data=group_form(code=" XA_TOAN_TINH ", name=" Tất cả xã "))

    assert "Peer group XA_TOAN_TINH added." in flashed(admin, response)
    assert stored_groups(app) == {
        "XA_D1": ("Nhóm XA_D1", "D1", "commune"),
        "XA_TOAN_TINH": ("Tất cả xã", "P1", "commune"),
    }
    listed = page_text(admin.get(PAGE))
    # Communes below D1: C11, C12 (2); below P1: C11, C12, C21 (3). Listed by code.
    assert "Nhóm XA_D1 XA_D1 Every commune below Huyện Đức Hợp 2" in listed
    assert "Tất cả xã XA_TOAN_TINH Every commune below Tỉnh Một 3" in listed
    assert listed.index("XA_D1") < listed.index("XA_TOAN_TINH")


def test_the_form_offers_the_kinds_below_the_owner_and_starts_at_the_owner(app, world, login):
    add_campaign(app)

    response = english(login("admin")).get(PAGE)

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'name="root_unit"[^>]*value="P1"', body)
    select_tag = re.search(r'<select[^>]*name="kind".*?</select>', body, flags=re.S).group(0)
    # Kinds below P1, higher levels first: agency and district (depth 1), commune (depth 2).
    assert re.findall(r'value="([^"]+)"', select_tag) == ["agency", "district", "commune"]
    assert "The campaign has no peer groups of its own." in page_text(response)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "XA_D1"}, "The campaign already has a peer group “XA_D1”."),
        ({"code": "xã 1"}, "A code has 1 to 32 letters without accents, digits, “.”, “_” or “-”."),
        ({"name": "  "}, "Please fill in this field."),
        ({"root_unit": "ZZ9"}, "No unit has the code “ZZ9”."),
        ({"root_unit": "P2", "kind": "district"}, "Tỉnh Hai is not part of campaign CD92."),
        (
            {"root_unit": "D1", "kind": "district"},
            "No unit of kind “district” lies below Huyện Đức Hợp; choose one of commune.",
        ),
        ({"root_unit": "C11", "kind": "commune"}, "No unit lies below Xã Đức Trung."),
        (
            {"kind": "village"},
            "No unit of kind “village” lies below Tỉnh Một; choose one of agency, district, "
            "commune.",
        ),
    ],
    ids=[
        "duplicate-code",
        "bad-code",
        "no-name",
        "unknown-root",
        "root-outside",
        "kind-not-below-root",
        "root-without-units-below",
        "unknown-kind",
    ],
)
def test_add_refused(app: Flask, world: World, login, overrides, message):
    add_campaign(app, groups=[("XA_D1", "D1", "commune")])
    before = stored_groups(app)

    response = english(login("admin")).post(PAGE, data=group_form(**overrides))

    assert response.status_code == 422
    assert message in page_text(response)
    assert stored_groups(app) == before


def test_a_code_is_unique_within_its_campaign_only(app: Flask, world: World):
    add_campaign(app, groups=[("XA", "P1", "commune")])
    with app.app_context():
        other = make_campaign("KHAC", "P1")

        add_peer_group(other, code="XA", name="Xã", root_unit=unit_by_code("D1"), kind="commune")

        assert [(g.code, size) for g, size in peer_groups_with_sizes(other)] == [("XA", 2)]


def test_the_operation_refuses_an_empty_name(app: Flask, world: World):
    add_campaign(app)
    with app.app_context(), force_locale("en"), pytest.raises(CampaignError) as refused:
        add_peer_group(
            campaign_by_code("CD92"),
            code="XA",
            name="   ",
            root_unit=unit_by_code("P1"),
            kind="commune",
        )

    assert (refused.value.message, refused.value.field) == ("The name is empty.", "name")


# --- removing --------------------------------------------------------------------------------


def test_removed_after_confirmation(app: Flask, world: World, login):
    add_campaign(app, groups=[("XA", "P1", "commune"), ("XA_D1", "D1", "commune")])
    admin = english(login("admin"))

    question = admin.get(f"{PAGE}/XA/delete")
    assert question.status_code == 200
    assert "Remove peer group XA?" in page_text(question)
    assert set(stored_groups(app)) == {"XA", "XA_D1"}  # asking changes nothing

    removed = admin.post(f"{PAGE}/XA/delete")

    assert "Peer group XA removed." in flashed(admin, removed)
    assert removed.headers["Location"] == PAGE
    assert set(stored_groups(app)) == {"XA_D1"}
    with app.app_context():
        assert unit_by_code("C11") is not None  # the units stay


def test_unknown_group_is_404(app: Flask, world: World, login):
    add_campaign(app)
    admin = login("admin")

    assert admin.get(f"{PAGE}/NOPE/delete").status_code == 404
    assert admin.post(f"{PAGE}/NOPE/delete").status_code == 404


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["manager", "reporter", "viewer", "admin2"])
def test_only_the_configurer_manages_groups(app: Flask, world: World, login, username: str):
    add_campaign(app, groups=[("XA", "P1", "commune")])
    before = stored_groups(app)
    client = login(username)

    statuses = [
        client.get(PAGE).status_code,
        client.post(PAGE, data=group_form(code="KHAC")).status_code,
        client.get(f"{PAGE}/XA/delete").status_code,
        client.post(f"{PAGE}/XA/delete").status_code,
    ]

    assert statuses == [403] * 4
    assert stored_groups(app) == before


@pytest.mark.parametrize(("username", "shown"), [("admin", True), ("viewer", False)])
def test_campaign_page_links_to_the_groups_for_configurers(app, world, login, username, shown):
    add_campaign(app)

    body = login(username).get("/campaigns/CD92").get_data(as_text=True)

    assert (f'href="{PAGE}"' in body) is shown


# --- a closed campaign -----------------------------------------------------------------------


def test_a_closed_campaign_keeps_its_groups(app: Flask, world: World, login):
    add_campaign(app, status="closed", groups=[("XA", "P1", "commune")])
    before = stored_groups(app)
    admin = english(login("admin"))

    listed = admin.get(PAGE)
    assert listed.status_code == 200
    assert "This campaign is closed: everything in it is read-only." in page_text(listed)
    assert 'id="peer-group-form"' not in listed.get_data(as_text=True)
    assert f"{PAGE}/XA/delete" not in listed.get_data(as_text=True)
    for method, path, data in [
        ("post", PAGE, group_form(code="KHAC")),
        ("get", f"{PAGE}/XA/delete", None),
        ("post", f"{PAGE}/XA/delete", None),
    ]:
        response = getattr(admin, method)(path, data=data)
        assert "The campaign is closed; nothing in it can change." in flashed(admin, response), (
            method,
            path,
        )
    assert stored_groups(app) == before


def test_the_operations_refuse_a_closed_campaign(app: Flask, world: World):
    add_campaign(app, status="closed", groups=[("XA", "P1", "commune")])
    with app.app_context(), force_locale("en"):
        campaign = campaign_by_code("CD92")
        with pytest.raises(CampaignError, match="The campaign is closed"):
            add_peer_group(
                campaign, code="KHAC", name="Khác", root_unit=unit_by_code("P1"), kind="district"
            )
        with pytest.raises(CampaignError, match="The campaign is closed"):
            remove_peer_group(db.session.scalar(select(PeerGroup)))


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_ranks_every_commune_of_the_province_together(app: Flask):
    with app.app_context():
        load_demo()
        groups = peer_groups_with_sizes(campaign_by_code("CD92-2022"))

        assert [
            (group.code, group.name, group.root_unit.code, group.kind, size)
            for group, size in groups
        ] == [("XA_TOAN_TINH", "Tất cả xã, phường, thị trấn của tỉnh", "70", "commune", 111)]
