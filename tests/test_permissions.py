"""Every route × every role × a target inside and outside the role's scope.

The tables in tests/access_*.py are the specification. `test_every_route_is_in_a_table`
fails as soon as a route is added without saying who may reach it.
"""

import pytest

from app.db import db
from app.users.models import User
from tests import (
    access_briefings,
    access_briefings_api,
    access_campaigns,
    access_core,
    access_progress,
    access_progress_import,
    access_results,
    access_results_api,
    access_targets,
    access_tasks,
)
from tests.access import PUBLIC, ROLES, SCOPES, SIGN_IN_FIRST, Context
from tests.factories import make_token

TABLES = (
    access_core,
    access_campaigns,
    access_targets,
    access_tasks,
    access_progress,
    access_progress_import,
    access_results,
    access_results_api,
    access_briefings,
    access_briefings_api,
)
ROUTES = {endpoint: route for table in TABLES for endpoint, route in table.ROUTES.items()}

CASES = [
    pytest.param(endpoint, role, scope, id=f"{endpoint}-{role}-{scope}")
    for endpoint, route in ROUTES.items()
    if route.expected != PUBLIC
    for role in ROLES
    for scope in SCOPES
]


def build_context(app, world) -> Context:
    """The objects every route table needs, built once in the database of `app`."""
    with app.app_context():
        data = {}
        for table in TABLES:
            data.update(table.build(world))
        db.session.commit()
    return Context(world, data)


@pytest.fixture
def context(app, world) -> Context:
    return build_context(app, world)


def call(client, route, role, scope, context, token=None):
    path = route.path(role, scope, context)
    if not route.method.startswith("API"):
        return client.open(path, method=route.method)
    verb = route.method.removeprefix("API").strip() or "GET"
    body = route.body(role, scope, context) if route.body else None
    return client.open(path, method=verb, json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(("endpoint", "role", "scope"), CASES)
def test_role_and_scope_decide_the_answer(app, context, login, endpoint, role, scope):
    route = ROUTES[endpoint]
    token = None
    if route.method.startswith("API"):
        with app.app_context():
            token = make_token(db.session.get(User, context.world.users[role]))
            db.session.commit()
    client = login(role)

    response = call(client, route, role, scope, context, token)
    response.close()

    assert response.status_code == route.expected[role][scope], response.get_data(as_text=True)[
        :300
    ]


@pytest.mark.parametrize("endpoint", ROUTES)
def test_anonymous_answers(client, context, endpoint):
    route = ROUTES[endpoint]
    response = call(client, route, "admin", "in", context, token="")
    response.close()
    if route.anonymous == SIGN_IN_FIRST:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == route.anonymous


def test_every_route_is_in_a_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == {key.partition("#")[0] for key in ROUTES}


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
