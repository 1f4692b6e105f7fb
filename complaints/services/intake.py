"""Receiving complaints from the public form, and the complainant's additions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.models import ServicePoint

from ..calendar import deadline_after
from ..choices import ComplaintAction, ComplaintStatus
from ..errors import ComplaintConcluded, NoteRequired
from ..models import (
    CalendarDay,
    CategoryDeadline,
    Complaint,
    ComplaintPhoto,
    ComplaintSettings,
    ComplaintTransition,
)
from ..secrets import hash_secret, new_lookup_secret, new_reference
from .events import COMPLAINANT, locked, record


@dataclass(frozen=True)
class Photo:
    """An upload the form has checked, with the type read from its content."""

    upload: UploadedFile
    content_type: str


def deadlines(category: str, received_at: dt.datetime) -> tuple[dt.datetime, ...]:
    """Acknowledgement and settlement deadlines in working days for ``category``."""
    rule = CategoryDeadline.objects.filter(category=category).first()
    defaults = ComplaintSettings.load()
    acknowledge = rule.acknowledge_days if rule else defaults.acknowledge_days
    settle = rule.settle_days if rule else defaults.settle_days
    window_end = received_at.date() + dt.timedelta(days=4 * settle + 30)
    days = CalendarDay.objects.filter(date__gte=received_at.date() - dt.timedelta(1))
    days = days.filter(date__lte=window_end).values_list("date", "kind")
    holidays = {d for d, kind in days if kind == CalendarDay.Kind.HOLIDAY}
    working = {d for d, kind in days if kind == CalendarDay.Kind.WORKING_DAY}
    return tuple(
        deadline_after(
            received_at,
            count,
            timezone=settings.TIME_ZONE,
            holidays=holidays,
            working_days=working,
        )
        for count in (acknowledge, settle)
    )


def prepare_new_complaint(complaint: Complaint, *, now: dt.datetime) -> str:
    """Fill reference, secret hash, status and deadlines; return the secret."""
    secret = new_lookup_secret()
    received = complaint.received_at or now
    local_day = timezone.localtime(received).strftime("%y%m%d")
    complaint.reference = new_reference(local_day)
    complaint.lookup_secret_hash = hash_secret(secret)
    complaint.received_at = received
    complaint.status = ComplaintStatus.RECEIVED
    complaint.acknowledge_by, complaint.settle_by = deadlines(
        complaint.category, received
    )
    return secret


def record_receipt(complaint: Complaint, *, actor: object, note: str = "") -> None:
    ComplaintTransition.objects.create(
        complaint=complaint,
        action=ComplaintAction.RECEIVE,
        to_status=ComplaintStatus.RECEIVED,
        actor=None if isinstance(actor, str | None) else actor,
        actor_label=actor if isinstance(actor, str) else str(actor),
        note=note,
        created_at=complaint.received_at,
    )


def _save_with_unique_reference(complaint: Complaint) -> None:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                complaint.save()
            return
        except IntegrityError:
            if not Complaint.objects.filter(reference=complaint.reference).exists():
                raise
            complaint.reference = new_reference(complaint.reference[3:9])
    raise IntegrityError("could not find a free reference number")


@transaction.atomic
def complaint_submit(
    *,
    service_point: ServicePoint,
    category: str,
    description: str,
    channel: str,
    occurred_at: dt.datetime | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    contact_consent: bool = False,
    photos: list[Photo] | tuple[Photo, ...] = (),
    language: str = "zh-hans",
    suspected_bot: bool = False,
    now: dt.datetime | None = None,
) -> tuple[Complaint, str]:
    """Register a complaint from the public form; return it with its lookup secret.

    The secret is shown to the complainant once; only its hash is kept. Contact
    details are kept only with consent. A suspected bot's complaint is kept,
    flagged, for the handlers to judge (the statistics leave it out).
    """
    now = now or timezone.now()
    complaint = Complaint(
        service_point=service_point,
        category=category,
        description=description.strip(),
        channel=channel,
        occurred_at=occurred_at,
        language=language,
        contact_consent=contact_consent,
        contact_name=contact_name.strip() if contact_consent else "",
        contact_phone=contact_phone.strip() if contact_consent else "",
        contact_email=contact_email.strip() if contact_consent else "",
        received_at=now,
        suspected_bot=suspected_bot,
    )
    secret = prepare_new_complaint(complaint, now=now)
    _save_with_unique_reference(complaint)
    for photo in photos:
        ComplaintPhoto.objects.create(
            complaint=complaint,
            image=photo.upload,
            content_type=photo.content_type,
            size=photo.upload.size,
            uploaded_at=now,
        )
    record_receipt(complaint, actor=COMPLAINANT)
    return complaint, secret


@transaction.atomic
def complaint_add_information(
    *, complaint_id: int, text: str, now: dt.datetime | None = None
) -> Complaint:
    """The complainant adds information while the complaint is still open."""
    if not text.strip():
        raise NoteRequired()
    complaint = locked(complaint_id)
    if not complaint.is_open:
        raise ComplaintConcluded()
    return record(
        complaint,
        action=ComplaintAction.ADD_INFORMATION,
        actor=COMPLAINANT,
        note=text.strip(),
        now=now or timezone.now(),
    )
