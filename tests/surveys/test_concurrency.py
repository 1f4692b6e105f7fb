"""Races settled by the database (run on PostgreSQL: fails under CI without it)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from surveys import services
from surveys.models import Quota, Response, ResponseStatus
from tests.services import require
from tests.surveys.test_bad_input import VALID

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.services,
]


@pytest.fixture(autouse=True)
def _postgresql():
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


def run_together(count: int, work, workers: int | None = None) -> list:
    """Run ``work(i)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(min(count, workers or count))

    def task(i):
        try:
            barrier.wait(timeout=30)
            return work(i)
        except Exception as error:  # noqa: BLE001 - reported to the test
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers or count) as pool:
        return list(pool.map(task, range(count)))


def submission(key: str) -> services.CompleteSubmission:
    return services.CompleteSubmission(
        answers=VALID,
        idempotency_key=key,
        channel="web",
        language="zh-hans",
        duration_seconds=120,
    )


def test_twenty_concurrent_submissions_with_one_key_store_one_response(survey):
    results = run_together(
        20,
        lambda i: services.response_submit_complete(
            survey=survey, submission=submission("same-key-0123456789")
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Response.objects.count() == 1
    assert sum(created for _response, created in results) == 1
    assert {response.pk for response, _created in results} == {
        Response.objects.get().pk
    }


def test_twenty_concurrent_http_submissions_with_one_key_store_one_response(survey):
    from django.test import Client

    def post(i):
        return (
            Client()
            .post(
                f"/api/surveys/{survey.pk}/responses/",
                data={"answers": VALID},
                content_type="application/json",
                headers={"Idempotency-Key": "http-key-0123456789"},
            )
            .status_code
        )

    survey.starts_per_client_per_hour = 1000
    survey.save_revision().publish()
    statuses = run_together(20, post)
    assert sorted(statuses) == [200] * 19 + [201]
    assert Response.objects.count() == 1


def test_a_single_use_invitation_cannot_be_used_twice_even_concurrently(survey):
    [token] = services.invitation_issue(survey=survey, count=1)
    started = run_together(
        20, lambda i: services.response_start(survey=survey, invitation_token=token)
    )
    assert not [r for r in started if isinstance(r, Exception)], started
    assert Response.objects.count() == 1
    response = Response.objects.get()
    response.answers = dict(VALID)
    response.save()
    submitted = run_together(
        20, lambda i: services.response_submit(response_id=response.pk)
    )
    assert not [r for r in submitted if isinstance(r, Exception)], submitted
    assert Response.objects.filter(status=ResponseStatus.SUBMITTED).count() == 1
    with pytest.raises(services.InvitationUsed):
        services.response_start(survey=survey, invitation_token=token)


def test_two_hundred_finishers_against_a_quota_of_one_hundred_give_one_hundred(
    survey,
):
    Quota.objects.create(survey=survey, variable="q_visited", value="yes", limit=100)
    ids = []
    for _ in range(200):
        response, _token = services.response_start(survey=survey)
        ids.append(response.pk)
    Response.objects.filter(pk__in=ids).update(answers=VALID, duration_seconds=100)
    results = run_together(
        200, lambda i: services.response_submit(response_id=ids[i]), workers=50
    )
    assert not [r for r in results if isinstance(r, Exception)], results[:3]
    assert Response.objects.filter(status=ResponseStatus.SUBMITTED).count() == 100
    assert Response.objects.filter(status=ResponseStatus.OVER_QUOTA).count() == 100
    assert Quota.objects.get().completes == 100
