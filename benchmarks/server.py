"""A production-shaped server for benchmarks and load tests.

A scratch PostgreSQL database, migrated, with the demo public-transport survey
published; gunicorn (production settings, ``gunicorn.conf.py``) serving it on a
free loopback port; and CPU accounting of the gunicorn process tree and of the
PostgreSQL backends serving it, read from ``/proc`` so that a figure per
submission does not depend on how loaded the shared machine is.
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get(
    "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
SETUP = """
from surveys.demo import load_reference_data
from surveys.demo_surveys import WAVES, ensure_survey, ensure_survey_index
from core.demo import ensure_home_page
load_reference_data()
index = ensure_survey_index(ensure_home_page())
survey = ensure_survey(index, "public-transport", WAVES[1])
# Every virtual citizen is 127.0.0.1 and answers in seconds: the rate limit
# and minimum fill time would flag or refuse them all (their own tests cover
# them; here they would only measure the anti-bot defences).
survey.starts_per_client_per_hour = 10**9
survey.min_fill_seconds = 0
survey.save_revision().publish()
print(survey.pk, survey.url)
"""


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def recreate_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(name: str) -> dict[str, str]:
    """Production settings against the scratch database, over plain HTTP."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(name),
        "DJANGO_SETTINGS_MODULE": "surveyportal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_TRUSTED_PROXY_COUNT": "0",
        # Production shares one Redis cache between the workers (limits,
        # duplicate checks); without Redis here, each worker has its own.
        "DJANGO_CACHE_URL": CACHE_URL if redis_reachable() else "",
    }


def redis_reachable() -> bool:
    parts = urlsplit(CACHE_URL)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1
        ):
            return True
    except OSError:
        return False


def prepare(env: dict[str, str]) -> tuple[int, str]:
    """Migrate the scratch database and publish the demo survey; its id and
    URL path."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # As a deployment does: production settings serve hashed static files
    # from the manifest, and every page fails without it.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    survey_id, path = out.strip().splitlines()[-1].split()
    return int(survey_id), path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict[str, str], port: int, extra_args: list[str] | None = None
) -> subprocess.Popen:
    """gunicorn with the repository's gunicorn.conf.py, once it answers."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [
            gunicorn,
            "surveyportal.wsgi:application",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *(extra_args or []),
        ],
        cwd=ROOT,
        env=env,
    )
    deadline, last = time.monotonic() + 180, None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            last = conn.getresponse().status
            if last in (200, 503):
                return process
        except (OSError, http.client.HTTPException) as error:
            last = error
        time.sleep(0.5)
    stop(process)
    raise RuntimeError(f"gunicorn did not start (last answer: {last!r})")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Served:
    """A running server: where it listens and what it serves."""

    base_url: str
    survey_id: int
    survey_path: str
    database: str
    process: subprocess.Popen


@contextmanager
def served(database: str, extra_args: list[str] | None = None) -> Iterator[Served]:
    """A scratch database and gunicorn for the duration of the block."""
    recreate_database(database)
    env = environment(database)
    try:
        survey_id, survey_path = prepare(env)
        port = free_port()
        process = start_gunicorn(env, port, extra_args)
        try:
            yield Served(
                f"http://127.0.0.1:{port}", survey_id, survey_path, database, process
            )
        finally:
            stop(process)
    finally:
        if not os.environ.get("BENCH_KEEP_DATABASE"):
            drop_database(database)


def stored_of(database: str, keys: list[str]) -> int:
    """How many of these idempotency keys have a stored response."""
    with psycopg.connect(database_url(database)) as conn:
        return conn.execute(
            "SELECT count(*) FROM surveys_response WHERE idempotency_key = ANY(%s)",
            (keys,),
        ).fetchone()[0]


def submitted_count(database: str, survey_id: int) -> int:
    """Responses of the survey that were submitted (over quota included)."""
    with psycopg.connect(database_url(database)) as conn:
        return conn.execute(
            "SELECT count(*) FROM surveys_response "
            "WHERE survey_id = %s AND submitted_at IS NOT NULL",
            (survey_id,),
        ).fetchone()[0]


def _process_seconds(pid: int) -> float:
    """User + system CPU seconds of one live process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / TICKS


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def tree_pids(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue.extend(_children(current))
    return pids


def backend_pids(database: str) -> list[int]:
    """PostgreSQL backends connected to the database (other than ours)."""
    with psycopg.connect(database_url(database), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return [row[0] for row in rows]


@dataclass
class CpuSample:
    per_pid: dict[int, float]

    def total(self) -> float:
        return sum(self.per_pid.values())


def cpu_sample(pids: list[int]) -> CpuSample:
    return CpuSample({pid: _process_seconds(pid) for pid in pids})


def cpu_spent(before: CpuSample, after: CpuSample) -> float:
    """CPU seconds spent between two samples by the processes of ``after``
    (a process that appeared in between counts from zero)."""
    return sum(
        seconds - before.per_pid.get(pid, 0.0) for pid, seconds in after.per_pid.items()
    )
