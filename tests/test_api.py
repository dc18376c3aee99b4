"""The JSON API under /api/v1: the bearer-token guard, scope, JSON errors and the OpenAPI
document. Expected values are written by hand from the World of tests/factories.py."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from openapi_spec_validator import validate

from app.api import ApiBlueprint, api
from app.db import db, utcnow
from app.users.models import ApiToken, User
from app.users.operations import deactivate_user, revoke_api_tokens
from app.users.queries import api_token_by_plain, user_by_username
from tests.factories import World, make_token

ENGLISH = {"Accept-Language": "en"}


def new_token(app: Flask, username: str, valid_days: int | None = None) -> str:
    with app.app_context():
        plain = make_token(user_by_username(username), valid_days=valid_days)
        db.session.commit()
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **ENGLISH}


def get_unit(client, code: str, token: str, **headers: str):
    return client.get(f"/api/v1/units/{code}", headers={**bearer(token), **headers})


def assert_json_error(response, code: int, status: str, message: str) -> None:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    assert "<html" not in response.get_data(as_text=True).lower()
    assert response.get_json() == {"code": code, "status": status, "message": message}


# --- 401: each way a token can be wrong has its own message --------------------------------


def _no_header(app: Flask) -> dict[str, str]:
    return {}


def _basic_scheme(app: Flask) -> dict[str, str]:
    return {"Authorization": "Basic xxx"}


def _bearer_without_token(app: Flask) -> dict[str, str]:
    return {"Authorization": "Bearer "}


def _bearer_blank_token(app: Flask) -> dict[str, str]:
    return {"Authorization": "Bearer    "}


def _unknown_token(app: Flask) -> dict[str, str]:
    return {"Authorization": "Bearer td_this-token-was-never-issued"}


def _revoked_token(app: Flask) -> dict[str, str]:
    plain = new_token(app, "manager")
    with app.app_context():
        assert revoke_api_tokens(user_by_username("manager")) == 1
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _expired_token(app: Flask) -> dict[str, str]:
    plain = new_token(app, "manager", valid_days=30)
    with app.app_context():
        api_token_by_plain(plain).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _token_of_deactivated_user(app: Flask) -> dict[str, str]:
    # "retired" was deactivated before this token was issued, so the token itself is live.
    return {"Authorization": f"Bearer {new_token(app, 'retired')}"}


def _token_of_user_switched_off(app: Flask) -> dict[str, str]:
    plain = new_token(app, "manager")
    with app.app_context():
        user_by_username("manager").active = False
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


UNAUTHORISED_CASES = [
    (_no_header, "Send the header “Authorization: Bearer <token>”."),
    (_basic_scheme, "The Authorization header must read “Bearer <token>”."),
    (_bearer_without_token, "The Authorization header must read “Bearer <token>”."),
    (_bearer_blank_token, "The Authorization header must read “Bearer <token>”."),
    (_unknown_token, "This token is not known."),
    (_revoked_token, "This token has been revoked."),
    (_expired_token, "This token has expired."),
    (_token_of_deactivated_user, "The account of this token is deactivated."),
    (_token_of_user_switched_off, "The account of this token is deactivated."),
]


@pytest.mark.parametrize(
    ("make_headers", "message"),
    UNAUTHORISED_CASES,
    ids=[case.__name__.strip("_") for case, _message in UNAUTHORISED_CASES],
)
def test_unauthorised_requests_get_401_with_their_own_message(
    app: Flask, client, world: World, make_headers: Callable, message: str
):
    response = client.get("/api/v1/units/D1", headers={**make_headers(app), **ENGLISH})

    assert_json_error(response, 401, "Unauthorized", message)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_401_messages_are_vietnamese_by_default(app: Flask, client, world: World):
    missing = client.get("/api/v1/units/D1")
    unknown = client.get("/api/v1/units/D1", headers={"Authorization": "Bearer td_nope"})
    unsupported_language = client.get(
        "/api/v1/units/D1", headers={"Authorization": "Bearer td_nope", "Accept-Language": "fr"}
    )

    assert_json_error(
        missing,
        401,
        "Unauthorized",
        "Vui lòng gửi kèm tiêu đề (header) “Authorization: Bearer <token>”.",
    )
    assert_json_error(unknown, 401, "Unauthorized", "Mã truy cập (token) không hợp lệ.")
    assert_json_error(
        unsupported_language, 401, "Unauthorized", "Mã truy cập (token) không hợp lệ."
    )


def test_deactivating_a_user_stops_their_token(app: Flask, client, world: World):
    plain = new_token(app, "manager")
    assert get_unit(client, "D1", plain).status_code == 200

    with app.app_context():
        deactivate_user(user_by_username("manager"))
        db.session.commit()

    assert get_unit(client, "D1", plain).status_code == 401


def test_token_valid_until_its_expiry(app: Flask, client, world: World):
    plain = new_token(app, "manager", valid_days=1)

    assert get_unit(client, "D1", plain).status_code == 200


def test_revoking_one_token_leaves_the_others_working(app: Flask, client, world: World):
    kept = new_token(app, "manager")
    revoked = new_token(app, "manager")
    with app.app_context():
        token_id = api_token_by_plain(revoked).id
        assert revoke_api_tokens(user_by_username("manager"), token_id) == 1
        db.session.commit()

    assert get_unit(client, "D1", kept).status_code == 200
    assert get_unit(client, "D1", revoked).status_code == 401


# --- scope, unknown codes and the body of a unit --------------------------------------------


@pytest.mark.parametrize("code", ["D2", "P2"])
def test_unit_outside_scope_is_403(app: Flask, client, world: World, code: str):
    response = get_unit(client, code, new_token(app, "manager"))

    assert_json_error(response, 403, "Forbidden", f"Unit “{code}” is outside your units.")


def test_403_message_in_vietnamese_by_default(app: Flask, client, world: World):
    token = new_token(app, "manager")
    response = client.get("/api/v1/units/D2", headers={"Authorization": f"Bearer {token}"})

    assert_json_error(response, 403, "Forbidden", "Đơn vị “D2” nằm ngoài phạm vi đơn vị của bạn.")


def test_unknown_unit_code_is_404_naming_the_code(app: Flask, client, world: World):
    response = get_unit(client, "ZZ9", new_token(app, "manager"))

    assert_json_error(response, 404, "Not Found", "No unit has the code “ZZ9”.")


def test_district_in_scope(app: Flask, client, world: World):
    response = get_unit(client, "D1", new_token(app, "manager"))

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "code": "D1",
        "name": "Huyện Đức Hợp",
        "kind": "district",
        "parent_code": "P1",
        "children": [
            {"code": "C11", "name": "Xã Đức Trung", "kind": "commune"},
            {"code": "C12", "name": "Xã Đức Quang", "kind": "commune"},
        ],
    }


def test_province_has_no_parent_and_lists_agency_and_districts(app: Flask, client, world: World):
    response = get_unit(client, "P1", new_token(app, "admin"))

    assert response.status_code == 200
    assert response.get_json() == {
        "code": "P1",
        "name": "Tỉnh Một",
        "kind": "province",
        "parent_code": None,
        "children": [
            {"code": "A1", "name": "Sở Tư pháp", "kind": "agency"},
            {"code": "D1", "name": "Huyện Đức Hợp", "kind": "district"},
            {"code": "D2", "name": "Huyện Bù Đốp", "kind": "district"},
        ],
    }


def test_commune_has_no_children(app: Flask, client, world: World):
    response = get_unit(client, "C21", new_token(app, "admin"))

    assert response.status_code == 200
    assert response.get_json() == {
        "code": "C21",
        "name": "Thị trấn Thanh Bình",
        "kind": "commune",
        "parent_code": "D2",
        "children": [],
    }


UNITS = ("P1", "A1", "D1", "C11", "C12", "D2", "C21", "P2", "D3")

# Reading is allowed in the user's own unit and every unit below it, whatever the role.
EXPECTED_STATUS = {
    #            P1   A1   D1   C11  C12  D2   C21  P2   D3
    "admin": (200, 200, 200, 200, 200, 200, 200, 403, 403),
    "manager": (403, 403, 200, 200, 200, 403, 403, 403, 403),
    "reporter": (403, 403, 403, 200, 403, 403, 403, 403, 403),
    "viewer": (200, 200, 200, 200, 200, 200, 200, 403, 403),
    "reporter2": (403, 403, 403, 403, 200, 403, 403, 403, 403),
    "admin2": (403, 403, 403, 403, 403, 403, 403, 200, 200),
}


# One test per role over every unit (not one per role × unit): each test builds the World,
# and 54 of them would cost seconds for nothing; the dict comparison names each wrong unit.
@pytest.mark.parametrize("username", list(EXPECTED_STATUS))
def test_every_role_reads_exactly_its_subtree(app: Flask, client, world: World, username: str):
    token = new_token(app, username)

    responses = {code: get_unit(client, code, token) for code in UNITS}

    statuses = {code: response.status_code for code, response in responses.items()}
    assert statuses == dict(zip(UNITS, EXPECTED_STATUS[username], strict=True))
    for code, response in responses.items():
        if response.status_code == 200:
            assert response.get_json()["code"] == code
        else:
            assert response.get_json()["message"] == f"Unit “{code}” is outside your units."


# --- errors of the routing itself ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/units/", "/api/v2/units/D1"])
def test_unknown_api_path_is_json_404(app: Flask, client, world: World, path: str):
    response = client.get(path, headers=bearer(new_token(app, "admin")))

    assert_json_error(
        response,
        404,
        "Not Found",
        "Not found. The address may be wrong or the item may have been removed.",
    )


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_wrong_method_is_json_405(app: Flask, client, world: World, method: str):
    response = getattr(client, method)("/api/v1/units/D1", headers=bearer(new_token(app, "admin")))

    assert_json_error(response, 405, "Method Not Allowed", "This action is not allowed here.")


@pytest.mark.parametrize("path", ["/api/v1/units/D1", "/logout"])
def test_405_names_the_allowed_methods(app: Flask, client, world: World, path: str):
    # RFC 9110 §15.5.6: a 405 response must carry an Allow header.
    response = client.put(path, headers=bearer(new_token(app, "admin")))

    assert response.status_code == 405
    assert "Allow" in response.headers


def test_api_404_in_vietnamese_by_default(client, world: World):
    response = client.get("/api/v1/nothing-here")

    assert_json_error(
        response,
        404,
        "Not Found",
        "Không tìm thấy. Địa chỉ có thể không đúng hoặc nội dung đã bị xóa.",
    )


def test_errors_outside_the_api_stay_html(client, login, world: World):
    anonymous_404 = client.get("/no-such-page")
    signed_in = login("admin")
    signed_in_404 = signed_in.get("/units/ZZ9")
    wrong_method = signed_in.get("/logout")

    for response, code in ((anonymous_404, 404), (signed_in_404, 404), (wrong_method, 405)):
        assert response.status_code == code
        assert response.mimetype == "text/html"
        assert response.get_json(silent=True) is None
    assert "Không tìm thấy." in anonymous_404.get_data(as_text=True)
    assert "Không được phép thực hiện thao tác này tại đây." in wrong_method.get_data(as_text=True)


# --- bookkeeping -----------------------------------------------------------------------------


def test_last_used_at_is_recorded_after_a_successful_call(app: Flask, client, world: World):
    plain = new_token(app, "manager")
    with app.app_context():
        assert api_token_by_plain(plain).last_used_at is None

    before = utcnow()
    assert get_unit(client, "D1", plain).status_code == 200
    after = utcnow()

    with app.app_context():
        last_used_at = api_token_by_plain(plain).last_used_at
    assert last_used_at is not None
    assert before - timedelta(seconds=1) <= last_used_at <= after + timedelta(seconds=1)


def test_only_the_hash_of_a_token_is_stored(app: Flask, world: World):
    plain = new_token(app, "manager")
    with app.app_context():
        hashes = list(db.session.scalars(db.select(ApiToken.token_hash)))
        owner = db.session.get(User, world.users["manager"])
        assert api_token_by_plain(plain).user_id == owner.id
    assert len(hashes) == 1
    assert plain not in hashes[0]
    assert len(hashes[0]) == 64


# --- the OpenAPI document --------------------------------------------------------------------


def _resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        *_prefix, section, name = node["$ref"].split("/")
        node = document["components"][section][name]
    return node


def test_openapi_document_is_valid_and_describes_units(client, world: World):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    validate(document)

    operation = document["paths"]["/api/v1/units/{code}"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "403" in scheme["description"]
    assert {"bearerAuth": []} in operation.get("security", document.get("security", []))

    schema = _resolve(
        document, operation["responses"]["200"]["content"]["application/json"]["schema"]
    )
    assert set(schema["properties"]) == {"code", "name", "kind", "parent_code", "children"}
    children = schema["properties"]["children"]
    assert children["type"] == "array"
    assert set(_resolve(document, children["items"])["properties"]) == {"code", "name", "kind"}


def test_api_writes_need_a_token_but_no_csrf_token(make_app, world: World):
    # A browser never sends a bearer token by itself, so CSRF cannot reach the API; a
    # blueprint registered through `api` is exempt, while pages keep their CSRF check.
    app = make_app(WTF_CSRF_ENABLED=True)
    probe = ApiBlueprint("probe", __name__, url_prefix="/api/v1/probe")

    @probe.route("/", methods=["POST"])
    def echo():
        return {"ok": True}

    api.register_blueprint(probe)
    client = app.test_client()

    assert client.post("/api/v1/probe/").status_code == 401
    response = client.post("/api/v1/probe/", headers=bearer(new_token(app, "admin")))
    assert (response.status_code, response.get_json()) == (200, {"ok": True})
    assert client.post("/login", data={"username": "admin"}).status_code == 400
