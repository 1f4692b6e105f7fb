"""Runs on a schedule and after imports; a broker that is down is reported."""

import pytest
from django.utils import translation
from kombu.exceptions import OperationalError

from analysis import services
from analysis.models import IndexRun, RunStatus, RunTrigger
from analysis.tasks import recompute_changed_waves, run_index_pipeline
from surveys.models import Response

pytestmark = pytest.mark.django_db


def test_the_schedule_recomputes_a_wave_only_when_its_data_changed(
    wave, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = recompute_changed_waves.delay().get()
    assert len(first) == 1
    run = IndexRun.objects.get(pk=first[0])
    assert run.status == RunStatus.SUCCEEDED and run.trigger == RunTrigger.SCHEDULE
    with django_capture_on_commit_callbacks(execute=True):
        assert recompute_changed_waves.delay().get() == []
    Response.objects.filter(pk=Response.objects.order_by("pk").first().pk).update(
        excluded=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = recompute_changed_waves.delay().get()
    assert len(again) == 1 and again[0] != run.pk
    assert IndexRun.objects.filter(wave=wave, status=RunStatus.SUCCEEDED).count() == 2


def test_an_import_queues_one_run_per_wave_of_the_imported_surveys(wave):
    surveys = list(wave.surveys.values_list("pk", flat=True))
    runs = services.index_runs_request_for_surveys(survey_ids=surveys)
    assert [r.wave_id for r in runs] == [wave.pk]
    assert runs[0].trigger == RunTrigger.IMPORT


def test_a_broker_that_is_down_fails_the_run_with_a_message(
    wave, django_capture_on_commit_callbacks, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr(run_index_pipeline, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.index_run_request(wave=wave)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    with translation.override("en"):  # worded for the reader, not the writer
        assert "task queue is unreachable" in str(run.status_message)
    # the next request is not blocked by the failed one
    assert services.index_run_request(wave=wave).pk != run.pk
