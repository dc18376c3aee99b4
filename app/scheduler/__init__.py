"""The scheduler: jobs that domain packages register, run by `flask --app app scheduler run` in
a process of its own (never inside web workers), each made idempotent by JobRun rows."""

from app.scheduler import models  # noqa: F401  (the tables must be known to SQLAlchemy)
from app.scheduler.jobs import (
    ScheduledJob,
    claim_run,
    insert_if_absent,
    register_job,
    registered_jobs,
    run_jobs,
)
from app.scheduler.models.job_run import JobRun

__all__ = [
    "JobRun",
    "ScheduledJob",
    "claim_run",
    "insert_if_absent",
    "register_job",
    "registered_jobs",
    "run_jobs",
]
