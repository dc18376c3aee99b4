"""Requests of pages through the test client that check their status on the way."""

from flask.testing import FlaskClient


def english(client: FlaskClient) -> FlaskClient:
    """The client, switched to the English pages (the catalog's msgids)."""
    assert client.get("/language/en").status_code == 302
    return client


def get(client: FlaskClient, path: str, status: int = 200) -> str:
    """The page's HTML, after checking its status (the page's start is shown otherwise)."""
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def post(client: FlaskClient, path: str, data: dict | None = None, status: int = 302):
    response = client.post(path, data=data or {})
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response
