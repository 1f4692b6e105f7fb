"""Consented follow-up contacts: kept beside a response, never inside its answers.

A respondent may leave a phone number or an email address on the review step,
only with an explicit tick. The details live in :class:`FollowUpContact`, so
exports and the analysis (which read ``Response.answers``) never see them, and
``apply_retention`` deletes them after ``RETENTION_FOLLOW_UP_CONTACT_DAYS``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from surveys import services
from surveys.models import FollowUpContact, Response, SurveyPage


def contact_retention_days() -> int:
    """How long consented contact details are kept (days from consent)."""
    return settings.RETENTION_FOLLOW_UP_CONTACT_DAYS


@transaction.atomic
def response_submit_with_contact(
    *, response_id: int, fingerprint: str | None, contact: dict[str, str] | None
) -> Response:
    """Submit the response once and, in the same transaction, keep the contact
    details the respondent consented to (at most one set per response)."""
    response = services.response_submit(
        response_id=response_id, fingerprint=fingerprint
    )
    if contact and (contact.get("phone") or contact.get("email")):
        # response_submit holds the response's row lock until we commit, so a
        # double click waits here and then finds the contact already stored.
        FollowUpContact.objects.get_or_create(
            response=response,
            defaults={
                "survey_id": response.survey_id,
                "phone": contact.get("phone", ""),
                "email": contact.get("email", ""),
                "consented_at": services.to_the_hour(),
            },
        )
    return response


def survey_follow_up_contacts(survey: SurveyPage) -> QuerySet[FollowUpContact]:
    """The contacts left for ``survey``, newest first."""
    return FollowUpContact.objects.filter(survey=survey).order_by(
        "-consented_at", "-pk"
    )


def contact_deleted_on(contact: FollowUpContact) -> dt.date:
    """The day ``apply_retention`` deletes ``contact``."""
    kept = dt.timedelta(days=contact_retention_days())
    return (contact.consented_at + kept).date()
