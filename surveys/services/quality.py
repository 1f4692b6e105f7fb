"""Quality checks on submitted answers: speeders, straight-liners, too many
"not applicable" and faster-than-possible (suspected bot) completions."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

from core import memo
from surveys.models import QualityFlag, QuestionKind, Response, ResponseStatus
from surveys.questionnaire import Questionnaire

if TYPE_CHECKING:
    from surveys.models import SurveyPage

SPEEDER_MIN_SAMPLE = 20
STRAIGHT_LINE_MIN_ITEMS = 5
NA_MIN_ITEMS = 4
AUTO_EXCLUDED_FLAGS = {QualityFlag.SUSPECTED_BOT, QualityFlag.DUPLICATE}


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
