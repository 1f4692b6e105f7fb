"""One scratch stack for the chaos tests of a module (see stack.py)."""

from __future__ import annotations

import shutil

import pytest

from tests.chaos.stack import build_stack, destroy_stack, postgres_bin
from tests.services import require, session_database_url


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    require(postgres_bin() is not None, "PostgreSQL server binaries (initdb)")
    require(shutil.which("redis-server") is not None, "redis-server")
    with django_db_blocker.unblock():
        template = session_database_url()
    running = build_stack(template)
    try:
        yield running
    finally:
        destroy_stack(running)
