"""What protects the application, tried from outside: the headers of every answer, CSRF on
every form, the cookie flags, the sign-in lockout at its thresholds, the password rules, the
API tokens (hashed, scoped, revocable), upload checks, user text that never runs (pages and
Excel) and templates without inline code (the Content-Security-Policy would break them).

Expected values are written here by hand (the header values, the limits of Config), not read
from app.security: a changed policy must change this file too.
"""

import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from werkzeug.routing import AnyConverter, IntegerConverter

from app import create_app
from app.config import Config, TestConfig
from app.db import db
from app.users.models import ApiToken, TokenScope
from app.users.operations import issue_api_token, reset_password, revoke_api_tokens
from app.users.passwords import password_problems
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from targets.briefings.operations import draft_daily_briefing, edit_draft
from tests.factories import (
    PASSWORD,
    make_campaign,
    make_indicator,
    make_task,
    make_units,
    png_bytes,
)
from tests.pages import english
from tests.test_permissions import ROUTES

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = {"Accept-Language": "en"}
EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def page_text(response) -> str:
    return response.get_data(as_text=True)


def sign_in(client, username: str, password: str = PASSWORD, **options):
    english(client)
    return client.post(
        "/login", data={"username": username, "password": password}, headers=ENGLISH, **options
    )


def assert_protected(response) -> None:
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, name
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "camera=()" in response.headers["Permissions-Policy"]


# --- headers on every kind of answer ---------------------------------------------------------


@pytest.fixture
def token(app, world) -> str:
    with app.app_context():
        _token, plain = issue_api_token(user_by_username("manager"))
        db.session.commit()
    return plain


@pytest.mark.parametrize(
    ("path", "signed_in", "bearer", "status"),
    [
        ("/login", False, False, 200),  # a page
        ("/", False, False, 302),  # a redirect to the sign-in page
        ("/", True, False, 302),  # to the user's own unit
        ("/units/D1", True, False, 200),  # a signed-in page
        ("/static/css/app.css", False, False, 200),  # a static file
        ("/bootstrap/static/js/bootstrap.min.js", False, False, 200),
        ("/api/v1/openapi.json", False, False, 200),  # the API
        ("/api/v1/units/D1", False, True, 200),
        ("/api/v1/units/D1", False, False, 401),  # an API error
        ("/no-such-page", True, False, 404),  # an error page
        ("/units/P2", True, False, 403),
    ],
)
def test_every_kind_of_answer_carries_the_headers(
    app, world, token, path, signed_in, bearer, status
):
    client = app.test_client()
    if signed_in:
        assert sign_in(client, "manager").status_code == 302
    headers = {"Authorization": f"Bearer {token}"} if bearer else {}

    response = client.get(path, headers=headers)

    response.close()
    assert response.status_code == status
    assert_protected(response)
    # Plain HTTP by default: HSTS would pin browsers to an HTTPS that may not exist.
    assert "Strict-Transport-Security" not in response.headers


def test_a_refused_post_and_a_too_large_request_carry_the_headers(app, world):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    client = app.test_client()
    assert_protected(client.post("/units/P1"))  # 405
    too_large = client.post("/login", data={"username": "x" * 2000, "password": "y"})
    assert too_large.status_code == 413
    assert_protected(too_large)


def test_https_deployments_also_send_strict_transport_security(app, world):
    app.config["SESSION_COOKIE_SECURE"] = True

    response = app.test_client().get("/login")

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


# --- CSRF -------------------------------------------------------------------------------------


def _dummy_values(rule) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = converter.items[0]
        else:
            values[name] = "X"
    return values


def form_posts(app: Flask) -> list[str]:
    """Every URL of the pages that accept a POST (the API takes bearer tokens instead)."""
    urls = app.url_map.bind("localhost")
    return sorted(
        urls.build(rule.endpoint, _dummy_values(rule), method="POST")
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.rule.startswith("/api/")
    )


