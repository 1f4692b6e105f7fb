"""Rows built once for a group of tests, when building them takes seconds.

Django's ``setUpTestData`` for pytest fixtures: a class- or module-scoped
fixture makes its rows inside ``rolled_back_after``, which holds one
transaction open around the group. Each test still runs in its own atomic
block, now a savepoint inside that transaction, so what a test changes is
rolled back after it and the next test finds the shared rows as they were
built; the shared rows themselves are rolled back after the group's last test.

Only for plain ``django_db`` tests (not ``transaction=True``, whose flush
would end the transaction). Return ids or plain values from the fixture, or
re-fetch model instances in each test: an instance a test changes in memory
is not rolled back with the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back_after(django_db_blocker) -> Iterator[None]:
    """Database access for a group fixture, rolled back when the group ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
