"""Synthetic responses for the demo: plausible, reproducible, flagged like real ones.

Satisfaction is drawn from a respondent factor plus service-point and
dimension effects, so indexes, drivers and small-area estimates downstream have
real structure to find; a few speeders, straight-liners and abandoned
responses exercise the quality screens.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction

from surveys.models import (
    Channel,
    QuestionKind,
    Region,
    Response,
    ResponseStatus,
    ServicePoint,
    SurveyPage,
)
from surveys.questionnaire import Question, Questionnaire
from surveys.services import AUTO_EXCLUDED_FLAGS, answer_flags, token_digest

SHANGHAI = ZoneInfo("Asia/Shanghai")
WAVE_STARTS = [
    datetime(2026, 7, 1, tzinfo=SHANGHAI),
    datetime(2026, 10, 1, tzinfo=SHANGHAI),
]
FIELDWORK_DAYS = [88, 50]
# Responses per survey and wave, by service class; they go round the sector's
# service points in turn, so each point gets about the same number.
RESPONSES_PER_SURVEY = {"consumer": 300, "producer": 150}
CHANNELS = [Channel.WEB, Channel.QR, Channel.PHONE, Channel.PAPER]
CHANNEL_SHARES = [0.35, 0.45, 0.15, 0.05]
# Latent satisfaction of each sector above the common base, chosen so the demo
# shows every verdict an official meets: a target met, one not met, and one the
# confidence interval cannot tell apart from the target.
SECTOR_LEVELS = {
    "education": 0.85,
    "finance": 1.05,
    "tourism": 0.7,
    "medical": 0.5,
    "public-transport": 0.25,
    "elderly-care": 0.6,
    "logistics": 0.3,
}


def _rating(rng, latent: float, question: Question) -> int | None:
    if question.allow_not_applicable and rng.random() < 0.03:
        return None
    points = list(question.points())
    # latent is on a 1-5 scale; stretch to the question's scale
    share = (latent - 1) / 4
    value = points[0] + share * (points[-1] - points[0]) + rng.normal(0, 0.5)
    return int(np.clip(round(value), points[0], points[-1]))


def _answers(rng, questionnaire: Questionnaire, *, base: float, region: str) -> dict:
    person = rng.normal(0, 0.6)
    dimension_effect: dict[str, float] = {}
    answers: dict = {}
    for question in questionnaire.questions:
        if not question.visible(answers):
            continue
        kind = question.kind
        if kind == QuestionKind.LIKERT:
            effect = dimension_effect.setdefault(question.dimension, rng.normal(0, 0.3))
            answers[question.code] = _rating(
                rng,
                np.clip(base + person + effect + rng.normal(0, 0.4), 1, 5),
                question,
            )
        elif kind == QuestionKind.NPS:
            answers[question.code] = int(
                np.clip(round((base + person - 1) * 2.5 + rng.normal(0, 1.2)), 0, 10)
            )
        elif kind == QuestionKind.SINGLE:
            values = [o.value for o in question.options]
            weights = [0.12, 0.88] if values == ["yes", "no"] else None
            answers[question.code] = str(rng.choice(values, p=weights))
        elif kind == QuestionKind.MULTIPLE and rng.random() < 0.7:
            values = [o.value for o in question.options]
            size = int(rng.integers(1, 3))
            answers[question.code] = sorted(
                rng.choice(values, size, replace=False).tolist()
            )
        elif kind == QuestionKind.NUMBER and rng.random() < 0.8:
            answers[question.code] = int(np.clip(rng.lognormal(2.5, 0.7), 0, 600))
        elif kind == QuestionKind.DEMOGRAPHIC and rng.random() < 0.95:
            values = [o.value for o in question.options]
            if (
                question.variable == "region"
                and region in values
                and rng.random() < 0.7
            ):
                answers[question.code] = region
            else:
                answers[question.code] = str(rng.choice(values))
    return answers


def _straight_line(answers: dict, questionnaire: Questionnaire, value: int) -> None:
    for question in questionnaire.questions:
        if question.kind == QuestionKind.LIKERT and question.code in answers:
            answers[question.code] = min(value, question.points()[-1])


@transaction.atomic
def ensure_synthetic_responses(
    survey: SurveyPage, *, wave_number: int, count: int | None = None
) -> int:
    """Create the survey's demo responses once; returns how many were made."""
    if Response.objects.filter(survey=survey).exists():
        return 0
    count = count or RESPONSES_PER_SURVEY[survey.sector.service_class]
    rng = np.random.default_rng(zlib.crc32(f"{survey.slug}".encode()))
    questionnaire = survey.questionnaire
    points = list(
        ServicePoint.objects.filter(sector=survey.sector).select_related("region")
    )
    regions = list(Region.objects.values_list("code", flat=True))
    effects = {sp.pk: rng.normal(0, 0.2) for sp in points}
    durations = rng.lognormal(np.log(300), 0.45, size=count).astype(int)
    median = float(np.median(durations))
    rows = []
    for i in range(count):
        service_point = points[i % len(points)] if points else None
        region = (
            service_point.region.code if service_point else str(rng.choice(regions))
        )
        base = (
            3.6
            + SECTOR_LEVELS.get(survey.sector.code, 0.0)
            + 0.15 * wave_number
            + (effects.get(service_point.pk, 0) if service_point else 0)
        )
        answers = _answers(rng, questionnaire, base=base, region=region)
        duration = int(durations[i])
        if rng.random() < 0.02:
            duration = int(median * 0.2)
        if rng.random() < 0.015:
            _straight_line(answers, questionnaire, int(rng.integers(3, 6)))
        abandoned = rng.random() < 0.15
        submitted = WAVE_STARTS[wave_number] + timedelta(
            days=int(rng.integers(0, FIELDWORK_DAYS[wave_number])),
            hours=int(rng.integers(8, 21)),
        )
        flags = (
            set()
            if abandoned
            else answer_flags(
                questionnaire=questionnaire,
                answers=answers,
                duration_seconds=duration,
                median_seconds=median,
                survey=survey,
            )
        )
        if abandoned:
            keep = questionnaire.sections[0].questions
            answers = {q.code: answers[q.code] for q in keep if q.code in answers}
        rows.append(
            Response(
                survey=survey,
                revision_id=survey.live_revision_id,
                status=ResponseStatus.IN_PROGRESS
                if abandoned
                else ResponseStatus.SUBMITTED,
                resume_digest=token_digest(f"demo:{survey.pk}:{i}"),
                idempotency_key=f"demo-{i}",
                service_point=service_point,
                channel=str(rng.choice(CHANNELS, p=CHANNEL_SHARES)),
                language="en" if rng.random() < 0.05 else "zh-hans",
                started_at=submitted,
                saved_at=submitted,
                submitted_at=None if abandoned else submitted,
                duration_seconds=duration if not abandoned else duration // 4,
                sections_done=1 if abandoned else len(questionnaire.sections),
                answers=answers,
                flags=sorted(flags),
                excluded=bool(AUTO_EXCLUDED_FLAGS & flags),
            )
        )
    Response.objects.bulk_create(rows, batch_size=500)
    return len(rows)