def csrf_token_of(response) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page_text(response)).group(1)


def test_every_form_refuses_a_post_without_its_csrf_token(app, world):
    client = app.test_client()
    assert sign_in(client, "admin").status_code == 302  # CSRF is off in TestConfig
    app.config["WTF_CSRF_ENABLED"] = True
    urls = form_posts(app)
    assert len(urls) > 30 and "/logout" in urls and "/login" in urls

    answers = {url: client.post(url, data={"x": "1"}).status_code for url in urls}

    assert answers == dict.fromkeys(urls, 400)
    # The same session with the page's token gets through: the refusal was the token's.
    token = csrf_token_of(client.get("/units/P1"))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_signing_in_needs_the_token_of_the_sign_in_page(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    refused = sign_in(client, "manager")
    assert refused.status_code == 400
    assert_protected(refused)

    token = csrf_token_of(client.get("/login"))
    accepted = client.post(
        "/login", data={"username": "manager", "password": PASSWORD, "csrf_token": token}
    )
    assert accepted.status_code == 302


# --- cookies ----------------------------------------------------------------------------------


def cookie_header(response, name: str) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


def cookie_expiry(header: str) -> datetime:
    expires = re.search(r"Expires=([^;]+)", header).group(1)
    return datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)


def test_session_and_remember_cookies_are_http_only_same_site_with_a_limited_life(app, world):
    before = datetime.now(UTC).replace(microsecond=0)
    response = app.test_client().post(
        "/login", data={"username": "manager", "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302

    session = cookie_header(response, "session")
    remember = cookie_header(response, "remember_token")
    for header in (session, remember):
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header
        assert "Secure" not in header
    # 12 hours after the last request; "keep me signed in" for 30 days.
    assert before + timedelta(hours=12) <= cookie_expiry(session)
    assert cookie_expiry(session) <= datetime.now(UTC) + timedelta(hours=12, seconds=1)
    assert before + timedelta(days=30) <= cookie_expiry(remember)
    assert cookie_expiry(remember) <= datetime.now(UTC) + timedelta(days=30, seconds=1)


def test_cookies_are_secure_when_the_deployment_says_so(app, world, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("SESSION_LIFETIME_HOURS", "2")
    monkeypatch.setenv("REMEMBER_COOKIE_DAYS", "7")
    settings = Config.from_environment()
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=2)
    assert settings["REMEMBER_COOKIE_DURATION"] == timedelta(days=7)
    app.config.update(settings)

    response = app.test_client().post(
        "/login", data={"username": "manager", "password": PASSWORD, "remember": "y"}
    )

    assert response.status_code == 302
    assert "; Secure" in cookie_header(response, "session")
    assert "; Secure" in cookie_header(response, "remember_token")


def test_the_sign_in_limits_and_proxy_count_come_from_the_environment(monkeypatch):
    for name, value in {
        "LOGIN_MAX_FAILURES": "3",
        "LOGIN_ADDRESS_MAX_FAILURES": "9",
        "LOGIN_FAILURE_WINDOW_MINUTES": "10",
        "LOGIN_LOCKOUT_MINUTES": "30",
        "PASSWORD_MIN_LENGTH": "12",
        "TRUSTED_PROXY_COUNT": "1",
    }.items():
        monkeypatch.setenv(name, value)

    settings = Config.from_environment()

    assert settings["LOGIN_MAX_FAILURES"] == 3
    assert settings["LOGIN_ADDRESS_MAX_FAILURES"] == 9
    assert settings["LOGIN_FAILURE_WINDOW_MINUTES"] == 10
    assert settings["LOGIN_LOCKOUT_MINUTES"] == 30
    assert settings["PASSWORD_MIN_LENGTH"] == 12
    assert settings["TRUSTED_PROXY_COUNT"] == 1


# --- sign-in lockout --------------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MAX_FAILURES = 5  # Config.LOGIN_MAX_FAILURES
ADDRESS_MAX_FAILURES = 20  # Config.LOGIN_ADDRESS_MAX_FAILURES
LOCKOUT = timedelta(minutes=15)  # Config.LOGIN_LOCKOUT_MINUTES


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    frozen = Clock(T0)
    monkeypatch.setattr("app.users.controllers.utcnow", frozen)
    return frozen


def fail(client, username: str, times: int, address: str = "10.0.0.1") -> None:
    for _ in range(times):
        response = sign_in(
            client, username, "wrong-password", environ_base={"REMOTE_ADDR": address}
        )
        assert response.status_code == 422


def try_correct(app, username: str, address: str = "10.0.0.1", password: str = PASSWORD):
    return sign_in(app.test_client(), username, password, environ_base={"REMOTE_ADDR": address})


def test_the_limit_is_not_reached_one_failure_before_it(app, world, clock):
    fail(app.test_client(), "manager", MAX_FAILURES - 1)

    assert try_correct(app, "manager").status_code == 302


def test_the_limit_locks_the_user_name_until_the_lockout_ends(app, world, clock):
    client = app.test_client()
    fail(client, "manager", MAX_FAILURES - 1)
    clock.now = T0 + timedelta(minutes=3)
    fail(client, "manager", 1)  # the fifth, within 15 minutes of the first

    clock.now = T0 + timedelta(minutes=3) + LOCKOUT - timedelta(seconds=1)
    locked = try_correct(app, "manager", address="10.9.9.9")  # from anywhere
    assert locked.status_code == 422
    assert "Too many failed sign-ins with this user name" in page_text(locked)
    assert "02/03/2026 15:18" in page_text(locked)  # 08:18 UTC in Asia/Ho_Chi_Minh
    assert try_correct(app, "reporter").status_code == 302  # other names are not locked

    clock.now = T0 + timedelta(minutes=3) + LOCKOUT
    assert try_correct(app, "manager").status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(app, world, clock):
    client = app.test_client()
    fail(client, "manager", MAX_FAILURES - 1)
    clock.now = T0 + timedelta(minutes=15)  # the window: the first failure no longer counts
    fail(client, "manager", 1)

    assert try_correct(app, "manager").status_code == 302


def test_unknown_user_names_are_locked_like_known_ones(app, world, clock):
    client = app.test_client()
    fail(client, "nobody", MAX_FAILURES - 2)
    fourth = sign_in(client, "nobody", "wrong-password")
    fifth = sign_in(client, "nobody", "wrong-password")

    assert "Too many failed sign-ins" not in page_text(fourth)
    assert "Too many failed sign-ins with this user name" in page_text(fifth)


def test_a_successful_sign_in_clears_the_earlier_failures(app, world, clock):
    client = app.test_client()
    fail(client, "manager", MAX_FAILURES - 1)
    assert try_correct(app, "manager").status_code == 302

    fail(client, "manager", MAX_FAILURES - 1)
    assert try_correct(app, "manager").status_code == 302


def test_the_address_limit_locks_every_name_from_that_address_only(app, world, clock):
    client = app.test_client()
    for number in range(ADDRESS_MAX_FAILURES - 1):
        fail(client, f"guess{number}", 1, address="10.0.0.66")
    assert try_correct(app, "viewer", address="10.0.0.66").status_code == 302

    fail(client, "guess-last", 1, address="10.0.0.66")  # the 20th from this address

    locked = try_correct(app, "manager", address="10.0.0.66")
    assert locked.status_code == 422
    assert "Too many failed sign-ins from your network" in page_text(locked)
    assert try_correct(app, "manager", address="10.0.0.67").status_code == 302
    clock.now = T0 + LOCKOUT
    assert try_correct(app, "manager", address="10.0.0.66").status_code == 302


def test_a_password_reset_by_an_administrator_lifts_the_lock(app, world, clock):
    fail(app.test_client(), "manager", MAX_FAILURES)
    assert try_correct(app, "manager").status_code == 422

    with app.app_context():
        temporary = reset_password(user_by_username("manager"))
        db.session.commit()

    assert try_correct(app, "manager", password=temporary).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(app, world, database, clock):
    proxied = create_app(TestConfig, {**database.settings(), "TRUSTED_PROXY_COUNT": 1})

    def attempt(username, password, client_address):
        return proxied.test_client().post(
            "/login",
            data={"username": username, "password": password},
            headers={"X-Forwarded-For": client_address, **ENGLISH},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},  # the proxy
        )

    for number in range(ADDRESS_MAX_FAILURES):
        assert attempt(f"guess{number}", "wrong-password", "203.0.113.9").status_code == 422
    # Another client behind the same proxy is not locked out with the attacker.
    assert attempt("manager", PASSWORD, "203.0.113.10").status_code == 302
    assert attempt("reporter", PASSWORD, "203.0.113.9").status_code == 422
    with proxied.app_context():
        db.engine.dispose()


# --- password rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("tre-xan", "at least 8 characters"),  # 7 characters
        ("tre-xanh", None),  # 8
        ("80417263", "only digits"),
        ("8041 7263", "only digits"),
        ("8041726a", None),
        ("Nguyen Van Thanh", "the user name or the full name"),  # the full name, typed
        ("nguyenvanthan", "the user name or the full name"),  # a part of it
        ("nguyenvanthanh1", None),  # more than the name
        ("thanh.nv-2020", "the user name or the full name"),  # the user name
        ("thanh.nv-2021x", None),
        ("password", "commonly used"),
        ("Sunshine", "commonly used"),
        ("matkhau123", "commonly used"),
        ("sunshine-tre", None),
    ],
)
def test_password_rules_at_their_thresholds(app, password, problem):
    with app.test_request_context(), force_locale("en"):
        problems = password_problems(password, "thanh.nv-2020", "Nguyễn Văn Thanh")

    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0], problems


