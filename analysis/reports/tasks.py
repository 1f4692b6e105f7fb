"""Celery task of the reports: a thin wrapper around the service."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext_noop

from analysis.reports import services
from analysis.status_messages import Message
from analysis.task_outcomes import FAILED, run_recorded

SOFT_TIME_LIMIT = 240
TIME_LIMIT = 300
MAX_RETRIES = 2


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    max_retries=MAX_RETRIES,
)
def generate_report(self, report_id: int) -> str | None:
    """Generate one report's file; running it again changes nothing."""
    report = run_recorded(
        self,
        lambda: services.report_generate(report_id=report_id),
        fail=lambda message, error: services.report_fail(
            report_id=report_id, message=message, error=error
        ),
        timeout=Message(
            gettext_noop("Stopped: took longer than %(s)d seconds."),
            {"s": SOFT_TIME_LIMIT},
        ),
        unexpected=Message(gettext_noop("The report could not be generated.")),
    )
    return report if report == FAILED else (report.status if report else None)
