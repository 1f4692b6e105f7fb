"""Writes: create an import job, check it (dry run), run it once confirmed.

A job is checked in full before anything is written, and confirmed only when
no row is rejected; running it re-checks against the database of that moment
and writes every row or none (one transaction).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from analysis.models import RunTrigger
from analysis.services import index_runs_request_for_surveys
from exchange import tables
from exchange.loaders import (
    PREPARED_SUFFIX,
    load_prepared,
    prepared_discard,
    prepared_file,
    stage_writer,
    stages_prune,
)
from exchange.models import ImportJob, ImportKind, ImportStatus
from exchange.plan import ResponsePlan, plan_responses
from exchange.problems import FileRejected, Problem
from exchange.readers import MAX_FILE_BYTES
from surveys.selectors import revision_questionnaire

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.core.files.uploadedfile import UploadedFile

    from surveys.models import SurveyPage

logger = logging.getLogger(__name__)
PREVIEW_ROWS = 200
UNREADABLE = _lazy(
    "The file could not be processed; nothing was written. Save it again as "
    "CSV UTF-8 or .xlsx and retry, or send it to the administrators."
)
REPORT_HEADER = ["row", "action", "column", "value", "message"]
# progress(total=..., processed=...)
ProgressWriter = Callable[..., None]


def background_threshold_bytes() -> int:
    """Files larger than this are checked and imported by a Celery task."""
    return getattr(settings, "EXCHANGE_BACKGROUND_BYTES", 2 * 1024 * 1024)


class ImportRefused(Exception):  # noqa: N818
    """A request the import flow refuses, with a message for the user."""


def import_create(
    *,
    kind: str,
    upload: UploadedFile,
    user: AbstractBaseUser | None,
    survey: SurveyPage | None = None,
) -> ImportJob:
    """Store the upload as a job and check it (in a task when large).

    A file over the size limit is refused here, before it is stored.
    """
    if kind == ImportKind.RESPONSES and survey is None:
        raise ImportRefused(_("Choose the survey the responses belong to."))
    if upload.size > MAX_FILE_BYTES:
        raise ImportRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it.")
            % {
                "size": f"{upload.size / 1024 / 1024:.0f}",
                "limit": f"{MAX_FILE_BYTES / 1024 / 1024:.0f}",
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = ImportJob.objects.create(
        kind=kind,
        survey=survey,
        upload=upload,
        original_name=(upload.name or "upload")[:255],
        size_bytes=upload.size,
        checksum=digest.hexdigest(),
        created_by=user,
    )
    if job.size_bytes > background_threshold_bytes():
        from exchange.tasks import check_import

        transaction.on_commit(lambda: check_import.delay(job.pk))
    else:
        job = import_check(job_id=job.pk)
    return job


def _questionnaire(survey: SurveyPage):
    revision_id = survey.live_revision_id or survey.latest_revision_id
    if revision_id is None:
        raise FileRejected(
            Problem(_("The survey has no saved questionnaire to import against."))
        )
    return revision_questionnaire(revision_id)[0], revision_id


def _plan(job: ImportJob) -> ResponsePlan:
    """Check the job's file a chunk at a time; on PostgreSQL, the rows to
    create are streamed into the job's stage table while the rest is read
    and checked. The progress bar moves with every chunk; until the file is
    read, its total is the line count."""
    questionnaire, revision_id = _questionnaire(job.survey)
    with job.upload.open("rb") as handle, progress_writer(job) as progress:
        table = tables.open_table(
            handle, name=job.original_name, chunk_rows=tables.TABLE_CHUNK_ROWS
        )
        estimate = table.rows_estimate
        progress(total=estimate, processed=0)
        check = partial(
            plan_responses,
            survey=job.survey,
            questionnaire=questionnaire,
            revision_id=revision_id,
            table=table,
            on_progress=lambda done: progress(
                total=max(estimate, done), processed=done
            ),
        )
        if connections["default"].vendor != "postgresql":
            return check()
        with stage_writer(job_id=job.pk) as stage:
            return check(on_chunk=stage)


def import_check(*, job_id: int) -> ImportJob:
    """The dry run: every row's outcome, counts and a report; writes no data.

    Idempotent: checking a checked job again gives the same verdict.
    """
    job = ImportJob.objects.select_related("survey").get(pk=job_id)
    if job.status not in (ImportStatus.CHECKING, ImportStatus.READY):
        return job
    try:
        if job.kind == ImportKind.RESPONSES:
            stages_prune()
            prepared_discard(job)  # a new check replaces the last one's rows
            plan = _plan(job)
            _record_plan(job, plan)
        else:
            from exchange.resources import resource_check

            _record_outcomes(job, resource_check(job))
    except FileRejected as rejected:
        _record_rejection(job, rejected.problems, whole_file=True)
    except Exception:  # a file we cannot read must not become a server error
        logger.exception("import %s: check failed", job.pk)
        _record_rejection(job, [Problem(UNREADABLE)], whole_file=True)
    job.save()
    return job


def _record_plan(job: ImportJob, plan: ResponsePlan) -> None:
    job.total_rows = plan.total
    job.processed_rows = plan.total
    job.rejected_count = plan.rejected_rows
    job.skipped_count = int(plan.already_imported.sum())
    job.created_count = 0 if job.rejected_count else plan.total - job.skipped_count
    job.updated_count = 0
    job.preview = plan.row_outcomes(PREVIEW_ROWS)
    notes = [
        _(
            "%(n)d answers to “%(code)s” were left out: the question is hidden by "
            "its condition for those rows, as on the web."
        )
        % {"n": n, "code": code}
        for code, n in plan.dropped.items()
    ]
    if job.rejected_count:
        # Chunks checked before the first rejected row were staged already.
        prepared_discard(job)
        job.status = ImportStatus.REJECTED
        job.message = _(
            "%(bad)d of %(total)d rows have problems; nothing will be imported "
            "until the file is corrected. The first: %(first)s"
        ) % {
            "bad": job.rejected_count,
            "total": plan.total,
            "first": _first_error(plan),
        }
    else:
        job.status = ImportStatus.READY
        job.message = " ".join(notes)
        job.revision_id = plan.revision_id
        _prepare(job, plan)
    job.report.save(f"import-{job.pk}-report.csv", _plan_report(plan), save=False)


def _prepare(job: ImportJob, plan: ResponsePlan) -> None:
    """Leave the rows to create where confirming will load them from: a
    prepared file, on databases other than PostgreSQL (there, the check
    streamed them into the job's stage table)."""
    if connections["default"].vendor != "postgresql":
        job.prepared.save(
            f"import-{job.pk}{PREPARED_SUFFIX}",
            prepared_file(plan, job_id=job.pk),
            save=False,
        )


def _first_error(plan: ResponsePlan) -> str:
    first = plan.errors.iloc[0]
    return str(
        Problem(first["message"], int(first["row"]), first["column"], first["value"])
    )


def _plan_report(plan: ResponsePlan) -> ContentFile:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADER)
    if len(plan.errors):
        frame = plan.errors.assign(action="reject")[REPORT_HEADER]
        frame.to_csv(buffer, header=False, index=False)
    else:
        skipped = plan.row_numbers[plan.already_imported]
        writer.writerows([int(r), "skip", "", "", "already imported"] for r in skipped)
    from exchange.exports import neutralize_text

    return ContentFile(neutralize_report(buffer.getvalue(), neutralize_text).encode())