def test_the_change_password_page_applies_the_rules(app, login):
    client = english(login("manager"))

    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "iloveyou",
            "confirm_password": "iloveyou",
        },
        headers=ENGLISH,
    )

    assert response.status_code == 422
    assert "commonly used" in page_text(response)
    assert client.post("/logout").status_code == 302
    assert sign_in(app.test_client(), "manager", "iloveyou").status_code == 422


# --- API tokens -------------------------------------------------------------------------------


def new_token(app, username: str, scope: TokenScope = TokenScope.WRITE) -> str:
    with app.app_context():
        _token, plain = issue_api_token(user_by_username(username), scope=scope)
        db.session.commit()
    return plain


def test_tokens_are_stored_only_as_their_sha256(app, world):
    plain = new_token(app, "manager")

    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM api_tokens")).all()
    assert len(rows) == 1
    assert all(plain not in str(value) for value in rows[0])
    assert hashlib.sha256(plain.encode()).hexdigest() in rows[0]


def bearer(plain: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plain}", **ENGLISH}


PROGRESS = "/api/v1/campaigns/SEC/progress"


@pytest.fixture
def progress_campaign(app, world) -> None:
    with app.app_context():
        campaign = make_campaign("SEC", "P1", status=CampaignStatus.ACTIVE)
        make_indicator(campaign, "HS")
        db.session.commit()


