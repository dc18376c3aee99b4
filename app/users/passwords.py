"""Password and API-token secrets: hashing, checking and the rules a new password must meet."""

import hashlib
import secrets

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

# No 0/O, 1/l/I: a temporary password is read aloud or copied from a phone screen.
_READABLE_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TOKEN_PREFIX = "td_"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def password_problems(password: str, username: str) -> list[str]:
    """Why this password may not be used; empty when it may."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problems = []
    if len(password) < minimum:
        problems.append(_("The password must have at least %(min)d characters.", min=minimum))
    if password.strip().lower() == username.lower():
        problems.append(_("The password must not be the user name."))
    return problems


def generate_password(length: int = 12) -> str:
    return "".join(secrets.choice(_READABLE_ALPHABET) for _ in range(length))


def generate_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()
