"""Reads of users and API tokens."""

from sqlalchemy import Select, or_, select

from app.db import LIKE_ESCAPE, contains_pattern, db
from app.formatting import search_key
from app.scope import Access, reachable_unit_ids
from app.units.models import Unit
from app.users.models import ApiToken, User
from app.users.operations import normalise_username
from app.users.passwords import hash_api_token


def user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


def api_token_by_plain(plain: str) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_api_token(plain)))


def administered_users(admin: User, text: str = "", role: str = "") -> Select[tuple[User]]:
    """Users bound to units the admin administers, filtered by name/user name and role."""
    statement = (
        select(User)
        .join(Unit, User.unit_id == Unit.id)
        .where(User.unit_id.in_(reachable_unit_ids(admin, Access.ADMINISTER)))
    )
    if text.strip():
        pattern = contains_pattern(search_key(text))
        statement = statement.where(
            or_(User.search_name.like(pattern, escape=LIKE_ESCAPE), Unit.code == text.strip())
        )
    if role:
        statement = statement.where(User.role == role)
    return statement.order_by(User.active.desc(), User.username)
