"""The broker is down when someone asks for a run: the run fails with a clear
message at once, and the wave's previous results stay current and visible.

The broker here is a real, unreachable Redis address (nothing listens on
port 1), not a mocked ``delay``: the test goes through Celery and kombu.
"""

from contextlib import contextmanager

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from accounts.roles import LEAD_ASSESSORS, OFFICIALS
from analysis import selectors
from analysis.models import IndexResult, IndexRun, RunStatus
from surveyportal.celery import app
from tests.analysis.conftest import login_admin, role_user

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"


@contextmanager
def broker_down():
    """Point Celery at an unreachable broker, then put everything back.

    Celery keeps connection and producer pools per broker URL (kombu's global
    pools): set them aside so sends go to the new URL, close only the pool made
    for the unreachable one, and restore the working ones untouched.
    """
    conf = app.conf
    names = (
        "task_always_eager",
        "broker_url",
        "broker_write_url",
        "broker_connection_timeout",
    )
    saved = {name: conf[name] for name in names}
    pools = (app._pool, app.amqp._producer_pool)
    conf.task_always_eager = False
    conf.broker_url = conf.broker_write_url = UNREACHABLE
    conf.broker_connection_timeout = 1
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool, app.amqp._producer_pool = pools
        conf.update(saved)


def _in_english(user):
    """Admin pages follow the user's preferred language; texts are asserted
    in English."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def _sector_row(run: IndexRun) -> IndexResult:
    return IndexResult.objects.get(
        run=run, kind="index", domain_type="sector", domain="medical"
    )


def test_a_run_requested_while_the_broker_is_down_fails_clearly_and_keeps_the_results(
    client, wave, run_wave, django_capture_on_commit_callbacks
):
    previous = run_wave(wave)
    assert previous.status == RunStatus.SUCCEEDED, previous.message
    stored = IndexResult.objects.filter(run=previous).count()

    login_admin(client, _in_english(role_user(LEAD_ASSESSORS, "lead")))
    with django_capture_on_commit_callbacks() as on_commit:
        response = client.post(reverse("analysis_admin_run_request", args=[wave.pk]))
    # the request's own language is gone once it returns: queue in English, as
    # the request of an English-speaking user would on commit
    with broker_down(), translation.override("en"):
        for callback in on_commit:
            callback()
    assert response.status_code == 302
    failed = IndexRun.objects.exclude(pk=previous.pk).get(wave=wave)
    assert failed.status == RunStatus.FAILED
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "The task queue is unreachable" in page.content.decode()

    # nothing of the previous run was touched, and it is still the current one
    assert selectors.wave_current_run(wave) == previous
    assert IndexResult.objects.filter(run=previous).count() == stored
    assert not IndexResult.objects.filter(run=failed).exists()

    client.logout()
    login_admin(client, _in_english(role_user(OFFICIALS, "official")))
    overview = client.get(reverse("analysis_admin_wave_runs", args=[wave.pk]))
    body = overview.content.decode()
    assert overview.status_code == 200
    assert f"Current results: run #{previous.pk}" in body
    assert f"The latest run (#{failed.pk}) failed" in body
    assert f"{_sector_row(previous).estimate:.1f}" in body
