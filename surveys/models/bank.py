"""The question bank: standard question sets per sector, copied into surveys."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField

from core.i18n import localized_value
from surveys.blocks.streams import QuestionStreamBlock


class QuestionSet(models.Model):
    """Reusable questions for a sector; inserting copies them into a survey."""

    sector = models.ForeignKey(
        "surveys.Sector",
        on_delete=models.PROTECT,
        related_name="question_sets",
        verbose_name=_("sector"),
    )
    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    body = StreamField(QuestionStreamBlock(), verbose_name=_("questions"))

    panels = [
        FieldPanel("sector"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("description"),
        FieldPanel("body"),
    ]

    class Meta:
        ordering = ["sector__sort_order", "name"]
        verbose_name = _("question set")
        verbose_name_plural = _("question sets")

    def __str__(self) -> str:
        return str(localized_value(self, "name"))
