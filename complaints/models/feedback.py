"""The complainant's follow-up questionnaire on how their complaint was handled."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import Rating, Resolved

# Question codes are fixed: analysis reads the answers by these column names.
RATING_CODES = ("overall", "speed", "communication", "fairness")


class HandlingFeedback(models.Model):
    """One answered follow-up survey; its ratings feed handling-satisfaction figures."""

    complaint = models.OneToOneField(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("complaint"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    overall = models.PositiveSmallIntegerField(
        _("overall satisfaction with the handling"), choices=Rating.choices
    )
    speed = models.PositiveSmallIntegerField(
        _("speed of the handling"), choices=Rating.choices, null=True, blank=True
    )
    communication = models.PositiveSmallIntegerField(
        _("how you were kept informed"), choices=Rating.choices, null=True, blank=True
    )
    fairness = models.PositiveSmallIntegerField(
        _("fairness of the outcome"), choices=Rating.choices, null=True, blank=True
    )
    resolved = models.CharField(
        _("was your problem solved?"), max_length=8, choices=Resolved.choices
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("handling satisfaction answer")
        verbose_name_plural = _("handling satisfaction answers")

    def __str__(self) -> str:
        return f"{self.complaint.reference}: {self.overall}/5"
