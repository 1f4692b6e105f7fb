"""A confirmed response import asks for fresh index results of its waves."""

import datetime

import pytest

from analysis.models import IndexRun, RunStatus, RunTrigger, Wave
from exchange.models import ImportStatus
from exchange.services import import_confirm
from tests.imports.helpers import GOOD_ROWS, check, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def waves(survey):
    def wave(slug):
        made = Wave.objects.create(
            slug=slug,
            name=slug,
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 12, 31),
        )
        made.surveys.add(survey)
        return made

    return [wave("2026-q4"), wave("2026-h2")]


def confirmed(survey, user, rows):
    job = check(survey, csv_bytes(rows), user)
    assert job.status == ImportStatus.READY, job.message
    job = import_confirm(job_id=job.pk, user=user)
    assert job.status == ImportStatus.DONE, job.message
    return job


def test_a_confirmed_import_queues_one_index_run_per_wave_of_the_survey(
    survey, points, admin_user, waves, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as enqueued:
        confirmed(survey, admin_user, GOOD_ROWS)
    runs = IndexRun.objects.order_by("wave__slug")
    assert [r.wave.slug for r in runs] == ["2026-h2", "2026-q4"]
    assert {(r.trigger, r.status, r.requested_by_id) for r in runs} == {
        (RunTrigger.IMPORT, RunStatus.QUEUED, admin_user.pk)
    }
    assert len(enqueued) == 2  # each run is sent to the queue once committed


def test_a_checked_file_that_is_not_confirmed_queues_nothing(
    survey, points, admin_user, waves
):
    check(survey, csv_bytes(GOOD_ROWS), admin_user)
    assert not IndexRun.objects.exists()


def test_reimporting_a_file_already_imported_queues_nothing(
    survey, points, admin_user, waves
):
    confirmed(survey, admin_user, GOOD_ROWS)
    IndexRun.objects.update(status=RunStatus.SUCCEEDED)
    again = confirmed(survey, admin_user, GOOD_ROWS)
    assert again.created_count == 0
    assert not IndexRun.objects.filter(status=RunStatus.QUEUED).exists()
    # a file with one new row does
    confirmed(
        survey, admin_user, [*GOOD_ROWS, [*GOOD_ROWS[0][:3], "B07", *GOOD_ROWS[0][4:]]]
    )
    assert IndexRun.objects.filter(status=RunStatus.QUEUED).count() == 2


def test_an_import_of_a_survey_in_no_wave_still_succeeds(survey, points, admin_user):
    job = confirmed(survey, admin_user, GOOD_ROWS)
    assert job.created_count == len(GOOD_ROWS)
    assert not IndexRun.objects.exists()
