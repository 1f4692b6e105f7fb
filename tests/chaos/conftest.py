"""One scratch stack for the chaos tests of a module (see stack.py)."""

from __future__ import annotations

import shutil

import pytest

from tests.chaos.stack import build_stack, destroy_stack, postgres_bin
from tests.services import require


def _test_database_url() -> str | None:
    """The session's migrated PostgreSQL test database, to copy from."""
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


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    require(postgres_bin() is not None, "PostgreSQL server binaries (initdb)")
    require(shutil.which("redis-server") is not None, "redis-server")
    with django_db_blocker.unblock():
        template = _test_database_url()
    running = build_stack(template)
    try:
        yield running
    finally:
        destroy_stack(running)
