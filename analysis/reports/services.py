"""Writes: request a report, generate it (in a Celery task), mark failures.

A report is frozen to the run current when it was asked for, so what an
official downloads does not change under them when a new run finishes.
"""

from __future__ import annotations

import logging
from tempfile import SpooledTemporaryFile

from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from analysis.dashboard.selectors import dashboard_run, wave_overview
from analysis.models import Wave
from analysis.reports.models import Report, ReportKind, ReportStatus
from analysis.status_messages import Message

logger = logging.getLogger(__name__)


class ReportError(ValueError):
    """A report that cannot be asked for. ``message`` says why, worded in the
    language of whoever reads it; the exception's text is its source text."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.source_text())


def _writer(kind: str):
    """The renderer of ``kind``, imported only when needed (reportlab is big)."""
    if kind == ReportKind.XLSX:
        from analysis.reports.xlsx import write_workbook

        return write_workbook
    if kind == ReportKind.PDF:
        from analysis.reports.pdf import write_pdf

        return write_pdf
    from analysis.reports.csv import write_csv

    return write_csv


def report_request(
    *, wave: Wave, kind: str, language: str, requested_by, unpublished: bool
) -> Report:
    """Queue a report of the wave's current run (``unpublished``) or published
    run; asking again while the same report is queued returns that one."""
    if kind not in ReportKind.values:
        raise ReportError(
            Message(
                gettext_noop(
                    "Unknown report format “%(kind)s”: choose Excel, PDF or CSV."
                ),
                {"kind": kind[:40]},  # echoed to the requester: kept short
            )
        )
    run = dashboard_run(wave, unpublished=unpublished)
    if run is None:
        raise ReportError(
            Message(gettext_noop("This wave has no results to report yet."))
        )
    with transaction.atomic():
        active = Report.objects.filter(
            wave=wave,
            run=run,
            kind=kind,
            language=language,
            requested_by=requested_by,
            status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING],
        ).first()
        if active is not None:
            return active
        report = Report.objects.create(
            wave=wave,
            run=run,
            kind=kind,
            language=language,
            requested_by=requested_by,
            requested_at=timezone.now(),
            message=gettext_noop("Waiting for a worker."),
        )
        transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def _enqueue(report_id: int) -> None:
    from analysis.reports.tasks import generate_report

    try:
        result = generate_report.delay(report_id)
    except Exception as exc:  # broker down: say so on the report, never a 500
        logger.warning("report %s could not be queued: %s", report_id, exc)
        report_fail(
            report_id=report_id,
            message=Message(gettext_noop("The task queue is unreachable.")),
            error=repr(exc),
        )
        return
    Report.objects.filter(pk=report_id, task_id="").update(task_id=result.id or "")


def _progress(report_id: int, progress: int) -> None:
    Report.objects.filter(pk=report_id).update(progress=min(progress, 100))


def report_fail(*, report_id: int, message: Message, error: str = "") -> None:
    Report.objects.filter(pk=report_id).exclude(status=ReportStatus.SUCCEEDED).update(
        status=ReportStatus.FAILED,
        error=error,
        finished_at=timezone.now(),
        **message.as_fields(),
    )


def _claim(report_id: int) -> Report | None:
    """Mark the report running, unless it is already done (idempotence)."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("wave", "run", "requested_by")
            .filter(pk=report_id)
            .first()
        )
        if report is None or report.status == ReportStatus.SUCCEEDED:
            return None
        report.status = ReportStatus.RUNNING
        report.started_at = timezone.now()
        report.attempts += 1
        report.progress = 5
        report.message = gettext_noop("Generating.")
        report.message_params = {}
        report.save(
            update_fields=[
                "status",
                "started_at",
                "attempts",
                "progress",
                "message",
                "message_params",
            ]
        )
    return report


def report_generate(*, report_id: int) -> Report | None:
    """Render and store the report's file; a finished report is left as is."""
    report = _claim(report_id)
    if report is None:
        return Report.objects.filter(pk=report_id).first()
    overview = wave_overview(
        report.wave,
        language=report.language,
        unpublished=True,
        run=report.run,
    )
    writer = _writer(report.kind)
    with SpooledTemporaryFile(max_size=32 * 1024 * 1024) as buffer:
        kwargs = {"progress": lambda p: _progress(report.pk, p)}
        if report.kind == ReportKind.PDF:
            kwargs["requested_by"] = str(report.requested_by or "")
        with translation.override(report.language):
            writer(overview, buffer, **kwargs)
        size = buffer.tell()
        buffer.seek(0)
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            if locked.status == ReportStatus.SUCCEEDED:
                return locked
            if locked.file:
                locked.file.delete(save=False)
            locked.file.save(report.filename, File(buffer), save=False)
            locked.size = size
            locked.status = ReportStatus.SUCCEEDED
            locked.progress = 100
            locked.message = ""
            locked.message_params = {}
            locked.finished_at = timezone.now()
            locked.save()
    return locked
