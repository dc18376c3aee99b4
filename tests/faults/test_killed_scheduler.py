"""The scheduler killed (SIGKILL) in the middle of drafting the briefings, then started again
twice at once: every briefing missed while no scheduler ran is caught up at the start, and
each (campaign, day) has exactly one briefing; the killed run left nothing behind (neither a
briefing nor a claim of one), and one more pass of the job afterwards makes nothing.

Real processes: `flask --app app scheduler run`, as deployed, on the suite's kind of database
(a SQLite file, or a PostgreSQL schema of its own). The scheduler fires every job at its
start (what was missed is caught up at once), then every job's interval (60 s for
"briefings.draft", longer than this test).

Campaigns S1 and S2 (owner P, 60 communes, two indicators each, auto-publish, briefings at
00:00) started 5 days ago and no scheduler ran since: 5 briefings each are due, for the days
from today − 5 to yesterday. The job drafts them in one transaction, logging each as it is
made; the scheduler is killed as soon as the first is logged, before that transaction
commits.
"""

import os
import re
import subprocess
import time as time_module
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import db
from app.scheduler import JobRun
from campaigns.models import Campaign, CampaignStatus
from targets.briefings.jobs import DRAFT_JOB_ID
from targets.briefings.models import Briefing
from tests.factories import enter_figures_for_test, make_campaign, make_indicator
from tests.faults.live import (
    ROOT,
    TIMEZONE,
    LiveProcess,
    environment,
    flask_command,
    fresh_database,
    make_province,
    migrated_app,
    wait_until,
)

CAMPAIGNS = ("S1", "S2")
COMMUNES = [f"C{number:02}" for number in range(60)]
MISSED_DAYS = 5
DRAFTED = re.compile(r"Briefing of (S1|S2) for (\d{4}-\d{2}-\d{2}) drafted")


@pytest.fixture
def live(tmp_path: Path):
    today = datetime.now(TIMEZONE).date()
    server_url = os.environ.get("TEST_DATABASE_URL")
    with fresh_database(tmp_path, server_url) as database, migrated_app(database, tmp_path) as app:
        with app.app_context():
            make_province(6, COMMUNES)
            for code in CAMPAIGNS:
                campaign = make_campaign(
                    code,
                    "P",
                    start=today - timedelta(days=MISSED_DAYS),
                    end=today + timedelta(days=20),
                    status=CampaignStatus.ACTIVE,
                    lock_after_days=30,
                )
                campaign.briefing_time = time(0, 0)
                campaign.auto_publish = True
                for indicator in ("A", "B"):
                    make_indicator(campaign, indicator, unit_kinds=["commune"])
                enter_figures_for_test(
                    campaign,
                    {
                        (unit, indicator, today - timedelta(days=days_ago)): (days_ago * 7, 100)
                        for n, unit in enumerate(COMMUNES)
                        for indicator in ("A", "B")
                        for days_ago in range(1, MISSED_DAYS + 1)
                        if n % 5  # every fifth commune reports nothing: the briefings say so
                    },
                    at=datetime.now(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
                )
            db.session.commit()
        yield app, environment(database, tmp_path)


def briefings(app) -> list[tuple[str, str, int, str]]:
    """(campaign, day, version, status) of every briefing."""
    with app.app_context():
        rows = db.session.execute(
            select(Campaign.code, Briefing.end_date, Briefing.version, Briefing.status)
            .join(Campaign, Campaign.id == Briefing.campaign_id)
            .order_by(Campaign.code, Briefing.end_date, Briefing.version)
        ).all()
        db.session.remove()
        return [(code, day.isoformat(), version, status) for code, day, version, status in rows]


def claims(app) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(JobRun).where(JobRun.job == DRAFT_JOB_ID)
        )
        db.session.remove()
        return count


def scheduler(env: dict[str, str]) -> LiveProcess:
    started = LiveProcess.start(flask_command("scheduler", "run"), env)
    started.wait_for_line(r"Scheduler started with \d+ jobs", timeout=60)
    return started


def test_a_killed_scheduler_leaves_nothing_and_two_restarted_ones_catch_up_once(live):
    app, env = live
    today = datetime.now(TIMEZONE).date()
    due = [
        (code, (today - timedelta(days=days_ago)).isoformat(), 1, "published")
        for code in CAMPAIGNS
        for days_ago in range(MISSED_DAYS, 0, -1)
    ]
    assert briefings(app) == []

    # Killed as soon as it has drafted its first briefing, before the job commits.
    first = scheduler(env)
    try:
        first.wait_for_line(DRAFTED.pattern, timeout=120)
    finally:
        first.kill()
    assert briefings(app) == []
    assert claims(app) == 0

    # Two schedulers started at once catch up every missed day, each once between them.
    second, third = scheduler(env), scheduler(env)
    try:
        wait_until(lambda: len(briefings(app)) >= len(due), 120, "the briefings", interval=0.2)
        # Both fired every job at their start; give the later one's pass time to end.
        time_module.sleep(3)
    finally:
        statuses = [second.stop(), third.stop()]
    assert statuses == [0, 0], second.log + "\n" + third.log
    drafted = [
        found.groups()
        for s in (second, third)
        for found in map(DRAFTED.search, s.lines)
        if found is not None
    ]
    assert sorted(drafted) == sorted((code, day) for code, day, _v, _s in due)
    assert briefings(app) == due
    assert claims(app) == len(due)

    # One more pass of the job, as cron would run it: nothing new.
    subprocess.run(
        flask_command("scheduler", "tick", "--job", DRAFT_JOB_ID),
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert briefings(app) == due
    assert claims(app) == len(due)
