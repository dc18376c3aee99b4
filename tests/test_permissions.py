"""Every route × every role × a unit (or user) inside and outside the role's scope.

The table below is the specification. `test_every_route_is_in_the_table` fails as soon as a
route is added without saying here who may reach it.
"""

import pytest

from app.db import db
from app.users.models import User
from tests.factories import make_token

ROLES = ("admin", "manager", "reporter", "viewer")
# A unit each role may read, and one it may not (hand-picked from the World of factories.py).
UNIT_IN = {"admin": "C21", "manager": "C12", "reporter": "C11", "viewer": "C21"}
UNIT_OUT = {"admin": "D3", "manager": "D2", "reporter": "C12", "viewer": "D3"}
# A user each role might administer: only admin@P1 administers anyone (reporter2@C12).
USER_IN = "reporter2"
USER_OUT = "admin2"

PUBLIC = "public"  # same answer for everyone, signed in or not
SIGN_IN_FIRST = "sign in first"  # anonymous: redirected to /login
PAGE_FOR_ALL = {role: {"in": 200, "out": 200} for role in ROLES}
READ_SCOPED = {role: {"in": 200, "out": 403} for role in ROLES}
ADMIN_SCOPED = {
    "admin": {"in": 200, "out": 403},
    **{role: {"in": 403, "out": 403} for role in ("manager", "reporter", "viewer")},
}
ADMIN_ONLY = {
    "admin": {"in": 200, "out": 200},
    **{role: {"in": 403, "out": 403} for role in ("manager", "reporter", "viewer")},
}
REDIRECT_FOR_ALL = {role: {"in": 302, "out": 302} for role in ROLES}


def unit_path(template):
    return lambda role, scope, world: template.format(
        code=(UNIT_IN if scope == "in" else UNIT_OUT)[role]
    )


def user_path(template):
    def build(role, scope, world):
        return template.format(id=world.users[USER_IN if scope == "in" else USER_OUT])

    return build


def fixed(path):
    return lambda role, scope, world: path


# endpoint: (method, path builder, {role: {"in": status, "out": status}} or PUBLIC,
#            anonymous answer)
ROUTES = {
    "units.index": ("GET", fixed("/"), REDIRECT_FOR_ALL, SIGN_IN_FIRST),
    "units.show": ("GET", unit_path("/units/{code}"), READ_SCOPED, SIGN_IN_FIRST),
    "users.login": ("GET", fixed("/login"), REDIRECT_FOR_ALL, 200),
    "users.logout": ("POST", fixed("/logout"), REDIRECT_FOR_ALL, SIGN_IN_FIRST),
    "users.change_password": ("GET", fixed("/account/password"), PAGE_FOR_ALL, SIGN_IN_FIRST),
    "users.list_users": ("GET", fixed("/admin/users/"), ADMIN_ONLY, SIGN_IN_FIRST),
    "users.new_user": ("GET", fixed("/admin/users/new"), ADMIN_ONLY, SIGN_IN_FIRST),
    "users.edit_user": ("GET", user_path("/admin/users/{id}"), ADMIN_SCOPED, SIGN_IN_FIRST),
    "users.deactivate": (
        "GET",
        user_path("/admin/users/{id}/deactivate"),
        ADMIN_SCOPED,
        SIGN_IN_FIRST,
    ),
    "users.activate": ("GET", user_path("/admin/users/{id}/activate"), ADMIN_SCOPED, SIGN_IN_FIRST),
    "users.reset_password": (
        "GET",
        user_path("/admin/users/{id}/reset-password"),
        ADMIN_SCOPED,
        SIGN_IN_FIRST,
    ),
    "i18n.switch_language": ("GET", fixed("/language/en"), REDIRECT_FOR_ALL, 302),
    "units_api.get_unit": ("API", unit_path("/api/v1/units/{code}"), READ_SCOPED, 401),
    "api-docs.openapi_json": ("GET", fixed("/api/v1/openapi.json"), PUBLIC, 200),
    "static": ("GET", fixed("/static/css/app.css"), PUBLIC, 200),
    "bootstrap.static": (
        "GET",
        fixed("/bootstrap/static/css/bootstrap.min.css"),
        PUBLIC,
        200,
    ),
}

CASES = [
    pytest.param(endpoint, role, scope, id=f"{endpoint}-{role}-{scope}")
    for endpoint, (_method, _path, expected, _anonymous) in ROUTES.items()
    if expected != PUBLIC
    for role in ROLES
    for scope in ("in", "out")
]


def request(client, method, path, token=None):
    if method == "API":
        return client.get(path, headers={"Authorization": f"Bearer {token}"})
    return client.open(path, method=method)


@pytest.mark.parametrize(("endpoint", "role", "scope"), CASES)
def test_role_and_scope_decide_the_answer(app, world, login, endpoint, role, scope):
    method, build_path, expected, _anonymous = ROUTES[endpoint]
    token = None
    if method == "API":
        with app.app_context():
            token = make_token(db.session.get(User, world.users[role]))
            db.session.commit()
    client = login(role)

    response = request(client, method, build_path(role, scope, world), token)
    response.close()

    assert response.status_code == expected[role][scope], response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("endpoint", ROUTES)
def test_anonymous_answers(client, world, endpoint):
    method, build_path, _expected, anonymous = ROUTES[endpoint]
    response = request(client, method, build_path("admin", "in", world), token="")
    response.close()
    if anonymous == SIGN_IN_FIRST:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == anonymous


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES)


@pytest.mark.parametrize("action", ["deactivate", "activate", "reset-password"])
@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("admin", "admin2"),
        ("admin2", "reporter2"),
        ("manager", "reporter2"),
        ("viewer", "reporter2"),
    ],
)
def test_refused_user_changes_change_nothing(app, world, login, actor, target, action):
    with app.app_context():
        before = db.session.get(User, world.users[target])
        state = (before.active, before.password_hash, before.session_version)

    response = login(actor).post(f"/admin/users/{world.users[target]}/{action}")

    assert response.status_code == 403
    with app.app_context():
        after = db.session.get(User, world.users[target])
        assert (after.active, after.password_hash, after.session_version) == state
