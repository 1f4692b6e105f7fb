"""Submitting responses: a web response exactly once, a whole response posted
at once (paper, phone, API) once per idempotency key.

Races are settled by the database: ``select_for_update`` on the response
being submitted, a unique constraint per idempotency key, and a conditional
``UPDATE`` per quota cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction

from surveys.models import QualityFlag, Response, ResponseStatus, ServicePoint
from surveys.selectors import revision_questionnaire

from .answering import first_unanswered_section, questionnaire_for
from .clients import duplicate_seen
from .errors import ResponseIncomplete, SurveyClosed
from .quality import (
    AUTO_EXCLUDED_FLAGS,
    answer_flags,
    median_duration,
    quality_flags,
)
from .quotas import claim_quotas, quota_cells
from .tokens import new_token, to_the_hour, token_digest

if TYPE_CHECKING:
    from surveys.models import SurveyPage


def _finish(response: Response, *, flags: list[str]) -> None:
    """Set the submitted state; call inside the transaction that saves it."""
    response.flags = flags
    response.excluded = bool(AUTO_EXCLUDED_FLAGS & set(flags))
    response.submitted_at = to_the_hour()
    response.status = (
        ResponseStatus.SUBMITTED
        if claim_quotas(response)
        else ResponseStatus.OVER_QUOTA
    )


@transaction.atomic
def response_submit(*, response_id: int, fingerprint: str | None = None) -> Response:
    """Submit an in-progress response exactly once; repeating returns it unchanged."""
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("survey", "service_point")
        .get(pk=response_id)
    )
    if response.status != ResponseStatus.IN_PROGRESS:
        return response
    questionnaire = questionnaire_for(response)
    answers = questionnaire.keep_visible(response.answers)
    missing = first_unanswered_section(questionnaire, answers)
    if missing is not None:
        raise ResponseIncomplete(missing)
    carried = list(response.flags)
    if fingerprint and duplicate_seen(fingerprint=fingerprint, answers=answers):
        carried.append(QualityFlag.DUPLICATE)
    response.answers = answers
    flags = quality_flags(
        survey=response.survey,
        questionnaire=questionnaire,
        answers=answers,
        duration_seconds=response.duration_seconds,
        carried=carried,
    )
    _finish(response, flags=flags)
    response.save()
    return response


@dataclass(frozen=True)
class CompleteSubmission:
    """A whole response posted at once (paper entry, phone interview, API)."""

    answers: dict[str, Any]
    idempotency_key: str
    channel: str
    language: str
    duration_seconds: int
    service_point: ServicePoint | None = None
    # True when the duration is the client's own figure, not measured from a
    # start stamp: the response is then flagged so an assessor can tell.
    duration_reported: bool = False


def response_submit_complete(
    *,
    survey: SurveyPage,
    submission: CompleteSubmission,
    duplicate: bool = False,
) -> tuple[Response, bool]:
    """Store a validated complete response once per idempotency key.

    ``duplicate``: :func:`complete_submission_checks` found the same answers
    from the same client earlier today. Returns ``(response, created)``;
    concurrent repeats of one key wait for the first insert and then return
    the stored response.
    """
    if not survey.live or survey.live_revision_id is None:
        raise SurveyClosed("closed")
    now = to_the_hour()
    questionnaire = revision_questionnaire(survey.live_revision_id)[0]
    flags = answer_flags(
        questionnaire=questionnaire,
        answers=submission.answers,
        duration_seconds=submission.duration_seconds,
        median_seconds=median_duration(survey),
        survey=survey,
    )
    if submission.duration_reported:
        flags.add(QualityFlag.REPORTED_DURATION)
    if duplicate:
        flags.add(QualityFlag.DUPLICATE)
    response = Response(
        survey=survey,
        revision_id=survey.live_revision_id,
        resume_digest=token_digest(new_token()),
        idempotency_key=submission.idempotency_key,
        service_point=submission.service_point,
        channel=submission.channel,
        language=submission.language,
        started_at=now,
        saved_at=now,
        duration_seconds=submission.duration_seconds,
        sections_done=len(questionnaire.sections),
        answers=submission.answers,
    )
    if not quota_cells(survey.pk):
        # No quota to claim: one INSERT in autocommit is the whole transaction.
        _finish(response, flags=sorted(flags))
        created = _insert_once(response)
    else:
        try:
            with transaction.atomic():
                _finish(response, flags=sorted(flags))
                if not _insert_once(response):
                    # A repeated key gives back the quota places it just took.
                    raise _AlreadyStored
            created = True
        except _AlreadyStored:
            created = False
    if created:
        return response, True
    existing = Response.objects.filter(
        survey=survey, idempotency_key=submission.idempotency_key
    ).first()
    if existing is None:  # the conflict was not on the key: a genuine fault
        raise IntegrityError("response insert conflicted on another constraint")
    return existing, False


class _AlreadyStored(Exception):
    pass


@lru_cache(maxsize=4)
def _insert_sql(vendor: str) -> tuple[str, tuple[Any, ...]]:
    fields = tuple(f for f in Response._meta.concrete_fields if not f.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    # Only column names from the model's own metadata are formatted in; every
    # value is a query parameter.
    table, pk = quote(Response._meta.db_table), quote(Response._meta.pk.column)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({values}) "  # noqa: S608
        f"ON CONFLICT DO NOTHING RETURNING {pk}"
    )
    return sql, fields


def _insert_once(response: Response) -> bool:
    """Store a new response unless one with its key exists; False if it did.

    ``INSERT ... ON CONFLICT DO NOTHING``: one statement, no SELECT first, and
    no failed statement to roll back when a retry races the original (the
    unique constraint decides). PostgreSQL and SQLite both speak it.
    """
    sql, fields = _insert_sql(connection.vendor)
    params = [
        field.get_db_prep_save(field.pre_save(response, add=True), connection)
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    response.pk = row[0]
    response._state.adding = False
    response._state.db = connection.alias
    return True
