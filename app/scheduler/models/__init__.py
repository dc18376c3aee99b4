from app.scheduler.models.job_run import JobRun

__all__ = ["JobRun"]
