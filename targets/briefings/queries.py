"""Reads of the briefing pages, API and scheduler: a briefing's period and its key in
addresses, the versions of a day or a review, the archive, the days the scheduler still owes,
whether figures moved since a draft read them, share links."""

from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import defer

from app.db import db
from campaigns.lookups import iso_date
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


class BriefingPeriod(NamedTuple):
    """What a briefing is about: a day (a daily briefing, whose first and last day are the
    same) or a range of days (a review)."""

    kind: str
    start: date
    end: date

    @property
    def key(self) -> str:
        """The period in a version's address: "2022-07-29" for a day's briefing,
        "2022-07-01..2022-07-31" for a review (even of one day)."""
        if self.kind == BriefingKind.DAILY:
            return self.end.isoformat()
        return f"{self.start.isoformat()}{KEY_SEPARATOR}{self.end.isoformat()}"


KEY_SEPARATOR = ".."


def daily_period(day: date) -> BriefingPeriod:
    return BriefingPeriod(BriefingKind.DAILY, day, day)


def period_of(briefing: Briefing) -> BriefingPeriod:
    return BriefingPeriod(briefing.kind, briefing.start_date, briefing.end_date)


def period_key(briefing: Briefing) -> str:
    return period_of(briefing).key


def parse_period_key(text: str) -> BriefingPeriod | None:
    """The period a version's address names (see BriefingPeriod.key); None when the text is
    not one (a review's last day before its first included)."""
    first, separator, last = text.partition(KEY_SEPARATOR)
    if not separator:
        day = iso_date(text)
        return None if day is None else daily_period(day)
    start, end = iso_date(first), iso_date(last)
    if start is None or end is None or end < start:
        return None
    return BriefingPeriod(BriefingKind.REVIEW, start, end)


def _of_period(campaign: Campaign, period: BriefingPeriod, *, drafts: bool = True) -> Select:
    statement = select(Briefing).where(
        Briefing.campaign_id == campaign.id,
        Briefing.kind == period.kind,
        Briefing.start_date == period.start,
        Briefing.end_date == period.end,
    )
    if not drafts:
        statement = statement.where(Briefing.status == BriefingStatus.PUBLISHED)
    return statement


def version(campaign: Campaign, period: BriefingPeriod, number: int) -> Briefing | None:
    return db.session.scalar(_of_period(campaign, period).where(Briefing.version == number))


def versions(campaign: Campaign, period: BriefingPeriod, *, drafts: bool) -> list[Briefing]:
    """The period's versions, newest first; without drafts unless `drafts`."""
    statement = _of_period(campaign, period, drafts=drafts).options(
        defer(Briefing.content), defer(Briefing.changes)
    )
    return list(db.session.scalars(statement.order_by(Briefing.version.desc())))


def latest(campaign: Campaign, period: BriefingPeriod, *, drafts: bool) -> Briefing | None:
    """The period's newest version (the newest published one unless `drafts`)."""
    statement = _of_period(campaign, period, drafts=drafts)
    return db.session.scalar(statement.order_by(Briefing.version.desc()).limit(1))


def archive_days(campaign: Campaign, *, drafts: bool) -> Select:
    """The days that have a briefing (a published one unless `drafts`), newest first."""
    statement = select(Briefing.end_date).where(
        Briefing.campaign_id == campaign.id, Briefing.kind == BriefingKind.DAILY
    )
    if not drafts:
        statement = statement.where(Briefing.status == BriefingStatus.PUBLISHED)
    return statement.distinct().order_by(Briefing.end_date.desc())


def review_periods(campaign: Campaign, *, drafts: bool) -> list[BriefingPeriod]:
    """The ranges of days that have a review (a published one unless `drafts`), the latest
    last day first (a campaign has a few: no pages)."""
    statement = select(Briefing.start_date, Briefing.end_date).where(
        Briefing.campaign_id == campaign.id, Briefing.kind == BriefingKind.REVIEW
    )
    if not drafts:
        statement = statement.where(Briefing.status == BriefingStatus.PUBLISHED)
    statement = statement.distinct().order_by(Briefing.end_date.desc(), Briefing.start_date.desc())
    return [
        BriefingPeriod(BriefingKind.REVIEW, start, end)
        for start, end in db.session.execute(statement)
    ]


def versions_by_period(
    campaign: Campaign, periods: list[BriefingPeriod], *, drafts: bool
) -> dict[BriefingPeriod, list[Briefing]]:
    """{period: [versions, newest first]} for the periods of an archive page."""
    found: dict[BriefingPeriod, list[Briefing]] = {period: [] for period in periods}
    if not periods:
        return found
    statement = select(Briefing).where(
        Briefing.campaign_id == campaign.id,
        Briefing.kind.in_({period.kind for period in periods}),
        Briefing.end_date.in_({period.end for period in periods}),
    )
    if not drafts:
        statement = statement.where(Briefing.status == BriefingStatus.PUBLISHED)
    statement = statement.options(defer(Briefing.content), defer(Briefing.changes))
    for briefing in db.session.scalars(statement.order_by(Briefing.version.desc())):
        period = period_of(briefing)
        if period in found:
            found[period].append(briefing)
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
