"""The handling workflow: accept or reject, start, settle or close; reassign."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import OPEN_STATUSES, ComplaintAction, ComplaintStatus
from ..errors import ComplaintError, NoteRequired, StaleComplaint, TransitionNotAllowed
from ..models import Agency, Complaint
from .events import locked, record


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    note_field: str | None  # where a required note is stored, if any


# Forward only: nothing leads back to an earlier status, nothing leaves a
# concluded one (settled, closed unsettled, rejected).
TRANSITIONS: dict[str, Transition] = {
    ComplaintAction.ACCEPT: Transition(
        (ComplaintStatus.RECEIVED,), ComplaintStatus.ACCEPTED, None
    ),
    ComplaintAction.REJECT: Transition(
        (ComplaintStatus.RECEIVED,), ComplaintStatus.REJECTED, "closing_reason"
    ),
    ComplaintAction.START: Transition(
        (ComplaintStatus.ACCEPTED,), ComplaintStatus.IN_PROGRESS, None
    ),
    ComplaintAction.SETTLE: Transition(
        (ComplaintStatus.ACCEPTED, ComplaintStatus.IN_PROGRESS),
        ComplaintStatus.SETTLED,
        "resolution",
    ),
    ComplaintAction.CLOSE_UNSETTLED: Transition(
        (ComplaintStatus.ACCEPTED, ComplaintStatus.IN_PROGRESS),
        ComplaintStatus.CLOSED_UNSETTLED,
        "closing_reason",
    ),
}


def _check_version(complaint: Complaint, expected_version: int | None) -> None:
    if expected_version is not None and complaint.version != expected_version:
        raise StaleComplaint()


@transaction.atomic
def complaint_transition(
    *,
    complaint_id: int,
    action: str,
    actor: Any,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Move a complaint one step along the workflow and record who, when and why.

    Refuses steps not allowed from the current status, a missing reason or
    resolution, and a handler acting on a version someone else has changed.
    """
    if action not in TRANSITIONS:
        raise ComplaintError(_("Unknown action “%(action)s”.") % {"action": action})
    rule = TRANSITIONS[action]
    now = now or timezone.now()
    note = note.strip()
    complaint = locked(complaint_id)
    _check_version(complaint, expected_version)
    if complaint.status not in rule.sources:
        raise TransitionNotAllowed(
            _("A complaint that is “%(status)s” cannot be %(step)s.")
            % {
                "status": complaint.get_status_display(),
                "step": ComplaintAction(action).label.lower(),
            }
        )
    if rule.note_field and not note:
        raise NoteRequired()
    changes: dict[str, Any] = {"status": rule.target}
    if rule.note_field:
        changes[rule.note_field] = note
    if action == ComplaintAction.ACCEPT:
        changes["accepted_at"] = now
        if complaint.handler_id is None and not isinstance(actor, str | None):
            changes["handler"] = actor
    if rule.target == ComplaintStatus.SETTLED:
        changes["settled_at"] = now
    if rule.target not in OPEN_STATUSES:
        changes["closed_at"] = now
    return record(complaint, action=action, actor=actor, note=note, now=now, **changes)


@transaction.atomic
def complaint_reassign(
    *,
    complaint_id: int,
    actor: Any,
    handler: Any = None,
    agency: Agency | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Hand an open complaint to another handler and/or agency; the note says why."""
    now = now or timezone.now()
    complaint = locked(complaint_id)
    _check_version(complaint, expected_version)
    if not complaint.is_open:
        raise TransitionNotAllowed(_("A concluded complaint cannot be reassigned."))
    changes: dict[str, Any] = {}
    if handler is not None and handler.pk != complaint.handler_id:
        changes["handler"] = handler
    if agency is not None and agency.pk != complaint.agency_id:
        changes["agency"] = agency
    if not changes:
        raise ComplaintError(
            _("Choose a different handler or agency to reassign the complaint.")
        )
    described = [
        _("handler: %(name)s") % {"name": handler.get_full_name() or handler}
        if "handler" in changes
        else "",
        _("agency: %(name)s") % {"name": agency} if "agency" in changes else "",
    ]
    text = "; ".join(part for part in described if part)
    if note.strip():
        text = f"{text} — {note.strip()}"
    return record(
        complaint,
        action=ComplaintAction.REASSIGN,
        actor=actor,
        note=text,
        public=False,
        now=now,
        **changes,
    )


@transaction.atomic
def complaint_note(
    *,
    complaint_id: int,
    actor: Any,
    note: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Add an internal handler note (not shown to the complainant)."""
    if not note.strip():
        raise NoteRequired(_("The note is empty."))
    complaint = locked(complaint_id)
    _check_version(complaint, expected_version)
    return record(
        complaint,
        action=ComplaintAction.NOTE,
        actor=actor,
        note=note.strip(),
        public=False,
        now=now or timezone.now(),
    )
