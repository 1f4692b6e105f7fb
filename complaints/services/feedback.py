"""The follow-up satisfaction survey a complainant answers after settlement."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..choices import ComplaintAction, ComplaintStatus
from ..errors import FeedbackAlreadyGiven, FeedbackNotOpen
from ..models import HandlingFeedback
from .events import COMPLAINANT, locked, record

FEEDBACK_STATUSES = (ComplaintStatus.SETTLED, ComplaintStatus.CLOSED_UNSETTLED)


@transaction.atomic
def feedback_submit(
    *,
    complaint_id: int,
    overall: int,
    resolved: str,
    speed: int | None = None,
    communication: int | None = None,
    fairness: int | None = None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> HandlingFeedback:
    """Store the one follow-up answer of a concluded (not rejected) complaint."""
    now = now or timezone.now()
    complaint = locked(complaint_id)
    if complaint.status not in FEEDBACK_STATUSES:
        raise FeedbackNotOpen()
    if HandlingFeedback.objects.filter(complaint=complaint).exists():
        raise FeedbackAlreadyGiven()
    try:
        with transaction.atomic():
            feedback = HandlingFeedback.objects.create(
                complaint=complaint,
                submitted_at=now,
                overall=overall,
                speed=speed,
                communication=communication,
                fairness=fairness,
                resolved=resolved,
                comment=comment.strip(),
            )
    except IntegrityError as error:  # a double submit racing this one
        raise FeedbackAlreadyGiven() from error
    record(complaint, action=ComplaintAction.FEEDBACK, actor=COMPLAINANT, now=now)
    return feedback
