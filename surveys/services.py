"""Writes: starting, saving, submitting and reviewing responses.

Races are settled by the database: a unique constraint per idempotency key and
per invitation, ``select_for_update`` on the response being submitted and a
conditional ``UPDATE`` per quota cell.
"""

from __future__ import annotations

import hashlib
import secrets
import statistics
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from core import antibot, memo
from surveys.models import (
    Channel,
    Invitation,
    QualityFlag,
    QuestionKind,
    Quota,
    Response,
    ResponseReview,
    ResponseStatus,
    ServicePoint,
)
from surveys.questionnaire import Questionnaire
from surveys.selectors import revision_questionnaire

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from surveys.models import SurveyPage

SECTION_SECONDS_CAP = 30 * 60  # a break longer than this is not answering time
SPEEDER_MIN_SAMPLE = 20
STRAIGHT_LINE_MIN_ITEMS = 5
NA_MIN_ITEMS = 4
AUTO_EXCLUDED_FLAGS = {QualityFlag.SUSPECTED_BOT, QualityFlag.DUPLICATE}


class SurveyError(Exception):
    """A request the flow refuses, with a message fit to show the respondent."""


class SurveyClosed(SurveyError):
    pass


class RateLimited(SurveyError):
    pass


class InvitationInvalid(SurveyError):
    pass


class InvitationUsed(SurveyError):
    pass


class ResponseNotFound(SurveyError):
    pass


class ResumeExpired(SurveyError):
    pass


class ResponseIncomplete(SurveyError):
    def __init__(self, section: int):
        super().__init__(section)
        self.section = section


def to_the_hour(moment: datetime | None = None) -> datetime:
    return (moment or timezone.now()).replace(minute=0, second=0, microsecond=0)