def test_a_read_token_reads_but_may_not_write(app, progress_campaign):
    read = new_token(app, "manager", TokenScope.READ)
    client = app.test_client()

    assert client.get("/api/v1/units/D1", headers=bearer(read)).status_code == 200
    assert (
        client.get(PROGRESS, headers=bearer(read), query_string={"unit": "C11"}).status_code == 200
    )
    refused = client.put(PROGRESS, headers=bearer(read), json=[])
    assert refused.status_code == 403
    assert refused.get_json()["message"] == (
        "This token may only read; saving needs a token with the write scope."
    )
    assert client.post("/api/v1/campaigns", headers=bearer(read), json={}).status_code == 403
    # The same user with a write token gets past the guard (an empty list saves nothing).
    write = new_token(app, "manager", TokenScope.WRITE)
    assert client.put(PROGRESS, headers=bearer(write), json=[]).status_code == 200


def test_the_command_line_issues_read_tokens_on_request(app, world, runner):
    result = runner.invoke(args=["users", "token", "manager", "--scope", "read"])
    assert result.exit_code == 0, result.output
    plain = result.output.strip().splitlines()[-1]

    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.scope == "read"
        assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert app.test_client().put(PROGRESS, headers=bearer(plain), json=[]).status_code == 403


def test_a_revoked_token_is_refused_and_others_keep_working(app, world):
    revoked = new_token(app, "manager")
    kept = new_token(app, "manager")
    with app.app_context():
        token_id = db.session.scalar(
            select(ApiToken.id).where(
                ApiToken.token_hash == hashlib.sha256(revoked.encode()).hexdigest()
            )
        )
        assert revoke_api_tokens(user_by_username("manager"), token_id) == 1
        db.session.commit()
    client = app.test_client()

    answer = client.get("/api/v1/units/D1", headers=bearer(revoked))
    assert answer.status_code == 401
    assert answer.get_json()["message"] == "This token has been revoked."
    assert client.get("/api/v1/units/D1", headers=bearer(kept)).status_code == 200


