"""An assessor builds a survey through the Wagtail admin's own forms: every
question type, a condition, preview, scheduling, review by a lead assessor."""

import html
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Workflow, WorkflowPage
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield
from wagtail.users.models import UserProfile

from accounts.roles import ASSESSORS, LEAD_ASSESSORS
from surveys.models import QuestionKind, SurveyPage
from tests.accounts.helpers import login_verified
from tests.factories.surveys import SectorFactory

pytestmark = pytest.mark.django_db


def options(*values):
    listed = {"count": str(len(values))}
    for n, value in enumerate(values):
        listed[str(n)] = {
            "deleted": "",
            "order": str(n),
            "value": {"value": value, "label": f"选项{value}", "label_en": value},
        }
    return listed


def question(code, **extra):
    return {
        "code": code,
        "label": f"问题 {code}",
        "label_en": f"Question {code}",
        "help_text": "",
        "help_text_en": "",
        "required": "on",
        "condition": {"question": "", "answer": ""},
        **extra,
    }


def body():
    likert = {
        "scale": "5",
        "low_label": "差",
        "low_label_en": "Poor",
        "high_label": "好",
        "high_label_en": "Good",
        "allow_not_applicable": "on",
        "dimension": "staff_attitude",
    }
    return streamfield(
        [
            (
                "section",
                {"title": "使用", "title_en": "Use", "intro": "", "intro_en": ""},
            ),
            ("single_choice", question("q_visited", options=options("yes", "no"))),
            (
                "multiple_choice",
                question("q_ch", options=options("a", "b"), allow_other="on"),
            ),
            (
                "number",
                question("q_wait", min_value="0", max_value="60", whole_number="on"),
            ),
            (
                "section",
                {"title": "评价", "title_en": "Ratings", "intro": "", "intro_en": ""},
            ),
            (
                "likert",
                {
                    **question("q_staff", **likert),
                    "condition": {"question": "q_visited", "answer": "yes"},
                },
            ),
            ("nps", question("q_nps")),
            ("short_text", question("q_short")),
            ("long_text", question("q_long")),
            (
                "demographic",
                question(
                    "d_gender", variable="gender", options=options("female", "male")
                ),
            ),
        ]
    )


def form(sector, go_live_at=None, **extra):
    return nested_form_data(
        {
            "title": "新调查",
            "title_en": "New survey",
            "slug": "new-survey",
            "sector": sector.pk,
            "wave": "2027 Q1",
            "intro": rich_text("<p>介绍</p>"),
            "intro_en": rich_text(""),
            "privacy_notice": rich_text("<p>隐私</p>"),
            "privacy_notice_en": rich_text(""),
            "thank_you": rich_text("<p>谢谢</p>"),
            "thank_you_en": rich_text(""),
            "body": body(),
            "go_live_at": go_live_at or "",
            "expire_at": "",
            "min_fill_seconds": "30",
            "speeder_share": "0.33",
            "max_not_applicable_share": "0.5",
            "starts_per_client_per_hour": "20",
            "resume_days": "14",
            **extra,
        }
    )


def test_an_assessor_builds_previews_schedules_and_a_lead_publishes(
    client, survey_index, django_user_model
):
    workflow = Workflow.objects.get(name="Questionnaire review")
    WorkflowPage.objects.get_or_create(
        page=survey_index, defaults={"workflow": workflow}
    )
    sector = SectorFactory()
    assessor = django_user_model.objects.create_user("assessor", password="x")
    assessor.groups.add(Group.objects.get(name=ASSESSORS))
    lead = django_user_model.objects.create_user("lead", password="x")
    lead.groups.add(Group.objects.get(name=LEAD_ASSESSORS))
    login_verified(client, assessor)
    args = ["surveys", "surveypage", survey_index.pk]

    preview = client.post(
        reverse("wagtailadmin_pages:preview_on_add", args=args), form(sector)
    )
    assert preview.json()["is_valid"] is True, preview.content
    shown = client.get(reverse("wagtailadmin_pages:preview_on_add", args=args))
    assert "问题 q_staff" in shown.content.decode()

    go_live = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    created = client.post(
        reverse("wagtailadmin_pages:add", args=args),
        form(sector, go_live_at=go_live, **{"action-submit": "Submit"}),
    )
    assert created.status_code == 302, created.content.decode()[:3000]
    survey = SurveyPage.objects.get(slug="new-survey")
    assert not survey.live
    kinds = {
        q.code: q.kind
        for q in survey.get_latest_revision_as_object().questionnaire.questions
    }
    assert set(kinds.values()) == set(QuestionKind.values)
    assert survey.current_workflow_state is not None

    client.logout()
    login_verified(client, lead)
    task_state = survey.current_workflow_state.current_task_state
    approved = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[survey.pk, "approve", task_state.pk],
        ),
        {"comment": "ok"},
    )
    assert approved.status_code in (200, 302)
    survey.refresh_from_db()
    assert survey.scheduled_revision is not None  # scheduled, opens in two days
    assert survey.revisions.count() >= 1
    condition = survey.scheduled_revision.as_object().questionnaire.by_code()["q_staff"]
    assert condition.condition.question == "q_visited"


def test_the_editor_refuses_a_code_change_once_responses_exist_and_says_why(
    client, survey_index, django_user_model
):
    from surveys.services import CompleteSubmission, response_submit_complete

    sector = SectorFactory()
    lead = django_user_model.objects.create_user("lead", password="x")
    lead.groups.add(Group.objects.get(name=LEAD_ASSESSORS))
    profile = UserProfile.get_for_user(lead)
    profile.preferred_language = "en"  # the message below is asserted in English
    profile.save()
    login_verified(client, lead)
    add = reverse(
        "wagtailadmin_pages:add", args=["surveys", "surveypage", survey_index.pk]
    )
    published = client.post(add, form(sector, **{"action-publish": "Publish"}))
    assert published.status_code == 302, published.content.decode()[:3000]
    survey = SurveyPage.objects.get(slug="new-survey")
    assert survey.live
    response_submit_complete(
        survey=survey,
        submission=CompleteSubmission(
            answers={"q_visited": "yes", "q_staff": 4},
            idempotency_key="paper-1",
            channel="paper",
            language="zh-hans",
            duration_seconds=200,
        ),
    )
    revisions = survey.revisions.count()
    data = form(sector)
    for position, block in enumerate(survey.body.raw_data):
        data[f"body-{position}-id"] = block["id"]  # the editor posts block ids back
    code_field = next(
        key
        for key, value in data.items()
        if value == "q_staff" and key.endswith("-code")
    )
    data[code_field] = "q_staff_renamed"
    refused = client.post(reverse("wagtailadmin_pages:edit", args=[survey.pk]), data)
    assert refused.status_code == 200
    assert "cannot become" in html.unescape(refused.content.decode())
    assert survey.revisions.count() == revisions
