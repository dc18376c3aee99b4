"""Password and API-token secrets: hashing, checking and the rules a new password must meet."""

import hashlib
import secrets
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from app.formatting import search_key

# No 0/O, 1/l/I: a temporary password is read aloud or copied from a phone screen.
_READABLE_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TOKEN_PREFIX = "td_"
# Where the list comes from: the comment at the top of the file.
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches. Without a hash (no such user) a dummy hash is checked all
    the same, so that the answer takes as long and tells nobody which user names exist."""
    if password_hash is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return check_password_hash(password_hash, password)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _letters_and_digits(text: str) -> str:
    """ "Nguyễn Văn An" → "nguyenvanan": how a name is typed into a password."""
    return "".join(character for character in search_key(text) if character.isalnum())


def password_problems(password: str, username: str, full_name: str = "") -> list[str]:
    """Why this password may not be used; empty when it may."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problems = []
    if len(password) < minimum:
        problems.append(_("The password must have at least %(min)d characters.", min=minimum))
    if "".join(password.split()).isdigit():
        problems.append(_("The password must not be only digits."))
    typed = _letters_and_digits(password)
    if typed and any(typed in _letters_and_digits(name) for name in (username, full_name)):
        problems.append(
            _("The password must not be the user name or the full name, nor a part of them.")
        )
    if password.strip().lower() in common_passwords():
        problems.append(
            _("This password is one of the most commonly used ones; choose a less obvious one.")
        )
    return problems


def generate_password(length: int = 12) -> str:
    return "".join(secrets.choice(_READABLE_ALPHABET) for _ in range(length))


def generate_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()
