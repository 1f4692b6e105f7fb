"""The demo surveys and synthetic responses that every later screen shows."""

from collections import Counter

import pytest

from surveys.models import QuestionKind, QuestionSet, Response, ResponseStatus
from surveys.selectors import responses_frame

pytestmark = pytest.mark.django_db


def test_the_demo_ships_seven_bilingual_surveys_with_responses_over_two_waves(
    home_page,
):
    from surveys.demo import load_demo_surveys, load_reference_data

    load_reference_data()
    pages = load_demo_surveys()
    live = [page for page in pages if page.live]
    assert sorted(p.sector.code for p in live) == sorted(
        [
            "education",
            "public-transport",
            "medical",
            "elderly-care",
            "tourism",
            "finance",
            "logistics",
        ]
    )
    for page in live:
        questions = page.questionnaire.questions
        assert 12 <= len(questions) <= 25
        dimensions = {q.dimension for q in questions if q.kind == QuestionKind.LIKERT}
        assert 4 <= len(dimensions) <= 6
        assert any(q.kind == QuestionKind.DEMOGRAPHIC for q in questions)
        assert all(q.label and q.label_en for q in questions)
        assert page.title_en and page.privacy_notice_en
    assert {p.wave for p in pages} == {"2026 Q3", "2026 Q4"}
    submitted = Response.objects.filter(status=ResponseStatus.SUBMITTED)
    assert submitted.count() >= 3000
    assert submitted.values("service_point").distinct().count() >= 15
    assert submitted.values("service_point__region").distinct().count() == 7
    # each survey's responses reach two service points or more in every
    # district they come from: the district x sector grid has an interval
    points_per_district = Counter(
        (survey, region)
        for survey, region, _point in submitted.values_list(
            "survey", "service_point__region", "service_point"
        ).distinct()
    )
    assert min(points_per_district.values()) >= 2
    assert Response.objects.filter(status=ResponseStatus.IN_PROGRESS).exists()
    assert QuestionSet.objects.count() == 7
    frame = responses_frame(live[0])
    assert len(frame) > 100 and "q_overall" in frame.columns
    # running it again adds nothing
    load_demo_surveys()
    assert (
        Response.objects.count()
        == submitted.count()
        + Response.objects.filter(status=ResponseStatus.IN_PROGRESS).count()
    )
