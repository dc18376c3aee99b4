"""Route access of the core: sign-in, units, users, language, API documents, static files."""

from tests.access import (
    PUBLIC,
    ROLES,
    SIGN_IN_FIRST,
    UNAUTHORISED,
    Context,
    Route,
    fixed,
    per_scope,
    same_for_all,
    scoped,
)
from tests.factories import World

# A unit each role may read, and one it may not (hand-picked from the World of factories.py).
UNIT_IN = {"admin": "C21", "manager": "C12", "reporter": "C11", "viewer": "C21"}
UNIT_OUT = {"admin": "D3", "manager": "D2", "reporter": "C12", "viewer": "D3"}
# A user each role might administer: only admin@P1 administers anyone (reporter2@C12).
USER_IN = "reporter2"
USER_OUT = "admin2"


def build(world: World) -> dict:
    return {}


def user_path(template: str):
    def path(role: str, scope: str, context: Context) -> str:
        return template.format(id=context.world.users[USER_IN if scope == "in" else USER_OUT])

    return path


READ_SCOPED = scoped(*ROLES)
ADMIN_SCOPED = scoped("admin")
ADMIN_ONLY = scoped("admin", outside=200)

ROUTES = {
    "units.index": Route("GET", fixed("/"), same_for_all(302), SIGN_IN_FIRST),
    "units.show": Route(
        "GET", per_scope("/units/{value}", UNIT_IN, UNIT_OUT), READ_SCOPED, SIGN_IN_FIRST
    ),
    "users.login": Route("GET", fixed("/login"), same_for_all(302), 200),
    "users.logout": Route("POST", fixed("/logout"), same_for_all(302), SIGN_IN_FIRST),
    "users.account": Route("GET", fixed("/account"), same_for_all(200), SIGN_IN_FIRST),
    "users.change_password": Route(
        "GET", fixed("/account/password"), same_for_all(200), SIGN_IN_FIRST
    ),
    "users.list_users": Route("GET", fixed("/admin/users/"), ADMIN_ONLY, SIGN_IN_FIRST),
    "users.new_user": Route("GET", fixed("/admin/users/new"), ADMIN_ONLY, SIGN_IN_FIRST),
    "users.edit_user": Route("GET", user_path("/admin/users/{id}"), ADMIN_SCOPED, SIGN_IN_FIRST),
    "users.deactivate": Route(
        "GET", user_path("/admin/users/{id}/deactivate"), ADMIN_SCOPED, SIGN_IN_FIRST
    ),
    "users.activate": Route(
        "GET", user_path("/admin/users/{id}/activate"), ADMIN_SCOPED, SIGN_IN_FIRST
    ),
    "users.reset_password": Route(
        "GET", user_path("/admin/users/{id}/reset-password"), ADMIN_SCOPED, SIGN_IN_FIRST
    ),
    "i18n.switch_language": Route("GET", fixed("/language/en"), same_for_all(302), 302),
    "units_api.get_unit": Route(
        "API", per_scope("/api/v1/units/{value}", UNIT_IN, UNIT_OUT), READ_SCOPED, UNAUTHORISED
    ),
    "api-docs.openapi_json": Route("GET", fixed("/api/v1/openapi.json"), PUBLIC, 200),
    "static": Route("GET", fixed("/static/css/app.css"), PUBLIC, 200),
    "bootstrap.static": Route("GET", fixed("/bootstrap/static/css/bootstrap.min.css"), PUBLIC, 200),
}
