"""Per-client checks: the daily-rotating fingerprint, the hourly start limit
and the same-answers-today duplicate check, all in the cache only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache

from core import antibot

if TYPE_CHECKING:
    from surveys.models import SurveyPage

START_SCOPE = "survey-starts"


def client_fingerprint(*, survey_id: int, address: str) -> str:
    """The client's daily-rotating keyed hash (core.antibot), per survey.

    Used only as a cache key for rate limits and duplicate checks; never
    stored in the database and never linkable across days.
    """
    return antibot.client_key(f"{survey_id}:{address}")


def client_rate_limited(*, survey: SurveyPage, fingerprint: str) -> bool:
    """Count one start for this client this hour; True once past the limit."""
    return antibot.limit_exceeded(
        scope=START_SCOPE,
        client=fingerprint,
        limit=survey.starts_per_client_per_hour,
    )


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
