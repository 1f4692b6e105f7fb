"""Who handles complaints and by when: agencies, deadlines, the working calendar."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from core.i18n import localized_value

from ..choices import ComplaintCategory

DEFAULT_ACKNOWLEDGE_DAYS = 5
DEFAULT_SETTLE_DAYS = 15
DEFAULT_CONTACT_RETENTION_DAYS = 365
DEFAULT_SUBMISSIONS_PER_CLIENT_PER_HOUR = 5
DEFAULT_MIN_FILL_SECONDS = 15
# A complainant mistyping a copied link fails a few times; guessing a reference
# and its secret takes millions of tries. 20 an hour tells them apart.
DEFAULT_FAILED_LOOKUPS_PER_CLIENT_PER_HOUR = 20


class Agency(models.Model):
    """An organisation complaints are assigned to (a bureau, a scenic area office)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("handling agency")
        verbose_name_plural = _("handling agencies")

    def __str__(self) -> str:
        return str(localized_value(self, "name"))


class WorkingDayDeadlines(models.Model):
    """Working days to acknowledge and to settle a complaint."""

    acknowledge_days = models.PositiveSmallIntegerField(
        _("working days to acknowledge"),
        default=DEFAULT_ACKNOWLEDGE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    settle_days = models.PositiveSmallIntegerField(
        _("working days to settle"),
        default=DEFAULT_SETTLE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        abstract = True


class CategoryDeadline(WorkingDayDeadlines):
    """The deadlines of one category, overriding the defaults in the settings."""

    category = models.CharField(
        _("category"), max_length=20, choices=ComplaintCategory.choices, unique=True
    )

    class Meta:
        ordering = ["category"]
        verbose_name = _("category deadline")
        verbose_name_plural = _("category deadlines")

    def __str__(self) -> str:
        return (
            f"{self.get_category_display()}: {self.acknowledge_days}/{self.settle_days}"
        )


class CalendarDay(models.Model):
    """A public holiday on a weekday, or a weekend day worked in exchange (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (no work)")
        WORKING_DAY = "working_day", _("Working day on a weekend")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


@register_setting(icon="time")
class ComplaintSettings(WorkingDayDeadlines, BaseGenericSetting):
    """Deadlines for categories without their own, how long contacts are kept,
    and the anti-automation limits of the public complaint pages."""

    contact_retention_days = models.PositiveIntegerField(
        _("days to keep contact details after a complaint is concluded"),
        default=DEFAULT_CONTACT_RETENTION_DAYS,
        validators=[MinValueValidator(1)],
    )
    submissions_per_client_per_hour = models.PositiveIntegerField(
        _("complaints per client per hour"),
        default=DEFAULT_SUBMISSIONS_PER_CLIENT_PER_HOUR,
        validators=[MinValueValidator(1)],
        help_text=_(
            "More from one connection in an hour are refused. A family or a tour "
            "group may share one connection: do not set it too low."
        ),
    )
    min_fill_seconds = models.PositiveIntegerField(
        _("minimum fill time (seconds)"),
        default=DEFAULT_MIN_FILL_SECONDS,
        help_text=_(
            "Complaints sent faster are kept but flagged as suspected bots and left "
            "out of the statistics."
        ),
    )
    failed_lookups_per_client_per_hour = models.PositiveIntegerField(
        _("failed complaint lookups per client per hour"),
        default=DEFAULT_FAILED_LOOKUPS_PER_CLIENT_PER_HOUR,
        validators=[MinValueValidator(1)],
        help_text=_(
            "After this many links to unknown complaints from one connection in an "
            "hour, it cannot open any complaint until the hour is over, so that "
            "references and private links cannot be guessed."
        ),
    )

    class Meta:
        verbose_name = _("complaint settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
