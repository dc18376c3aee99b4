"""The vocabulary of the route-access tables (tests/access_*.py), read by test_permissions.

Every table maps an endpoint to a Route: how to call it for a role, with a target "in" or
"out" of that role's scope, and what each role must get back. An endpoint serving several
methods may have several entries, keyed "endpoint#label". A table module also has
`build(world) -> dict`, which creates (inside an app context, committed by the caller) the
records its paths need; the path builders receive a Context with the world and that data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.factories import World

ROLES = ("admin", "manager", "reporter", "viewer")
SCOPES = ("in", "out")

PUBLIC = "public"  # same answer for everyone, signed in or not
SIGN_IN_FIRST = "sign in first"  # anonymous: redirected to /login
UNAUTHORISED = 401  # anonymous API call


@dataclass(frozen=True)
class Context:
    world: World
    data: dict[str, Any]


PathBuilder = Callable[[str, str, Context], str]
BodyBuilder = Callable[[str, str, Context], object]


@dataclass(frozen=True)
class Route:
    """`method` is GET or POST (a page), or API, API POST, API PUT (a call with the role's
    bearer token and, for POST and PUT, the JSON `body`); `expected` maps each role to
    {"in": status, "out": status}, or is PUBLIC; `anonymous` is a status, SIGN_IN_FIRST or
    UNAUTHORISED."""

    method: str
    path: PathBuilder
    expected: dict[str, dict[str, int]] | str
    anonymous: int | str
    body: BodyBuilder | None = None


def same_for_all(status: int) -> dict[str, dict[str, int]]:
    return {role: {"in": status, "out": status} for role in ROLES}


def scoped(*allowed_roles: str, inside: int = 200, outside: int = 403) -> dict:
    """The roles named get `inside` in scope and `outside` out of it; the others 403."""
    return {
        role: {"in": inside, "out": outside} if role in allowed_roles else {"in": 403, "out": 403}
        for role in ROLES
    }


def fixed(path: str) -> PathBuilder:
    return lambda role, scope, context: path


def per_scope(template: str, inside: dict[str, str], outside: dict[str, str]) -> PathBuilder:
    """`template` filled with {value}: inside[role] in scope, outside[role] out of it."""
    return lambda role, scope, context: template.format(
        value=(inside if scope == "in" else outside)[role]
    )
