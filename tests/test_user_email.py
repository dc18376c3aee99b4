"""E-mail addresses of users, where briefings and reminders go: set by an administrator on
create and edit, shown in the user list, set by users themselves on "My account", and from the
command line; the demo users' addresses. The check is lenient (one "@", a dot in the domain,
no spaces, at most 320 characters) and an empty address means "no e-mail"."""

import pytest
from flask import Flask

from app.db import db
from app.demo import load_demo
from app.users.models import User
from app.users.operations import set_email
from app.users.queries import user_by_username
from tests.conftest import log_in
from tests.factories import World
from tests.html import element, field_error, text_in
from tests.test_user_admin import (
    english,
    issued_password,
    new_user_form,
    snapshot,
    text,
    user_count,
)

ADDRESS = "nguyenvana@stttt.binhphuoc.gov.vn"
DOMAIN = "@so.vn"  # 6 characters


def email_of(app: Flask, username: str) -> str:
    with app.app_context():
        return user_by_username(username).email


def set_email_of(app: Flask, username: str, email: str) -> None:
    with app.app_context():
        set_email(user_by_username(username), email)
        db.session.commit()


def edit_form(**changes: str) -> dict[str, str]:
    """What the edit page of reporter2 (C12) sends back unchanged, with `changes`."""
    return {"full_name": "", "role": "reporter", "unit_code": "C12", "email": "", **changes}


# (address, why it is refused). 321 characters: 315 before DOMAIN.
REFUSED_ADDRESSES = {
    "no @": ("nguyenvana.stttt.gov.vn", "Not an e-mail address"),
    "two @": ("nguyen@vana@stttt.gov.vn", "Not an e-mail address"),
    "nothing before @": ("@stttt.gov.vn", "Not an e-mail address"),
    "no dot in the domain": ("nguyenvana@localhost", "Not an e-mail address"),
    "only a final dot": ("nguyenvana@gov.", "Not an e-mail address"),
    "only a leading dot": ("nguyenvana@.vn", "Not an e-mail address"),
    "a space inside": ("nguyen van a@stttt.gov.vn", "Not an e-mail address"),
    "321 characters": ("a" * 315 + DOMAIN, "At most 320 characters."),
}
ACCEPTED_ADDRESSES = {
    "320 characters": "a" * 314 + DOMAIN,
    "plus and dashes": "Nguyen.Van-A+diem-tin@so-tttt.binhphuoc.gov.vn",
    "vietnamese letters": "văn.a@sở.vn",
}


# --- administrators ----------------------------------------------------------------------------


def test_admin_creates_a_user_with_an_address_shown_in_the_list(app: Flask, login):
    admin = english(login("admin"))

    response = admin.post("/admin/users/new", data=new_user_form(email=f"  {ADDRESS} "))

    assert response.status_code == 200
    assert issued_password(response)
    assert email_of(app, "nguyenvana") == ADDRESS
    listing = text(admin.get("/admin/users/", query_string={"q": "nguyenvana"}))
    assert f'<div class="small text-muted text-break user-email">{ADDRESS}</div>' in listing


def test_a_user_without_an_address_has_none_in_the_list(app: Flask, login):
    admin = login("admin")

    assert admin.post("/admin/users/new", data=new_user_form()).status_code == 200

    assert email_of(app, "nguyenvana") == ""
    assert "user-email" not in text(admin.get("/admin/users/", query_string={"q": "nguyenvana"}))


@pytest.mark.parametrize("case", REFUSED_ADDRESSES)
def test_create_refuses_a_bad_address_next_to_the_field(app: Flask, login, case: str):
    address, message = REFUSED_ADDRESSES[case]
    before = user_count(app)

    response = english(login("admin")).post("/admin/users/new", data=new_user_form(email=address))

    assert response.status_code == 422
    assert field_error(text(response), "email").startswith(message)
    assert user_count(app) == before


def test_the_refusal_shows_an_example(login):
    response = english(login("admin")).post("/admin/users/new", data=new_user_form(email="x@y"))

    assert field_error(text(response), "email") == (
        "Not an e-mail address; write it as ten@example.gov.vn."
    )


@pytest.mark.parametrize("case", ACCEPTED_ADDRESSES)
def test_lenient_addresses_are_accepted(app: Flask, login, case: str):
    address = ACCEPTED_ADDRESSES[case]

    response = login("admin").post("/admin/users/new", data=new_user_form(email=address))

    assert response.status_code == 200, field_error(text(response), "email")
    assert email_of(app, "nguyenvana") == address


def test_admin_changes_and_removes_an_address(app: Flask, login, world: World):
    admin = login("admin")
    path = f"/admin/users/{world.users['reporter2']}"

    changed = admin.post(path, data=edit_form(email=ADDRESS))
    after_change = email_of(app, "reporter2")
    edit_page = text(admin.get(path))
    removed = admin.post(path, data=edit_form(email=""))

    assert (changed.status_code, removed.status_code) == (302, 302)
    assert after_change == ADDRESS
    assert f'value="{ADDRESS}"' in edit_page
    assert email_of(app, "reporter2") == ""


