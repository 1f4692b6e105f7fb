from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceClass(models.TextChoices):
    CONSUMER = "consumer", _("Consumer services")
    PRODUCER = "producer", _("Producer services")


class RegionKind(models.TextChoices):
    DISTRICT = "district", _("District")
    COUNTY = "county", _("County")
    COUNTY_CITY = "county_city", _("County-level city")


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Rating (Likert)")
    SINGLE = "single_choice", _("Single choice")
    MULTIPLE = "multiple_choice", _("Multiple choice")
    NPS = "nps", _("Net promoter score")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DEMOGRAPHIC = "demographic", _("Demographic")


class Dimension(models.TextChoices):
    """What a rating measures (SERVQUAL-like dimensions plus cost and overall)."""

    RESPONSIVENESS = "responsiveness", _("Responsiveness")
    RELIABILITY = "reliability", _("Reliability")
    ENVIRONMENT = "environment", _("Environment and facilities")
    STAFF_ATTITUDE = "staff_attitude", _("Staff attitude")
    ACCESSIBILITY = "accessibility", _("Accessibility and convenience")
    INFORMATION = "information", _("Information and transparency")
    SAFETY = "safety", _("Safety")
    COST = "cost", _("Cost")
    OVERALL = "overall", _("Overall")


class WeightingVariable(models.TextChoices):
    AGE_BAND = "age_band", _("Age band")
    GENDER = "gender", _("Gender")
    REGION = "region", _("Region (district or county)")
    EDUCATION = "education", _("Education")
    RESIDENCE = "residence", _("Urban or rural residence")
    FIRM_SIZE = "firm_size", _("Firm size")
    INDUSTRY = "industry", _("Industry")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    QR = "qr", _("QR code")
    PHONE = "phone", _("Phone interview")
    PAPER = "paper", _("Paper")


class ResponseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    OVER_QUOTA = "over_quota", _("Over quota")


class QualityFlag(models.TextChoices):
    SPEEDER = "speeder", _("Speeder")
    STRAIGHT_LINER = "straight_liner", _("Straight-lining")
    TOO_MANY_NA = "too_many_na", _("Too many “not applicable”")
    SUSPECTED_BOT = "suspected_bot", _("Suspected bot")
    DUPLICATE = "duplicate", _("Suspected duplicate")
    # Sent through the API without a start stamp: the duration is the client's
    # word (a paper form's or an interviewer's record, or a script's claim).
    REPORTED_DURATION = "reported_duration", _("Duration reported by the client")
