"""A bot replaying 1,000 submissions from one client: the survey and the
complaint form store at most their configured number per client and flag every
stored one, whether or not the bot can answer the challenge."""

from __future__ import annotations

import json

import pytest

from complaints.models import Complaint, ComplaintSettings
from complaints.selectors import complaints_frame
from core import antibot
from surveys.models import QualityFlag, Response, ResponseStatus
from tests.antibot import has_challenge, solved
from tests.factories.complaints import scenic_area
from tests.factories.surveys import SurveyIndexPageFactory, published_survey
from tests.surveys.flow import SECTION_ANSWERS

pytestmark = pytest.mark.django_db

REPLAYS = 1000
LIMIT = 20


@pytest.fixture(autouse=True)
def _one_clock_hour(monkeypatch):
    """A thousand replays take half a minute: one that crosses the hour would
    see the counters start again and twice the refusals. Every replay counts
    in the same hour."""
    monkeypatch.setattr(
        antibot, "_hour_key", lambda scope, client: f"antibot:count:{scope}:{client}"
    )


@pytest.fixture
def guarded_survey(home_page):
    index = SurveyIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    return published_survey(
        index, starts_per_client_per_hour=LIMIT, min_fill_seconds=30
    )


def replay_once(client, survey, *, honeypot: bool, solve: bool) -> int:
    """One scripted response: start (answering the challenge like a screen reader
    would when ``solve``), three sections posted at once, submit."""
    extra = {}
    if solve:
        intro = client.get(survey.url).content.decode()
        extra = solved(intro) if has_challenge(intro) else {}
    started = client.post(survey.url + "start/", {"ch": "web", **extra})
    if started.status_code != 302:
        return started.status_code
    url = started["Location"]
    for number in (1, 2, 3):
        data = {**SECTION_ANSWERS[number], "website": "spam" if honeypot else ""}
        url = client.post(url, data)["Location"]
    return client.post(url).status_code


def assert_stored_flagged(survey, count: int) -> None:
    stored = list(Response.objects.filter(survey=survey))
    assert len(stored) == count <= LIMIT
    for response in stored:
        assert response.status == ResponseStatus.SUBMITTED
        assert QualityFlag.SUSPECTED_BOT in response.flags
        assert response.excluded  # kept for the audit, out of every index


def test_a_thousand_replayed_form_submissions_store_one_then_meet_the_challenge(
    client, guarded_survey
):
    statuses = [
        replay_once(client, guarded_survey, honeypot=n % 2 == 0, solve=False)
        for n in range(REPLAYS)
    ]
    # The first is stored and flagged; the client is then challenged, and its
    # starts still count, so past the limit it is refused outright.
    assert statuses.count(302) == 1
    assert statuses.count(400) == LIMIT - 1
    assert statuses.count(429) == REPLAYS - LIMIT
    assert_stored_flagged(guarded_survey, 1)


def test_a_bot_that_solves_every_challenge_still_stores_at_most_the_limit(
    client, guarded_survey
):
    statuses = [
        replay_once(client, guarded_survey, honeypot=n % 2 == 0, solve=True)
        for n in range(REPLAYS)
    ]
    assert statuses.count(302) == LIMIT
    assert statuses.count(429) == REPLAYS - LIMIT
    assert_stored_flagged(guarded_survey, LIMIT)
    stored = Response.objects.filter(survey=guarded_survey)
    assert sum(QualityFlag.DUPLICATE in r.flags for r in stored) == LIMIT - 1


COMPLAINT_LIMIT = 5


@pytest.fixture
def complaint_form():
    point = scenic_area()
    rules = ComplaintSettings.load()
    rules.submissions_per_client_per_hour = COMPLAINT_LIMIT
    rules.save()
    return f"/en/complaints/new/{point.code}/", point


def replay_complaint(client, url: str, point, *, solve: bool, n: int) -> int:
    extra = {}
    if solve:
        page = client.get(url).content.decode()
        extra = solved(page) if has_challenge(page) else {}
    data = {
        "service_point": point.code,
        "category": "price",
        "description": "Replayed complaint text, always the same words.",
        "website": "spam" if n % 2 == 0 else "",
        **extra,
    }
    return client.post(url, data).status_code


@pytest.mark.parametrize("solve", [False, True], ids=["plain", "solving"])
def test_a_thousand_replayed_complaints_store_at_most_the_limit_all_flagged(
    client, complaint_form, solve
):
    url, point = complaint_form
    statuses = [
        replay_complaint(client, url, point, solve=solve, n=n) for n in range(REPLAYS)
    ]
    stored = list(Complaint.objects.all())
    if solve:
        assert statuses.count(302) == COMPLAINT_LIMIT
        assert statuses.count(429) == REPLAYS - COMPLAINT_LIMIT
    else:
        assert statuses.count(302) == 1
        assert statuses.count(400) == REPLAYS - 1  # the unanswered challenge
    assert len(stored) == statuses.count(302) <= COMPLAINT_LIMIT
    assert all(complaint.suspected_bot for complaint in stored)
    assert complaints_frame().empty  # none reaches the settlement statistics


def test_a_thousand_replayed_api_submissions_store_at_most_the_limit(
    client, guarded_survey
):
    body = json.dumps(
        {
            "answers": {
                "q_visited": "yes",
                "q_wait": 5,
                "q_staff": 5,
                "q_overall": 7,
                "q_nps": 9,
            },
            "duration_seconds": 3,
        }
    )
    statuses = [
        client.post(
            f"/api/surveys/{guarded_survey.pk}/responses/",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": f"replayed-key-{n:06d}"},
        ).status_code
        for n in range(REPLAYS)
    ]
    assert statuses.count(201) == LIMIT
    assert statuses.count(429) == REPLAYS - LIMIT
    stored = Response.objects.filter(survey=guarded_survey)
    assert stored.count() == LIMIT
    assert all(QualityFlag.SUSPECTED_BOT in r.flags and r.excluded for r in stored)
