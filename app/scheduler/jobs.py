"""Scheduled jobs: the registry domain packages add to, the claims that make a job's work
happen once, and one pass over the jobs (what `scheduler tick` and each timer of
`scheduler run` do).

A job is a function of the current UTC time that looks for work that is due and does it. It
may run every few seconds, in two scheduler processes at once, after hours of downtime: before
doing a piece of work it claims it (`claim_run`), and the database's unique constraint lets
exactly one claim through. The claim commits with the work, so work that failed is claimed
again at the next run.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from app.db import db
from app.scheduler.models.job_run import JobRun

logger = logging.getLogger(__name__)

_JOBS_KEY = "tiendo.scheduled_jobs"


@dataclass(frozen=True)
class ScheduledJob:
    """`run(now)` every `every_seconds` seconds; `id` is stable (it names the job's claims and
    the scheduler's timer), e.g. "outbox.deliver". The first line of `run`'s docstring says
    what it does (`scheduler jobs`)."""

    id: str
    every_seconds: int
    run: Callable[[datetime], None]

    @property
    def description(self) -> str:
        lines = (self.run.__doc__ or "").strip().splitlines()
        return lines[0] if lines else ""


def register_job(app: Flask, job: ScheduledJob) -> None:
    """Add a job to the application's scheduler; packages call it in their `init_app`."""
    jobs = app.extensions.setdefault(_JOBS_KEY, {})
    if job.id in jobs:
        raise ValueError(f"a scheduled job {job.id!r} is already registered")
    if job.every_seconds < 1:
        raise ValueError("a scheduled job runs at most once a second")
    jobs[job.id] = job


def registered_jobs(app: Flask) -> list[ScheduledJob]:
    """In the order they were registered, which is the order a tick runs them in."""
    return list(app.extensions.get(_JOBS_KEY, {}).values())


def insert_if_absent(table: Table, values: Mapping[str, object]) -> int | None:
    """INSERT the row unless it would break a unique constraint: the new row's primary key
    (its first column), or None when such a row exists.

    On PostgreSQL a concurrent transaction inserting the same key makes this wait for it and
    then skip, never fail. Unlike a SAVEPOINT around a plain INSERT, this also stays inside the
    caller's transaction on SQLite, where pysqlite commits at the release of an outermost
    SAVEPOINT.
    """
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(dict(values))
        .on_conflict_do_nothing()
        .returning(*table.primary_key.columns)
    )
    return db.session.execute(statement).scalar()


def claim_run(job: str, run_key: str) -> bool:
    """Claim one piece of a job's work, e.g. ("progress.reminders", "CD92/2022-06-10"); False
    when it was claimed before (by this process or another). The claim is part of the caller's
    transaction: rolled back with it, it can be claimed again."""
    return insert_if_absent(JobRun.__table__, {"job": job, "run_key": run_key}) is not None


def run_jobs(app: Flask, now: datetime, only: str | None = None) -> list[str]:
    """Run every registered job (or only the one with id `only`) once, as of `now` (UTC),
    each in an application context and a transaction of its own: committed when the job
    returns, rolled back and logged when it raises; the next job runs either way. Returns the
    ids of the jobs that failed."""
    failed = []
    for job in registered_jobs(app):
        if only is not None and job.id != only:
            continue
        with app.app_context():
            try:
                job.run(now)
                db.session.commit()
            except Exception:
                db.session.rollback()
                logger.exception("Scheduled job %s failed at %s", job.id, now.isoformat())
                failed.append(job.id)
    return failed


def job_by_id(job_id: str) -> ScheduledJob | None:
    return current_app.extensions.get(_JOBS_KEY, {}).get(job_id)
