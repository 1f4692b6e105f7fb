"""Background checks and imports of large files (ids in, one service call)."""

from celery import shared_task

from exchange.services import import_check, import_run


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660, max_retries=0)
def check_import(job_id: int) -> str:
    """Dry-run a job; checking twice gives the same verdict."""
    return import_check(job_id=job_id).status


@shared_task(acks_late=True, soft_time_limit=900, time_limit=960, max_retries=0)
def run_import(job_id: int) -> str:
    """Write a confirmed job once: a finished job is left as it is, and a job
    redelivered after a lost worker finds the rows it wrote already there."""
    return import_run(job_id=job_id).status
