"""Read-only links to one published version of a briefing, for readers without an account (a
chat group): an unguessable token (256 random bits) that expires and can be revoked.

The plain token is returned once, when the link is made; only its SHA-256 is stored, as for
API tokens, so a copy of the database opens nothing. Operations flush; the caller commits.
"""

import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db, utcnow
from app.users.models import User
from app.users.passwords import hash_api_token
from targets.briefings.models import Briefing, BriefingShareLink
from targets.briefings.operations import BriefingError

SHARE_DAYS_DEFAULT = 7
SHARE_DAYS_MIN = 1
SHARE_DAYS_MAX = 90


def create_share_link(
    briefing: Briefing,
    *,
    user: User | None,
    days: int = SHARE_DAYS_DEFAULT,
    now: datetime | None = None,
) -> str:
    """A new link to the published version, valid `days` days; returns its plain token."""
    if briefing.is_draft:
        raise BriefingError(_("Only a published briefing can be shared."))
    if not SHARE_DAYS_MIN <= days <= SHARE_DAYS_MAX:
        raise BriefingError(
            _(
                "A link is valid for %(min)d to %(max)d days.",
                min=SHARE_DAYS_MIN,
                max=SHARE_DAYS_MAX,
            ),
            "days",
        )
    now = now or utcnow()
    plain = secrets.token_urlsafe(32)
    db.session.add(
        BriefingShareLink(
            briefing_id=briefing.id,
            token_hash=hash_api_token(plain),
            created_at=now,
            created_by_id=user.id if user else None,
            expires_at=now + timedelta(days=days),
        )
    )
    db.session.flush()
    return plain


def revoke_share_link(link: BriefingShareLink, now: datetime | None = None) -> BriefingShareLink:
    """The link opens nothing from now on (revoking it again changes nothing)."""
    if link.revoked_at is None:
        link.revoked_at = now or utcnow()
        db.session.flush()
    return link


def briefing_by_share_token(token: str, now: datetime | None = None) -> Briefing | None:
    """The version a live link shows; None for an unknown, revoked or expired token."""
    if not token:
        return None
    link = db.session.scalar(
        select(BriefingShareLink).where(BriefingShareLink.token_hash == hash_api_token(token))
    )
    now = now or utcnow()
    if link is None or link.revoked_at is not None or link.expires_at <= now:
        return None
    return link.briefing
