"""Rendering a section costs a bounded number of queries, whatever its size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.selectors import revision_questionnaire
from tests.factories.surveys import likert, published_survey
from tests.surveys.flow import start

pytestmark = pytest.mark.django_db


def queries_for_section(client, survey_index, questions: int) -> int:
    body = [{"type": "section", "value": {"title": "评分", "title_en": "Ratings"}}]
    body += [likert(f"q_{n}") for n in range(questions)]
    survey = published_survey(survey_index, body=body, slug=f"size-{questions}")
    url = start(client, survey)
    revision_questionnaire.cache_clear()  # count the cold path too
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    return len(cold), len(warm)


def test_section_queries_do_not_grow_with_the_number_of_questions(client, survey_index):
    small_cold, small_warm = queries_for_section(client, survey_index, 3)
    large_cold, large_warm = queries_for_section(client, survey_index, 60)
    assert large_cold == small_cold and large_warm == small_warm
    assert large_warm <= 12 and large_cold <= 16


def queries_for_review(client, survey_index, questions: int) -> tuple[int, int]:
    body = [{"type": "section", "value": {"title": "评分", "title_en": "Ratings"}}]
    body += [likert(f"q_{n}") for n in range(questions)]
    survey = published_survey(survey_index, body=body, slug=f"review-{questions}")
    section = start(client, survey)
    answers = {f"q_{n}": str(1 + n % 5) for n in range(questions)}
    review = client.post(section, answers)["Location"]
    assert review.endswith("/review/")
    revision_questionnaire.cache_clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(review).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(review).status_code == 200
    return len(cold), len(warm)


def test_review_queries_do_not_grow_with_the_number_of_answers(client, survey_index):
    small = queries_for_review(client, survey_index, 3)
    large = queries_for_review(client, survey_index, 60)
    assert large == small
    assert large[1] <= 12 and large[0] <= 16
