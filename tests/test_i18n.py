"""Vietnamese by default, English on request, and no string left untranslated."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def source_messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def vietnamese_catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle)


def translated(entry) -> bool:
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return all(strings) and not entry.fuzzy


def test_every_message_in_the_code_has_a_vietnamese_translation():
    catalog = vietnamese_catalog()
    missing = sorted(
        message
        for message in source_messages()
        if message not in catalog or not translated(catalog[message])
    )
    assert missing == [], "run `make translations` and translate these"


def placeholders(text: str | tuple[str, ...]) -> list[str]:
    # A plural entry is (singular, plural); Vietnamese has one form, compared with the plural.
    return sorted(PLACEHOLDER.findall(text[-1] if isinstance(text, tuple) else text))


def test_translations_keep_every_placeholder():
    wrong = [
        message.id
        for message in vietnamese_catalog()
        if message.id and placeholders(message.id) != placeholders(message.string)
    ]
    assert wrong == []


def test_pages_are_vietnamese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Tên đăng nhập" in page
    assert "Mật khẩu" in page
    assert "Sign in" not in page


def test_english_can_be_chosen_and_sticks_to_the_session(client):
    response = client.get("/language/en?next=/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"

    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page
    assert "Đăng nhập" not in page

    client.get("/language/vi")
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_switching_language_never_leaves_the_site(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client):
    client.get("/language/fr")
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)


def test_api_messages_follow_accept_language(client):
    vietnamese = client.get("/api/v1/units/X").get_json()["message"]
    english = client.get("/api/v1/units/X", headers={"Accept-Language": "en"}).get_json()["message"]
    assert english == "Send the header “Authorization: Bearer <token>”."
    assert vietnamese == vietnamese_catalog()[english].string


def test_form_errors_are_vietnamese_too(client):
    # WTForms ships no Vietnamese: every validator message must come from our catalog.
    page = client.post("/login", data={"username": "", "password": ""}).get_data(as_text=True)
    assert page.count("Vui lòng nhập trường này.") == 2
    assert "This field is required" not in page
