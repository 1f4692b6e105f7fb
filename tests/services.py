"""What a test needs from the machine: fail under CI, skip on a laptop without it."""

from __future__ import annotations

import os
import socket
import sys

import pytest

IN_CI = os.environ.get("CI") == "true"


def require(available: bool, what: str) -> None:
    if available:
        return
    message = f"{what} is not available"
    if IN_CI:
        pytest.fail(f"{message}, and CI must run this test")
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def celery_worker_command(name: str, loglevel: str = "WARNING") -> list[str]:
    """A one-process Celery worker of this project, named ``name``.

    One process (solo pool): SIGKILL then stops the very process running the
    task, as an out-of-memory kill would, and nothing else is left behind.
    """
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "surveyportal",
        "worker",
        "--pool=solo",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"{name}-{os.getpid()}@%h",
    ]


def session_database_url() -> str | None:
    """The URL of the session's migrated PostgreSQL test database (None on
    SQLite), for scratch servers to copy instead of migrating from nothing.
    Call it with database access (``django_db_blocker.unblock()``)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    db = connection.settings_dict
    with connection.cursor() as cursor:  # the database the session really uses
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{name}"
    )
