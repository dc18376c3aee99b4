"""The scheduled job "briefings.draft": each morning, at a campaign's briefing time, the draft
of the day before's briefing (published at once when the campaign says so), and the briefings
missed while no scheduler ran (README, "Briefings").

Each day's briefing is claimed before it is made (app.scheduler.claim_run), and the claim
commits with the briefing: a second run, or a second scheduler process at the same moment,
makes nothing twice. The database's constraints on briefings (one draft per day, one row per
version) hold even against an administrator drafting the same day at that moment.
"""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.db import db
from app.scheduler import ScheduledJob, claim_run
from campaigns.models import Campaign, CampaignStatus
from targets.briefings.operations import draft_daily_briefing, publish
from targets.briefings.queries import days_to_draft

logger = logging.getLogger(__name__)

DRAFT_JOB_ID = "briefings.draft"


def draft_briefings(now: datetime) -> None:
    """Draft the day before's briefing of each active campaign once its briefing time passed."""
    local = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    today = local.date()
    statement = (
        select(Campaign)
        .where(Campaign.status == CampaignStatus.ACTIVE, Campaign.start_date < today)
        .order_by(Campaign.code)
    )
    for campaign in db.session.scalars(statement):
        if not campaign.indicators:
            continue
        # Yesterday's briefing is due at today's briefing time; the days before are overdue.
        last_due = today - timedelta(days=1 if local.time() >= campaign.briefing_time else 2)
        for day in days_to_draft(campaign, last_due, today):
            if claim_run(DRAFT_JOB_ID, f"{campaign.code}/{day.isoformat()}"):
                draft_briefing(campaign, day, now)


def draft_briefing(campaign: Campaign, day, now: datetime) -> None:
    briefing, made = draft_daily_briefing(campaign, day, user=None, now=now)
    if campaign.auto_publish and briefing.is_draft:
        publish(briefing, user=None, now=now)
    logger.info(
        "Briefing of %s for %s %s (version %d)%s",
        campaign.code,
        day.isoformat(),
        "drafted" if made else "found drafted",
        briefing.version,
        ", published" if campaign.auto_publish else "",
    )


DRAFT_JOB = ScheduledJob(DRAFT_JOB_ID, 60, draft_briefings)
