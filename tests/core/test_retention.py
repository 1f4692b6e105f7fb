"""apply_retention: personal data past its period goes, statistics stay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from surveys.models import FollowUpContact, Response
from surveys.selectors import revision_questionnaire
from tests.factories.surveys import SurveyIndexPageFactory, published_survey
from tests.surveys.flow import EXPECTED, answer_all

pytestmark = pytest.mark.django_db
FREE_TEXT = {"q_name", "q_comment", "q_channels.other"}


@pytest.fixture
def answered(client, home_page):
    cache.clear()
    revision_questionnaire.cache_clear()
    index = SurveyIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    survey = published_survey(index)
    client.post(answer_all(client, survey))
    long_ago = timezone.now() - dt.timedelta(days=800)
    Response.objects.update(submitted_at=long_ago, started_at=long_ago)
    FollowUpContact.objects.create(
        survey=survey, name="王", phone="13800000000", consented_at=long_ago
    )
    FollowUpContact.objects.create(
        survey=survey, name="李", consented_at=timezone.now()
    )
    return survey


def test_old_contacts_go_and_free_text_stays_unless_configured(answered, settings):
    settings.RETENTION_FREE_TEXT_DAYS = None
    call_command("apply_retention")
    assert list(FollowUpContact.objects.values_list("name", flat=True)) == ["李"]
    assert Response.objects.get().answers == EXPECTED


def test_configured_free_text_is_erased_and_ratings_kept_idempotently(
    answered, settings
):
    settings.RETENTION_FREE_TEXT_DAYS = 365
    call_command("apply_retention")
    after = Response.objects.get().answers
    assert after == {k: v for k, v in EXPECTED.items() if k not in FREE_TEXT}
    call_command("apply_retention")  # a second run finds nothing more to do
    assert Response.objects.get().answers == after
