"""Reads: complaints for handlers and complainants, frames for the statistics."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Q, QuerySet

from core.i18n import localized_value

from .choices import OPEN_STATUSES, ComplaintStatus
from .models import Complaint, ComplaintTransition, HandlingFeedback
from .models.feedback import RATING_CODES
from .secrets import secret_matches

FRAME_FIELDS = (
    "pk",
    "reference",
    "status",
    "received_at",
    "settled_at",
    "closed_at",
    "settle_by",
    "category",
    "channel",
    "service_point__code",
    "service_point__name",
    "service_point__name_en",
    "service_point__region__code",
)


def complaint_for_lookup(reference: str, secret: str) -> Complaint | None:
    """The complaint a lookup link opens; None if reference or secret is wrong."""
    if "\x00" in reference:
        return None  # PostgreSQL text cannot hold NUL: such a link is forged
    complaint = (
        Complaint.objects.select_related("service_point", "feedback")
        .filter(reference=reference.strip().upper())
        .first()
    )
    if complaint is None or not secret_matches(secret, complaint.lookup_secret_hash):
        return None
    return complaint


def public_timeline(complaint: Complaint) -> QuerySet[ComplaintTransition]:
    """Events the complainant may see (no internal notes or reassignments)."""
    return complaint.transitions.filter(public=True).order_by("created_at", "pk")


def complaint_timeline(complaint: Complaint) -> QuerySet[ComplaintTransition]:
    """Every recorded event, for handlers."""
    return complaint.transitions.select_related("actor").order_by("created_at", "pk")


def complaints_for_handlers() -> QuerySet[Complaint]:
    return Complaint.objects.select_related(
        "service_point", "handler", "agency", "feedback"
    )


def complaints_overdue(now: dt.datetime) -> QuerySet[Complaint]:
    """Open complaints past the settlement deadline, or unacknowledged past theirs."""
    return (
        complaints_for_handlers()
        .filter(status__in=OPEN_STATUSES)
        .filter(
            Q(settle_by__lt=now)
            | Q(status=ComplaintStatus.RECEIVED, acknowledge_by__lt=now)
        )
        .order_by("settle_by")
    )


def complaints_frame(
    *, received_from: dt.datetime | None = None, received_to: dt.datetime | None = None
) -> pd.DataFrame:
    """One row per complaint in the schema of ``analysis.stats.settlement``.

    Adds ``scenic_area`` (localized name), ``region``, ``category`` and
    ``channel`` for grouping. Datetimes are UTC-aware. Suspected bots are left
    out: a script must not move the settlement rate either way.
    """
    queryset = Complaint.objects.filter(suspected_bot=False)
    if received_from is not None:
        queryset = queryset.filter(received_at__gte=received_from)
    if received_to is not None:
        queryset = queryset.filter(received_at__lt=received_to)
    rows = list(queryset.order_by("pk").values_list(*FRAME_FIELDS))
    frame = pd.DataFrame(rows, columns=list(FRAME_FIELDS))
    for column in ("received_at", "settled_at", "closed_at", "settle_by"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    names = [
        localized_value({"name": name, "name_en": english}, "name")
        for name, english in zip(
            frame["service_point__name"], frame["service_point__name_en"], strict=True
        )
    ]
    return frame.assign(
        scenic_area=pd.Categorical(names),
        region=frame["service_point__region__code"].astype("category"),
        category=frame["category"].astype("category"),
        channel=frame["channel"].astype("category"),
    ).rename(columns={"pk": "complaint_id", "service_point__code": "service_point"})[
        [
            "complaint_id",
            "reference",
            "status",
            "received_at",
            "settled_at",
            "closed_at",
            "settle_by",
            "scenic_area",
            "service_point",
            "region",
            "category",
            "channel",
        ]
    ]


def handling_feedback_frame() -> pd.DataFrame:
    """One row per answered follow-up survey: the ratings and the complaint's groups.

    Columns: ``complaint_id``, ``submitted_at``, the rating codes
    (``overall``, ``speed``, ``communication``, ``fairness``; 1-5, NaN when
    skipped), ``resolved``, ``service_point``, ``category``, ``channel``.
    """
    fields = (
        "complaint_id",
        "submitted_at",
        *RATING_CODES,
        "resolved",
        "complaint__service_point__code",
        "complaint__category",
        "complaint__channel",
    )
    rows = list(
        HandlingFeedback.objects.filter(complaint__suspected_bot=False)
        .order_by("pk")
        .values_list(*fields)
    )
    frame = pd.DataFrame(rows, columns=list(fields))
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    for code in RATING_CODES:
        frame[code] = pd.to_numeric(frame[code]).astype(float)
    return frame.rename(
        columns={
            "complaint__service_point__code": "service_point",
            "complaint__category": "category",
            "complaint__channel": "channel",
        }
    )
