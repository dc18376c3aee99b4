"""A NUL character (U+0000) anywhere in a request's text gets 400 Bad Request (app/errors.py),
on every database: PostgreSQL refuses to store or compare such text, and schemathesis found
that each of these requests was a 500 there (docs/fuzz.md); SQLite took them silently."""

import pytest
from flask import Flask

from app.db import db
from app.users.queries import user_by_username
from tests.factories import World, make_token

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def headers(app: Flask, world: World) -> dict[str, str]:
    with app.app_context():
        plain = make_token(user_by_username("admin"))
        db.session.commit()
    return {"Authorization": f"Bearer {plain}", **ENGLISH}


def assert_bad_request(response) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/units/P1%00",  # in the path
        "/api/v1/units/P1?x=%00",  # in a query value
        "/api/v1/units/P1?%00=1",  # in a query name
    ],
)
def test_a_nul_in_the_address_is_a_400_in_json(client, headers, address):
    response = client.get(address, headers=headers)

    assert_bad_request(response)
    assert response.get_json() == {
        "code": 400,
        "status": "Bad Request",
        "message": "The request could not be understood.",
    }


def test_without_the_nul_the_same_request_answers(client, headers):
    assert client.get("/api/v1/units/P1?x=1", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"code": "X\x00", "name": "Chiến dịch"},  # in a value
        {"indicators": [{"code": "A", "name": ["\x00"]}]},  # deep in a list
        {"\x00": 1},  # in a key
    ],
)
def test_a_nul_in_a_json_body_is_a_400(client, headers, body):
    assert_bad_request(client.post("/api/v1/campaigns", json=body, headers=headers))


def test_a_nul_in_a_form_is_a_400_page(login):
    response = login("admin").post("/login", data={"username": "adm\x00in", "password": "x"})

    assert_bad_request(response)
    assert response.mimetype == "text/html"
