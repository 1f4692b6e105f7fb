"""Import jobs (dry run, then all or nothing) and exports.

Where an imported response came from is on the response itself
(``Response.import_job``, ``import_row``, ``interviewer``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    RESPONSES = "responses", _("Survey responses")
    SERVICE_POINTS = "service_points", _("Service points")
    QUESTION_BANK = "question_bank", _("Question bank")
    MARGINS = "margins", _("Population margins")


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking (dry run)")
    REJECTED = "rejected", _("Rejected: nothing written")
    READY = "ready", _("Checked: waiting for confirmation")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed: nothing written")


class ImportJob(models.Model):
    """One uploaded file: its dry-run outcome, then (once confirmed) its import.

    ``preview`` holds the first rows' outcomes for the preview page; the whole
    row-by-row report is ``report`` (CSV). Progress is ``processed_rows`` of
    ``total_rows``, polled by the progress bar.
    """

    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    survey = models.ForeignKey(
        "surveys.SurveyPage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    upload = models.FileField(upload_to="exchange/imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    preview = models.JSONField(default=list, blank=True)
    report = models.FileField(upload_to="exchange/reports/%Y/%m/", blank=True)
    # What the dry run found valid, as it will be stored; confirming loads it.
    prepared = models.FileField(upload_to="exchange/prepared/%Y/%m/", blank=True)
    revision_id = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def refused_whole(self) -> bool:
        """Refused for the file itself (its encoding, headers, size, a row
        the parser cannot read): the reading stopped there, so there is no
        total, only the rows read until then."""
        return self.status == ImportStatus.REJECTED and not self.total_rows


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (UTF-8)")
    XLSX = "xlsx", _("Excel (XLSX)")
    SAV = "sav", _("SPSS (.sav)")
    DTA = "dta", _("Stata (.dta)")


class Export(models.Model):
    """One download: what was asked for, how many rows went out and their digest.

    ``row_count`` and ``checksum`` (SHA-256 of the bytes sent) are filled in
    when the last byte has been produced; ``expected_rows`` is the database's
    count for the same filters, taken in the same snapshot.
    """

    survey = models.ForeignKey(
        "surveys.SurveyPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_format = models.CharField(max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    expected_rows = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.get_file_format_display()} #{self.pk}"

    @property
    def complete(self) -> bool:
        return self.row_count is not None and self.row_count == self.expected_rows