def new_token() -> str:
    """192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def client_fingerprint(*, survey_id: int, address: str) -> str:
    """The client's daily-rotating keyed hash (core.antibot), per survey.

    Used only as a cache key for rate limits and duplicate checks; never
    stored in the database and never linkable across days.
    """
    return antibot.client_key(f"{survey_id}:{address}")


START_SCOPE = "survey-starts"


def client_rate_limited(*, survey: SurveyPage, fingerprint: str) -> bool:
    """Count one start for this client this hour; True once past the limit."""
    return antibot.limit_exceeded(
        scope=START_SCOPE,
        client=fingerprint,
        limit=survey.starts_per_client_per_hour,
    )


def invitation_issue(
    *, survey: SurveyPage, count: int, batch: str = "", days: int | None = None
) -> list[str]:
    """Create ``count`` single-use invitations; returns the tokens (shown once)."""
    now = timezone.now()
    tokens = [new_token() for _ in range(count)]
    Invitation.objects.bulk_create(
        Invitation(
            survey=survey,
            token_digest=token_digest(token),
            batch=batch,
            created_at=to_the_hour(now),
            expires_at=now + timedelta(days=days) if days else None,
        )
        for token in tokens
    )
    return tokens


def _invitation_for(survey: SurveyPage, token: str) -> Invitation:
    invitation = Invitation.objects.filter(
        survey=survey, token_digest=token_digest(token)
    ).first()
    if invitation is None:
        raise InvitationInvalid("unknown")
    if invitation.expires_at and invitation.expires_at < timezone.now():
        raise InvitationInvalid("expired")
    return invitation


@transaction.atomic
def response_start(
    *,
    survey: SurveyPage,
    channel: str = Channel.WEB,
    language: str = "zh-hans",
    service_point: ServicePoint | None = None,
    invitation_token: str | None = None,
) -> tuple[Response, str]:
    """A new in-progress response and its resume token (the token is not stored).

    With an invitation, the one response it allows is created or, if still in
    progress, resumed with a fresh token; a submitted one refuses.
    """
    if not survey.live or survey.live_revision_id is None:
        raise SurveyClosed("closed")
    invitation = None
    if invitation_token is not None:
        invitation = _invitation_for(survey, invitation_token)
    elif survey.invitation_only:
        raise InvitationInvalid("required")
    token, now = new_token(), to_the_hour()
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                revision_id=survey.live_revision_id,
                resume_digest=token_digest(token),
                idempotency_key=new_token(),
                invitation=invitation,
                service_point=service_point,
                channel=channel,
                language=language,
                started_at=now,
                saved_at=now,
            )
    except IntegrityError:
        if invitation is None:
            raise
        response = Response.objects.select_for_update().get(invitation=invitation)
        if response.status != ResponseStatus.IN_PROGRESS:
            raise InvitationUsed("used") from None
        response.resume_digest = token_digest(token)
        response.save(update_fields=["resume_digest"])
    return response, token


def response_for_token(*, survey: SurveyPage, token: str) -> Response:
    """The response a resume token opens, or ``ResponseNotFound``/``ResumeExpired``."""
    if not token or len(token) > 100:
        raise ResponseNotFound("bad token")
    response = Response.objects.filter(
        survey=survey, resume_digest=token_digest(token)
    ).first()
    if response is None:
        raise ResponseNotFound("unknown")
    expiry = response.saved_at + timedelta(days=survey.resume_days, hours=1)
    if response.status == ResponseStatus.IN_PROGRESS and expiry < timezone.now():
        raise ResumeExpired("expired")
    return response


def questionnaire_for(response: Response) -> Questionnaire:
    return revision_questionnaire(response.revision_id)[0]


@transaction.atomic
def section_save(
    *,
    response_id: int,
    number: int,
    answers: dict[str, Any],
    seconds: int,
    honeypot_filled: bool = False,
) -> Response:
    """Store one completed section's answers, replacing that section's earlier ones."""
    response = Response.objects.select_for_update().get(pk=response_id)
    if response.status != ResponseStatus.IN_PROGRESS:
        return response
    section = questionnaire_for(response).section(number)
    if section is None:
        raise ResponseNotFound("no such section")
    codes = {q.code for q in section.questions}
    kept = {
        key: value
        for key, value in response.answers.items()
        if key.split(".", 1)[0] not in codes
    }
    response.answers = {**kept, **answers}
    response.sections_done = max(response.sections_done, number)
    response.duration_seconds += max(0, min(int(seconds), SECTION_SECONDS_CAP))
    response.saved_at = to_the_hour()
    if honeypot_filled and QualityFlag.SUSPECTED_BOT not in response.flags:
        response.flags = [*response.flags, QualityFlag.SUSPECTED_BOT]
    response.save(
        update_fields=[
            "answers",
            "sections_done",
            "duration_seconds",
            "saved_at",
            "flags",
        ]
    )
    return response


def first_unanswered_section(questionnaire: Questionnaire, answers: dict) -> int | None:
    """The first visible section with a required visible question unanswered."""
    for section in questionnaire.visible_sections(answers):
        for question in section.visible_questions(answers):
            if question.required and question.code not in answers:
                return section.number
    return None


def answer_flags(
    *,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    duration_seconds: int,
    median_seconds: float | None,
    survey: SurveyPage,
) -> set[str]:
    """Speeders, straight-liners across the rating grid, too many "not
    applicable" and faster-than-possible (suspected bot) completions."""
    flags: set[str] = set()
    if duration_seconds < survey.min_fill_seconds:
        flags.add(QualityFlag.SUSPECTED_BOT)
    if median_seconds and duration_seconds < survey.speeder_share * median_seconds:
        flags.add(QualityFlag.SPEEDER)
    ratings = [
        answers[q.code]
        for q in questionnaire.questions
        if q.kind == QuestionKind.LIKERT and q.code in answers
    ]
    given = [value for value in ratings if value is not None]
    if len(given) >= STRAIGHT_LINE_MIN_ITEMS and len(set(given)) == 1:
        flags.add(QualityFlag.STRAIGHT_LINER)
    not_applicable = len(ratings) - len(given)
    if (
        len(ratings) >= NA_MIN_ITEMS
        and not_applicable / len(ratings) > survey.max_not_applicable_share
    ):
        flags.add(QualityFlag.TOO_MANY_NA)
    return flags


def median_duration(survey: SurveyPage) -> float | None:
    """Median duration of the last 500 submissions once there are enough.

    Remembered for a minute in each process (core.memo), not in the shared
    cache: it moves slowly, is read on every submit, and a Redis round trip
    for it cost more CPU than the query that computes it once a minute.
    """
    return memo.remember(
        ("speeder_median", survey.pk), lambda: _median_duration(survey), 60
    )


def _median_duration(survey: SurveyPage) -> float | None:
    recent = list(
        Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED)
        .order_by("-pk")
        .values_list("duration_seconds", flat=True)[:500]
    )
    return statistics.median(recent) if len(recent) >= SPEEDER_MIN_SAMPLE else None


def forget_median_duration(survey_id: int) -> None:
    """Compute the speeder median again on the next submit in this process."""
    memo.forget(("speeder_median", survey_id))


def quality_flags(
    *,
    survey: SurveyPage,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    duration_seconds: int,
    carried: list[str],
) -> list[str]:
    flags = answer_flags(
        questionnaire=questionnaire,
        answers=answers,
        duration_seconds=duration_seconds,
        median_seconds=median_duration(survey),
        survey=survey,
    )
    return sorted(flags | set(carried))


STARTED_SALT = "surveys.api.started"
STARTED_MAX_AGE = 86400  # a longer break is a new visit


def started_stamp(*, survey_id: int) -> str:
    """A signed "this survey was started now" stamp for an API client."""
    return signing.dumps([survey_id, int(time.time())], salt=STARTED_SALT)