def neutralize_report(text: str, neutralize) -> str:
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows([neutralize(cell) for cell in row] for row in rows)
    return out.getvalue()


def _record_rejection(
    job: ImportJob, problems: list[Problem], *, whole_file: bool
) -> None:
    """``whole_file``: the file itself was refused and reading stopped there,
    so there is no total to give (``processed_rows`` keeps the rows read)."""
    job.status = ImportStatus.REJECTED
    job.message = " ".join(str(p) for p in problems[:5])
    job.preview = [
        {"row": p.row, "action": "reject", "why": [str(p)]} for p in problems[:50]
    ]
    job.rejected_count = len({p.row for p in problems if p.row is not None})
    job.created_count = job.updated_count = job.skipped_count = 0
    if whole_file:
        job.total_rows = 0
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADER)
    writer.writerows(
        ["" if p.row is None else p.row, "reject", p.column, p.value, p.message]
        for p in problems
    )
    from exchange.exports import neutralize_text

    # The report echoes the refused cells, formulas included: neutralized, so
    # opening it in a spreadsheet runs none of them (CSV injection).
    job.report.save(
        f"import-{job.pk}-report.csv",
        ContentFile(neutralize_report(buffer.getvalue(), neutralize_text).encode()),
        save=False,
    )


def _record_outcomes(job: ImportJob, outcome) -> None:
    job.total_rows = job.processed_rows = outcome.total
    job.created_count = outcome.created
    job.updated_count = outcome.updated
    job.skipped_count = outcome.skipped
    job.rejected_count = (
        len({p.row for p in outcome.problems}) if outcome.problems else 0
    )
    job.preview = outcome.rows[:PREVIEW_ROWS]
    if outcome.problems:
        _record_rejection(job, outcome.problems, whole_file=False)
    else:
        job.status = ImportStatus.READY
        job.message = ""


