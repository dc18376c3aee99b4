"""The scheduler: claims that let a piece of work happen once (even with two schedulers at
once), one transaction per job, the `scheduler` commands, and the process of `scheduler run`
catching up at its start and stopping on SIGTERM (README, "Scheduler and e-mail")."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from app import create_app
from app.config import TestConfig
from app.db import db
from app.outbox.models import OutgoingMessage
from app.outbox.operations import enqueue_webhook
from app.scheduler import JobRun, ScheduledJob, claim_run, register_job, registered_jobs, run_jobs
from app.scheduler.cli import build_scheduler
from tests.servers import http_server

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2022, 6, 10, 8, 31, tzinfo=UTC)  # 15:31 in Ho Chi Minh City


def job_runs() -> list[tuple[str, str]]:
    return sorted(tuple(row) for row in db.session.execute(select(JobRun.job, JobRun.run_key)))


def test_a_run_is_claimed_once(app_context):
    assert claim_run("test.daily", "CD92/2022-06-10") is True
    assert claim_run("test.daily", "CD92/2022-06-10") is False
    assert claim_run("test.daily", "CD92/2022-06-11") is True  # another day
    assert claim_run("test.other", "CD92/2022-06-10") is True  # another job
    db.session.commit()
    assert claim_run("test.daily", "CD92/2022-06-10") is False  # committed: for good
    assert job_runs() == [
        ("test.daily", "CD92/2022-06-10"),
        ("test.daily", "CD92/2022-06-11"),
        ("test.other", "CD92/2022-06-10"),
    ]


def test_a_claim_rolled_back_with_its_work_can_be_claimed_again(app_context):
    db.session.execute(select(1))  # a transaction that has only read so far
    assert claim_run("test.daily", "CD92/2022-06-10") is True
    db.session.rollback()
    assert job_runs() == []
    assert claim_run("test.daily", "CD92/2022-06-10") is True


def claiming_job(done: list, job_id: str = "test.once", pause: float = 0.0, gate=None):
    """A job that does its work (queues a webhook call, notes the moment) once per day."""

    def run(now: datetime) -> None:
        if gate is not None:
            gate.wait()
        if claim_run(job_id, now.date().isoformat()):
            enqueue_webhook("https://example.vn/hook", {"day": str(now.date())}, f"{job_id}/1")
            done.append(now)
            time.sleep(pause)  # keeps the claim uncommitted while the other thread claims

    return ScheduledJob(job_id, 60, run)


@pytest.fixture
def app(app, database):
    """An application of its own for each test (not the run's shared one): these tests
    register jobs on it. The shared one's fixture still empties the tables afterwards."""
    fresh = create_app(
        TestConfig,
        {
            **database.settings(),
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "CHART_CACHE_FOLDER": app.config["CHART_CACHE_FOLDER"],
        },
    )
    yield fresh
    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()


def queued_messages() -> int:
    return db.session.scalar(select(func.count()).select_from(OutgoingMessage))


def test_two_runs_do_the_work_once(app):
    done = []
    register_job(app, claiming_job(done))
    assert run_jobs(app, NOW, only="test.once") == []
    assert run_jobs(app, NOW + timedelta(minutes=1), only="test.once") == []
    assert done == [NOW]
    with app.app_context():
        assert job_runs() == [("test.once", "2022-06-10")]
        assert queued_messages() == 1


def test_two_schedulers_running_the_same_job_at_once_do_it_once(app):
    done = []
    gate = threading.Barrier(2, timeout=10)
    register_job(app, claiming_job(done, pause=0.3, gate=gate))
    failures = []

    def scheduler() -> None:
        failures.extend(run_jobs(app, NOW, only="test.once"))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert done == [NOW]
    with app.app_context():
        assert job_runs() == [("test.once", "2022-06-10")]
        assert queued_messages() == 1


def test_a_failing_job_is_rolled_back_and_the_others_still_run(app, caplog):
    def broken(now: datetime) -> None:
        claim_run("test.broken", "2022-06-10")
        raise RuntimeError("the mail template is missing")

    def working(now: datetime) -> None:
        claim_run("test.working", "2022-06-10")

    register_job(app, ScheduledJob("test.broken", 60, broken))
    register_job(app, ScheduledJob("test.working", 60, working))
    with caplog.at_level(logging.ERROR, logger="app.scheduler.jobs"):
        assert run_jobs(app, NOW) == ["test.broken"]
    assert "test.broken" in caplog.text
    assert "the mail template is missing" in caplog.text
    with app.app_context():
        assert job_runs() == [("test.working", "2022-06-10")]


def test_a_job_id_is_registered_once(app):
    register_job(app, ScheduledJob("test.once", 60, print))
    with pytest.raises(ValueError):
        register_job(app, ScheduledJob("test.once", 30, print))


def test_the_application_registers_its_jobs(app):
    every = {job.id: job.every_seconds for job in registered_jobs(app)}
    assert every["outbox.deliver"] == 30
    assert every["progress.reminders"] == 60
    assert every["campaigns.lifecycle"] == 300
    # Delivery comes last, so a tick sends what the jobs before it have just queued.
    assert registered_jobs(app)[-1].id == "outbox.deliver"


# --- commands -------------------------------------------------------------------------------


def test_tick_runs_one_job_as_of_a_local_time(app, runner):
    seen = []
    register_job(app, ScheduledJob("test.seen", 60, seen.append))
    result = runner.invoke(
        args=["scheduler", "tick", "--job", "test.seen", "--now", "2022-06-10T15:31"]
    )
    assert result.exit_code == 0, result.output
    # 15:31 in Asia/Ho_Chi_Minh (UTC+7) is 08:31 UTC.
    assert seen == [datetime(2022, 6, 10, 8, 31, tzinfo=UTC)]
    result = runner.invoke(
        args=["scheduler", "tick", "--job", "test.seen", "--now", "2022-06-10T15:31+00:00"]
    )
    assert result.exit_code == 0, result.output
    assert seen[-1] == datetime(2022, 6, 10, 15, 31, tzinfo=UTC)


def test_tick_runs_every_job_and_fails_when_one_fails(app, runner):
    seen = []
    register_job(app, ScheduledJob("test.seen", 60, seen.append))
    assert runner.invoke(args=["scheduler", "tick"]).exit_code == 0
    assert len(seen) == 1

    def broken(now: datetime) -> None:
        raise RuntimeError("broken")

    register_job(app, ScheduledJob("test.broken", 60, broken))
    result = runner.invoke(args=["scheduler", "tick"])
    assert result.exit_code == 1
    assert "test.broken" in result.output
    assert len(seen) == 2  # the job after it still ran


def test_tick_refuses_an_unknown_job_or_time(app, runner):
    result = runner.invoke(args=["scheduler", "tick", "--job", "no.such.job"])
    assert result.exit_code == 1
    assert "no.such.job" in result.output
    assert runner.invoke(args=["scheduler", "tick", "--now", "yesterday"]).exit_code == 2


def test_jobs_lists_the_registered_jobs(app, runner):
    result = runner.invoke(args=["scheduler", "jobs"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert {"outbox.deliver", "progress.reminders", "campaigns.lifecycle"} <= set(lines)
    assert "30" in lines["outbox.deliver"]
    assert "Send the e-mails and webhook calls that are due" in lines["outbox.deliver"]


def test_the_scheduler_has_a_timer_per_job_firing_at_once(app):
    register_job(app, ScheduledJob("test.hourly", 3600, print))
    scheduler = build_scheduler(app, NOW)
    timers = {job.id: job for job in scheduler.get_jobs()}
    assert set(timers) == {job.id for job in registered_jobs(app)}
    hourly = timers["test.hourly"]
    assert isinstance(hourly.trigger, IntervalTrigger)
    assert hourly.trigger.interval == timedelta(hours=1)
    assert timers["outbox.deliver"].trigger.interval == timedelta(seconds=30)
    assert hourly.next_run_time == NOW  # what was missed while stopped is done at start
    assert (hourly.coalesce, hourly.max_instances, hourly.misfire_grace_time) == (True, 1, 3600)
    assert hourly.args == (app, "test.hourly")
    assert not scheduler.running


def subprocess_database_url(database) -> str:
    """The test database as a DATABASE_URL, with the test's own PostgreSQL schema."""
    if database.schema is None:
        return database.url
    return f"{database.url}?options=-csearch_path%3D{database.schema}"


def test_scheduler_run_catches_up_at_start_and_stops_on_sigterm(app, database, tmp_path):
    with http_server() as web:
        with app.app_context():
            enqueue_webhook(web.url, {"date": "2022-07-29"}, "briefing/CD92/2022-07-29/webhook")
            db.session.commit()
        environment = {
            **os.environ,
            "DATABASE_URL": subprocess_database_url(database),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "scheduler-test",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "scheduler", "run"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 20
            while not web.requests and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.05)
            assert len(web.requests) == 1  # sent at once, not 30 s later
            process.send_signal(signal.SIGTERM)
            _output, log = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 0, log
    assert "Scheduler started with" in log
    assert "outbox.deliver" in log
    assert "Scheduler stopped" in log
    with app.app_context():
        assert db.session.scalar(select(OutgoingMessage.status)) == "sent"
