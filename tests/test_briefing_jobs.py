"""The scheduled job "briefings.draft": the day before's briefing drafted at the campaign's
briefing time (06:30 in Ho Chi Minh City by default) and published at once with
auto-publish; two runs, or two scheduler processes at the same moment, make each briefing
once; the days missed while no scheduler ran are caught up, at most 7 days back.

Campaign BJ (owner P1 of the World, active, one indicator) starts on 10/06/2022, so the first
briefing due is 10/06's, at 06:30 on 11/06. Nobody entered figures: the job does not need
them.
"""

import threading
from datetime import date, time

import pytest
from sqlalchemy import select

from app.db import db
from app.scheduler import JobRun, registered_jobs, run_jobs
from campaigns.models import CampaignStatus
from campaigns.queries import campaign_by_code
from targets.briefings.jobs import DRAFT_JOB_ID
from targets.briefings.models import Briefing
from targets.briefings.operations import draft_daily_briefing
from tests.factories import local_moment, make_campaign, make_indicator

CODE = "BJ"


@pytest.fixture
def campaign(app, world):
    with app.app_context():
        campaign = make_campaign(CODE, "P1", start=date(2022, 6, 10), status=CampaignStatus.ACTIVE)
        make_indicator(campaign, "HS")
        db.session.commit()


def set_campaign(app, **settings) -> None:
    with app.app_context():
        campaign = campaign_by_code(CODE)
        for name, value in settings.items():
            setattr(campaign, name, value)
        db.session.commit()


def run(app, moment: str) -> None:
    """One tick of the job at the local time `moment` ("2022-06-11 06:30")."""
    assert run_jobs(app, local_moment(moment), only=DRAFT_JOB_ID) == []


def briefings(app) -> list[tuple[date, int, str]]:
    with app.app_context():
        return [
            (briefing.day, briefing.version, briefing.status)
            for briefing in db.session.scalars(
                select(Briefing).order_by(Briefing.end_date, Briefing.version)
            )
        ]


def days(app) -> list[date]:
    return [day for day, _version, _status in briefings(app)]


def june(*numbers: int) -> list[date]:
    return [date(2022, 6, number) for number in numbers]


def test_the_job_is_registered(app):
    job = next(job for job in registered_jobs(app) if job.id == DRAFT_JOB_ID)

    assert job.every_seconds == 60
    assert job.description.startswith("Draft the day before's briefing")


def test_nothing_before_the_briefing_time_then_yesterdays_draft(app, campaign):
    run(app, "2022-06-11 06:29")
    assert briefings(app) == []

    run(app, "2022-06-11 06:30")

    assert briefings(app) == [(date(2022, 6, 10), 1, "draft")]
    with app.app_context():
        briefing = db.session.scalar(select(Briefing))
        assert briefing.created_by_id is None
        assert briefing.figures_read_at == local_moment("2022-06-11 06:30")


def test_the_campaigns_own_briefing_time(app, campaign):
    set_campaign(app, briefing_time=time(8, 0))

    run(app, "2022-06-11 07:59")
    assert briefings(app) == []
    run(app, "2022-06-11 08:01")
    assert days(app) == june(10)


def test_two_runs_make_one_briefing(app, campaign):
    run(app, "2022-06-11 06:31")
    run(app, "2022-06-11 06:32")

    assert briefings(app) == [(date(2022, 6, 10), 1, "draft")]
    with app.app_context():
        claims = db.session.scalars(select(JobRun).where(JobRun.job == DRAFT_JOB_ID)).all()
        assert [claim.run_key for claim in claims] == ["BJ/2022-06-10"]


def test_two_schedulers_at_once_make_one_briefing(app, campaign, make_app):
    first, second = make_app(), make_app()
    start = threading.Barrier(2, timeout=10)
    failures = []

    def scheduler(application):
        start.wait()
        failures.extend(run_jobs(application, local_moment("2022-06-11 06:31"), only=DRAFT_JOB_ID))

    threads = [threading.Thread(target=scheduler, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert briefings(app) == [(date(2022, 6, 10), 1, "draft")]


def test_a_day_drafted_by_an_administrator_is_not_drafted_again(app, campaign):
    with app.app_context():
        draft_daily_briefing(campaign_by_code(CODE), date(2022, 6, 10), user=None)
        db.session.commit()

    run(app, "2022-06-11 06:31")

    assert briefings(app) == [(date(2022, 6, 10), 1, "draft")]


def test_missed_days_are_caught_up_at_the_next_run(app, campaign):
    run(app, "2022-06-11 06:31")
    assert days(app) == june(10)

    # No scheduler ran from 11/06 07:00 to 15/06 07:00: the briefings of 11/06 to 14/06.
    run(app, "2022-06-15 07:00")

    assert days(app) == june(10, 11, 12, 13, 14)
    # Down again until 30/06: at most 7 days back, 23/06 (30 − 7) to 29/06.
    run(app, "2022-06-30 07:00")

    assert days(app) == june(10, 11, 12, 13, 14, 23, 24, 25, 26, 27, 28, 29)


def test_overdue_days_do_not_wait_for_the_briefing_time(app, campaign):
    # At 06:00 on 13/06, 10/06's and 11/06's briefings are overdue; 12/06's is due at 06:30.
    run(app, "2022-06-13 06:00")
    assert days(app) == june(10, 11)

    run(app, "2022-06-13 06:30")
    assert days(app) == june(10, 11, 12)


def test_auto_publish(app, campaign):
    set_campaign(app, auto_publish=True)

    run(app, "2022-06-11 06:30")

    assert briefings(app) == [(date(2022, 6, 10), 1, "published")]
    with app.app_context():
        briefing = db.session.scalar(select(Briefing))
        assert briefing.published_at == local_moment("2022-06-11 06:30")
        assert briefing.published_by_id is None


def test_a_published_day_is_not_drafted_again(app, campaign):
    set_campaign(app, auto_publish=True)
    run(app, "2022-06-11 06:30")
    set_campaign(app, auto_publish=False)

    run(app, "2022-06-11 06:31")
    run(app, "2022-06-12 06:31")

    assert briefings(app) == [(date(2022, 6, 10), 1, "published"), (date(2022, 6, 11), 1, "draft")]


def test_only_the_days_of_active_campaigns_with_indicators(app, campaign):
    with app.app_context():
        make_campaign("DRAFT", "P1", start=date(2022, 6, 10))  # not started
        make_indicator(campaign_by_code("DRAFT"), "HS")
        make_campaign("NONE", "P1", start=date(2022, 6, 10), status=CampaignStatus.ACTIVE)
        closed = make_campaign("DONE", "P1", start=date(2022, 6, 1), status=CampaignStatus.ACTIVE)
        make_indicator(closed, "HS")
        closed.status = CampaignStatus.CLOSED
        db.session.commit()
    set_campaign(app, end_date=date(2022, 6, 12))

    # Its last day is 12/06: on 14/06 the briefings of 10/06 to 12/06, and no more after.
    run(app, "2022-06-14 07:00")
    run(app, "2022-06-15 07:00")

    with app.app_context():
        made = db.session.scalars(select(Briefing)).all()
        assert {briefing.campaign.code for briefing in made} == {CODE}
    assert days(app) == june(10, 11, 12)


def test_the_first_day_of_a_campaign_has_nothing_before_it(app, campaign):
    run(app, "2022-06-10 07:00")  # the campaign's first day: no day before it to brief

    assert briefings(app) == []