def import_confirm(*, job_id: int, user: AbstractBaseUser) -> ImportJob:
    """Start writing a checked job (in a task when large); only a job whose
    dry run rejected nothing can be confirmed."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportStatus.READY:
            raise ImportRefused(
                _("Only a checked file without problems can be imported.")
            )
        job.status = ImportStatus.IMPORTING
        job.processed_rows = 0
        job.save(update_fields=["status", "processed_rows"])
    if job.size_bytes > background_threshold_bytes():
        from exchange.tasks import run_import

        run_import.delay(job.pk)
    else:
        import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_run(*, job_id: int) -> ImportJob:
    """Write a confirmed job, all rows or none. Idempotent: a finished job is
    returned as it is, and rows already imported are never written twice."""
    job = ImportJob.objects.select_related("survey").get(pk=job_id)
    if job.status != ImportStatus.IMPORTING:
        return job
    try:
        if job.kind == ImportKind.RESPONSES:
            created = _run_responses(job)
            job.created_count = created
        else:
            from exchange.resources import resource_run

            outcome = resource_run(job)
            job.created_count, job.updated_count = outcome.created, outcome.updated
        job.status = ImportStatus.DONE
        job.processed_rows = job.total_rows
    except FileRejected as rejected:
        job.status = ImportStatus.FAILED
        job.message = _("Nothing was imported: ") + " ".join(
            str(p) for p in rejected.problems[:5]
        )
    except Exception:
        logger.exception("import %s: run failed", job.pk)
        job.status = ImportStatus.FAILED
        job.message = _("Nothing was imported: ") + str(UNREADABLE)
    job.finished_at = timezone.now()
    job.save()
    if job.kind == ImportKind.RESPONSES:
        # Only now: a run redelivered before this save must find the rows.
        prepared_discard(job)
        if job.status == ImportStatus.DONE:
            _request_index_runs(job)
    return job


def _request_index_runs(job: ImportJob) -> None:
    """New responses change the results of every wave assessing the survey:
    queue their index runs (one per wave, none if one is already queued). The
    rows are committed by now, so a queue that is down fails the run with a
    message (see ``analysis.services``) and never the import."""
    if not job.created_count:
        return  # everything was imported before: nothing changed
    try:
        index_runs_request_for_surveys(
            survey_ids=[job.survey_id],
            trigger=RunTrigger.IMPORT,
            requested_by=job.created_by,
        )
    except DatabaseError:  # the import stands; the schedule recomputes later
        logger.exception("import %s: index runs could not be requested", job.pk)


def _run_responses(job: ImportJob) -> int:
    """Load what the dry run prepared; rows imported meanwhile are skipped.
    What an older release prepared, or a crash emptied, is checked again."""
    if job.revision_id is None:
        raise FileRejected(Problem(_("Check the file again before importing it.")))

    with progress_writer(job) as progress:
        return load_prepared(
            job=job,
            progress=lambda done: progress(total=job.total_rows, processed=done),
        )


@contextmanager
def progress_writer(job: ImportJob) -> Iterator[ProgressWriter]:
    """A function that records progress where the progress bar can see it:
    on PostgreSQL inside a transaction (the dry run's COPY, the import),
    through one second connection opened for the whole step, outside it."""
    side = None

    def write(*, total: int, processed: int) -> None:
        nonlocal side
        job.total_rows, job.processed_rows = total, processed
        main = connections["default"]
        if main.vendor != "postgresql" or not main.in_atomic_block:
            ImportJob.objects.filter(pk=job.pk).update(
                total_rows=total, processed_rows=processed
            )
            return
        if side is None:
            side = connections.create_connection("default")
            side.set_autocommit(True)
            with side.cursor() as cursor:
                # Progress is no data: no wait for the disk on each step.
                cursor.execute("SET synchronous_commit = off")
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET total_rows = %s, "  # noqa: S608
                "processed_rows = %s WHERE id = %s",
                [total, processed, job.pk],
            )

    try:
        yield write
    finally:
        if side is not None:
            side.close()
