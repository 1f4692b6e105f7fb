"""Editing a survey after responses exist keeps their meaning."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from surveys.models import Response
from tests.factories.surveys import likert
from tests.surveys.flow import answer_all

pytestmark = pytest.mark.django_db


def submitted(client, survey) -> Response:
    client.post(answer_all(client, survey))
    return Response.objects.get()


def edited(survey, change) -> None:
    draft = survey.get_latest_revision_as_object()
    raw = [dict(item) for item in draft.body.raw_data]
    change(raw)
    draft.body = raw
    draft.save_revision().publish()


def test_relabelling_and_adding_a_question_leaves_earlier_responses_intact(
    client, survey
):
    response = submitted(client, survey)
    before = dict(response.answers)
    old_revision = response.revision_id

    def relabel_and_add(raw):
        raw[5]["value"] = {**raw[5]["value"], "label": "新的措辞"}
        raw.append(likert("q_new", "新问题"))

    edited(survey, relabel_and_add)
    survey.refresh_from_db()
    response.refresh_from_db()
    assert survey.live_revision_id != old_revision
    assert response.answers == before and response.revision_id == old_revision
    from surveys.selectors import revision_questionnaire

    old = revision_questionnaire(old_revision)[0].by_code()
    assert old["q_staff"].label == "工作人员" and "q_new" not in old


def test_changing_a_code_after_responses_exist_is_refused_with_an_explanation(
    client, survey
):
    submitted(client, survey)

    def rename(raw):
        raw[5]["value"] = {**raw[5]["value"], "code": "q_staff_renamed"}

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        edited(survey, rename)
    assert "q_staff" in str(refused.value) and "cannot become" in str(refused.value)


def test_changing_a_scale_after_responses_exist_is_refused(client, survey):
    submitted(client, survey)

    def rescale(raw):
        raw[5]["value"] = {**raw[5]["value"], "scale": "7"}

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        edited(survey, rescale)
    assert "scale" in str(refused.value)


def test_codes_can_change_freely_before_any_response(survey):
    def rename(raw):
        raw[5]["value"] = {**raw[5]["value"], "code": "q_staff_renamed"}

    edited(survey, rename)
    survey.refresh_from_db()
    assert "q_staff_renamed" in survey.questionnaire.by_code()


def test_duplicate_codes_and_forward_conditions_are_refused(survey):
    def duplicate(raw):
        raw.append(likert("q_staff"))

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        edited(survey, duplicate)
    assert "used twice" in str(refused.value)

    def forward(raw):
        raw[1]["value"] = {
            **raw[1]["value"],
            "condition": {"question": "q_overall", "answer": "3"},
        }

    with pytest.raises(ValidationError):
        edited(survey, forward)


@pytest.mark.parametrize("code", ["website", "shown"])
def test_the_codes_of_the_forms_anti_automation_fields_are_refused(survey, code):
    def reserved(raw):
        raw.append(likert(code))

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        edited(survey, reserved)
    assert f"The code “{code}” is kept for the form itself" in str(refused.value)


def test_a_response_in_progress_keeps_answering_the_revision_it_started(client, survey):
    from tests.surveys.flow import SECTION_ANSWERS, start

    url = start(client, survey)
    client.post(url, SECTION_ANSWERS[1])

    def add_required(raw):
        raw.insert(6, likert("q_added", "新增必答"))

    edited(survey, add_required)
    second = client.get(url.replace("/1/", "/2/")).content.decode()
    assert "q_added" not in second
