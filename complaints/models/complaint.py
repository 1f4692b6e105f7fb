"""A tourist complaint, its recorded history and its photos."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import (
    OPEN_STATUSES,
    ComplaintAction,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
)
from ..storage import photo_storage

DESCRIPTION_MAX_LENGTH = 4000


class Complaint(models.Model):
    """A complaint about a tourism service, from intake to settlement."""

    reference = models.CharField(_("reference number"), max_length=20, unique=True)
    lookup_secret_hash = models.CharField(max_length=64, editable=False)
    channel = models.CharField(
        _("channel"), max_length=12, choices=ComplaintChannel.choices
    )
    external_reference = models.CharField(
        _("hotline or platform case number"), max_length=60, blank=True
    )
    service_point = models.ForeignKey(
        "surveys.ServicePoint",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("scenic area or service point"),
    )
    category = models.CharField(
        _("category"), max_length=20, choices=ComplaintCategory.choices
    )
    description = models.TextField(
        _("what happened"), max_length=DESCRIPTION_MAX_LENGTH
    )
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")

    # Personal data: shown to handlers only, removed after the retention period.
    contact_name = models.CharField(_("name"), max_length=80, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_consent = models.BooleanField(_("consent to be contacted"), default=False)
    contacts_purged_at = models.DateTimeField(null=True, blank=True, editable=False)

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    received_at = models.DateTimeField(_("received at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    acknowledge_by = models.DateTimeField(_("acknowledge by"))
    settle_by = models.DateTimeField(_("settle by"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler"),
    )
    agency = models.ForeignKey(
        "complaints.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("agency"),
    )
    # Filled faster than a person could, or the hidden honeypot field: kept for
    # the handlers to judge, left out of the settlement statistics.
    suspected_bot = models.BooleanField(
        _("suspected bot"),
        default=False,
        help_text=_(
            "Sent faster than a person can fill the form, or with the hidden field "
            "filled. Not counted in the settlement statistics."
        ),
    )
    resolution = models.TextField(_("resolution"), blank=True)
    closing_reason = models.TextField(_("reason"), blank=True)
    # Bumped by every recorded event: a handler acting on a stale page is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [
            ("view_complaintstatistics", _("Can view complaint settlement statistics")),
            ("import_complaints", _("Can import hotline and platform cases")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_reference"],
                condition=~Q(external_reference=""),
                name="complaint_unique_external_reference",
            )
        ]
        indexes = [models.Index(fields=["status", "settle_by"])]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("wagtailadmin_complaints:edit", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: dt.datetime) -> bool:
        """Open past its settlement deadline, or unacknowledged past that one."""
        if not self.is_open:
            return False
        unacknowledged = self.status == ComplaintStatus.RECEIVED
        return now > self.settle_by or (unacknowledged and now > self.acknowledge_by)


class ComplaintTransition(models.Model):
    """One recorded event in a complaint's life: who did what, when, and why."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(
        _("action"), max_length=20, choices=ComplaintAction.choices
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=ComplaintStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=20, choices=ComplaintStatus.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by"), max_length=80)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


class ComplaintPhoto(models.Model):
    """A photo the complainant attached; served to handlers only."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(storage=photo_storage, upload_to="%Y/%m/")
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("complaint photo")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.image.name}"
