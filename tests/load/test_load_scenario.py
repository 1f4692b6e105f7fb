"""The load scenario in a short, bounded form (issue #9): citizens answering
through the web form and the API against gunicorn + PostgreSQL on loopback.

Asserts correctness under concurrency, not speed (speed is measured by
benchmarks/submissions.py on a quiet machine): no errors, every flow completed,
and every acknowledged submission stored exactly once.
"""

from __future__ import annotations

import os

import psycopg
import pytest

from benchmarks import server
from benchmarks.load_scenario import run_scenario
from benchmarks.loadgen import run_load
from tests.chaos.stack import copy_database, postgres_bin
from tests.services import require, session_database_url

# django_db: so the session creates the migrated test database served() copies.
pytestmark = [pytest.mark.services, pytest.mark.django_db]


def _admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.rsplit("/", 1)[0] + "/postgres"
    return server.ADMIN_URL


def _restoring(recreate, template: str):
    """``server.recreate_database`` that then restores the session's migrated
    test database into the new one: the server's ``migrate`` then has nothing
    left to do, where migrating from nothing takes ~20 s on a loaded box."""
    bin_dir = postgres_bin()

    def recreate_from_template(name: str) -> None:
        recreate(name)
        copy_database(bin_dir, template, server.database_url(name))

    return recreate_from_template


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker):
    admin = _admin_url()
    try:
        psycopg.connect(admin, connect_timeout=3).close()
        reachable = True
    except psycopg.Error:
        reachable = False
    require(reachable, "PostgreSQL")
    with django_db_blocker.unblock():
        template = session_database_url()
    original = server.ADMIN_URL, server.recreate_database
    server.ADMIN_URL = admin
    if template and postgres_bin():
        server.recreate_database = _restoring(server.recreate_database, template)
    try:
        with server.served(f"surveys_load_test_{os.getpid()}") as running:
            yield running
    finally:
        server.ADMIN_URL, server.recreate_database = original


def test_citizens_at_the_realistic_mix_lose_nothing_and_meet_no_error(served):
    before = server.submitted_count(served.database, served.survey_id)
    result = run_scenario(
        served.base_url,
        served.survey_id,
        served.survey_path,
        users=12,
        duration_s=15,
        think_s=0.2,
    )
    stored = server.submitted_count(served.database, served.survey_id) - before
    print(result.report(stored))
    assert not result.errors, result.errors
    assert {"web", "api"} <= set(result.flows), result.flows
    assert result.acknowledged_web > 0 and result.acknowledged_api
    assert stored == result.acknowledged


def test_every_key_run_load_acknowledges_is_stored_once(served):
    result = run_load(served.base_url, served.survey_id, clients=16, duration_s=5)
    assert not result.errors, result.errors
    assert result.acknowledged and len(set(result.acknowledged)) == len(
        result.acknowledged
    )
    assert server.stored_of(served.database, result.acknowledged) == len(
        result.acknowledged
    )
    assert result.statuses[201] == len(result.latencies_ms)


def test_an_open_loop_run_keeps_its_schedule_and_stores_every_submission(served):
    result = run_load(
        served.base_url, served.survey_id, clients=8, duration_s=4, rate_per_s=20
    )
    assert not result.errors, result.errors
    # 20/s for 4 s over 8 clients: 80 scheduled requests, each answered.
    assert 72 <= result.sent <= 88
    assert len(result.acknowledged) == result.sent
    assert server.stored_of(served.database, result.acknowledged) == result.sent
