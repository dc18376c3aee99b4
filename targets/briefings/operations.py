"""Every write to briefings: drafting, editing, publishing, correcting. Operations flush; the
caller commits.

The workflow (DESIGN §7): a draft is made for a day (by the scheduler at the campaign's
briefing time, or by an admin); an admin edits its directions (chỉ đạo), drops generated
lines or adds lines of their own, each with a note, and publishes it. Publishing freezes the
version: its content (figures and lines) never changes again. A correction is the next
version, drafted from the figures as they are then, keeping the admin's directions and edits,
and saying what changed (đính chính).
"""

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db, utcnow
from app.units.models import Unit
from app.users.models import User
from campaigns.models import Campaign
from targets.briefings import content as briefing_content
from targets.briefings.delivery import queue_delivery
from targets.briefings.models import (
    DIRECTED,
    Briefing,
    BriefingItem,
    BriefingKind,
    BriefingStatus,
)
from targets.briefings.rules import Section

DIRECTIONS_MAX = 10_000
NOTE_MAX = 1_000
ITEM_TEXT_MAX = 1_000
NUMBER_MAX = 64


class BriefingError(Exception):
    """A briefing could not be made or changed; the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def latest_version(campaign: Campaign, kind: str, start: date, end: date) -> Briefing | None:
    return db.session.scalar(
        select(Briefing)
        .where(
            Briefing.campaign_id == campaign.id,
            Briefing.kind == kind,
            Briefing.start_date == start,
            Briefing.end_date == end,
        )
        .order_by(Briefing.version.desc())
        .limit(1)
    )


def draft_daily_briefing(
    campaign: Campaign, day: date, *, user: User | None, now: datetime | None = None
) -> tuple[Briefing, bool]:
    """The draft of the campaign's briefing for `day`: the one there is, or a new one (version
    1, or the version after the last published one: a correction). Returns (briefing, made)."""
    return _draft(campaign, BriefingKind.DAILY, day, day, user=user, now=now)


def draft_review(
    campaign: Campaign, start: date, end: date, *, user: User | None, now: datetime | None = None
) -> tuple[Briefing, bool]:
    """The draft of a review (sơ kết) of the days from `start` to `end`: a week, a month, a
    phase; the whole campaign is its final report (tổng kết)."""
    if end < start:
        raise BriefingError(_("The last day is before the first."), "end")
    return _draft(campaign, BriefingKind.REVIEW, start, end, user=user, now=now)


def draft_correction(
    briefing: Briefing, *, user: User | None, now: datetime | None = None
) -> tuple[Briefing, bool]:
    """The draft of the version after `briefing`, of the same day or range: the correction
    of a published version (or the draft already open for it)."""
    return _draft(
        briefing.campaign,
        briefing.kind,
        briefing.start_date,
        briefing.end_date,
        user=user,
        now=now,
    )


def _draft(
    campaign: Campaign,
    kind: str,
    start: date,
    end: date,
    *,
    user: User | None,
    now: datetime | None,
) -> tuple[Briefing, bool]:
    daily = kind == BriefingKind.DAILY
    for day, field in ((start, "date" if daily else "start"), (end, "date" if daily else "end")):
        if not campaign.start_date <= day <= campaign.end_date:
            raise BriefingError(
                _(
                    "%(day)s is not a day of the campaign (%(start)s–%(end)s).",
                    day=day.strftime("%d/%m/%Y"),
                    start=campaign.start_date.strftime("%d/%m/%Y"),
                    end=campaign.end_date.strftime("%d/%m/%Y"),
                ),
                field,
            )
    if not campaign.indicators:
        raise BriefingError(_("The campaign has no indicators yet: there is nothing to brief."))
    latest = latest_version(campaign, kind, start, end)
    if latest is not None and latest.is_draft:
        return latest, False
    briefing = Briefing(
        campaign=campaign,
        kind=kind,
        start_date=start,
        end_date=end,
        version=latest.version + 1 if latest else 1,
        status=BriefingStatus.DRAFT,
        created_by_id=user.id if user else None,
        created_at=now or utcnow(),
        content={},
    )
    if latest is not None:
        # A correction keeps what the administrator wrote in the published version.
        briefing.number = latest.number
        briefing.directions = latest.directions
    db.session.add(briefing)
    _read_figures(briefing, previous=latest, now=now)
    db.session.flush()
    return briefing, True


def refresh_figures(briefing: Briefing, *, now: datetime | None = None) -> Briefing:
    """Read a draft's figures again (they moved since it was drafted), keeping the lines the
    administrator dropped or added and the directions."""
    _check_draft(briefing)
    previous = _previous_published(briefing)
    _read_figures(briefing, previous=previous, now=now)
    db.session.flush()
    return briefing


def _read_figures(briefing: Briefing, *, previous: Briefing | None, now: datetime | None):
    """Fill the briefing's content and generated lines from the figures as they are now. The
    lines an administrator dropped stay dropped (same reason and unit), with their note;
    added lines stay. Against the previous version, `changes` says what moved."""
    campaign = briefing.campaign
    if briefing.kind == BriefingKind.DAILY:
        briefing.content = briefing_content.daily_content(campaign, briefing.end_date)
    else:
        briefing.content = briefing_content.review_content(
            campaign, briefing.start_date, briefing.end_date
        )
    briefing.figures_read_at = now or utcnow()
    kept_from = [item for item in briefing.items] or (previous.items if previous else [])
    dropped = {item.key: item.note for item in kept_from if item.dropped and not item.added}
    added = [item for item in kept_from if item.added]
    briefing.items.clear()
    db.session.flush()
    position = 0
    for line in briefing.content["items"]:
        key = (line["reason"], line["unit_id"])
        briefing.items.append(
            BriefingItem(
                section=line["section"],
                reason=line["reason"],
                unit_id=line["unit_id"],
                text=line["text"],
                facts=line["facts"],
                position=position,
                dropped=key in dropped,
                note=dropped.get(key, ""),
            )
        )
        position += 1
    for item in added:
        briefing.items.append(
            BriefingItem(
                section=item.section,
                reason=DIRECTED,
                unit_id=item.unit_id,
                text=item.text,
                facts={},
                position=position,
                added=True,
                note=item.note,
            )
        )
        position += 1
    briefing.changes = (
        briefing_content.differences(previous.content, briefing.content) if previous else []
    )


def _previous_published(briefing: Briefing) -> Briefing | None:
    if briefing.version == 1:
        return None
    return db.session.scalar(
        select(Briefing).where(
            Briefing.campaign_id == briefing.campaign_id,
            Briefing.kind == briefing.kind,
            Briefing.start_date == briefing.start_date,
            Briefing.end_date == briefing.end_date,
            Briefing.version == briefing.version - 1,
        )
    )


def _check_draft(briefing: Briefing) -> None:
    if not briefing.is_draft:
        raise BriefingError(
            _(
                "Version %(version)d is published and can no longer change: make a correction "
                "instead.",
                version=briefing.version,
            )
        )


# --- an administrator's edits ---------------------------------------------------------------


def edit_draft(briefing: Briefing, *, directions: str, number: str) -> Briefing:
    _check_draft(briefing)
    directions = (directions or "").strip()
    number = (number or "").strip()
    if len(directions) > DIRECTIONS_MAX:
        raise BriefingError(_("At most %(max)d characters.", max=DIRECTIONS_MAX), "directions")
    if len(number) > NUMBER_MAX:
        raise BriefingError(_("At most %(max)d characters.", max=NUMBER_MAX), "number")
    briefing.directions = directions
    briefing.number = number
    db.session.flush()
    return briefing


def drop_item(item: BriefingItem, *, note: str) -> BriefingItem:
    """Leave a generated line out of the briefing, saying why (it stays on record)."""
    _check_draft(item.briefing)
    note = _note(note, required=True)
    if item.added:
        raise BriefingError(_("A line you added is removed, not dropped."))
    item.dropped = True
    item.note = note
    db.session.flush()
    return item


def restore_item(item: BriefingItem) -> BriefingItem:
    _check_draft(item.briefing)
    item.dropped = False
    item.note = ""
    db.session.flush()
    return item


def add_item(
    briefing: Briefing, *, section: str, unit: Unit | None, text: str, note: str = ""
) -> BriefingItem:
    """A line of praise or criticism the administrator writes in."""
    _check_draft(briefing)
    if section not in set(Section):
        raise BriefingError(_("Choose praise or criticism."), "section")
    text = (text or "").strip()
    if not text:
        raise BriefingError(_("Write the line."), "text")
    if len(text) > ITEM_TEXT_MAX:
        raise BriefingError(_("At most %(max)d characters.", max=ITEM_TEXT_MAX), "text")
    position = (max((item.position for item in briefing.items), default=-1)) + 1
    item = BriefingItem(
        section=section,
        reason=DIRECTED,
        unit_id=unit.id if unit else None,
        text=text,
        facts={},
        position=position,
        added=True,
        note=_note(note, required=False),
    )
    briefing.items.append(item)
    db.session.flush()
    return item


def remove_added_item(item: BriefingItem) -> None:
    _check_draft(item.briefing)
    if not item.added:
        raise BriefingError(_("A generated line is dropped with a note, not removed."))
    item.briefing.items.remove(item)
    db.session.flush()


def _note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise BriefingError(_("Say why, in a short note."), "note")
    if len(note) > NOTE_MAX:
        raise BriefingError(_("At most %(max)d characters.", max=NOTE_MAX), "note")
    return note


# --- publishing -----------------------------------------------------------------------------


def publish(briefing: Briefing, *, user: User | None, now: datetime | None = None) -> Briefing:
    """Freeze the draft as published: from now on it never changes. Its delivery (e-mail to
    subscribers, the campaign's webhook) is queued in the same transaction."""
    _check_draft(briefing)
    briefing.status = BriefingStatus.PUBLISHED
    briefing.published_at = now or utcnow()
    briefing.published_by_id = user.id if user else None
    db.session.flush()
    queue_delivery(briefing)
    return briefing
