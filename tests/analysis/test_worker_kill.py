"""A worker killed in the middle of an index run: a restarted worker finishes it
once, with one stored result set (real Celery worker, Redis, PostgreSQL)."""

import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection, transaction

from analysis import services
from analysis.models import IndexResult, IndexRun, RunStatus
from surveyportal.celery import app
from tests.factories.analysis import add_margin, simulated_wave
from tests.services import celery_worker_command, port_open, require

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _broker() -> str:
    broker = settings.CELERY_BROKER_URL or os.environ.get("CELERY_BROKER_URL", "")
    require(broker.startswith("redis://"), "CELERY_BROKER_URL pointing at Redis")
    parts = urlsplit(broker)
    require(port_open(parts.hostname, parts.port or 6379), f"Redis at {broker}")
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    return broker


def _start_worker(broker: str, name: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "surveyportal.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "CELERY_BROKER_URL": broker,
        # a killed worker's task comes back to the queue after 2 s
        "CELERY_VISIBILITY_TIMEOUT": "2",
    }
    return subprocess.Popen(  # noqa: S603
        celery_worker_command(name),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None,
    )


def _wait(condition, timeout: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def _status(run_id: int) -> str:
    return IndexRun.objects.values_list("status", flat=True).get(pk=run_id)


def _worker_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def queue_to_worker():
    broker = _broker()
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, broker
    workers: list[subprocess.Popen] = []
    yield lambda name: workers.append(_start_worker(broker, name)) or workers[-1]
    app.conf.task_always_eager, app.conf.broker_url = saved
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def test_killing_the_worker_mid_run_and_restarting_finishes_the_run_once(
    queue_to_worker,
):
    simulated = simulated_wave(points_per_sector=4, responses_per_survey=3000)
    wave = simulated.wave
    add_margin(wave, "gender", {"female": 510.0, "male": 490.0})
    first = queue_to_worker("first")
    run = services.index_run_request(wave=wave)
    assert _wait(lambda: _status(run.pk) == RunStatus.RUNNING, 60), (
        IndexRun.objects.get(pk=run.pk).message
    )
    # Hold the run's row: the worker blocks at its next progress report or
    # when it stores the results, i.e. in the middle of the run.
    with transaction.atomic():
        IndexRun.objects.select_for_update().get(pk=run.pk)
        assert _wait(_worker_waits_on_a_lock, 30, 0.05), "worker not blocked"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    assert _status(run.pk) == RunStatus.RUNNING
    assert not IndexResult.objects.filter(run=run).exists(), "half-written results"

    queue_to_worker("second")
    assert _wait(lambda: _status(run.pk) == RunStatus.SUCCEEDED, 90, 0.2), (
        IndexRun.objects.get(pk=run.pk).message
    )
    run.refresh_from_db()
    stored = IndexResult.objects.filter(run=run).count()
    assert stored > 20
    assert run.attempts == 2
    finished = run.finished_at
    time.sleep(4)  # a second delivery of the same task must change nothing
    run.refresh_from_db()
    assert run.finished_at == finished
    assert IndexResult.objects.filter(run=run).count() == stored
    assert IndexRun.objects.filter(wave=wave).count() == 1
    assert IndexResult.objects.filter(wave=wave).count() == stored
