"""Reads of the briefing pages, API and scheduler: versions of a day, the archive, the days
the scheduler still owes, whether figures moved since a draft read them, share links."""

from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import defer

from app.db import db
from campaigns.models import Campaign, Indicator
from campaigns.progress.models import Entry, EntryRevision
from targets.briefings.models import (
    Briefing,
    BriefingItem,
    BriefingKind,
    BriefingShareLink,
    BriefingStatus,
)

# The scheduler catches up at most this many days back after downtime.
CATCH_UP_DAYS = 7


def _daily(campaign: Campaign) -> Select:
    return select(Briefing).where(
        Briefing.campaign_id == campaign.id, Briefing.kind == BriefingKind.DAILY
    )


def daily_version(campaign: Campaign, day: date, version: int) -> Briefing | None:
    return db.session.scalar(
        _daily(campaign).where(Briefing.end_date == day, Briefing.version == version)
    )


def daily_versions(campaign: Campaign, day: date, *, drafts: bool) -> list[Briefing]:
    """The day's versions, newest first; without drafts unless `drafts`."""
    statement = _daily(campaign).where(Briefing.end_date == day)
    if not drafts:
        statement = statement.where(Briefing.status == BriefingStatus.PUBLISHED)
    statement = statement.options(defer(Briefing.content), defer(Briefing.changes))
    return list(db.session.scalars(statement.order_by(Briefing.version.desc())))


def latest_daily(campaign: Campaign, day: date, *, drafts: bool) -> Briefing | None:
    """The day's newest version (the newest published one unless `drafts`)."""
    statement = _daily(campaign).where(Briefing.end_date == day)
    if not drafts:
        statement = statement.where(Briefing.status == BriefingStatus.PUBLISHED)
    return db.session.scalar(statement.order_by(Briefing.version.desc()).limit(1))


def archive_days(campaign: Campaign, *, drafts: bool) -> Select:
    """The days that have a briefing (a published one unless `drafts`), newest first."""
    statement = select(Briefing.end_date).where(
        Briefing.campaign_id == campaign.id, Briefing.kind == BriefingKind.DAILY
    )
    if not drafts:
        statement = statement.where(Briefing.status == BriefingStatus.PUBLISHED)
    return statement.distinct().order_by(Briefing.end_date.desc())


def versions_by_day(campaign: Campaign, days: list[date], *, drafts: bool) -> dict:
    """{day: [versions, newest first]} for the days of an archive page."""
    found: dict[date, list[Briefing]] = {day: [] for day in days}
    if not days:
        return found
    statement = _daily(campaign).where(Briefing.end_date.in_(days))
    if not drafts:
        statement = statement.where(Briefing.status == BriefingStatus.PUBLISHED)
    statement = statement.options(defer(Briefing.content), defer(Briefing.changes))
    for briefing in db.session.scalars(statement.order_by(Briefing.version.desc())):
        found[briefing.end_date].append(briefing)
    return found


def days_to_draft(campaign: Campaign, last_due: date, today: date) -> list[date]:
    """The days of the campaign up to `last_due` whose briefing the scheduler still owes:
    those after the campaign's latest daily briefing, at most CATCH_UP_DAYS back."""
    latest = db.session.scalar(
        select(func.max(Briefing.end_date)).where(
            Briefing.campaign_id == campaign.id, Briefing.kind == BriefingKind.DAILY
        )
    )
    first = max(campaign.start_date, today - timedelta(days=CATCH_UP_DAYS))
    if latest is not None:
        first = max(first, latest + timedelta(days=1))
    last = min(last_due, campaign.end_date)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def figures_changed_at(briefing: Briefing) -> datetime | None:
    """When figures the briefing reads (its campaign's, up to its last day) last changed
    after it read them; None when none did."""
    changed = db.session.scalar(
        select(func.max(EntryRevision.changed_at))
        .join(Entry, Entry.id == EntryRevision.entry_id)
        .join(Indicator, Indicator.id == Entry.indicator_id)
        .where(
            Indicator.campaign_id == briefing.campaign_id,
            Entry.entry_date <= briefing.end_date,
        )
    )
    if changed is None or changed <= briefing.figures_read_at:
        return None
    return changed


def briefing_item(briefing: Briefing, item_id: int) -> BriefingItem | None:
    return db.session.scalar(
        select(BriefingItem).where(
            BriefingItem.id == item_id, BriefingItem.briefing_id == briefing.id
        )
    )


def share_links(briefing: Briefing) -> list[BriefingShareLink]:
    """Every link made for the version, newest first."""
    return list(
        db.session.scalars(
            select(BriefingShareLink)
            .where(BriefingShareLink.briefing_id == briefing.id)
            .order_by(BriefingShareLink.created_at.desc(), BriefingShareLink.id.desc())
        )
    )


def share_link(briefing: Briefing, link_id: int) -> BriefingShareLink | None:
    return db.session.scalar(
        select(BriefingShareLink).where(
            BriefingShareLink.id == link_id, BriefingShareLink.briefing_id == briefing.id
        )
    )