def seconds_since_started(*, survey_id: int, stamp: Any) -> int | None:
    """Seconds since :func:`started_stamp` made ``stamp`` for this survey;
    None when it is forged, stale, malformed or for another survey."""
    if not isinstance(stamp, str) or len(stamp) > 200:
        return None
    try:
        stamped_survey, started = signing.loads(stamp, salt=STARTED_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if stamped_survey != survey_id or not isinstance(started, int):
        return None
    seconds = int(time.time()) - started  # the signed time, on our own clock
    return max(0, seconds) if seconds <= STARTED_MAX_AGE else None


def answers_digest_key(*, fingerprint: str, answers: dict[str, Any]) -> str:
    """The cache key that marks these answers as submitted by this client today."""
    digest = hashlib.sha256(repr(sorted(answers.items())).encode()).hexdigest()[:32]
    return f"surveys:answers:{fingerprint}:{digest}"


def duplicate_seen(*, fingerprint: str, answers: dict[str, Any]) -> bool:
    """True when this client already submitted these very answers today."""
    return not cache.add(
        answers_digest_key(fingerprint=fingerprint, answers=answers),
        1,
        timeout=antibot.DIGEST_SECONDS,
    )


@dataclass(frozen=True)
class ClientChecks:
    rate_limited: bool  # past the survey's hourly limit: refuse with a 429
    duplicate: bool  # the same answers from the same client earlier today


def complete_submission_checks(
    *, survey: SurveyPage, fingerprint: str, answers: dict[str, Any]
) -> ClientChecks:
    """:func:`client_rate_limited` and :func:`duplicate_seen` in one cache round
    trip (core.antibot.submission_checks), for a whole response posted at once."""
    key = answers_digest_key(fingerprint=fingerprint, answers=answers)
    checks = antibot.submission_checks(
        scope=START_SCOPE, client=fingerprint, digest_key=key
    )
    limited = checks.attempts > survey.starts_per_client_per_hour
    if limited and not checks.duplicate:
        # Refused, so never stored: the same answers next hour are no duplicate.
        cache.delete(key)
    return ClientChecks(rate_limited=limited, duplicate=checks.duplicate)


def quota_cells(survey_id: int) -> tuple[tuple[int, str, str], ...]:
    """(pk, variable, value) of the survey's quota cells, remembered for a few
    seconds per process (most surveys have none, and every submit asks)."""
    return memo.remember(
        ("quota_cells", survey_id),
        lambda: tuple(
            Quota.objects.filter(survey_id=survey_id)
            .order_by("pk")
            .values_list("pk", "variable", "value")
        ),
    )


def forget_quota_cells(survey_id: int) -> None:
    """A quota was added, changed or removed: this process reads them again."""
    memo.forget(("quota_cells", survey_id))


def _claim_quotas(response: Response) -> bool:
    """Take one place in every quota cell the response falls in; False if full."""
    quotas = quota_cells(response.survey_id)
    if not quotas:
        return True
    cells = set()
    if response.service_point_id:
        cells.add((Quota.SERVICE_POINT, response.service_point.code))
    cells |= {
        (code, str(value))
        for code, value in response.answers.items()
        if isinstance(value, str | int) and not isinstance(value, bool)
    }
    wanted = [pk for pk, variable, value in quotas if (variable, value) in cells]
    if not wanted:
        return True
    try:
        with transaction.atomic():
            for pk in sorted(wanted):  # a fixed order: no deadlocks between cells
                claimed = Quota.objects.filter(pk=pk, completes__lt=F("limit")).update(
                    completes=F("completes") + 1
                )
                if not claimed:
                    raise _QuotaFull
    except _QuotaFull:
        return False
    return True


class _QuotaFull(Exception):
    pass


def _finish(response: Response, *, flags: list[str]) -> None:
    """Set the submitted state; call inside the transaction that saves it."""
    response.flags = flags
    response.excluded = bool(AUTO_EXCLUDED_FLAGS & set(flags))
    response.submitted_at = to_the_hour()
    response.status = (
        ResponseStatus.SUBMITTED
        if _claim_quotas(response)
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


@transaction.atomic
def response_review(
    *, response_id: int, exclude: bool, reviewer: AbstractBaseUser, note: str = ""
) -> Response:
    """Exclude a response from analysis or restore it, recording who and when."""
    response = Response.objects.select_for_update().get(pk=response_id)
    now = timezone.now()
    response.excluded = exclude
    response.excluded_by = reviewer if exclude else None
    response.excluded_at = now if exclude else None
    response.save(update_fields=["excluded", "excluded_by", "excluded_at"])
    ResponseReview.objects.create(
        response=response,
        action=ResponseReview.Action.EXCLUDE
        if exclude
        else ResponseReview.Action.RESTORE,
        reviewer=reviewer,
        reviewed_at=now,
        note=note[:500],
    )
    return response