# --- uploads ----------------------------------------------------------------------------------


@pytest.fixture
def task_id(app, world) -> int:
    app.config["EVIDENCE_MAX_BYTES"] = 1000
    with app.app_context():
        campaign = make_campaign("UPL", "P1", status=CampaignStatus.ACTIVE)
        task = make_task(campaign, "Hội nghị", ("C11",))
        db.session.commit()
        return task.id


def post_evidence(client, task_id: int, name: str, data: bytes):
    return client.post(
        f"/campaigns/UPL/tasks/{task_id}/units/C11/updates",
        data={"status": "in_progress", "files": [(io.BytesIO(data), name)]},
        content_type="multipart/form-data",
        headers=ENGLISH,
    )


def stored_evidence(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "evidence"
    return list(folder.iterdir()) if folder.exists() else []


def test_a_file_named_png_that_is_not_a_png_is_refused(app, login, task_id):
    client = english(login("reporter"))

    refused = post_evidence(client, task_id, "photo.png", b"<html><script>alert(1)</script>")

    assert refused.status_code == 422
    assert "is not a JPEG, PNG or WebP photo or a PDF document" in page_text(refused)
    assert stored_evidence(app) == []
    assert post_evidence(client, task_id, "photo.png", png_bytes()).status_code == 302
    assert len(stored_evidence(app)) == 1


def test_evidence_over_the_size_limit_is_refused(app, login, task_id):
    client = english(login("reporter"))
    image = png_bytes()

    refused = post_evidence(client, task_id, "big.png", image + b"\x00" * (1001 - len(image)))

    assert refused.status_code == 422
    assert "is larger than" in page_text(refused)
    assert stored_evidence(app) == []
    accepted = post_evidence(client, task_id, "ok.png", image + b"\x00" * (1000 - len(image)))
    assert accepted.status_code == 302


def test_a_spreadsheet_that_is_not_a_workbook_is_refused(app, login, task_id):
    client = english(login("manager"))

    response = client.post(
        "/campaigns/UPL/targets/upload",
        data={"file": (io.BytesIO(b"=HYPERLINK(1)\n" * 10), "targets.xlsx")},
        content_type="multipart/form-data",
        headers=ENGLISH,
    )

    assert response.status_code == 422
    assert "The file is not an Excel .xlsx workbook." in page_text(response)


# --- user text never runs -------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def evil(app, world) -> int:
    """Campaign EVIL of P1 with names that are markup or formulas everywhere, an overdue task,
    and the draft briefing of 10/06/2022 whose directions are markup and a formula."""
    with app.app_context():
        make_units(("C13", f"Xã {SCRIPT}", "commune", "D1"), ("C14", FORMULA, "commune", "D1"))
        campaign = make_campaign("EVIL", "P1", status=CampaignStatus.ACTIVE)
        campaign.name = f"{FORMULA} {SCRIPT}"
        make_indicator(campaign, "HS", name=f"+{SCRIPT}")
        task = make_task(campaign, f"@{SCRIPT}", ("C13", "C14"), due=date(2022, 6, 5))
        draft, _made = draft_daily_briefing(
            campaign, date(2022, 6, 10), user=None, now=datetime(2022, 6, 11, 0, 0, tzinfo=UTC)
        )
        edit_draft(draft, directions=f"{FORMULA}\n-{SCRIPT}", number="1")
        db.session.commit()
        return task.id


def test_names_are_escaped_in_pages(login, evil):
    client = login("admin")
    pages = [
        "/units/D1",
        "/units/C13",
        "/campaigns/EVIL",
        "/campaigns/EVIL/tasks",
        f"/campaigns/EVIL/tasks/{evil}",
        "/campaigns/EVIL/progress",
        "/campaigns/EVIL/targets/units/P1",
        "/campaigns/EVIL/briefings/2022-06-10",
        "/campaigns/EVIL/briefings/2022-06-10/v1/print",
    ]
    for path in pages:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        body = page_text(response)
        assert SCRIPT not in body, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, path


def workbook_texts(content: bytes) -> list[tuple[str, str]]:
    """(data type, value) of every non-empty cell."""
    workbook = load_workbook(io.BytesIO(content))
    return [
        (cell.data_type, str(cell.value))
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/campaigns/EVIL/targets/units/P1/targets.xlsx",
        "/campaigns/EVIL/progress/import/template.xlsx?start=2022-06-01&end=2022-06-02",
        "/campaigns/EVIL/results/units/P1.xlsx?day=2022-06-10",
        "/campaigns/EVIL/results/ranking.xlsx?day=2022-06-10",
        "/campaigns/EVIL/results/matrix/P1.xlsx?day=2022-06-10",
        "/campaigns/EVIL/briefings/2022-06-10/v1.xlsx",
    ],
)
def test_names_never_become_formulas_in_excel_exports(login, evil, path):
    response = login("admin").get(path)
    assert response.status_code == 200, page_text(response)[:300]

    cells = workbook_texts(response.data)

    assert not [value for kind, value in cells if kind == "f"]
    assert not [value for _kind, value in cells if value.startswith(("=", "+", "@", "-"))]
    # The names are there, as text behind an apostrophe.
    assert any(value.startswith(f"'{FORMULA}") or value.startswith("'+") for _k, value in cells)


