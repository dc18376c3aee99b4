"""`flask --app app scheduler ...`: run the scheduled jobs.

`run` is the scheduler process (one per deployment is enough; a second one does no work
twice). `tick` runs every job once and exits, for cron and for tests.
"""

import logging
import signal
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.db import utcnow
from app.scheduler.jobs import job_by_id, registered_jobs, run_jobs

scheduler_cli = AppGroup("scheduler", help="Run the scheduled jobs (briefings, reminders, e-mail).")
logger = logging.getLogger(__name__)


def run_job_now(app: Flask, job_id: str) -> None:
    """What each timer of `scheduler run` calls: the job, as of the moment it fires."""
    run_jobs(app, utcnow(), only=job_id)


def build_scheduler(app: Flask, now: datetime) -> BlockingScheduler:
    """A scheduler with a timer per registered job, not started.

    Each timer fires first at `now` (so what was missed while no scheduler ran is caught up at
    once), then every `every_seconds`. A timer that fell behind fires once, not once per missed
    interval (coalesce), and never runs twice at the same time (max_instances).
    """
    scheduler = BlockingScheduler(timezone=UTC)
    for job in registered_jobs(app):
        scheduler.add_job(
            run_job_now,
            IntervalTrigger(seconds=job.every_seconds, timezone=UTC),
            args=(app, job.id),
            id=job.id,
            name=job.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.every_seconds,
            next_run_time=now,
        )
    return scheduler


@scheduler_cli.command("run")
def run() -> None:
    """Run the scheduler in this process until SIGTERM or Ctrl+C (never in a web worker)."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # APScheduler says "Running job..." at every timer; our jobs log what they actually did.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    app = current_app._get_current_object()
    scheduler = build_scheduler(app, utcnow())

    def stop(signum, _frame) -> None:
        logger.info("Signal %s received: stopping after the jobs running now", signum)
        if scheduler.running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info(
        "Scheduler started with %d jobs: %s",
        len(scheduler.get_jobs()),
        ", ".join(job.id for job in scheduler.get_jobs()),
    )
    scheduler.start()
    logger.info("Scheduler stopped")


@scheduler_cli.command("tick")
@click.option("--job", "job_id", help="Only this job (see `scheduler jobs`)")
@click.option(
    "--now",
    "moment",
    help="Run as of this ISO time, e.g. 2022-06-10T15:31; without an offset it is read in "
    "TIMEZONE (default: the current time)",
)
def tick(job_id: str | None, moment: str | None) -> None:
    """Run every job (or one) once, then exit; for cron or a test. Exits 1 if a job failed."""
    if job_id is not None and job_by_id(job_id) is None:
        raise click.ClickException(_("No scheduled job is called “%(job)s”.", job=job_id))
    now = utcnow() if moment is None else _parse_moment(moment)
    failed = run_jobs(current_app._get_current_object(), now, only=job_id)
    if failed:
        raise click.ClickException(
            _("These jobs failed (see the log): %(jobs)s", jobs=", ".join(failed))
        )


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            _("“%(text)s” is not an ISO date and time.", text=text), param_hint="--now"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    return moment.astimezone(UTC)


@scheduler_cli.command("jobs")
def jobs() -> None:
    """List the registered jobs: id, interval, what each does."""
    for job in registered_jobs(current_app):
        every = _("every %(seconds)d s", seconds=job.every_seconds)
        click.echo(f"{job.id:<24} {every:<14} {job.description}")
