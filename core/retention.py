"""Site-wide retention: erase personal data past its period, keep statistics.

Periods come from settings read at call time (``RETENTION_*``, set from the
environment and documented in docs/privacy.md and the README). Ratings,
choices, numbers, dates, flags and weights are never touched, so every index
computed later is unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from surveys.models import FollowUpContact, QuestionKind, Response, ResponseStatus
from surveys.questionnaire import OTHER_SUFFIX
from surveys.selectors import revision_questionnaire

FREE_TEXT_KINDS = {QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT}


@dataclass(frozen=True)
class RetentionResult:
    follow_up_contacts_deleted: int
    free_text_answers_erased: int
    complaints_purged: int


def follow_up_contacts_delete(*, days: int, now: dt.datetime) -> int:
    """Delete respondents' follow-up contacts given more than ``days`` ago."""
    cutoff = now - dt.timedelta(days=days)
    deleted, _ = FollowUpContact.objects.filter(consented_at__lt=cutoff).delete()
    return deleted


def _free_text_codes(revision_id: int, cache: dict[int, set[str]]) -> set[str]:
    if revision_id not in cache:
        questionnaire = revision_questionnaire(revision_id)[0]
        cache[revision_id] = {
            q.code for q in questionnaire.questions if q.kind in FREE_TEXT_KINDS
        }
    return cache[revision_id]


def free_text_answers_erase(*, days: int, now: dt.datetime) -> int:
    """Remove free-text answers (and "other, please specify" texts) from
    responses submitted more than ``days`` ago; returns responses changed."""
    cutoff = now - dt.timedelta(days=days)
    codes_by_revision: dict[int, set[str]] = {}
    changed = 0
    rows = Response.objects.filter(
        status__in=[ResponseStatus.SUBMITTED, ResponseStatus.OVER_QUOTA],
        submitted_at__lt=cutoff,
    ).only("pk", "revision_id", "answers")
    with transaction.atomic():
        for response in rows.select_for_update().iterator(chunk_size=500):
            codes = _free_text_codes(response.revision_id, codes_by_revision)
            kept = {
                key: value
                for key, value in response.answers.items()
                if key not in codes and not key.endswith(OTHER_SUFFIX)
            }
            if kept != response.answers:
                response.answers = kept
                response.save(update_fields=["answers"])
                changed += 1
    return changed


def retention_apply(*, now: dt.datetime | None = None) -> RetentionResult:
    """Apply every retention period once; running it again changes nothing."""
    from complaints.services import complaint_contacts_purge

    now = now or timezone.now()
    contact_days = settings.RETENTION_FOLLOW_UP_CONTACT_DAYS
    free_text_days = settings.RETENTION_FREE_TEXT_DAYS
    return RetentionResult(
        follow_up_contacts_deleted=follow_up_contacts_delete(
            days=contact_days, now=now
        ),
        free_text_answers_erased=(
            free_text_answers_erase(days=free_text_days, now=now)
            if free_text_days is not None
            else 0
        ),
        complaints_purged=complaint_contacts_purge(now=now),
    )
