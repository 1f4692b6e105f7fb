"""The optional "may we contact you?" step: consented contact details are kept
apart from the answers, shown only to users allowed to see them, left out of
exports and deleted by apply_retention after their period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import ASSESSORS, OFFICIALS
from exchange.exports import ExportFilters, export_begin, stream_csv
from surveys.forms import normalized_phone
from surveys.models import FollowUpContact, Response, ResponseStatus
from tests.accounts.helpers import login_verified, member_of
from tests.surveys.flow import EXPECTED, answer_all, only_response

pytestmark = pytest.mark.django_db

PHONE, EMAIL = "+86 138-0057-3123", "wang.li@example.cn"


def consent(**fields: str) -> dict[str, str]:
    return {f"contact-{name}": value for name, value in fields.items()}


def test_the_review_step_offers_an_unticked_consent_with_the_retention_period(
    client, survey, settings
):
    settings.RETENTION_FOLLOW_UP_CONTACT_DAYS = 90
    intro_url = "/en" + survey.url
    review = answer_all(client, survey, prefix="/en")
    html = client.get(review).content.decode()
    assert 'name="contact-consent"' in html
    assert 'name="contact-consent" id="id_contact-consent" value="on">' in html
    assert "deleted 90 days after you send it" in html
    intro = client.get(intro_url).content.decode()
    assert "deleted 90 days later" in intro


def test_without_the_tick_nothing_is_stored_beside_the_answers(client, survey):
    done = client.post(answer_all(client, survey), consent(phone="", email=""))
    assert done.status_code == 302
    response = only_response(survey)
    assert response.status == ResponseStatus.SUBMITTED
    assert response.answers == EXPECTED
    assert not FollowUpContact.objects.exists()


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        (consent(phone=PHONE), "consent", "Tick the box if we may contact you"),
        (consent(consent="on", phone="12345"), "phone", "Enter a mobile number"),
        (consent(consent="on", phone="138 0000 000x"), "phone", "Enter a mobile"),
        (consent(consent="on", email="li@"), "email", "Enter an email address"),
        (consent(consent="on"), "phone", "Enter a phone number or an email"),
        (consent(consent="on", phone="138\x0000000000"), "phone", "Null characters"),
    ],
)
def test_bad_contact_details_are_a_field_error_and_nothing_is_submitted(
    client, survey, posted, field, message
):
    review = answer_all(client, survey, prefix="/en")
    with translation.override("en"):
        page = client.post(review, posted)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="error-summary"' in html
    assert f'href="#id_contact-{field}"' in html
    assert message in html
    assert only_response(survey).status == ResponseStatus.IN_PROGRESS
    assert not FollowUpContact.objects.exists()


def test_consented_details_are_stored_apart_once_and_linked_to_the_response(
    client, survey
):
    review = answer_all(client, survey)
    posted = consent(consent="on", phone=PHONE, email=EMAIL)
    client.post(review, posted)
    client.post(review, posted)  # a double click or a retry
    response = only_response(survey)
    contact = FollowUpContact.objects.get()
    assert contact.response == response and contact.survey_id == survey.pk
    assert (contact.phone, contact.email) == ("13800573123", EMAIL)
    assert contact.consented_at.minute == contact.consented_at.second == 0
    assert response.answers == EXPECTED
    assert "13800573123" not in str(Response.objects.values().get())


def test_exports_never_carry_contact_details(client, survey):
    client.post(answer_all(client, survey), consent(consent="on", phone=PHONE))
    export, rows, header = export_begin(
        filters=ExportFilters(survey_ids=(survey.pk,)), file_format="csv", user=None
    )
    content = b"".join(stream_csv(export, rows, header)).decode("utf-8-sig")
    assert "海报" in content  # the answers are there
    assert "13800573123" not in content and "0057" not in content


def test_retention_deletes_contacts_past_their_period_and_keeps_answers(
    client, survey, settings
):
    settings.RETENTION_FOLLOW_UP_CONTACT_DAYS = 30
    client.post(answer_all(client, survey), consent(consent="on", email=EMAIL))
    FollowUpContact.objects.update(consented_at=timezone.now() - dt.timedelta(days=31))
    call_command("apply_retention")
    assert not FollowUpContact.objects.exists()
    assert only_response(survey).answers == EXPECTED


def test_only_users_allowed_to_see_contacts_reach_them(client, survey):
    client.post(answer_all(client, survey), consent(consent="on", email=EMAIL))
    url = reverse("surveys_admin_contacts", args=[survey.pk])
    edit = reverse("wagtailadmin_pages:edit", args=[survey.pk])

    login_verified(client, member_of(ASSESSORS))
    assert EMAIL in client.get(url).content.decode()
    assert url in client.get(edit).content.decode()

    # A role that may read responses but not contacts sees neither list nor link.
    reader = member_of(OFFICIALS, "response-reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_response"))
    login_verified(client, reader)
    refused = client.get(url)
    assert refused.status_code in (302, 403)
    assert EMAIL not in refused.content.decode()
    fieldwork = client.get(reverse("surveys_admin_fieldwork", args=[survey.pk]))
    assert fieldwork.status_code == 200 and url not in fieldwork.content.decode()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13800573123", "13800573123"),
        ("+86 138 0057 3123", "13800573123"),
        ("0086-138-0057-3123", "13800573123"),
        ("0573-8200 1234", "057382001234"),
        ("(010) 6512 3456", "01065123456"),
    ],
)
def test_phone_numbers_are_kept_as_digits(raw, stored):
    assert normalized_phone(raw) == stored


@pytest.mark.parametrize("raw", ["12800573123", "1380057312", "96345", "abc", "+1 555"])
def test_numbers_that_are_not_chinese_phones_are_refused(raw):
    with pytest.raises(ValidationError):
        normalized_phone(raw)
