"""exchange 0003: provenance moves from ImportedResponse rows onto the
responses, and back when the migration is reversed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exchange.models import ImportJob, ImportKind
from surveys.models import Response
from tests.imports.helpers import GOOD_ROWS, check, csv_bytes

BEFORE = [
    ("exchange", "0002_prepared_rows"),
    ("surveys", "0005_response_fewer_indexes"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_provenance_survives_the_migration_both_ways(survey, points, admin_user):
    from exchange.services import import_confirm

    job = import_confirm(
        job_id=check(survey, csv_bytes(GOOD_ROWS), admin_user).pk, user=admin_user
    )
    assert job.created_count == 3
    web = Response.objects.create(
        survey=survey,
        revision_id=job.revision_id,
        resume_digest="a" * 64,
        idempotency_key="web-1",
        channel="web",
        language="zh-hans",
        started_at=job.created_at,
        saved_at=job.created_at,
    )
    expected = list(
        Response.objects.filter(import_job=job.pk)
        .order_by("pk")
        .values_list("pk", "import_row", "interviewer")
    )
    try:
        old = _migrate(BEFORE)
        imported = old.get_model("exchange", "ImportedResponse")
        assert (
            list(
                imported.objects.order_by("response_id").values_list(
                    "response_id", "row_number", "interviewer"
                )
            )
            == expected
        )
        assert set(imported.objects.values_list("job_id", flat=True)) == {job.pk}
        digests = old.get_model("surveys", "Response").objects.in_bulk()
        assert digests[expected[0][0]].resume_digest == (
            f"import:{job.pk:010d}:{expected[0][1]:09d}"
        )
        assert digests[web.pk].resume_digest == "a" * 64
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert (
        list(
            Response.objects.filter(import_job=job.pk)
            .order_by("pk")
            .values_list("pk", "import_row", "interviewer")
        )
        == expected
    )
    assert not Response.objects.filter(
        import_job=job.pk, resume_digest__isnull=False
    ).exists()
    assert Response.objects.get(pk=web.pk).resume_digest == "a" * 64
    assert ImportJob.objects.filter(kind=ImportKind.RESPONSES).count() == 1
