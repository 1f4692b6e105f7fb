"""Confirming a checked response file on PostgreSQL: the rows staged by the
dry run are written all or none, and the stage never outlives its use."""

import pytest
from django.db import connection
from django.utils import translation

from exchange import tables
from exchange.loaders import stage_name, stages_prune
from exchange.models import ImportJob, ImportStatus
from exchange.services import import_confirm
from surveys.models import Response
from tests.imports.helpers import GOOD_ROWS, check, csv_bytes
from tests.services import require

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql(db):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


def staged_rows(job_id: int) -> int | None:
    """Rows in the job's stage table; None when there is no such table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [stage_name(job_id)])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT count(*) FROM {stage_name(job_id)}")  # noqa: S608
        return cursor.fetchone()[0]


def test_the_dry_run_stages_the_rows_and_writes_no_response(survey, points, admin_user):
    job = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    assert job.status == ImportStatus.READY, job.message
    assert staged_rows(job.pk) == 3
    assert Response.objects.count() == 0


def test_the_stage_is_dropped_once_the_rows_are_imported(survey, points, admin_user):
    job = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    job = import_confirm(job_id=job.pk, user=admin_user)
    assert job.status == ImportStatus.DONE, job.message
    assert staged_rows(job.pk) is None
    assert Response.objects.filter(import_job=job.pk).count() == 3


def test_a_stage_emptied_by_a_database_crash_is_checked_again(
    survey, points, admin_user
):
    """An UNLOGGED table comes back empty after a crash: confirming must not
    report an empty import as done."""
    job = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {stage_name(job.pk)}")
    with translation.override("en"):
        job = import_confirm(job_id=job.pk, user=admin_user)
    assert job.status == ImportStatus.FAILED
    assert "Check the file again" in job.message
    assert Response.objects.count() == 0


def test_a_confirm_the_database_refuses_leaves_nothing_written(
    survey, points, admin_user
):
    """A service point deleted after the dry run: the reference check refuses
    the rows naming it, none of the file's rows is written, and the assessor
    is told to check the file again (its rows are no longer what was shown)."""
    job = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    points[1].delete()  # xitang, on the second row only
    with translation.override("en"):
        job = import_confirm(job_id=job.pk, user=admin_user)
    assert job.status == ImportStatus.FAILED
    assert job.message.startswith("Nothing was imported")
    assert "Check the file again" in job.message
    assert Response.objects.count() == 0


def test_stages_no_job_can_confirm_any_more_are_pruned(survey, points, admin_user):
    waiting = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    abandoned = check(survey, csv_bytes(GOOD_ROWS[:2]), admin_user)
    ImportJob.objects.filter(pk=abandoned.pk).update(
        created_at=abandoned.created_at.replace(year=abandoned.created_at.year - 1)
    )
    stages_prune()
    assert staged_rows(waiting.pk) == 3
    assert staged_rows(abandoned.pk) is None


def test_a_row_rejected_after_staged_chunks_leaves_no_stage_and_a_full_report(
    survey, points, admin_user, monkeypatch
):
    """Chunks are staged as they are checked; a later chunk's bad row rejects
    the file: the stage goes, and every bad row of every chunk is reported."""
    monkeypatch.setattr(tables, "TABLE_CHUNK_ROWS", 1)
    bad_wait = [*GOOD_ROWS[0][:7], "999", *GOOD_ROWS[0][8:]]
    rows = [*GOOD_ROWS, bad_wait, GOOD_ROWS[1], bad_wait]
    job = check(survey, csv_bytes(rows), admin_user)
    assert job.status == ImportStatus.REJECTED
    assert job.rejected_count == 2
    report = job.report.open("rb").read().decode("utf-8-sig").splitlines()
    assert [line.split(",")[:3] for line in report[1:]] == [
        ["5", "reject", "q_wait"],
        ["7", "reject", "q_wait"],
    ]
    assert staged_rows(job.pk) is None
    assert Response.objects.count() == 0
