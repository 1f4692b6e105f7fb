"""Choices of the complaints app; status values are those analysis.stats expects."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    SETTLED = "settled", _("Settled")
    CLOSED_UNSETTLED = "closed_unsettled", _("Closed unsettled")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.ACCEPTED,
    ComplaintStatus.IN_PROGRESS,
)
CONCLUDED_STATUSES = (
    ComplaintStatus.SETTLED,
    ComplaintStatus.CLOSED_UNSETTLED,
    ComplaintStatus.REJECTED,
)


class ComplaintCategory(models.TextChoices):
    PRICE = "price", _("Prices and overcharging")
    SERVICE = "service", _("Service quality and staff attitude")
    SHOPPING = "shopping", _("Shopping and forced purchases")
    SAFETY = "safety", _("Safety")
    HYGIENE = "hygiene", _("Hygiene and toilets")
    TRANSPORT = "transport", _("Transport and parking")
    ACCOMMODATION = "accommodation", _("Accommodation and catering")
    TICKETS = "tickets", _("Tickets and bookings")
    OTHER = "other", _("Other")


class ComplaintChannel(models.TextChoices):
    QR = "qr", _("QR code at the scenic area")
    WEB = "web", _("Web form")
    HOTLINE_96345 = "96345", _("Public service hotline 96345")
    HOTLINE_12345 = "12345", _("Government service hotline 12345")
    HOTLINE_12301 = "12301", _("National tourism service hotline 12301")
    PLATFORM = "platform", _("National tourism complaint platform")


IMPORT_CHANNELS = (
    ComplaintChannel.HOTLINE_96345,
    ComplaintChannel.HOTLINE_12345,
    ComplaintChannel.HOTLINE_12301,
    ComplaintChannel.PLATFORM,
)


class ComplaintAction(models.TextChoices):
    """What a recorded event did; transitions change the status, others do not."""

    RECEIVE = "receive", _("Received")
    ACCEPT = "accept", _("Accepted")
    REJECT = "reject", _("Rejected")
    START = "start", _("Handling started")
    SETTLE = "settle", _("Settled")
    CLOSE_UNSETTLED = "close_unsettled", _("Closed unsettled")
    REASSIGN = "reassign", _("Reassigned")
    NOTE = "note", _("Handler note")
    ADD_INFORMATION = "add_information", _("Information added by the complainant")
    FEEDBACK = "feedback", _("Satisfaction survey answered")
    PURGE_CONTACTS = "purge_contacts", _("Contact details removed")


class Rating(models.IntegerChoices):
    VERY_DISSATISFIED = 1, _("Very dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    NEUTRAL = 3, _("Neither")
    SATISFIED = 4, _("Satisfied")
    VERY_SATISFIED = 5, _("Very satisfied")


class Resolved(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
