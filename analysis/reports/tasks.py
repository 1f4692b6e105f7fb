"""Celery task of the reports: a thin wrapper around the service."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError
from django.utils.translation import gettext_noop

from analysis.reports import services
from analysis.status_messages import Message

logger = logging.getLogger(__name__)

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
    try:
        report = services.report_generate(report_id=report_id)
    except SoftTimeLimitExceeded:
        services.report_fail(
            report_id=report_id,
            message=Message(
                gettext_noop("Stopped: took longer than %(s)d seconds."),
                {"s": SOFT_TIME_LIMIT},
            ),
        )
        return "failed"
    except DatabaseError as exc:
        if self.request.retries >= MAX_RETRIES or self.request.is_eager:
            services.report_fail(
                report_id=report_id,
                message=Message(gettext_noop("Stopped: the database was unavailable.")),
                error=repr(exc),
            )
            return "failed"
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    except Exception as exc:  # bad data: recorded on the report, not retried
        logger.exception("report %s failed", report_id)
        services.report_fail(
            report_id=report_id,
            message=Message(gettext_noop("The report could not be generated.")),
            error=repr(exc),
        )
        return "failed"
    return report.status if report else None
