"""Recording events and bumping the version in one compare-and-swap update."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F

from ..errors import StaleComplaint
from ..models import Complaint, ComplaintTransition

COMPLAINANT = "complainant"
SYSTEM = "system"


def actor_label(actor: Any) -> str:
    """How an event's author is shown: the handler's name, or a role word."""
    if actor is None:
        return SYSTEM
    if isinstance(actor, str):
        return actor
    return actor.get_full_name() or actor.get_username()


def locked(complaint_id: int) -> Complaint:
    """The complaint, row-locked until the transaction ends (where supported)."""
    return Complaint.objects.select_for_update().get(pk=complaint_id)


def record(
    complaint: Complaint,
    *,
    action: str,
    actor: Any,
    note: str = "",
    public: bool = True,
    now: dt.datetime,
    **changes: Any,
) -> Complaint:
    """Apply ``changes`` if nobody changed the complaint since it was read; log it.

    The update only matches the version and status that were read, so of two
    handlers acting at once exactly one wins and the other gets StaleComplaint,
    on every database (PostgreSQL also holds the row lock from :func:`locked`).
    """
    updated = Complaint.objects.filter(
        pk=complaint.pk, version=complaint.version, status=complaint.status
    ).update(version=F("version") + 1, **changes)
    if updated != 1:
        raise StaleComplaint()
    ComplaintTransition.objects.create(
        complaint=complaint,
        action=action,
        from_status=complaint.status,
        to_status=changes.get("status", complaint.status),
        actor=None if actor is None or isinstance(actor, str) else actor,
        actor_label=actor_label(actor),
        note=note,
        public=public,
        created_at=now,
    )
    complaint.refresh_from_db()
    return complaint