def test_edit_refuses_a_bad_address_and_changes_nothing(app: Flask, login, world: World):
    set_email_of(app, "reporter2", ADDRESS)
    before = snapshot(app, "reporter2") | {"email": ADDRESS}

    response = english(login("admin")).post(
        f"/admin/users/{world.users['reporter2']}",
        data=edit_form(full_name="Changed", role="viewer", email="reporter2@localhost"),
    )

    assert response.status_code == 422
    assert field_error(text(response), "email").startswith("Not an e-mail address")
    assert snapshot(app, "reporter2") | {"email": email_of(app, "reporter2")} == before


# --- my account --------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "manager", "reporter", "viewer"])
def test_every_user_sets_their_own_address(app: Flask, login, username: str):
    client = english(login(username))

    response = client.post("/account", data={"email": f"{username}@so.vn"})

    assert response.status_code == 302
    assert response.location == "/account"
    page = text(client.get("/account"))
    assert "Your account has been saved." in page
    assert f'value="{username}@so.vn"' in page
    assert email_of(app, username) == f"{username}@so.vn"


def test_account_page_says_who_you_are_and_leads_to_the_password(app: Flask, login):
    set_email_of(app, "manager", ADDRESS)

    page = text(english(login("manager")).get("/account"))

    assert text_in(page, "account-details") == (
        "User name manager Full name – Role Manager Unit Huyện Đức Hợp"
    )
    assert f'value="{ADDRESS}"' in page
    assert 'href="/account/password"' in element(page, "change-password")


def test_own_address_can_be_removed(app: Flask, login):
    set_email_of(app, "viewer", ADDRESS)

    response = login("viewer").post("/account", data={"email": "  "})

    assert response.status_code == 302
    assert email_of(app, "viewer") == ""


def test_own_bad_address_is_refused_and_the_old_one_kept(app: Flask, login):
    set_email_of(app, "reporter", ADDRESS)

    response = english(login("reporter")).post("/account", data={"email": "reporter at so.vn"})

    assert response.status_code == 422
    assert field_error(text(response), "email").startswith("Not an e-mail address")
    assert email_of(app, "reporter") == ADDRESS


def test_user_menu_leads_to_my_account(login):
    page = text(english(login("reporter")).get("/units/C11"))

    assert '<a class="dropdown-item" href="/account">My account</a>' in page


def test_a_temporary_password_is_changed_before_the_account_page(app: Flask, login):
    response = login("admin").post("/admin/users/new", data=new_user_form())
    newcomer = log_in(app.test_client(), "nguyenvana", issued_password(response))

    assert newcomer.get("/account").location == "/account/password"
    assert newcomer.post("/account", data={"email": ADDRESS}).location == "/account/password"
    assert email_of(app, "nguyenvana") == ""


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask, world: World):
    response = app.test_client().post("/account", data={"email": ADDRESS})

    assert response.status_code == 302
    assert response.location.startswith("/login")


# --- command line ------------------------------------------------------------------------------


def run(runner, *args: str):
    return runner.invoke(args=list(args))


def test_cli_creates_a_user_with_an_address(app: Flask, world: World, runner):
    result = run(
        runner, "users", "create", "newbie", "--role", "viewer", "--unit", "P1", "--email", ADDRESS
    )

    assert result.exit_code == 0, result.output
    assert email_of(app, "newbie") == ADDRESS


def test_cli_create_refuses_a_bad_address_and_creates_nobody(app: Flask, world: World, runner):
    before = user_count(app)

    result = run(
        runner, "users", "create", "newbie", "--role", "viewer", "--unit", "P1", "--email", "x@y"
    )

    assert result.exit_code == 1
    assert "ten@example.gov.vn" in result.stderr  # the example, in whichever language
    assert user_count(app) == before


def test_cli_sets_and_removes_an_address(app: Flask, world: World, runner):
    set_result = run(runner, "users", "set-email", "Reporter2", ADDRESS)
    after_set = email_of(app, "reporter2")
    remove_result = run(runner, "users", "set-email", "reporter2", "")

    assert (set_result.exit_code, remove_result.exit_code) == (0, 0), set_result.output
    assert ADDRESS in set_result.stdout
    assert after_set == ADDRESS
    assert email_of(app, "reporter2") == ""


@pytest.mark.parametrize(
    ("username", "address", "shown"),
    [("nobody", ADDRESS, "nobody"), ("reporter2", "reporter2@localhost", "ten@example.gov.vn")],
    ids=["unknown-user", "bad-address"],
)
def test_cli_set_email_refusals_exit_1_and_change_nothing(
    app: Flask, world: World, runner, username: str, address: str, shown: str
):
    set_email_of(app, "reporter2", ADDRESS)

    result = run(runner, "users", "set-email", username, address)

    assert result.exit_code == 1
    assert shown in result.stderr
    assert email_of(app, "reporter2") == ADDRESS


# --- the demo ----------------------------------------------------------------------------------


def test_demo_users_have_example_addresses_put_back_by_a_second_run(app: Flask):
    with app.app_context():
        load_demo()
        set_email(user_by_username("viewer"), "")
        db.session.commit()
        load_demo()
        addresses = dict(db.session.execute(db.select(User.username, User.email)).all())

    assert addresses == {
        "admin": "admin@tiendo.example",
        "manager": "manager@tiendo.example",
        "reporter": "reporter@tiendo.example",
        "viewer": "viewer@tiendo.example",
    }
