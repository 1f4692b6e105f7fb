"""Reference data the surveys and indexes are organised by."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import localized_value

from .choices import RegionKind, ServiceClass

CODE_HELP = _(
    "Short stable identifier (letters, digits, - and _); used in links and exports."
)


class LocalizedNameMixin(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=CODE_HELP)
    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(localized_value(self, "name"))


class Sector(LocalizedNameMixin):
    """A public-service field whose satisfaction is monitored (e.g. tourism)."""

    service_class = models.CharField(
        _("service class"), max_length=16, choices=ServiceClass.choices
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class Region(LocalizedNameMixin):
    """One of Jiaxing's districts, counties or county-level cities."""

    kind = models.CharField(_("kind"), max_length=16, choices=RegionKind.choices)
    # Officials read districts in the administrative order (by division code:
    # Nanhu, Xiuzhou, Jiashan, ...), not alphabetically.
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class ServicePoint(LocalizedNameMixin):
    """A place where a service is delivered: a hospital, bus line, scenic area..."""

    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        related_name="service_points",
        verbose_name=_("sector"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="service_points",
        verbose_name=_("region"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sector__sort_order", "code"]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