# --- templates: nothing inline for the Content-Security-Policy to refuse ---------------------

INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>"  # a script without src
    r"|<style\b"  # a style element
    r"|\sstyle\s*="  # a style attribute
    r"|\son[a-z]+\s*="  # an event handler attribute
    r"|javascript:",
    re.IGNORECASE,
)


def template_files() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html"))


def test_the_scan_finds_inline_code():
    samples = [
        "<script>x()</script>",
        '<div style="width: 1px">',
        '<button onclick="go()">',
        '<a href="javascript:go()">',
        "<style>p {}</style>",
    ]
    assert all(INLINE_CODE.search(sample) for sample in samples)
    assert not INLINE_CODE.search('<script src="/static/js/app.js"></script>')
    assert not INLINE_CODE.search("{{ render_field(form.submit, button_style='primary') }}")


@pytest.mark.parametrize("path", template_files(), ids=lambda path: path.name)
def test_templates_have_no_inline_script_style_or_handler(path):
    source = path.read_text(encoding="utf-8")
    without_comments = re.sub(r"{#.*?#}", "", source, flags=re.DOTALL)

    assert INLINE_CODE.findall(without_comments) == []


def test_rendered_pages_have_no_inline_code_either(login, evil):
    """What the templates produce, macros of Bootstrap-Flask included."""
    client = login("admin")
    for path in [
        "/units/P1",
        "/campaigns/EVIL",
        f"/campaigns/EVIL/tasks/{evil}",
        "/admin/users/new",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert INLINE_CODE.findall(page_text(response)) == [], path


# --- every method of every route has an access check -----------------------------------------

SELF_SERVICE = {"users.login", "users.account", "users.change_password"}
# Pages a viewer may read whose POST saves only the cells the user may change (each checked
# on its own): a viewer's POST changes nothing and shows the page again.
CHECKED_PER_CELL = {"targets.grid", "targets.baselines"}


def untabled_form_posts(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, GET path builder's endpoint) for the POSTs of pages whose table entry is the
    GET: they share its URL and must refuse those who may not change it."""
    tabled = {}
    for key, route in ROUTES.items():
        verb = route.method.removeprefix("API").strip() or "GET"
        tabled.setdefault(key.partition("#")[0], set()).add(verb)
    missing = []
    for rule in app.url_map.iter_rules():
        for verb in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if verb not in tabled.get(rule.endpoint, set()):
                missing.append((rule.endpoint, verb))
    return missing


def test_every_method_of_every_route_is_checked(app):
    """A method the access tables do not list is a POST of a page the tables list by its
    GET; test_a_viewer_cannot_post_to_any_page checks those."""
    missing = untabled_form_posts(app)
    assert {verb for _endpoint, verb in missing} <= {"POST"}
    assert all(
        any(key.partition("#")[0] == endpoint for key in ROUTES) for endpoint, _verb in missing
    )


@pytest.fixture
def permission_context(app, world):
    from tests.test_permissions import build_context

    return build_context(app, world)


def row_counts() -> dict[str, int]:
    return {
        name: db.session.scalar(select(func.count()).select_from(table))
        for name, table in db.metadata.tables.items()
    }


def filled_form(page: str) -> dict[str, str]:
    """The inputs of a page's form, every visible one filled with 77."""
    data = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        hidden = kind and kind.group(1) in ("hidden", "submit", "checkbox")
        data[name.group(1)] = (value.group(1) if value else "") if hidden else "77"
    return data


def test_a_viewer_cannot_post_to_any_page(app, login, permission_context):
    """Viewers change nothing: every page POST the tables list only by GET answers 403,
    in and out of scope, and sends anonymous visitors to the sign-in page. The pages that
    check each cell get the form an administrator sees, filled in, and save nothing."""
    client = login("viewer")
    admin = login("admin")
    anonymous = app.test_client()
    answers = {}
    for endpoint, _verb in untabled_form_posts(app):
        if endpoint in SELF_SERVICE:
            continue
        [route] = [
            route
            for key, route in ROUTES.items()
            if key.partition("#")[0] == endpoint and route.method == "GET"
        ]
        for scope in ("in", "out"):
            path = route.path("viewer", scope, permission_context)
            if endpoint in CHECKED_PER_CELL and scope == "in":
                form = filled_form(page_text(admin.get(path)))
                assert any(value == "77" for value in form.values()), path
                with app.app_context():
                    before = row_counts()
                refused = client.post(path, data=form)
                assert refused.status_code == 422, path
                with app.app_context():
                    assert row_counts() == before, path
                continue
            answers[(endpoint, scope)] = client.post(path, data={}).status_code
            anonymous_answer = anonymous.post(path, data={})
            assert anonymous_answer.status_code == 302, path
            assert anonymous_answer.headers["Location"].startswith("/login"), path

    assert len(answers) >= 38
    assert {key: status for key, status in answers.items() if status != 403} == {}
