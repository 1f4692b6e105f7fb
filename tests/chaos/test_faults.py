"""Faults during a load run: nothing acknowledged is lost, nothing runs twice.

Each test drives submissions at gunicorn through benchmarks/loadgen.py while it
breaks one part of its own scratch stack (tests/chaos/stack.py), then checks:
every submission acknowledged with 201 is in the database, clients saw only
201 or a clear 503 (never a 500 or a dropped connection), and the follow-up
work (the index pipeline that beat requests) is done once the part is back,
exactly once: one run per request, one set of results per run.
"""

from __future__ import annotations

import http.client
import runpy
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from benchmarks.loadgen import LoadResult, run_load
from tests.chaos.stack import VISIBILITY_TIMEOUT_S, Stack, wait_until

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"

# django_db: so the session creates the migrated test database the stack copies.
pytestmark = [pytest.mark.services, pytest.mark.chaos, pytest.mark.django_db]

RECOMPUTE = "analysis.tasks.recompute_changed_waves"
CLIENTS, RATE_PER_S = 4, 25  # modest: the box has two cores for everything


class Load:
    """A load run in a background thread."""

    def __init__(self, stack: Stack, duration_s: float) -> None:
        self.result: LoadResult | None = None
        self.thread = threading.Thread(
            target=self._run, args=(stack, duration_s), daemon=True
        )
        self.thread.start()

    def _run(self, stack: Stack, duration_s: float) -> None:
        self.result = run_load(
            stack.base_url, stack.survey_id, CLIENTS, duration_s, RATE_PER_S
        )

    def join(self) -> LoadResult:
        self.thread.join(timeout=120)
        assert self.result is not None, "the load run did not finish"
        return self.result


