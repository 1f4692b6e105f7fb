"""A generated report: what was asked, by whom, and the file once it is made.

Imported by :mod:`analysis.models` so the model belongs to the analysis app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from analysis.reports.storage import report_storage
from analysis.status_messages import Message, from_fields


class ReportKind(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook")
    PDF = "pdf", _("PDF report")
    CSV = "csv", _("CSV table")


class ReportLanguage(models.TextChoices):
    CHINESE = "zh-hans", "中文"
    ENGLISH = "en", "English"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")


CONTENT_TYPES = {
    ReportKind.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    ReportKind.PDF: "application/pdf",
    ReportKind.CSV: "text/csv; charset=utf-8",
}


class Report(models.Model):
    """One requested report of a wave's results (a run, frozen at request)."""

    kind = models.CharField(_("format"), max_length=8, choices=ReportKind.choices)
    wave = models.ForeignKey(
        "analysis.Wave", on_delete=models.CASCADE, related_name="reports"
    )
    run = models.ForeignKey(
        "analysis.IndexRun", on_delete=models.CASCADE, related_name="reports"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=ReportLanguage.choices
    )
    status = models.CharField(
        max_length=12, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    # what the status said, worded in the reader's language when shown
    # (analysis.status_messages): the msgid and its parameters
    message = models.CharField(max_length=300, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    file = models.FileField(storage=report_storage, upload_to="%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        app_label = "analysis"
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.wave} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def status_message(self) -> Message:
        return from_fields(self.message, self.message_params)

    @property
    def filename(self) -> str:
        return f"{self.wave.slug}-{self.language}-{self.pk}.{self.kind}"
