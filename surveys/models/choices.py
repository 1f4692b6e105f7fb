from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceClass(models.TextChoices):
    CONSUMER = "consumer", _("Consumer services")
    PRODUCER = "producer", _("Producer services")


class RegionKind(models.TextChoices):
    DISTRICT = "district", _("District")
    COUNTY = "county", _("County")
    COUNTY_CITY = "county_city", _("County-level city")
