"""Writes: starting, saving, submitting and reviewing responses.

Races are settled by the database: a unique constraint per idempotency key and
per invitation, ``select_for_update`` on the response being submitted and a
conditional ``UPDATE`` per quota cell.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

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
    """A keyed hash of the client address whose key changes every day.

    Used only as a cache key for rate limits and duplicate checks; never
    stored in the database and never linkable across days.
    """
    day = timezone.now().strftime("%Y-%m-%d")
    salt = hmac.new(
        settings.SECRET_KEY.encode(), f"client-salt:{day}".encode(), hashlib.sha256
    ).digest()
    return hmac.new(salt, f"{survey_id}:{address}".encode(), hashlib.sha256).hexdigest()


def client_rate_limited(*, survey: SurveyPage, fingerprint: str) -> bool:
    """Count one start for this client this hour; True once past the limit."""
    key = f"surveys:starts:{fingerprint}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > survey.starts_per_client_per_hour


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
    """Median duration of the last 500 submissions once there are enough
    (cached for a minute: it moves slowly and is read on every submit)."""
    key = f"surveys:median:{survey.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    recent = list(
        Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED)
        .order_by("-pk")
        .values_list("duration_seconds", flat=True)[:500]
    )
    median = statistics.median(recent) if len(recent) >= SPEEDER_MIN_SAMPLE else 0
    cache.set(key, median, timeout=60)
    return median or None


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


def duplicate_seen(*, fingerprint: str, answers: dict[str, Any]) -> bool:
    """True when this client already submitted these very answers today."""
    answers_digest = hashlib.sha256(repr(sorted(answers.items())).encode()).hexdigest()[
        :32
    ]
    return not cache.add(
        f"surveys:answers:{fingerprint}:{answers_digest}", 1, timeout=86400
    )


def _claim_quotas(response: Response) -> bool:
    """Take one place in every quota cell the response falls in; False if full."""
    cells = []
    if response.service_point_id:
        cells.append((Quota.SERVICE_POINT, response.service_point.code))
    cells += [
        (code, str(value))
        for code, value in response.answers.items()
        if isinstance(value, str | int) and not isinstance(value, bool)
    ]
    quotas = Quota.objects.filter(survey_id=response.survey_id)
    wanted = [q.pk for q in quotas if (q.variable, q.value) in set(cells)]
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


def response_submit_complete(
    *, survey: SurveyPage, submission: CompleteSubmission
) -> tuple[Response, bool]:
    """Store a validated complete response once per idempotency key.

    Returns ``(response, created)``; concurrent repeats of one key wait for the
    first insert and then return the stored response.
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
    try:
        # One savepoint: a repeated key rolls back the quota places it took.
        with transaction.atomic():
            _finish(response, flags=sorted(flags))
            response.save(force_insert=True)
    except IntegrityError:
        existing = Response.objects.filter(
            survey=survey, idempotency_key=submission.idempotency_key
        ).first()
        if existing is None:
            raise
        return existing, False
    return response, True


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
