"""Campaigns start and close by themselves (job "campaigns.lifecycle"): a draft with
indicators becomes active on its first day where it runs (Asia/Ho_Chi_Minh), an active one
closes once its last day is locked; each once (README, "Scheduler and e-mail")."""

from datetime import date

import pytest
from sqlalchemy import select

from app.db import db
from app.scheduler import JobRun, run_jobs
from campaigns.models import CampaignStatus
from campaigns.queries import campaign_by_code
from tests.factories import local_moment, make_campaign, make_indicator


def run_at(app, local: str) -> None:
    assert run_jobs(app, local_moment(local), only="campaigns.lifecycle") == []


def status(app, code: str = "CD92") -> str:
    with app.app_context():
        return campaign_by_code(code).status


def claims(app) -> list[tuple[str, str]]:
    with app.app_context():
        return sorted(tuple(row) for row in db.session.execute(select(JobRun.job, JobRun.run_key)))


def campaign(app, code: str = "CD92", *, indicators: bool = True, **settings) -> None:
    """CD92: 01/06–31/08/2022, figures due at 16:30, days locked 3 days after."""
    initial = settings.pop("status", CampaignStatus.DRAFT)
    with app.app_context():
        made = make_campaign(code, **settings)
        if indicators:
            make_indicator(made, "ONLINE")
        made.status = initial
        db.session.commit()


def test_a_draft_starts_on_its_first_local_day(app, world):
    campaign(app)
    run_at(app, "2022-05-31 23:59")
    assert status(app) == "draft"
    run_at(app, "2022-06-01 00:00")  # 17:00 UTC on 31/05: already the 1st in Vietnam
    assert status(app) == "active"
    run_at(app, "2022-06-01 00:05")
    assert claims(app) == [("campaigns.start", "CD92")]


def test_a_draft_without_indicators_stays_a_draft(app, world):
    campaign(app, indicators=False)
    run_at(app, "2022-06-01 08:00")
    assert status(app) == "draft"
    assert claims(app) == []


def test_a_draft_is_started_late_after_downtime_but_not_after_its_end(app, world):
    campaign(app, "LATE")
    campaign(app, "PAST", start=date(2022, 3, 1), end=date(2022, 5, 31))
    run_at(app, "2022-06-15 09:00")
    assert status(app, "LATE") == "active"
    # All its days are past: it is being recorded after the fact, its admin decides.
    assert status(app, "PAST") == "draft"


def test_an_active_campaign_closes_once_its_last_day_is_locked(app, world):
    campaign(app, status=CampaignStatus.ACTIVE)
    # 31/08 is due at 16:30 and locked 3 days later: from after 03/09 16:30.
    run_at(app, "2022-08-31 16:31")
    run_at(app, "2022-09-03 16:29")
    run_at(app, "2022-09-03 16:30")
    assert status(app) == "active"
    run_at(app, "2022-09-03 16:31")
    assert status(app) == "closed"
    run_at(app, "2022-09-04 16:31")
    assert claims(app) == [("campaigns.close", "CD92")]


@pytest.mark.parametrize(
    ("lock_after_days", "still_open", "closed"),
    [
        (0, "2022-08-31 16:30", "2022-08-31 16:31"),
        (1, "2022-09-01 16:30", "2022-09-01 16:31"),
    ],
)
def test_the_close_follows_the_campaigns_lock(app, world, lock_after_days, still_open, closed):
    campaign(app, status=CampaignStatus.ACTIVE, lock_after_days=lock_after_days)
    run_at(app, still_open)
    assert status(app) == "active"
    run_at(app, closed)
    assert status(app) == "closed"


def test_a_whole_campaign_missed_starts_and_closes_in_order(app, world):
    campaign(app, start=date(2022, 6, 1), end=date(2022, 6, 3))
    run_at(app, "2022-06-02 12:00")
    run_at(app, "2022-06-10 12:00")  # the scheduler was stopped in between
    assert status(app) == "closed"
    assert claims(app) == [("campaigns.close", "CD92"), ("campaigns.start", "CD92")]


def test_a_campaign_started_by_hand_is_left_alone_on_its_first_day(app, world):
    campaign(app, status=CampaignStatus.ACTIVE)
    run_at(app, "2022-06-01 08:00")
    assert status(app) == "active"
    assert claims(app) == []


def test_a_closed_campaign_stays_closed(app, world):
    campaign(app, status=CampaignStatus.CLOSED)
    run_at(app, "2022-06-01 08:00")
    run_at(app, "2022-09-10 08:00")
    assert status(app) == "closed"
    assert claims(app) == []
