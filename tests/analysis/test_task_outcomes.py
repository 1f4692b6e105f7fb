"""A tracked task's failure is recorded on the row the user watches; only a
database outage is retried, with back-off, until the task's retries run out."""

from types import SimpleNamespace

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from analysis.status_messages import Message
from analysis.task_outcomes import DATABASE_DOWN, FAILED, run_recorded

TIMEOUT = Message("Stopped: took longer than %(s)d seconds.", {"s": 5})
UNEXPECTED = Message("The report could not be generated.")


class Retry(Exception):
    pass


def fake_task(retries: int, max_retries: int = 2):
    calls = []

    def retry(*, exc, countdown):
        calls.append(countdown)
        return Retry()

    request = SimpleNamespace(retries=retries, is_eager=False)
    task = SimpleNamespace(request=request, max_retries=max_retries, name="t")
    task.retry = retry
    return task, calls


def raising(error: Exception):
    def work():
        raise error

    return work


def run(task, work, unexpected=None):
    recorded = []
    result = run_recorded(
        task,
        work,
        fail=lambda message, error: recorded.append((message, error)),
        timeout=TIMEOUT,
        unexpected=unexpected,
    )
    return result, recorded


def test_the_work_result_is_returned_and_nothing_recorded():
    task, _ = fake_task(retries=0)
    assert run(task, lambda: "done") == ("done", [])


@pytest.mark.parametrize("retries, countdown", [(0, 10), (1, 20)])
def test_a_database_outage_is_retried_with_back_off_and_not_recorded(
    retries, countdown
):
    task, calls = fake_task(retries=retries)
    recorded = []
    with pytest.raises(Retry):
        run_recorded(
            task,
            raising(OperationalError("server closed the connection")),
            fail=lambda message, error: recorded.append(message),
            timeout=TIMEOUT,
        )
    assert calls == [countdown]
    assert recorded == []


def test_the_last_retry_records_that_the_database_was_unavailable():
    task, calls = fake_task(retries=2)
    result, recorded = run(task, raising(OperationalError("down")))
    assert result == FAILED and calls == []
    assert recorded[0][0] == DATABASE_DOWN and "down" in recorded[0][1]


def test_the_soft_time_limit_records_the_timeout():
    task, calls = fake_task(retries=0)
    result, recorded = run(task, raising(SoftTimeLimitExceeded()))
    assert (result, recorded, calls) == (FAILED, [(TIMEOUT, "")], [])


def test_bad_data_is_recorded_when_the_task_says_how_else_raised():
    task, calls = fake_task(retries=0)
    result, recorded = run(task, raising(ValueError("bad cell")), UNEXPECTED)
    assert result == FAILED and recorded[0][0] == UNEXPECTED and calls == []
    with pytest.raises(ValueError, match="bad cell"):
        run(task, raising(ValueError("bad cell")))
