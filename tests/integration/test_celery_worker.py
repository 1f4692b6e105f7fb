"""A real Celery worker on Redis runs a task against the real database."""

import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from core.models import WorkerHeartbeat
from core.tasks import record_heartbeat
from surveyportal.celery import app
from tests.services import celery_worker_command, port_open, require

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def database_url_for_worker() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker():
    broker = settings.CELERY_BROKER_URL or os.environ.get("CELERY_BROKER_URL", "")
    require(broker.startswith("redis://"), "CELERY_BROKER_URL pointing at Redis")
    parts = urlsplit(broker)
    require(port_open(parts.hostname, parts.port or 6379), f"Redis at {broker}")
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "surveyportal.settings.test",
        "DATABASE_URL": database_url_for_worker(),
        "CELERY_BROKER_URL": broker,
    }
    process = subprocess.Popen(  # noqa: S603
        celery_worker_command("itest"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield broker
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def sent_to_broker(worker):
    """Tasks leave this process for the broker instead of running eagerly."""
    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, worker
    yield
    app.conf.task_always_eager, app.conf.broker_url = eager, broker


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_task_sent_through_redis_is_run_by_the_worker_and_written_to_postgres(
    worker, sent_to_broker
):
    result = record_heartbeat.delay("integration")
    assert result.id
    assert wait_for(
        lambda: WorkerHeartbeat.objects.filter(worker="integration", beats=1).exists()
    ), "the worker did not run the task within 30 s"
    record_heartbeat.delay("integration")
    assert wait_for(
        lambda: WorkerHeartbeat.objects.filter(worker="integration", beats=2).exists()
    )
    assert WorkerHeartbeat.objects.filter(worker="integration").count() == 1
