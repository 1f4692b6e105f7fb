"""The beat task opens surveys at their go-live time and closes them at expiry."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from core.tasks import publish_scheduled
from surveys.models import SurveyPage
from tests.factories.surveys import (
    SurveyIndexPageFactory,
    SurveyPageFactory,
    published_survey,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(home_page):
    index = SurveyIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    return index


def test_the_task_runs_every_minute_on_beat():
    entries = settings.CELERY_BEAT_SCHEDULE.values()
    assert {"task": "core.tasks.publish_scheduled", "schedule": 60.0} in entries


def test_a_survey_opens_at_its_go_live_time_once_and_closes_at_expiry(index):
    survey = SurveyPageFactory(parent=index, live=False)
    survey.go_live_at = timezone.now() + dt.timedelta(hours=1)
    survey.save_revision().publish()  # approved, scheduled: not open yet
    survey.refresh_from_db()
    assert not survey.live and survey.scheduled_revision is not None
    publish_scheduled()
    assert not SurveyPage.objects.get(pk=survey.pk).live  # not before its time

    later = timezone.now() + dt.timedelta(hours=1, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):  # time passes
        publish_scheduled()
        publish_scheduled()  # a repeated run publishes nothing more
    survey = SurveyPage.objects.get(pk=survey.pk)
    assert survey.live and survey.scheduled_revision is None
    assert survey.revisions.count() == 1

    closing = published_survey(index, slug="closing")
    past = timezone.now() - dt.timedelta(minutes=1)
    SurveyPage.objects.filter(pk=closing.pk).update(expire_at=past)
    publish_scheduled()
    closing = SurveyPage.objects.get(pk=closing.pk)
    assert not closing.live and closing.expired
