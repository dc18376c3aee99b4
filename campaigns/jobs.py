"""The scheduled job "campaigns.lifecycle": a campaign starts on its first day and closes
once its last day is locked, without anyone having to press a button (README, "Scheduler and
e-mail")."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.db import db
from app.scheduler import ScheduledJob, claim_run
from campaigns.models import Campaign, CampaignStatus
from campaigns.operations import set_status
from campaigns.progress.rules import is_locked

logger = logging.getLogger(__name__)

LIFECYCLE_JOB_ID = "campaigns.lifecycle"


def start_and_close(now: datetime) -> None:
    """Start draft campaigns on their first day; close active ones once their last day locks."""
    timezone = current_app.config["TIMEZONE"]
    today = now.astimezone(ZoneInfo(timezone)).date()
    # A draft whose dates are all past is being recorded after the fact: left to its admin.
    starting = select(Campaign).where(
        Campaign.status == CampaignStatus.DRAFT,
        Campaign.start_date <= today,
        Campaign.end_date >= today,
    )
    for campaign in db.session.scalars(starting.order_by(Campaign.code)):
        if campaign.indicators and claim_run("campaigns.start", campaign.code):
            set_status(campaign, CampaignStatus.ACTIVE)
            logger.info("Campaign %s started (first day %s)", campaign.code, campaign.start_date)
    ended = select(Campaign).where(
        Campaign.status == CampaignStatus.ACTIVE, Campaign.end_date <= today
    )
    for campaign in db.session.scalars(ended.order_by(Campaign.code)):
        last_day_locked = is_locked(
            campaign.end_date, now, campaign.entry_deadline, campaign.lock_after_days, timezone
        )
        if last_day_locked and claim_run("campaigns.close", campaign.code):
            set_status(campaign, CampaignStatus.CLOSED)
            logger.info("Campaign %s closed (last day %s locked)", campaign.code, campaign.end_date)


LIFECYCLE_JOB = ScheduledJob(LIFECYCLE_JOB_ID, 300, start_and_close)
