"""Quality flags, the analysis frame, the closed page, quotas and the workflow."""

import pandas as pd
import pytest

from surveys import services
from surveys.models import QualityFlag, Quota, Response, ResponseStatus
from surveys.selectors import responses_frame
from tests.factories.surveys import likert, published_survey
from tests.surveys.flow import answer_all, start

pytestmark = pytest.mark.django_db


def submit(survey, answers, duration=300, key=None):
    submission = services.CompleteSubmission(
        answers=answers,
        idempotency_key=key or f"key-{Response.objects.count():06d}-abcdef",
        channel="web",
        language="zh-hans",
        duration_seconds=duration,
    )
    return services.response_submit_complete(survey=survey, submission=submission)[0]


@pytest.fixture
def grid_survey(survey_index):
    body = [likert(f"q_{n}") for n in range(6)]
    return published_survey(survey_index, body=body, slug="grid", min_fill_seconds=20)


def varied(n=0):
    return {f"q_{i}": 1 + (i + n) % 5 for i in range(6)}


def test_speeders_are_flagged_against_the_median(grid_survey):
    for n in range(25):
        submit(grid_survey, varied(n), duration=300)
    services.forget_median_duration(grid_survey.pk)  # remembered for a minute
    fast = submit(grid_survey, varied(), duration=60)
    normal = submit(grid_survey, varied(), duration=200)
    assert QualityFlag.SPEEDER in fast.flags and not fast.excluded
    assert normal.flags == []


def test_straight_lining_and_not_applicable_are_flagged(grid_survey):
    liner = submit(grid_survey, {f"q_{i}": 4 for i in range(6)})
    assert liner.flags == [QualityFlag.STRAIGHT_LINER]
    lazy = submit(grid_survey, {f"q_{i}": None if i < 4 else 3 for i in range(6)})
    assert QualityFlag.TOO_MANY_NA in lazy.flags


def test_too_fast_for_a_human_is_a_suspected_bot_and_excluded(grid_survey):
    bot = submit(grid_survey, varied(), duration=5)
    assert QualityFlag.SUSPECTED_BOT in bot.flags and bot.excluded
    assert bot.status == ResponseStatus.SUBMITTED  # kept, not dropped


def test_a_second_identical_submission_from_one_client_is_flagged_duplicate(
    client, survey
):
    for _ in range(2):
        client.post(answer_all(client, survey))
    first, second = Response.objects.order_by("pk")
    assert first.flags == [] and not first.excluded
    assert QualityFlag.DUPLICATE in second.flags and second.excluded


def test_responses_frame_holds_one_row_per_analysable_response(grid_survey):
    kept = submit(grid_survey, varied(1))
    submit(grid_survey, varied(2), duration=5)  # a bot: excluded
    frame = responses_frame(grid_survey)
    assert list(frame["response_id"]) == [kept.pk]
    assert list(frame.columns[-6:]) == [f"q_{i}" for i in range(6)]
    assert frame.loc[0, "q_0"] == 2
    assert pd.api.types.is_numeric_dtype(frame["q_0"])


def test_responses_frame_reads_with_a_fixed_number_of_queries(
    grid_survey, django_assert_max_num_queries
):
    for n in range(30):
        submit(grid_survey, varied(n))
    with django_assert_max_num_queries(3):
        frame = responses_frame(grid_survey)
    assert len(frame) == 30


def test_a_full_service_point_quota_turns_later_finishers_away(survey):
    from tests.factories.surveys import ServicePointFactory

    point = ServicePointFactory(sector=survey.sector)
    Quota.objects.create(
        survey=survey, variable=Quota.SERVICE_POINT, value=point.code, limit=1
    )
    answers = {"q_visited": "no", "q_wait": 1, "q_overall": 5, "q_nps": 7}
    outcomes = []
    for n in range(2):
        submission = services.CompleteSubmission(
            answers=answers,
            idempotency_key=f"quota-{n}-0123456789",
            channel="qr",
            language="en",
            duration_seconds=100,
            service_point=point,
        )
        outcomes.append(
            services.response_submit_complete(survey=survey, submission=submission)[
                0
            ].status
        )
    assert outcomes == [ResponseStatus.SUBMITTED, ResponseStatus.OVER_QUOTA]
    assert Quota.objects.get().completes == 1


def test_a_closed_survey_shows_a_clear_page_not_an_error(client, survey):
    url = start(client, survey)
    survey.unpublish()
    intro = client.get(survey.url)
    assert intro.status_code == 200
    assert "本调查已结束" in intro.content.decode()
    assert client.post(f"{survey.url}start/").status_code == 200
    assert client.get(url).status_code == 200  # mid-way: the same clear page


def test_a_scheduled_survey_says_it_has_not_opened(client, survey_index):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories.surveys import SurveyPageFactory

    survey = SurveyPageFactory(parent=survey_index, live=False)
    survey.save_revision(approved_go_live_at=timezone.now() + timedelta(days=3))
    page = client.get(survey.url)
    assert page.status_code == 200
    assert "本调查尚未开始" in page.content.decode()
    assert survey.title in page.content.decode()


def test_submitting_for_review_then_lead_approval_publishes_with_history(
    survey_index, django_user_model
):
    from django.contrib.auth.models import Group
    from wagtail.models import Workflow, WorkflowPage

    from accounts.roles import ASSESSORS, LEAD_ASSESSORS
    from tests.factories.surveys import SurveyPageFactory

    workflow = Workflow.objects.get(name="Questionnaire review")
    WorkflowPage.objects.get_or_create(
        page=survey_index, defaults={"workflow": workflow}
    )
    assessor = django_user_model.objects.create_user("a1", password="x")
    assessor.groups.add(Group.objects.get(name=ASSESSORS))
    lead = django_user_model.objects.create_user("l1", password="x")
    lead.groups.add(Group.objects.get(name=LEAD_ASSESSORS))
    survey = SurveyPageFactory(parent=survey_index, live=False)
    assert survey.get_workflow() == workflow
    revision = survey.save_revision(user=assessor)
    state = workflow.start(survey, assessor)
    task_state = state.current_task_state
    assert not task_state.task.specific.get_actions(survey, assessor)
    assert task_state.task.specific.get_actions(survey, lead)
    task_state.task.specific.on_action(task_state, lead, "approve")
    survey.refresh_from_db()
    assert survey.live and survey.live_revision_id == revision.pk
    assert survey.revisions.count() >= 1
