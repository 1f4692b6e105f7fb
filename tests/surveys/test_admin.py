"""The Wagtail admin screens for a survey."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import ASSESSORS, OFFICIALS
from surveys.models import QuestionSet, Response, ResponseReview
from tests.accounts.helpers import login_verified
from tests.surveys.flow import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessor(django_user_model):
    user = django_user_model.objects.create_user("assessor", password="pw-12345678")
    user.groups.add(Group.objects.get(name=ASSESSORS))
    return user


def submit_one(client, survey) -> Response:
    client.post(answer_all(client, survey))
    return Response.objects.latest("pk")


def test_fieldwork_shows_started_submitted_and_completion_rate(
    client, survey, assessor
):
    submit_one(client, survey)
    client.post(f"{survey.url}start/")
    login_verified(client, assessor)
    page = client.get(reverse("surveys_admin_fieldwork", args=[survey.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-metric="started">2<' in html
    assert 'data-metric="submitted">1<' in html
    assert 'data-metric="completion">50%<' in html


def test_flags_and_channels_read_as_words_in_the_assessors_language(
    client, survey, assessor
):
    from wagtail.users.models import UserProfile

    response = submit_one(client, survey)
    Response.objects.filter(pk=response.pk).update(
        flags=["speeder", "straight_liner"], channel="qr"
    )
    login_verified(client, assessor)
    for language, words in [
        ("en", ["Speeder", "Straight-lining", "QR code"]),
        ("zh-hans", ["二维码"]),
    ]:
        profile = UserProfile.get_for_user(assessor)
        profile.preferred_language = language
        profile.save()
        fieldwork = client.get(reverse("surveys_admin_fieldwork", args=[survey.pk]))
        flagged = client.get(reverse("surveys_admin_flags", args=[survey.pk]))
        html = fieldwork.content.decode() + flagged.content.decode()
        assert all(word in html for word in words), language
        assert ">straight_liner<" not in html and ">qr<" not in html


def test_officials_cannot_see_responses(client, survey, django_user_model):
    official = django_user_model.objects.create_user("official", password="pw-123456")
    official.groups.add(Group.objects.get(name=OFFICIALS))
    login_verified(client, official)
    page = client.get(reverse("surveys_admin_fieldwork", args=[survey.pk]))
    # Wagtail turns the refusal into a redirect to the dashboard with a message.
    assert page.status_code in (302, 403)
    assert "data-metric" not in page.content.decode()


def test_an_assessor_excludes_and_restores_a_flagged_response_with_audit(
    client, survey, assessor
):
    response = submit_one(client, survey)
    Response.objects.filter(pk=response.pk).update(flags=["speeder"])
    login_verified(client, assessor)
    flags = client.get(reverse("surveys_admin_flags", args=[survey.pk]))
    assert f"<td>{response.pk}</td>" in flags.content.decode()
    url = reverse("surveys_admin_review", args=[survey.pk, response.pk])
    client.post(url, {"action": "exclude", "note": "too fast"})
    response.refresh_from_db()
    assert response.excluded and response.excluded_by == assessor
    assert response.excluded_at is not None
    client.post(url, {"action": "restore"})
    response.refresh_from_db()
    assert not response.excluded and response.excluded_by is None
    actions = list(ResponseReview.objects.values_list("action", "reviewer__username"))
    assert actions == [("restore", "assessor"), ("exclude", "assessor")]


def test_qr_posters_come_as_png_svg_and_printable_page(client, survey, assessor):
    from tests.factories.surveys import ServicePointFactory

    point = ServicePointFactory(sector=survey.sector)
    login_verified(client, assessor)
    listing = client.get(reverse("surveys_admin_posters", args=[survey.pk]))
    assert point.name in listing.content.decode()
    png = client.get(
        reverse("surveys_admin_poster", args=[survey.pk, point.code, "png"])
    )
    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    svg = client.get(
        reverse("surveys_admin_poster", args=[survey.pk, point.code, "svg"])
    )
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    poster = client.get(
        reverse("surveys_admin_poster", args=[survey.pk, point.code, "html"])
    )
    assert f"/q/{survey.pk}/{point.code}/" in poster.content.decode()


def test_inserting_a_question_set_copies_it_into_the_draft(client, survey, assessor):
    from tests.factories.surveys import likert

    bank = QuestionSet.objects.create(
        sector=survey.sector,
        name="标准题",
        body=[likert("q_staff"), likert("q_bank_only")],
    )
    login_verified(client, assessor)
    done = client.post(
        reverse("surveys_admin_insert_set", args=[survey.pk]),
        {"question_set": bank.pk},
    )
    assert done.status_code == 302
    survey.refresh_from_db()
    draft = survey.get_latest_revision_as_object()
    codes = [q.code for q in draft.questionnaire.questions]
    assert codes[-2:] == ["q_staff_2", "q_bank_only"]
    assert draft.questionnaire.sections[-1].title == "标准题"
    assert "q_bank_only" not in survey.questionnaire.by_code()  # live unchanged


def test_invitations_are_issued_once_and_admit_one_response(client, survey, assessor):
    login_verified(client, assessor)
    page = client.post(
        reverse("surveys_admin_invitations", args=[survey.pk]),
        {"count": 2, "batch": "panel-a", "format": "csv"},
    )
    links = page.content.decode().split()[1:]
    assert len(links) == 2 and all("/i/" in link for link in links)
    token = links[0].rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 32  # 192 bits, URL-safe base64
    client.logout()
    path = links[0].split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    first = client.post(path)
    assert first.status_code == 302
    response = Response.objects.get()
    assert response.invitation.batch == "panel-a"
    # the invitations page counts used invitations through this lookup
    assert survey.invitations.filter(response__isnull=False).count() == 1
