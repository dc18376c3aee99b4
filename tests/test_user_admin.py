"""User administration under /admin/users: create, edit, deactivate, reactivate, reset the
password, the admin's scope, the list's filters, pagination and empty states."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.db import db
from app.users.models import User
from app.users.operations import update_user
from app.users.queries import user_by_username
from tests.conftest import log_in
from tests.factories import PASSWORD, World, make_user
from tests.pages import english

WORLD_USERNAMES_UNDER_P1 = {"admin", "manager", "reporter", "viewer", "reporter2", "retired"}


def text(response) -> str:
    return response.get_data(as_text=True)


def listed_usernames(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(
        r'<a class="font-monospace" href="/admin/users/\d+">([^<\s]+)', text(response)
    )


def issued_password(response) -> str:
    match = re.search(r'class="issued-password[^"]*">\s*([^<\s]+)\s*<', text(response))
    assert match, text(response)
    return match.group(1)


def user_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def snapshot(app: Flask, username: str) -> dict:
    with app.app_context():
        user = user_by_username(username)
        return {
            "full_name": user.full_name,
            "role": user.role,
            "unit": user.unit.code,
            "active": user.active,
            "password_hash": user.password_hash,
            "must_change_password": user.must_change_password,
            "session_version": user.session_version,
        }


def login_status(app: Flask, username: str, password: str = PASSWORD) -> int:
    return (
        app.test_client()
        .post("/login", data={"username": username, "password": password})
        .status_code
    )


def new_user_form(**overrides: str) -> dict[str, str]:
    return {
        "username": "nguyenvana",
        "full_name": "Nguyễn Văn A",
        "role": "reporter",
        "unit_code": "C11",
        **overrides,
    }


# --- create ----------------------------------------------------------------------------------


def test_new_user_page(login):
    response = login("admin").get("/admin/users/new")

    assert response.status_code == 200
    assert 'name="username"' in text(response)
    # The unit picker offers exactly the admin's units.
    options = re.findall(r'<option value="([^"]+)">', text(response).split("unit-options")[-1])
    assert set(options) == {"P1", "A1", "D1", "C11", "C12", "D2", "C21"}


def test_admin_creates_user_with_temporary_password(app: Flask, login):
    admin = login("admin")

    response = admin.post("/admin/users/new", data=new_user_form(username="NguyenVanA"))

    assert response.status_code == 200
    password = issued_password(response)
    assert len(password) >= 8
    assert snapshot(app, "nguyenvana") | {"password_hash": None, "session_version": None} == {
        "full_name": "Nguyễn Văn A",
        "role": "reporter",
        "unit": "C11",
        "active": True,
        "password_hash": None,
        "must_change_password": True,
        "session_version": None,
    }
    # Shown once: neither the list nor the user's page repeats it.
    assert password not in text(admin.get("/admin/users/"))
    with app.app_context():
        user_id = user_by_username("nguyenvana").id
    assert password not in text(admin.get(f"/admin/users/{user_id}"))

    newcomer = log_in(app.test_client(), "nguyenvana", password)
    assert newcomer.get("/").location == "/account/password"
    assert newcomer.get("/units/C11").location == "/account/password"


def test_created_message_in_english(login):
    admin = english(login("admin"))

    response = admin.post("/admin/users/new", data=new_user_form())

    assert "The account nguyenvana has been created." in text(response)


# Case → (form fields changed, message shown). One World, one admin session for them all.
REFUSED_NEW_USERS = {
    "duplicate": ({"username": "manager"}, "The user name “manager” is taken."),
    "duplicate upper case": ({"username": "MANAGER"}, "The user name “manager” is taken."),
    "duplicate of a deactivated user": (
        {"username": "Retired"},
        "The user name “retired” is taken.",
    ),
    "too short": ({"username": "ab"}, "A user name has 3 to 64 characters"),
    "accents": ({"username": "nguyễn"}, "A user name has 3 to 64 characters"),
    "space": ({"username": "nguyen van"}, "A user name has 3 to 64 characters"),
    "empty": ({"username": ""}, "Please fill in this field."),
    "unknown unit": (
        {"unit_code": "ZZ9"},
        "No unit with code “ZZ9” among the units you administer.",
    ),
    "unit of another province": (
        {"unit_code": "D3"},
        "No unit with code “D3” among the units you administer.",
    ),
    "other province itself": (
        {"unit_code": "P2"},
        "No unit with code “P2” among the units you administer.",
    ),
    "unknown role": (
        {"role": "superuser"},
        "Unknown role “superuser”; the roles are admin, manager, reporter, viewer.",
    ),
    "no role": (
        {"role": ""},
        "Unknown role “”; the roles are admin, manager, reporter, viewer.",
    ),
}


def test_create_user_refused(app: Flask, login):
    admin = english(login("admin"))
    before = user_count(app)

    outcomes = {}
    for case, (overrides, message) in REFUSED_NEW_USERS.items():
        response = admin.post("/admin/users/new", data=new_user_form(**overrides))
        page = html.unescape(text(response))
        outcomes[case] = (response.status_code, message in page, "issued-password" in page)

    # (status, message shown, a password issued) for each case.
    assert outcomes == dict.fromkeys(REFUSED_NEW_USERS, (422, True, False))
    assert user_count(app) == before


def test_duplicate_username_message_in_vietnamese(app: Flask, login):
    response = login("admin").post("/admin/users/new", data=new_user_form(username="Manager"))

    assert response.status_code == 422
    assert "Tên đăng nhập “manager” đã được sử dụng." in text(response)


@pytest.mark.parametrize("username", ["abc", "a" * 64])
def test_username_length_limits_accepted(app: Flask, login, username: str):
    response = login("admin").post("/admin/users/new", data=new_user_form(username=username))

    assert response.status_code == 200
    assert issued_password(response)
    assert snapshot(app, username)["unit"] == "C11"


def test_username_of_65_characters_refused(app: Flask, login):
    before = user_count(app)

    response = login("admin").post("/admin/users/new", data=new_user_form(username="a" * 65))

    assert response.status_code == 422
    assert user_count(app) == before


# --- edit ------------------------------------------------------------------------------------


def test_edit_page_shows_the_user(login, world: World):
    response = login("admin").get(f"/admin/users/{world.users['reporter2']}")

    assert response.status_code == 200
    assert 'value="C12"' in text(response)


def test_admin_edits_role_unit_and_name(app: Flask, login, world: World):
    admin = english(login("admin"))

    response = admin.post(
        f"/admin/users/{world.users['reporter2']}",
        data={"full_name": "  Trần Thị Bình  ", "role": "manager", "unit_code": "D2"},
    )

    assert response.status_code == 302
    assert response.location == "/admin/users/"
    assert "The account reporter2 has been saved." in text(admin.get(response.location))
    after = snapshot(app, "reporter2")
    assert (after["full_name"], after["role"], after["unit"]) == ("Trần Thị Bình", "manager", "D2")


REFUSED_EDITS = {
    "unit outside scope": (
        {"unit_code": "D3"},
        "No unit with code “D3” among the units you administer.",
    ),
    "unknown unit": (
        {"unit_code": "ZZ9"},
        "No unit with code “ZZ9” among the units you administer.",
    ),
    "no unit": ({"unit_code": ""}, "Please fill in this field."),
    "unknown role": (
        {"role": "superuser"},
        "Unknown role “superuser”; the roles are admin, manager, reporter, viewer.",
    ),
}


def test_edit_refused(app: Flask, login, world: World):
    admin = english(login("admin"))
    before = snapshot(app, "reporter2")

    outcomes = {}
    for case, (changes, message) in REFUSED_EDITS.items():
        response = admin.post(
            f"/admin/users/{world.users['reporter2']}",
            data={"full_name": "Changed", "role": "viewer", "unit_code": "C12", **changes},
        )
        outcomes[case] = (response.status_code, message in text(response))

    assert outcomes == dict.fromkeys(REFUSED_EDITS, (422, True))
    assert snapshot(app, "reporter2") == before


@pytest.mark.parametrize(
    "changes", [{"role": "viewer"}, {"unit_code": "D1"}], ids=["own role", "own unit"]
)
def test_admin_cannot_change_own_role_or_unit(app: Flask, login, world: World, changes: dict):
    admin = english(login("admin"))
    before = snapshot(app, "admin")

    response = admin.post(
        f"/admin/users/{world.users['admin']}",
        data={"full_name": "Quản trị", "role": "admin", "unit_code": "P1", **changes},
    )

    assert response.status_code == 422
    assert "You cannot change your own role or unit; ask another administrator." in text(response)
    assert snapshot(app, "admin") == before


def test_admin_can_change_own_full_name(app: Flask, login, world: World):
    admin = login("admin")

    response = admin.post(
        f"/admin/users/{world.users['admin']}",
        data={"full_name": "Lê Văn Quản", "role": "admin", "unit_code": "P1"},
    )

    assert response.status_code == 302
    assert snapshot(app, "admin")["full_name"] == "Lê Văn Quản"
    assert snapshot(app, "admin")["role"] == "admin"


def test_unknown_user_id_is_404(login):
    admin = login("admin")

    for path in ("/admin/users/9999", "/admin/users/9999/deactivate"):
        assert admin.get(path).status_code == 404


# --- deactivate, reactivate ------------------------------------------------------------------


def test_deactivate_asks_for_confirmation_first(app: Flask, login, world: World):
    admin = english(login("admin"))
    before = snapshot(app, "reporter2")

    response = admin.get(f"/admin/users/{world.users['reporter2']}/deactivate")

    assert response.status_code == 200
    assert "Deactivate account reporter2?" in text(response)
    assert snapshot(app, "reporter2") == before
    assert login_status(app, "reporter2") == 302


def test_deactivate_locks_the_account(app: Flask, login, world: World):
    admin = english(login("admin"))
    victim_session = login("reporter2")

    response = admin.post(f"/admin/users/{world.users['reporter2']}/deactivate")

    assert response.status_code == 302
    assert response.location == "/admin/users/"
    assert "The account reporter2 is deactivated" in text(admin.get(response.location))
    assert snapshot(app, "reporter2")["active"] is False
    assert login_status(app, "reporter2") == 422
    assert victim_session.get("/units/C12").status_code == 302


def test_admin_cannot_deactivate_self(app: Flask, login, world: World):
    admin = english(login("admin"))
    before = snapshot(app, "admin")

    for method in (admin.get, admin.post):
        response = method(f"/admin/users/{world.users['admin']}/deactivate")
        assert response.status_code == 302
        assert response.location == "/admin/users/"
        assert "You cannot deactivate your own account." in text(admin.get(response.location))

    assert snapshot(app, "admin") == before
    assert admin.get("/units/P1").status_code == 200


def test_reactivate_asks_for_confirmation_first(app: Flask, login, world: World):
    admin = login("admin")

    response = admin.get(f"/admin/users/{world.users['retired']}/activate")

    assert response.status_code == 200
    assert snapshot(app, "retired")["active"] is False
    assert login_status(app, "retired") == 422


def test_reactivate_makes_login_possible_again(app: Flask, login, world: World):
    admin = login("admin")
    assert login_status(app, "retired") == 422

    response = admin.post(f"/admin/users/{world.users['retired']}/activate")

    assert response.status_code == 302
    assert snapshot(app, "retired")["active"] is True
    client = log_in(app.test_client(), "retired")
    assert client.get("/units/C21").status_code == 200


def test_list_marks_deactivated_users_and_offers_reactivation(login, world: World):
    response = english(login("admin")).get("/admin/users/")

    page = text(response)
    assert re.search(r"retired</a>\s*<span[^>]*>deactivated</span>", page)
    assert f"/admin/users/{world.users['retired']}/activate" in page
    assert f"/admin/users/{world.users['retired']}/deactivate" not in page
    assert f"/admin/users/{world.users['reporter2']}/deactivate" in page
    # The admin is offered no way to lock themselves out.
    assert f"/admin/users/{world.users['admin']}/deactivate" not in page
    # Active users first, then the deactivated one.
    assert listed_usernames(response) == [
        "admin",
        "manager",
        "reporter",
        "reporter2",
        "viewer",
        "retired",
    ]


# --- reset password --------------------------------------------------------------------------


def test_reset_password_asks_for_confirmation_first(app: Flask, login, world: World):
    admin = login("admin")
    before = snapshot(app, "reporter2")

    response = admin.get(f"/admin/users/{world.users['reporter2']}/reset-password")

    assert response.status_code == 200
    assert 'class="issued-password' not in text(response)
    assert snapshot(app, "reporter2") == before
    assert login_status(app, "reporter2") == 302


def test_reset_password_issues_a_temporary_one(app: Flask, login, world: World):
    admin = english(login("admin"))
    old_session = login("reporter2")

    response = admin.post(f"/admin/users/{world.users['reporter2']}/reset-password")

    assert response.status_code == 200
    assert "The password of reporter2 has been reset." in text(response)
    password = issued_password(response)
    assert password != PASSWORD
    assert login_status(app, "reporter2", PASSWORD) == 422
    assert old_session.get("/units/C12").status_code == 302
    assert urlsplit(old_session.get("/units/C12").location).path == "/login"
    client = log_in(app.test_client(), "reporter2", password)
    assert client.get("/units/C12").location == "/account/password"
    response = client.post(
        "/account/password",
        data={
            "current_password": password,
            "new_password": "chosen-by-me-1",
            "confirm_password": "chosen-by-me-1",
        },
    )
    assert response.status_code == 302
    assert client.get("/units/C12").status_code == 200


# --- scope -----------------------------------------------------------------------------------


def test_list_shows_only_users_of_the_admins_subtree(login):
    assert set(listed_usernames(login("admin").get("/admin/users/"))) == WORLD_USERNAMES_UNDER_P1
    assert listed_usernames(login("admin2").get("/admin/users/")) == ["admin2"]


def _user_pages(user_id: int) -> list[tuple[str, str]]:
    return [
        ("get", f"/admin/users/{user_id}"),
        ("post", f"/admin/users/{user_id}"),
        ("get", f"/admin/users/{user_id}/deactivate"),
        ("post", f"/admin/users/{user_id}/deactivate"),
        ("get", f"/admin/users/{user_id}/activate"),
        ("post", f"/admin/users/{user_id}/activate"),
        ("get", f"/admin/users/{user_id}/reset-password"),
        ("post", f"/admin/users/{user_id}/reset-password"),
    ]


EDIT_DATA = {"full_name": "Hacked", "role": "admin", "unit_code": "P1"}


def test_admin_gets_403_on_users_outside_their_subtree(app: Flask, login, world: World):
    for admin, target in (
        ("admin", "admin2"),
        ("admin2", "admin"),
        ("admin2", "reporter"),
        ("admin2", "retired"),
    ):
        client = login(admin)
        before = snapshot(app, target)

        statuses = {
            (method, path): getattr(client, method)(path, data=EDIT_DATA).status_code
            for method, path in _user_pages(world.users[target])
        }

        assert set(statuses.values()) == {403}, (admin, target, statuses)
        assert snapshot(app, target) == before


def test_admin_cannot_create_a_user_in_another_province(app: Flask, login):
    before = user_count(app)

    response = login("admin2").post("/admin/users/new", data=new_user_form(unit_code="C11"))

    assert response.status_code == 422
    assert user_count(app) == before


@pytest.mark.parametrize("username", ["manager", "reporter", "viewer"])
def test_non_admins_get_403_on_every_admin_page(app: Flask, login, world: World, username: str):
    client = login(username)
    before = snapshot(app, "reporter2")
    before_count = user_count(app)
    requests = [
        ("get", "/admin/users/"),
        ("get", "/admin/users/?q=report&role=reporter"),
        ("get", "/admin/users/new"),
        ("post", "/admin/users/new"),
        *_user_pages(world.users["reporter2"]),
        *_user_pages(world.users[username]),
    ]

    statuses = {
        (method, path): getattr(client, method)(
            path, data=new_user_form(**EDIT_DATA) if method == "post" else None
        ).status_code
        for method, path in requests
    }

    assert set(statuses.values()) == {403}, statuses
    assert snapshot(app, "reporter2") == before
    assert user_count(app) == before_count


@pytest.mark.parametrize("username", ["admin", "manager"])
def test_users_menu_only_for_admins(login, username: str):
    page = text(login(username).get("/units/D1"))

    assert ('href="/admin/users/"' in page) is (username == "admin")


# --- list filters, pagination, empty states --------------------------------------------------


@pytest.fixture
def named(app: Flask, world: World) -> World:
    with app.app_context():
        for username, full_name in [
            ("manager", "Nguyễn Văn Đức"),
            ("viewer", "Lê Thị Hoa"),
            ("reporter2", "Trần Văn Hùng"),
        ]:
            user = user_by_username(username)
            update_user(user, full_name=full_name, role=user.role, unit=user.unit)
        db.session.commit()
    return world


# (query, usernames listed, in order): one World for all of them, compared as a whole.
FILTER_CASES = [
    ({"q": "report"}, ["reporter", "reporter2"]),
    ({"q": "REPORT"}, ["reporter", "reporter2"]),
    ({"q": "  report  "}, ["reporter", "reporter2"]),
    ({"q": "văn"}, ["manager", "reporter2"]),
    ({"q": "Nguyễn Văn"}, ["manager"]),
    ({"q": "thị hoa"}, ["viewer"]),
    ({"q": "C11"}, ["reporter"]),
    ({"q": "D1"}, ["manager"]),
    ({"role": "reporter"}, ["reporter", "reporter2", "retired"]),
    ({"role": "admin"}, ["admin"]),
    ({"q": "report", "role": "reporter"}, ["reporter", "reporter2"]),
    ({"q": "văn", "role": "manager"}, ["manager"]),
    ({"q": "", "role": ""}, ["admin", "manager", "reporter", "reporter2", "viewer", "retired"]),
]


def test_list_filters(login, named: World):
    admin = login("admin")

    listed = [
        (query, listed_usernames(admin.get("/admin/users/", query_string=query)))
        for query, _expected in FILTER_CASES
    ]

    assert listed == FILTER_CASES


def test_full_name_filter_ignores_vietnamese_case(login, named: World):
    # "Đ" and "Ứ" are outside ASCII: case folding must not depend on the database engine, and
    # officers typing on phones often leave the accents out.
    admin = login("admin")
    queries = {
        "đức": ["manager"],
        "ĐỨC": ["manager"],
        "Đức": ["manager"],
        "HÙNG": ["reporter2"],
        "duc": ["manager"],
        "tran van hung": ["reporter2"],
    }

    listed = {
        query: listed_usernames(admin.get("/admin/users/", query_string={"q": query}))
        for query in queries
    }

    assert listed == queries


def test_filter_text_is_not_a_wildcard_pattern(app: Flask, login, world: World):
    with app.app_context():
        make_user("le_an", "reporter", "C11")
        make_user("lexan", "reporter", "C11")
        db.session.commit()
    admin = login("admin")

    assert listed_usernames(admin.get("/admin/users/?q=le_an")) == ["le_an"]
    assert listed_usernames(admin.get("/admin/users/?q=%25")) == []


def test_filter_by_unit_of_another_province_finds_nobody(login, world: World):
    assert listed_usernames(login("admin").get("/admin/users/?q=P2")) == []


def test_filter_keeps_its_values_in_the_form(login, world: World):
    page = text(login("admin").get("/admin/users/?q=report&role=viewer"))

    assert 'name="q" value="report"' in page
    assert re.search(r'<option value="viewer"\s+selected>', page)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?q=nobody-has-this", "No user matches this filter."),
        ("?role=viewer&q=report", "No user matches this filter."),
    ],
)
def test_empty_filter_result_says_so(login, world: World, query: str, message: str):
    response = english(login("admin")).get(f"/admin/users/{query}")

    assert listed_usernames(response) == []
    assert message in text(response)
    assert 'href="/admin/users/"' in text(response)


def test_page_past_the_end_does_not_claim_there_are_no_users(login, world: World):
    # Six users are listed on page 1; page 2 of an unfiltered list is empty.
    response = english(login("admin")).get("/admin/users/?page=2")

    assert "No users yet in your units." not in text(response)


def test_empty_filter_message_in_vietnamese(login, world: World):
    response = login("admin").get("/admin/users/?q=nobody-has-this")

    assert "Không có người dùng nào phù hợp với bộ lọc." in text(response)


@pytest.fixture
def crowd(app: Flask, world: World) -> World:
    """60 extra users under P1: bulk01..bulk30 reporters at C12, bulk31..bulk60 viewers at D2."""
    with app.app_context():
        for number in range(1, 61):
            role, unit = ("reporter", "C12") if number <= 30 else ("viewer", "D2")
            make_user(f"bulk{number:02d}", role, unit)
        db.session.commit()
    return world


def page_links(response) -> dict[str, dict[str, list[str]]]:
    """The pagination links by their label, each as its parsed query string."""
    links = re.findall(r'class="page-link" href="([^"#]+)">([^<]+)</a>', text(response))
    return {
        html.unescape(label.strip()): parse_qs(urlsplit(html.unescape(href)).query)
        for href, label in links
    }


def test_pagination_without_filter(login, crowd: World):
    admin = login("admin")

    first = listed_usernames(admin.get("/admin/users/"))
    second = listed_usernames(admin.get("/admin/users/?page=2"))

    # 6 world users under P1 + 60: 50 on page 1, 16 on page 2, none twice.
    assert len(first) == 50
    assert len(second) == 16
    assert set(first) | set(second) == WORLD_USERNAMES_UNDER_P1 | {
        f"bulk{number:02d}" for number in range(1, 61)
    }
    assert first[:3] == ["admin", "bulk01", "bulk02"]
    assert second[-1] == "retired"


def test_pagination_keeps_the_filter(login, crowd: World):
    admin = login("admin")

    first = admin.get("/admin/users/?q=bulk&role=viewer")
    everyone = admin.get("/admin/users/?q=bulk")
    second = admin.get("/admin/users/?q=bulk&page=2")

    assert listed_usernames(first) == [f"bulk{number}" for number in range(31, 61)]
    assert page_links(first) == {}
    assert len(listed_usernames(everyone)) == 50
    assert listed_usernames(second) == [f"bulk{number}" for number in range(51, 61)]
    links = page_links(everyone)
    assert links["2"] == {"q": ["bulk"], "page": ["2"]}


def test_pagination_links_carry_every_filter(app: Flask, login, crowd: World):
    with app.app_context():
        for number in range(61, 81):
            make_user(f"bulk{number:02d}", "reporter", "C11")
        db.session.commit()
    admin = login("admin")

    # Reporters named bulk*: bulk01..bulk30 and bulk61..bulk80, exactly one full page.
    first = admin.get("/admin/users/?q=bulk&role=reporter")
    assert len(listed_usernames(first)) == 50
    assert page_links(first) == {}

    with app.app_context():
        make_user("bulk81", "reporter", "C11")
        db.session.commit()
    first = admin.get("/admin/users/?q=bulk&role=reporter")
    second = admin.get("/admin/users/?q=bulk&role=reporter&page=2")

    assert len(listed_usernames(first)) == 50
    assert listed_usernames(second) == ["bulk81"]
    links = page_links(first)
    assert links["2"] == {"q": ["bulk"], "role": ["reporter"], "page": ["2"]}
    assert links["»"] == {"q": ["bulk"], "role": ["reporter"], "page": ["2"]}
