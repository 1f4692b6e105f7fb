"""Removing complainants' personal data once the retention period is over."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ..choices import ComplaintAction
from ..models import Complaint, ComplaintPhoto, ComplaintSettings, ComplaintTransition
from .events import SYSTEM


def complaint_contacts_purge(
    *, retention_days: int | None = None, now: dt.datetime | None = None
) -> int:
    """Erase contact details and photos of complaints concluded long enough ago.

    Status, dates, category, channel, service point and the follow-up ratings
    stay, so every settlement statistic is unchanged. Returns how many
    complaints were purged; running it again purges nothing more.
    """
    now = now or timezone.now()
    if retention_days is None:
        retention_days = ComplaintSettings.load().contact_retention_days
    if retention_days < 0:
        raise ValueError("retention_days must not be negative")
    cutoff = now - dt.timedelta(days=retention_days)
    with transaction.atomic():
        due = list(
            Complaint.objects.select_for_update()
            .filter(
                closed_at__isnull=False,
                closed_at__lt=cutoff,
                contacts_purged_at__isnull=True,
            )
            .values_list("pk", "status")
        )
        ids = [pk for pk, _status in due]
        photos = ComplaintPhoto.objects.filter(complaint_id__in=ids)
        files = [photo.image for photo in photos]
        photos.delete()
        Complaint.objects.filter(pk__in=ids).update(
            contact_name="",
            contact_phone="",
            contact_email="",
            contact_consent=False,
            contacts_purged_at=now,
        )
        ComplaintTransition.objects.bulk_create(
            ComplaintTransition(
                complaint_id=pk,
                action=ComplaintAction.PURGE_CONTACTS,
                from_status=status,
                to_status=status,
                actor_label=SYSTEM,
                note=f"retention {retention_days} days",
                public=False,
                created_at=now,
            )
            for pk, status in due
        )
        # Deleting files cannot be rolled back: only once the purge is committed.
        transaction.on_commit(lambda: [file.delete(save=False) for file in files])
    return len(due)
