"""A bot replaying 1,000 submissions from one client: the survey stores at most
its configured number of starts per client and flags every stored one."""

from __future__ import annotations

import json

import pytest

from surveys.models import QualityFlag, Response, ResponseStatus
from tests.factories.surveys import SurveyIndexPageFactory, published_survey
from tests.surveys.flow import SECTION_ANSWERS

pytestmark = pytest.mark.django_db

REPLAYS = 1000
LIMIT = 20


@pytest.fixture
def guarded_survey(home_page):
    index = SurveyIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    return published_survey(
        index, starts_per_client_per_hour=LIMIT, min_fill_seconds=30
    )


def replay_once(client, survey, honeypot: bool) -> int:
    started = client.post(survey.url + "start/", {"ch": "web"})
    if started.status_code != 302:
        return started.status_code
    url = started["Location"]
    for number in (1, 2, 3):
        data = {**SECTION_ANSWERS[number], "website": "spam" if honeypot else ""}
        url = client.post(url, data)["Location"]
    return client.post(url).status_code


def test_a_thousand_replayed_form_submissions_store_at_most_the_limit_all_flagged(
    client, guarded_survey
):
    statuses = [
        replay_once(client, guarded_survey, honeypot=n % 2 == 0) for n in range(REPLAYS)
    ]
    assert statuses.count(302) == LIMIT
    assert statuses.count(429) == REPLAYS - LIMIT
    stored = list(Response.objects.filter(survey=guarded_survey))
    assert len(stored) == LIMIT
    for response in stored:
        assert response.status == ResponseStatus.SUBMITTED
        assert QualityFlag.SUSPECTED_BOT in response.flags
        assert response.excluded  # kept for the audit, out of every index
    assert sum(QualityFlag.DUPLICATE in r.flags for r in stored) == LIMIT - 1


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
