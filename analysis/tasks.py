"""Celery tasks of the index pipeline: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext_noop

from analysis import selectors, services
from analysis.models import RunTrigger
from analysis.status_messages import Message
from analysis.task_outcomes import FAILED, run_recorded

SOFT_TIME_LIMIT = 540
TIME_LIMIT = 600
MAX_RETRIES = 3


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    max_retries=MAX_RETRIES,
)
def run_index_pipeline(self, run_id: int) -> str | None:
    """Compute and store one index run; running it again changes nothing."""
    task_id = self.request.id or ""
    run = run_recorded(
        self,
        lambda: services.index_run_execute(run_id=run_id, task_id=task_id),
        fail=lambda message, error: services.index_run_fail(
            run_id=run_id, message=message, error=error
        ),
        timeout=Message(
            gettext_noop("Stopped: the run took longer than %(s)d seconds."),
            {"s": SOFT_TIME_LIMIT},
        ),
    )
    return run if run == FAILED else (run.status if run else None)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def recompute_changed_waves() -> list[int]:
    """Queue a run for every wave whose responses or margins changed (beat)."""
    return [
        services.index_run_request(wave=wave, trigger=RunTrigger.SCHEDULE).pk
        for wave in selectors.waves_due_for_run()
    ]


# Registered for the worker: the reports task lives in analysis/reports/.
from analysis.reports.tasks import generate_report  # noqa: E402, F401
