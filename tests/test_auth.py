"""Sign-in, sign-out, own password, the forced password change, session endings and CSRF."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.db import db
from app.users.operations import deactivate_user
from app.users.queries import user_by_username
from tests.conftest import log_in
from tests.factories import PASSWORD, World
from tests.pages import english

WRONG_CREDENTIALS_EN = "Wrong user name or password."
WRONG_CREDENTIALS_VI = "Tên đăng nhập hoặc mật khẩu không đúng."
DEACTIVATED_EN = "This account is deactivated. Ask your administrator to reactivate it."
DEACTIVATED_VI = "Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị viên để mở khóa."


def text(response) -> str:
    return response.get_data(as_text=True)


def post_login(client: FlaskClient, username: str, password: str, query: str = ""):
    return client.post(f"/login{query}", data={"username": username, "password": password})


def is_signed_in(client: FlaskClient) -> bool:
    """A page that needs a session answers 200/403 when signed in, a redirect to /login if not."""
    response = client.get("/units/P1")
    if response.status_code == 302:
        assert urlsplit(response.location).path == "/login"
        return False
    assert response.status_code in (200, 403)
    return True


def session_user_id(client: FlaskClient) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


def change_password(client: FlaskClient, current: str, new: str, confirm: str | None = None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


# --- sign in ---------------------------------------------------------------------------------


def test_login_redirects_home_then_to_own_unit(client, world: World):
    response = post_login(client, "manager", PASSWORD)

    assert response.status_code == 302
    assert response.location == "/"
    home = client.get("/")
    assert home.status_code == 302
    assert home.location == "/units/D1"
    page = client.get("/units/D1")
    assert page.status_code == 200
    assert "Huyện Đức Hợp" in text(page)


def test_login_records_the_time(app: Flask, client, world: World):
    with app.app_context():
        assert user_by_username("reporter").last_login_at is None

    log_in(client, "reporter")

    with app.app_context():
        assert user_by_username("reporter").last_login_at is not None


@pytest.mark.parametrize(
    ("username", "password"),
    [("manager", "wrong-password"), ("nobody", PASSWORD), ("manager", PASSWORD.upper())],
    ids=["wrong password", "unknown user", "password is case-sensitive"],
)
def test_bad_credentials_give_one_message_and_no_session(
    client, world: World, username: str, password: str
):
    english(client)

    response = post_login(client, username, password)

    assert response.status_code == 422
    assert WRONG_CREDENTIALS_EN in text(response)
    assert "deactivated" not in text(response)
    assert session_user_id(client) is None
    assert not is_signed_in(client)


def test_login_error_in_vietnamese_by_default(client, world: World):
    response = post_login(client, "manager", "wrong-password")

    assert response.status_code == 422
    assert WRONG_CREDENTIALS_VI in text(response)


def test_empty_login_form_is_refused(client, world: World):
    response = post_login(client, "", "")

    assert response.status_code == 422
    assert session_user_id(client) is None


def test_deactivated_user_refused_with_its_own_message(client, world: World):
    english(client)

    response = post_login(client, "retired", PASSWORD)

    assert response.status_code == 422
    assert DEACTIVATED_EN in text(response)
    assert WRONG_CREDENTIALS_EN not in text(response)
    assert session_user_id(client) is None
    assert not is_signed_in(client)


def test_deactivated_message_in_vietnamese(client, world: World):
    response = post_login(client, "retired", PASSWORD)

    assert response.status_code == 422
    assert DEACTIVATED_VI in text(response)


def test_deactivated_user_with_wrong_password_learns_nothing(client, world: World):
    english(client)

    response = post_login(client, "retired", "wrong-password")

    assert response.status_code == 422
    assert WRONG_CREDENTIALS_EN in text(response)
    assert DEACTIVATED_EN not in text(response)


def test_next_parameter_is_honoured(client, world: World):
    response = post_login(client, "manager", PASSWORD, "?next=/units/C11")

    assert response.status_code == 302
    assert response.location == "/units/C11"
    assert client.get(response.location).status_code == 200


# Each case needs a fresh client, not a fresh World: one test, one client per input.
OFF_SITE_TARGETS = [
    "https://evil.example/",
    "//evil.example",
    "//evil.example/units/C11",
    "/\\evil.example",
    "javascript:alert(1)",
    "evil.example",
]


def test_next_parameter_to_another_site_is_ignored(app: Flask, world: World):
    locations = {
        target: app.test_client()
        .post(
            "/login",
            query_string={"next": target},
            data={"username": "manager", "password": PASSWORD},
        )
        .location
        for target in OFF_SITE_TARGETS
    }

    assert locations == dict.fromkeys(OFF_SITE_TARGETS, "/")


# Browsers and Werkzeug (urlsplit) drop ASCII tab and newline characters from a URL, so
# "/<TAB>/evil.example" is served as "Location: //evil.example".
@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\r/evil.example"])
def test_next_parameter_with_control_characters_is_ignored(client, world: World, target: str):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "manager", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response.location == "/"


def test_username_is_case_insensitive(app: Flask, world: World):
    for username in ("ADMIN", "Admin", "  admin  "):
        client = app.test_client()
        assert post_login(client, username, PASSWORD).status_code == 302, username
        assert client.get("/").location == "/units/P1", username


def test_language_switch_does_not_redirect_off_site(client, world: World):
    # Same helper as the login's `next` (app.navigation.same_site_path), reachable by anyone
    # through a plain GET link.
    response = client.get("/language/en", query_string={"next": "/\t/evil.example"})

    assert response.status_code == 302
    assert response.location == "/"


def test_remembered_sign_in_survives_the_session_but_not_a_deactivation(
    app: Flask, client, world: World
):
    response = client.post(
        "/login", data={"username": "reporter", "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    client.delete_cookie("session")
    assert session_user_id(client) is None
    assert is_signed_in(client)

    with app.app_context():
        deactivate_user(user_by_username("reporter"))
        db.session.commit()
    client.delete_cookie("session")

    assert not is_signed_in(client)


def test_login_page_while_signed_in_goes_home(login):
    client = login("reporter")

    response = client.get("/login")

    assert response.status_code == 302
    assert response.location == "/"


# --- sign out and pages that need a session ---------------------------------------------------


def test_logout_is_post_only_and_ends_the_session(login):
    client = login("manager")

    refused = client.get("/logout")
    assert refused.status_code == 405
    assert is_signed_in(client)

    response = client.post("/logout")
    assert response.status_code == 302
    assert response.location == "/login"
    assert session_user_id(client) is None
    later = client.get("/units/P1")
    assert later.status_code == 302
    assert urlsplit(later.location).path == "/login"


def test_pages_need_login(client, world: World):
    for path in ("/", "/units/P1", "/admin/users/", "/account/password"):
        response = client.get(path)

        assert response.status_code == 302, path
        location = urlsplit(response.location)
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [path]


def test_login_page_itself_is_public(client, world: World):
    response = client.get("/login")

    assert response.status_code == 200
    assert 'name="password"' in text(response)


# --- change password -------------------------------------------------------------------------


def test_change_password_with_wrong_current_password(login, client):
    signed_in = english(login("manager"))

    response = change_password(signed_in, "not-my-password", "brand-new-password")

    assert response.status_code == 422
    assert "The current password is wrong." in text(response)
    log_in(client, "manager", PASSWORD)


def test_change_password_wrong_current_in_vietnamese(login):
    response = change_password(login("manager"), "not-my-password", "brand-new-password")

    assert response.status_code == 422
    assert "Mật khẩu hiện tại không đúng." in text(response)


def test_change_password_with_mismatched_repetition(login, client):
    signed_in = english(login("manager"))

    response = change_password(signed_in, PASSWORD, "brand-new-password", "brand-new-passw0rd")

    assert response.status_code == 422
    assert "The two new passwords differ." in text(response)
    assert post_login(client, "manager", "brand-new-password").status_code == 422


def test_password_of_seven_characters_is_refused(login, client):
    signed_in = english(login("manager"))

    response = change_password(signed_in, PASSWORD, "1234567")

    assert response.status_code == 422
    assert "The password must have at least 8 characters." in text(response)
    assert post_login(client, "manager", "1234567").status_code == 422
    log_in(client, "manager", PASSWORD)


def test_password_of_eight_characters_is_accepted(login, client):
    signed_in = login("manager")

    response = change_password(signed_in, PASSWORD, "tre-xanh")

    assert response.status_code == 302
    assert response.location == "/"
    log_in(client, "manager", "tre-xanh")


@pytest.mark.parametrize("new_password", ["reporter2", "REPORTER2"])
def test_password_equal_to_username_is_refused(login, client, new_password: str):
    signed_in = english(login("reporter2"))

    response = change_password(signed_in, PASSWORD, new_password)

    assert response.status_code == 422
    assert "The password must not be the user name or the full name, nor a part of them." in text(
        response
    )
    log_in(client, "reporter2", PASSWORD)


def test_change_password_success_ends_other_sessions_only(app: Flask, login):
    changer = english(login("manager"))
    other_device = login("manager")
    assert is_signed_in(other_device)

    response = change_password(changer, PASSWORD, "a-new-secret-9")

    assert response.status_code == 302
    assert response.location == "/"
    assert "Your password has been changed." in text(changer.get("/units/D1"))
    assert is_signed_in(changer)
    assert not is_signed_in(other_device)
    assert post_login(app.test_client(), "manager", PASSWORD).status_code == 422
    log_in(app.test_client(), "manager", "a-new-secret-9")


# --- forced password change ------------------------------------------------------------------


@pytest.fixture
def must_change(app: Flask, world: World) -> str:
    with app.app_context():
        user_by_username("reporter").must_change_password = True
        db.session.commit()
    return "reporter"


def test_forced_change_redirects_every_page(login, must_change: str):
    client = login(must_change)

    locations = {
        path: client.get(path).location
        for path in ("/", "/units/C11", "/units/P1", "/admin/users/", "/no-such-page")
    }

    assert set(locations.values()) == {"/account/password"}, locations


def test_forced_change_page_and_logout_stay_reachable(login, must_change: str):
    client = english(login(must_change))

    page = client.get("/account/password")
    assert page.status_code == 200
    assert "Please choose your own password before you continue." in text(
        client.get("/units/C11", follow_redirects=True)
    )

    assert client.post("/logout").status_code == 302
    assert not is_signed_in(client)


def test_after_the_forced_change_pages_work(app: Flask, login, must_change: str):
    client = login(must_change)
    assert client.get("/units/C11").status_code == 302

    response = change_password(client, PASSWORD, "my-own-password-1")

    assert response.status_code == 302
    assert client.get("/units/C11").status_code == 200
    assert client.get("/").location == "/units/C11"
    with app.app_context():
        assert user_by_username(must_change).must_change_password is False


def test_forced_change_refused_while_new_password_invalid(login, must_change: str):
    client = login(must_change)

    assert change_password(client, PASSWORD, "short").status_code == 422
    assert client.get("/units/C11").location == "/account/password"


# --- sessions ended from outside -------------------------------------------------------------


def test_deactivation_signs_out_the_existing_session(app: Flask, login):
    client = login("reporter")
    assert is_signed_in(client)

    with app.app_context():
        deactivate_user(user_by_username("reporter"))
        db.session.commit()

    assert not is_signed_in(client)
    assert post_login(app.test_client(), "reporter", PASSWORD).status_code == 422


def test_sessions_of_other_users_survive_a_deactivation(app: Flask, login):
    client = login("manager")

    with app.app_context():
        deactivate_user(user_by_username("reporter"))
        db.session.commit()

    assert is_signed_in(client)


def test_forged_session_ids_are_not_accepted(app: Flask, client, world: World):
    for forged in (f"{world.users['admin']}", f"{world.users['admin']}:99", "x:1", "1:y"):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert not is_signed_in(client), forged


# --- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(make_app, world: World):
    return make_app(WTF_CSRF_ENABLED=True)


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, page
    return match.group(1)


def test_login_without_csrf_token_is_refused(csrf_app: Flask):
    client = csrf_app.test_client()

    response = post_login(client, "manager", PASSWORD)

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại." in text(response)
    assert session_user_id(client) is None
    assert not is_signed_in(client)


def test_login_with_a_wrong_csrf_token_is_refused(csrf_app: Flask):
    client = csrf_app.test_client()
    client.get("/login")

    response = client.post(
        "/login", data={"username": "manager", "password": PASSWORD, "csrf_token": "forged"}
    )

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_login_and_logout_with_csrf_tokens(csrf_app: Flask):
    client = csrf_app.test_client()
    token = csrf_token(text(client.get("/login")))

    response = client.post(
        "/login", data={"username": "manager", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert is_signed_in(client)

    assert client.post("/logout").status_code == 400
    assert is_signed_in(client)

    token = csrf_token(text(client.get("/units/D1")))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not is_signed_in(client)
