"""How a tracked Celery task ends when its work fails: the reason is recorded
on the row the user watches (an index run, a report), and only a database
outage is retried, since a rerun may then pass."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError
from django.utils.translation import gettext_noop

from analysis.status_messages import Message

logger = logging.getLogger(__name__)

FAILED = "failed"
DATABASE_DOWN = Message(gettext_noop("Stopped: the database was unavailable."))
T = TypeVar("T")

# fail(message, error): mark the tracked row failed, with the user's message
# and the technical error for the logs.
Fail = Callable[[Message, str], None]


def run_recorded(
    task: Task,
    work: Callable[[], T],
    *,
    fail: Fail,
    timeout: Message,
    unexpected: Message | None = None,
) -> T | str:
    """``work()``'s result, or ``FAILED`` once the failure is recorded.

    A soft time limit records ``timeout``; a database error is retried with
    exponential back-off (10 s, 20 s, ...) until the task's ``max_retries``,
    then recorded; any other error is recorded as ``unexpected`` when given
    (bad data: rerunning would fail the same way), else raised.
    """
    try:
        return work()
    except SoftTimeLimitExceeded:
        fail(timeout, "")
        return FAILED
    except DatabaseError as exc:
        if task.request.retries >= task.max_retries or task.request.is_eager:
            fail(DATABASE_DOWN, repr(exc))
            return FAILED
        raise task.retry(exc=exc, countdown=10 * 2**task.request.retries) from exc
    except Exception as exc:
        if unexpected is None:
            raise
        logger.exception("task %s failed", task.name)
        fail(unexpected, repr(exc))
        return FAILED
