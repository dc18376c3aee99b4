"""Every write to users and API tokens. Operations flush; the caller's boundary commits."""

import re
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.db import db, utcnow
from app.formatting import search_key
from app.security import clear_failed_sign_ins
from app.units.models import Unit
from app.users.models import ApiToken, Role, TokenScope, User
from app.users.passwords import (
    generate_api_token,
    generate_password,
    hash_api_token,
    hash_password,
    password_problems,
)

SEARCH_NAME_LENGTH = User.__table__.c.search_name.type.length
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
EMAIL_MAX = User.__table__.c.email.type.length  # 320, the longest address SMTP allows


class UserError(Exception):
    """A user could not be created or changed; the message says why, for the person asking."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_user(
    *,
    username: str,
    role: str,
    unit: Unit,
    password: str | None = None,
    full_name: str = "",
    email: str = "",
) -> tuple[User, str]:
    """Create an account; without a password, a temporary one to change at first login.

    Returns the user and the password to hand over.
    """
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise UserError(
            _(
                "A user name has 3 to 64 characters: letters without accents, digits, “.”, “_”, "
                "“-”."
            ),
            "username",
        )
    if role not in set(Role):
        raise UserError(_unknown_role(role), "role")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(_("The user name “%(username)s” is taken.", username=username), "username")
    email = _checked_email(email)
    temporary = password is None
    if temporary:
        password = _temporary_password(username, full_name)
    else:
        _check_password(password, username, full_name)
    user = User(
        username=username,
        role=role,
        unit=unit,
        password_hash=hash_password(password),
        must_change_password=temporary,
        email=email,
    )
    _set_full_name(user, full_name)
    db.session.add(user)
    db.session.flush()
    return user, password


def update_user(
    user: User, *, full_name: str, role: str, unit: Unit, email: str | None = None
) -> None:
    """Change an account; `email` None leaves the address as it is."""
    if role not in set(Role):
        raise UserError(_unknown_role(role), "role")
    if email is not None:
        user.email = _checked_email(email)
    _set_full_name(user, full_name)
    user.role = role
    user.unit = unit
    db.session.flush()


def set_email(user: User, email: str) -> None:
    """Where the user's briefings and reminders go; empty: no e-mail."""
    user.email = _checked_email(email)
    db.session.flush()


def email_problem(email: str) -> str | None:
    """Why `email` cannot be an address, or None. Deliberately lenient: one "@", something
    before it, a domain with a dot, no spaces; whether mail arrives is the mail server's
    business. An empty address is fine: the user gets no e-mail."""
    email = email.strip()
    if not email:
        return None
    if len(email) > EMAIL_MAX:
        return _("At most %(max)d characters.", max=EMAIL_MAX)
    local, _at, domain = email.partition("@")
    if (
        email.count("@") != 1
        or not local
        or "." not in domain.strip(".")
        or any(character.isspace() for character in email)
    ):
        return _("Not an e-mail address; write it as %(example)s.", example="ten@example.gov.vn")
    return None


def reset_password(user: User) -> str:
    """A temporary password set by an administrator; the user must change it at next login.
    It also lifts a lockout after failed sign-ins: the administrator has spoken to the user."""
    password = _temporary_password(user.username, user.full_name)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_version += 1
    clear_failed_sign_ins(user.username)
    db.session.flush()
    return password


def set_password(user: User, password: str) -> None:
    """A password chosen by its user (or given on the command line): checked against the rules,
    and every other session of the user ends."""
    _check_password(password, user.username, user.full_name)
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.session_version += 1
    db.session.flush()


def deactivate_user(user: User) -> None:
    """Lock the account: its sessions end and its API tokens stop working."""
    user.active = False
    user.session_version += 1
    revoke_api_tokens(user)
    db.session.flush()


def activate_user(user: User) -> None:
    user.active = True
    db.session.flush()


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


def issue_api_token(
    user: User, valid_days: int | None = None, scope: TokenScope = TokenScope.WRITE
) -> tuple[ApiToken, str]:
    """A new bearer token; the plain token is returned once and only its hash is stored. A
    READ token only reads; WRITE also saves (both within the user's own rights)."""
    plain = generate_api_token()
    token = ApiToken(
        user=user,
        token_hash=hash_api_token(plain),
        scope=TokenScope(scope),
        expires_at=utcnow() + timedelta(days=valid_days) if valid_days else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, plain


def revoke_api_tokens(user: User, token_id: int | None = None) -> int:
    """Revoke one of the user's live tokens, or all of them; returns how many."""
    statement = (
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if token_id is not None:
        statement = statement.where(ApiToken.id == token_id)
    return db.session.execute(statement).rowcount


def mark_token_used(token: ApiToken) -> None:
    token.last_used_at = utcnow()
    db.session.flush()


def _unknown_role(role: str) -> str:
    return _(
        "Unknown role “%(role)s”; the roles are %(roles)s.",
        role=role,
        roles=", ".join(Role),
    )


def _set_full_name(user: User, full_name: str) -> None:
    user.full_name = full_name.strip()
    user.search_name = search_key(f"{user.username} {user.full_name}")[:SEARCH_NAME_LENGTH]


def _checked_email(email: str) -> str:
    problem = email_problem(email)
    if problem:
        raise UserError(problem, "email")
    return email.strip()


def _check_password(password: str, username: str, full_name: str) -> None:
    problems = password_problems(password, username, full_name)
    if problems:
        raise UserError(" ".join(problems), "password")


def _temporary_password(username: str, full_name: str) -> str:
    """A generated password that meets the rules, as twelve random characters all but
    always do at the first draw."""
    while True:
        password = generate_password()
        if not password_problems(password, username, full_name):
            return password