def get(stack: Stack, path: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(stack.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept-Language": "en"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def assert_clients_saw_201_or_503(result: LoadResult) -> None:
    assert result.acknowledged, "no submission was acknowledged"
    assert set(result.statuses) <= {201, 503}, result.statuses
    assert not any(name.isalpha() for name in result.errors), result.errors


def assert_every_acknowledged_submission_is_stored(
    stack: Stack, result: LoadResult
) -> None:
    missing = set(result.acknowledged) - stack.stored_keys(result.acknowledged)
    assert not missing, f"{len(missing)} acknowledged submissions are not stored"


def runs(stack: Stack) -> list[tuple[int, str, int]]:
    """(id, status, attempts) of every index run, oldest first."""
    return stack.query("SELECT id, status, attempts FROM analysis_indexrun ORDER BY id")


TERMINAL = ("succeeded", "failed")


def settled(stack: Stack) -> bool:
    """No run waits or runs, and the latest one finished on the current data."""
    latest = stack.query(
        "SELECT status, data_fingerprint, finished_at IS NOT NULL "
        "FROM analysis_indexrun ORDER BY id DESC LIMIT 1"
    )
    active = [run for run in runs(stack) if run[1] not in TERMINAL]
    return bool(latest) and not active and latest[0][0] in TERMINAL and latest[0][2]


def recomputes_done(stack: Stack) -> int:
    """How many of beat's requests the workers have carried out so far."""
    log = stack.worker_log(tail=None)
    return sum(
        1
        for line in log.splitlines()
        if "recompute_changed_waves[" in line and "succeeded" in line
    )


def assert_follow_up_work_done_once(stack: Stack) -> None:
    """Beat's request is carried out; asking again computes nothing twice.

    The load client's answers name no service point, so the pipeline may end
    the run as "failed: needs two service points" rather than with results:
    either way the request was carried out once, to the end, on the data as
    it stands (a redelivered run may already have covered it: no new run).
    """
    carried_out = recomputes_done(stack)
    stack.send_task(RECOMPUTE)
    assert wait_until(
        lambda: recomputes_done(stack) > carried_out and settled(stack), 90
    ), f"the follow-up work was not done: runs {runs(stack)}\n{stack.worker_log()}"
    done, carried_out = {run[0] for run in runs(stack)}, recomputes_done(stack)
    stack.send_task(RECOMPUTE)  # nothing changed since: no new run
    assert wait_until(lambda: recomputes_done(stack) > carried_out, 60)
    assert {run[0] for run in runs(stack)} == done
    # One set of results per run: a redelivered task never stored twice.
    duplicated = stack.query(
        "SELECT run_id, kind, dimension, domain_type, domain, count(*) "
        "FROM analysis_indexresult GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1"
    )
    assert duplicated == []


def restore(stack: Stack) -> None:
    """Leave the stack whole for the next test, whatever this one broke."""
    if not stack.postgres.is_up():
        stack.postgres.start()
    if stack.redis.process is None:
        stack.redis.start()
    if stack.worker is None:
        stack.start_worker()


@pytest.fixture
def whole(stack):
    restore(stack)
    yield stack
    restore(stack)


def new_runs(stack: Stack, before: set[int]) -> list[tuple[int, str, int]]:
    return [run for run in runs(stack) if run[0] not in before]


def catch_a_running_index_run(stack: Stack, tries: int = 5) -> int:
    """Request runs until one is caught running; freeze the worker there."""
    for _ in range(tries):
        before = {run[0] for run in runs(stack)}
        stack.send_task(RECOMPUTE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            fresh = new_runs(stack, before)
            if fresh and fresh[-1][1] == "running":
                stack.freeze_worker()
                time.sleep(0.3)  # a commit already sent lands before we look
                if new_runs(stack, before)[-1][1] == "running":
                    return fresh[-1][0]
                stack.thaw_worker()
                break
            if fresh and fresh[-1][1] in TERMINAL:
                break  # too quick this time
            time.sleep(0.02)
        time.sleep(1)  # the load adds responses, so the wave is due again
    pytest.fail("no index run could be caught while running:\n" + stack.worker_log())


def test_a_worker_killed_mid_task_finishes_the_work_once_after_restart(whole):
    stack = whole
    load = Load(stack, duration_s=10)
    time.sleep(2)  # some responses to compute on
    run_id = catch_a_running_index_run(stack)
    stack.kill_worker()
    # Redis hands the unacknowledged task to the next worker once the
    # visibility timeout has passed since delivery.
    time.sleep(VISIBILITY_TIMEOUT_S + 1)
    stack.start_worker()
    result = load.join()

    assert_clients_saw_201_or_503(result)
    assert 503 not in result.statuses  # the web never needed the worker
    assert_every_acknowledged_submission_is_stored(stack, result)
    # The redelivered task claimed the same run again (a second attempt, no
    # second run) and took it to the end.
    assert wait_until(
        lambda: (
            stack.query(
                "SELECT status IN ('succeeded', 'failed'), attempts "
                "FROM analysis_indexrun WHERE id = %s",
                (run_id,),
            )[0]
            == (True, 2)
        ),
        60,
    ), f"the killed run was not finished by redelivery: {runs(stack)}"
    assert_follow_up_work_done_once(stack)


def test_redis_stopped_and_restarted_keeps_submissions_and_queued_work(whole):
    stack = whole
    load = Load(stack, duration_s=9)
    time.sleep(1.5)
    # Beat's request waits in the queue: no worker is listening.
    stack.stop_worker()
    before = {run[0] for run in runs(stack)}
    stack.send_task(RECOMPUTE)
    stack.redis.stop()
    time.sleep(2)
    status, _headers, body = get(stack, "/healthz")
    assert status == 200 and b'"broker": "down"' in body  # degraded, still serving
    stack.redis.start()
    stack.start_worker()
    result = load.join()

    assert_clients_saw_201_or_503(result)
    assert_every_acknowledged_submission_is_stored(stack, result)
    # The request queued before the outage survived it and was carried out.
    assert wait_until(
        lambda: any(r[0] not in before and r[1] in TERMINAL for r in runs(stack)),
        60,
    ), f"the queued request was lost: {runs(stack)}\n{stack.worker_log()}"
    assert_follow_up_work_done_once(stack)


def test_postgres_restarted_clients_see_503_and_nothing_acknowledged_is_lost(whole):
    stack = whole
    load = Load(stack, duration_s=10)
    time.sleep(2)
    stack.postgres.crash()
    time.sleep(1)
    page = get(stack, "/en/results/")
    health = get(stack, "/healthz")
    time.sleep(1.5)
    stack.postgres.start()
    result = load.join()

    assert page[0] == 503 and page[1].get("Retry-After"), page[:2]
    assert b"temporarily unavailable" in page[2]
    assert health[0] == 503
    assert_clients_saw_201_or_503(result)
    assert result.statuses[503] > 0, "no client saw the outage"
    assert result.statuses[201] > 0
    assert_every_acknowledged_submission_is_stored(stack, result)
    after = run_load(stack.base_url, stack.survey_id, CLIENTS, 1.5, RATE_PER_S)
    # Recovered. Connections are not health-checked per request (a SELECT 1 on
    # the hot path), so a server thread still holding a connection from before
    # the restart answers one more 503 and then reconnects: at most one per
    # thread, never a 500.
    server = runpy.run_path(str(GUNICORN_CONF))
    threads = server["workers"] * server["threads"]
    assert set(after.statuses) <= {201, 503}, after.statuses
    assert after.statuses[503] <= threads, after.statuses
    assert after.statuses[201] > after.statuses[503], after.statuses
    assert_follow_up_work_done_once(stack)
