"""The JSON API measures answering time itself when it can, marks the client's
own figure when it cannot, and applies the web form's bot and duplicate checks."""

import json
import time
import types

import pytest
from django.core import signing

from surveys import services
from surveys.models import QualityFlag, Response, ResponseStatus
from surveys.services import tokens
from tests.factories.surveys import published_survey

pytestmark = pytest.mark.django_db

VALID = {"q_visited": "yes", "q_wait": 10, "q_staff": 5, "q_overall": 7, "q_nps": 9}
OTHER = {**VALID, "q_staff": 4}


@pytest.fixture
def timed_survey(survey_index):
    return published_survey(survey_index, slug="timed", min_fill_seconds=30)


@pytest.fixture
def clock(monkeypatch):
    """The start stamps' clock (surveys.services.tokens), moved by hand."""
    now = {"t": 1_800_000_000}
    monkeypatch.setattr(tokens, "time", types.SimpleNamespace(time=lambda: now["t"]))
    return now


def start(client, survey):
    response = client.post(f"/api/surveys/{survey.pk}/starts/")
    assert response.status_code == 201, response.content
    return response.json()["started"]


def submit(client, survey, body, key="duration-key-000001"):
    return client.post(
        f"/api/surveys/{survey.pk}/responses/",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_with_a_start_stamp_the_server_measures_the_duration(
    client, timed_survey, clock
):
    started = start(client, timed_survey)
    clock["t"] += 241
    reply = submit(client, timed_survey, {"answers": VALID, "started": started})
    assert reply.status_code == 201, reply.content
    stored = Response.objects.get()
    assert stored.duration_seconds == 241
    assert stored.flags == [] and not stored.excluded


def test_a_claimed_duration_does_not_hide_a_fast_stamped_submission(
    client, timed_survey, clock
):
    started = start(client, timed_survey)
    clock["t"] += 4
    body = {"answers": VALID, "started": started, "duration_seconds": 600}
    assert submit(client, timed_survey, body).status_code == 201
    stored = Response.objects.get()
    assert stored.duration_seconds == 4
    assert QualityFlag.SUSPECTED_BOT in stored.flags and stored.excluded
    assert QualityFlag.REPORTED_DURATION not in stored.flags


def test_without_a_stamp_the_duration_is_marked_as_the_clients_own(
    client, timed_survey
):
    reply = submit(client, timed_survey, {"answers": VALID, "duration_seconds": 300})
    assert reply.status_code == 201
    stored = Response.objects.get()
    assert stored.duration_seconds == 300
    assert stored.flags == [QualityFlag.REPORTED_DURATION]
    assert not stored.excluded  # a mark for the assessor, not an exclusion


def test_an_implausibly_short_reported_duration_is_a_suspected_bot(
    client, timed_survey
):
    assert submit(client, timed_survey, {"answers": VALID}).status_code == 201
    stored = Response.objects.get()
    assert stored.duration_seconds == 0
    assert set(stored.flags) == {
        QualityFlag.REPORTED_DURATION,
        QualityFlag.SUSPECTED_BOT,
    }
    assert stored.excluded and stored.status == ResponseStatus.SUBMITTED


@pytest.mark.parametrize(
    "stamp",
    [
        "forged",
        signing.dumps([0, int(time.time())], salt="another.salt"),
        12345,
        ["a", "list"],
        "x" * 5000,
    ],
)
def test_a_forged_or_malformed_stamp_is_refused(client, timed_survey, stamp):
    reply = submit(client, timed_survey, {"answers": VALID, "started": stamp})
    assert reply.status_code == 400
    # The API answers in zh-hans (outside the language prefixes); the message
    # names the field in either language.
    assert "“started”" in json.dumps(reply.json(), ensure_ascii=False)
    assert not Response.objects.exists()


def test_a_stamp_for_another_survey_or_too_old_is_refused(
    client, timed_survey, survey, clock
):
    elsewhere = start(client, survey)
    reply = submit(client, timed_survey, {"answers": VALID, "started": elsewhere})
    assert reply.status_code == 400
    stale = start(client, timed_survey)
    clock["t"] += services.STARTED_MAX_AGE + 10
    reply = submit(client, timed_survey, {"answers": VALID, "started": stale})
    assert reply.status_code == 400
    assert not Response.objects.exists()


def test_the_same_answers_twice_from_one_client_are_flagged_duplicate(
    client, timed_survey
):
    body = {"answers": VALID, "duration_seconds": 300}
    assert submit(client, timed_survey, body, key="duplicate-key-00001").status_code
    assert submit(client, timed_survey, body, key="duplicate-key-00002").status_code
    other = {"answers": OTHER, "duration_seconds": 300}
    assert submit(client, timed_survey, other, key="duplicate-key-00003").status_code
    first, second, third = Response.objects.order_by("pk")
    assert QualityFlag.DUPLICATE not in first.flags and not first.excluded
    assert QualityFlag.DUPLICATE in second.flags and second.excluded
    assert QualityFlag.DUPLICATE not in third.flags and not third.excluded


def test_a_retry_of_one_key_is_not_a_duplicate_and_stores_nothing_more(
    client, timed_survey
):
    body = {"answers": VALID, "duration_seconds": 300}
    first = submit(client, timed_survey, body)
    again = submit(client, timed_survey, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    stored = Response.objects.get()
    assert QualityFlag.DUPLICATE not in stored.flags


def test_starting_a_closed_survey_is_refused(client, timed_survey):
    timed_survey.unpublish()
    from core import memo

    memo.store.clear()  # the open survey was remembered for a few seconds
    assert client.post(f"/api/surveys/{timed_survey.pk}/starts/").status_code == 404
    assert client.get(f"/api/surveys/{timed_survey.pk}/starts/").status_code == 405
