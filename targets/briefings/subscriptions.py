"""Who receives a campaign's briefings by e-mail when they are published.

A reader subscribes to a campaign; the briefings go to the subscribers who may still read
the campaign's owner unit (app.scope, the one rule), are active and have an e-mail address,
checked at each publication: a reader moved to another unit, deactivated or without an
address receives nothing, and gets it again once that changes. Operations flush; the caller
commits.
"""

from sqlalchemy import delete, select

from app.db import db, utcnow
from app.scheduler import insert_if_absent
from app.scope import Access, may
from app.users.models import User
from campaigns.models import Campaign
from targets.briefings.models import BriefingSubscription


def subscribe(campaign: Campaign, user: User) -> None:
    """Subscribe the user (subscribing twice, even at the same moment, is one subscription)."""
    insert_if_absent(
        BriefingSubscription.__table__,
        {"campaign_id": campaign.id, "user_id": user.id, "created_at": utcnow()},
    )


def unsubscribe(campaign: Campaign, user: User) -> None:
    db.session.execute(
        delete(BriefingSubscription).where(
            BriefingSubscription.campaign_id == campaign.id,
            BriefingSubscription.user_id == user.id,
        )
    )


def is_subscribed(campaign: Campaign, user: User) -> bool:
    return (
        db.session.scalar(
            select(BriefingSubscription.id).where(
                BriefingSubscription.campaign_id == campaign.id,
                BriefingSubscription.user_id == user.id,
            )
        )
        is not None
    )


def subscribers(campaign: Campaign) -> list[User]:
    """The subscribers a briefing is sent to: active, with an e-mail address, allowed to read
    the owner unit; one per address (two accounts of one person get one e-mail)."""
    users = db.session.scalars(
        select(User)
        .join(BriefingSubscription, BriefingSubscription.user_id == User.id)
        .where(
            BriefingSubscription.campaign_id == campaign.id,
            User.active.is_(True),
            User.email != "",
        )
        .order_by(User.id)
    )
    found = []
    addresses = set()
    for user in users:
        address = user.email.strip().lower()
        if address in addresses or not may(user, Access.READ, campaign.owner_unit):
            continue
        addresses.add(address)
        found.append(user)
    return found
