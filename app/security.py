"""What protects every answer and every sign-in: the security headers of each response, and
the temporary lockout of a user name or a client address after repeated failed sign-ins.

The failures live in the database (`failed_sign_ins`), so every worker and every host counts
the same ones. docs/security.md explains both to administrators.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import Flask, Response, current_app
from sqlalchemy import delete, select
from werkzeug.middleware.proxy_fix import ProxyFix

from app.db import db
from app.users.models import FailedSignIn

# Scripts and styles come from our own files only (no inline <script>, style= or onclick=:
# tests/test_security.py checks the templates); Bootstrap's icons are data: images.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    )
)
# Nothing here needs the camera (evidence photos go through a file input), the microphone,
# the position or payments.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# One year, this host only: other hosts of the domain may still be served over plain HTTP.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}

# The columns' length: longer user names and addresses are cut, never refused.
KEY_LENGTH = FailedSignIn.__table__.c.username.type.length


def add_security_headers(response: Response) -> Response:
    """Every response (pages, API, files, errors) gets the headers; one that set its own
    keeps it (a share link's page sends no referrer at all)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # Only over HTTPS: the header would pin browsers to an HTTPS that does not exist.
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    proxies = app.config["TRUSTED_PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )


# --- sign-in throttling ----------------------------------------------------------------------


class LockedBy(StrEnum):
    USERNAME = "username"  # too many failures for one user name
    ADDRESS = "address"  # too many failures from one client address


@dataclass(frozen=True)
class SignInLock:
    locked_by: LockedBy
    until: datetime  # UTC; signing in works again from this moment


def lock_end(
    recent_failures: Sequence[datetime], limit: int, window: timedelta, lockout: timedelta
) -> datetime | None:
    """When the lock that these failures impose ends (it may be over already), or None when
    they impose none. `recent_failures` are the newest first, at least `limit` of them if
    there are: `limit` failures within less than `window` lock for `lockout` after the last
    one. A limit of 0 never locks."""
    if limit <= 0 or len(recent_failures) < limit:
        return None
    newest, oldest = recent_failures[0], recent_failures[limit - 1]
    if newest - oldest >= window:
        return None
    return newest + lockout


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (
        timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]),
        timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
    )


def _lock(column, value: str, limit: int, locked_by: LockedBy, now: datetime) -> SignInLock | None:
    if not value or limit <= 0:
        return None
    recent = db.session.scalars(
        select(FailedSignIn.failed_at)
        .where(column == value)
        .order_by(FailedSignIn.failed_at.desc())
        .limit(limit)
    ).all()
    until = lock_end(recent, limit, *_limits())
    return SignInLock(locked_by, until) if until is not None and now < until else None


def sign_in_lock(username: str, address: str, now: datetime) -> SignInLock | None:
    """The lock that refuses a sign-in as `username` (normalised) from `address` at `now`,
    whether the user exists or not; the later-ending one when both are locked."""
    config = current_app.config
    locks = [
        _lock(
            FailedSignIn.username,
            username[:KEY_LENGTH],
            config["LOGIN_MAX_FAILURES"],
            LockedBy.USERNAME,
            now,
        ),
        _lock(
            FailedSignIn.address,
            address[:KEY_LENGTH],
            config["LOGIN_ADDRESS_MAX_FAILURES"],
            LockedBy.ADDRESS,
            now,
        ),
    ]
    return max((lock for lock in locks if lock), key=lambda lock: lock.until, default=None)


def record_failed_sign_in(username: str, address: str, now: datetime) -> SignInLock | None:
    """Count a failed sign-in and return the lock it brings, if any.

    Unlike an operation, this commits at once: the page that says "wrong password" is a 422,
    whose request is rolled back, and a failure that was not kept would never lock anything.
    """
    window, lockout = _limits()
    # A failure older than window + lockout can no longer take part in a lock.
    db.session.execute(delete(FailedSignIn).where(FailedSignIn.failed_at < now - window - lockout))
    db.session.add(
        FailedSignIn(username=username[:KEY_LENGTH], address=address[:KEY_LENGTH], failed_at=now)
    )
    db.session.commit()
    return sign_in_lock(username, address, now)


def clear_failed_sign_ins(username: str) -> None:
    """A successful sign-in, or a password reset by an administrator, unlocks the user name.
    Its failures no longer count against the address either: a colleague behind the same
    office gateway who mistyped and then got in is no attacker."""
    db.session.execute(delete(FailedSignIn).where(FailedSignIn.username == username[:KEY_LENGTH]))
    db.session.flush()
