"""Configuration classes, read from the environment.

`create_app()` uses `Config`; the test suite uses `TestConfig`. Every setting a deployment may
change is listed in README.md ("Configuration").
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def read_or_create_secret_key(instance_path: str) -> str:
    """Return the instance folder's secret key, generating it on first run.

    The key lives in `instance/secret_key` (never in the repository) so sessions survive a
    restart without anyone having to invent a key by hand.
    """
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: if two workers start at once, the second reads the first one's key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


# Mail and webhook settings taken from the environment as they are (text).
MAIL_AND_WEBHOOK_TEXTS = (
    "BASE_URL",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_SENDER",
    "WEBHOOK_SECRET",
)

# Sign-in throttling settings, whole numbers (docs/security.md).
LOGIN_LIMITS = (
    "LOGIN_MAX_FAILURES",
    "LOGIN_ADDRESS_MAX_FAILURES",
    "LOGIN_FAILURE_WINDOW_MINUTES",
    "LOGIN_LOCKOUT_MINUTES",
)


class Config:
    """Defaults that run the demo on SQLite; `from_environment` lays the deployment on top."""

    # None means "SQLite file in the instance folder", resolved by the factory.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # None means "read or create instance/secret_key", resolved by the factory.
    SECRET_KEY: str | None = None

    TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = "vi"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # A sign-in ends after this long without a request (the session is made permanent at
    # sign-in, so its cookie is renewed by every request).
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # "Keep me signed in" (Flask-Login's remember cookie): same flags, a shorter life than
    # Flask-Login's year.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=30)

    # Sign-in throttling (app.security), shared by every worker through the database: after
    # LOGIN_MAX_FAILURES failed sign-ins for one user name within LOGIN_FAILURE_WINDOW_MINUTES,
    # or LOGIN_ADDRESS_MAX_FAILURES from one client address, signing in is refused for
    # LOGIN_LOCKOUT_MINUTES. 0 turns a limit off.
    LOGIN_MAX_FAILURES = 5
    LOGIN_ADDRESS_MAX_FAILURES = 20
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    LOGIN_LOCKOUT_MINUTES = 15
    # How many reverse proxies (nginx...) stand in front of the application: their
    # X-Forwarded-For/-Proto/-Host headers are then trusted (werkzeug's ProxyFix), so the
    # client's own address counts towards the sign-in limit and url_for knows the scheme.
    # 0: the peer's address is the client's. Never more than really stand in front: a client
    # could then name any address it likes.
    TRUSTED_PROXY_COUNT = 0

    # Served from the app itself: government intranets are often closed to the internet.
    BOOTSTRAP_SERVE_LOCAL = True

    API_TITLE = "Tiến độ API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A token from `flask --app app users token USERNAME "
                        "[--scope read|write]`. A read token may only GET: any other method "
                        "answers 403."
                    ),
                }
            }
        },
        "security": [{"bearerAuth": []}],
    }

    # Uploaded files (task evidence, spreadsheets in transit) live here, never under static/.
    # None means "uploads/ in the instance folder", resolved by the factory.
    UPLOAD_FOLDER: str | None = None
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024  # a whole request; larger ones get a 413 page
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024  # one photo or PDF
    SPREADSHEET_MAX_BYTES = 5 * 1024 * 1024  # one uploaded .xlsx

    # Charts drawn for the results pages and briefings are kept here (PNG files named by a
    # hash of what they show). None means "cache/charts/ in the instance folder", resolved by
    # the factory. Beyond CHART_CACHE_MAX_FILES, the least recently served are removed.
    CHART_CACHE_FOLDER: str | None = None
    CHART_CACHE_MAX_FILES = 5000

    # werkzeug's default (scrypt); the test configuration uses a cheaper method.
    PASSWORD_HASH_METHOD = "scrypt"
    PASSWORD_MIN_LENGTH = 8
    PER_PAGE = 50

    # Links in e-mails and webhooks (written by the scheduler, outside any request) start here:
    # the address users open the application at.
    BASE_URL = "http://127.0.0.1:5000"

    # E-mail (briefings, reminders) goes out through this SMTP server; without MAIL_SERVER it
    # waits in the outbox. MAIL_USE_TLS: STARTTLS on a plain connection (port 587);
    # MAIL_USE_SSL: TLS from the start (port 465).
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_SENDER = ""  # the From: address, e.g. "Tiến độ <tiendo@stttt.binhphuoc.gov.vn>"
    # Webhook calls (a briefing's JSON to a chat bot): seconds to wait for an answer, and the
    # key of their X-Tiendo-Signature header (none when empty).
    WEBHOOK_TIMEOUT = 10
    WEBHOOK_SECRET = ""

    # `flask --app app demo` also generates 92 days of daily figures for the demo campaign.
    DEMO_DAILY_ENTRIES = True

    # Domain packages the factory registers, in dependency order. The core (`app/`) never
    # imports them; each exposes `init_app(app)`.
    DOMAIN_PACKAGES = ("campaigns", "targets")

    @classmethod
    def from_environment(cls) -> dict[str, object]:
        """The settings a deployment gives as environment variables (README, "Configuration")."""
        env = os.environ
        settings: dict[str, object] = {}
        if env.get("DATABASE_URL"):
            settings["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
        if env.get("UPLOAD_FOLDER"):
            settings["UPLOAD_FOLDER"] = env["UPLOAD_FOLDER"]
        if env.get("CHART_CACHE_FOLDER"):
            settings["CHART_CACHE_FOLDER"] = env["CHART_CACHE_FOLDER"]
        if env.get("SECRET_KEY"):
            settings["SECRET_KEY"] = env["SECRET_KEY"]
        if env.get("TIMEZONE"):
            settings["TIMEZONE"] = env["TIMEZONE"]
        if env.get("DEFAULT_LANGUAGE") in cls.LANGUAGES:
            settings["BABEL_DEFAULT_LOCALE"] = env["DEFAULT_LANGUAGE"]
        for name in MAIL_AND_WEBHOOK_TEXTS:
            if env.get(name):
                settings[name] = env[name]
        for name in (
            "MAIL_PORT",
            "WEBHOOK_TIMEOUT",
            "PASSWORD_MIN_LENGTH",
            "TRUSTED_PROXY_COUNT",
            *LOGIN_LIMITS,
        ):
            if env.get(name):
                settings[name] = int(env[name])
        if env.get("SESSION_LIFETIME_HOURS"):
            settings["PERMANENT_SESSION_LIFETIME"] = timedelta(
                hours=float(env["SESSION_LIFETIME_HOURS"])
            )
        if env.get("REMEMBER_COOKIE_DAYS"):
            settings["REMEMBER_COOKIE_DURATION"] = timedelta(
                days=float(env["REMEMBER_COOKIE_DAYS"])
            )
        for name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
            if env.get(name):
                settings[name] = env[name] == "1"
        if env.get("SESSION_COOKIE_SECURE"):
            secure = env["SESSION_COOKIE_SECURE"] == "1"
            settings["SESSION_COOKIE_SECURE"] = settings["REMEMBER_COOKIE_SECURE"] = secure
        return settings


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    DEMO_DAILY_ENTRIES = False

    @classmethod
    def from_environment(cls) -> dict[str, object]:
        # A test run must never pick up the deployment's database or key by accident.
        return {}
