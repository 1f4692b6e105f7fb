"""Factories for waves, margins and a wave with simulated responses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import factory
import numpy as np
from django.utils import timezone

from analysis.models import PopulationMargin, PopulationMarginCell, Wave
from surveys.models import Response, ResponseStatus, SurveyPage
from tests.factories.surveys import (
    RegionFactory,
    SectorFactory,
    ServicePointFactory,
    SurveyIndexPageFactory,
    options,
    published_survey,
)

DIMENSIONS = ("staff_attitude", "responsiveness", "environment")
GENDERS = ("female", "male")
AGE_BANDS = ("18-39", "40-59", "60+")


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave

    slug = factory.Sequence(lambda n: f"wave-{n}")
    name = factory.Sequence(lambda n: f"第{n}期")
    name_en = factory.Sequence(lambda n: f"Wave {n}")
    period_start = dt.date(2026, 10, 1)
    period_end = dt.date(2026, 12, 31)


def _likert(code: str, dimension: str, *, reverse: bool = False, scale: str = "5"):
    return {
        "type": "likert",
        "value": {
            "code": code,
            "label": code,
            "label_en": code,
            "required": False,
            "scale": scale,
            "low_label": "差",
            "low_label_en": "Poor",
            "high_label": "好",
            "high_label_en": "Good",
            "allow_not_applicable": True,
            "dimension": dimension,
            "reverse_coded": reverse,
            "condition": {"question": "", "answer": ""},
        },
    }


def _demographic(code: str, variable: str, values) -> dict:
    return {
        "type": "demographic",
        "value": {
            "code": code,
            "label": code,
            "label_en": code,
            "required": False,
            "variable": variable,
            "options": options(*values),
        },
    }


def rating_body(scale: str = "5") -> list[dict]:
    """Two items per dimension (one reverse-coded), an overall item, gender, age."""
    body: list[dict] = [
        {"type": "section", "value": {"title": "评分", "title_en": "Ratings"}}
    ]
    for dimension in DIMENSIONS:
        body.append(_likert(f"q_{dimension}_a", dimension, scale=scale))
        body.append(_likert(f"q_{dimension}_b", dimension, reverse=True, scale=scale))
    body.append(_likert("q_overall", "overall", scale=scale))
    body.append(_demographic("d_gender", "gender", GENDERS))
    body.append(_demographic("d_age", "age_band", AGE_BANDS))
    return body


@dataclass
class SimulatedWave:
    wave: Wave
    surveys: list[SurveyPage]


def _answers(rng, level: float, scale_max: int) -> dict:
    answers: dict = {}
    for dimension in DIMENSIONS:
        for suffix, reverse in (("a", False), ("b", True)):
            if rng.random() < 0.05:
                answers[f"q_{dimension}_{suffix}"] = None  # not applicable
                continue
            rating = int(np.clip(round(level + rng.normal(0, 0.8)), 1, scale_max))
            answers[f"q_{dimension}_{suffix}"] = (
                scale_max + 1 - rating if reverse else rating
            )
    answers["q_overall"] = int(np.clip(round(level + rng.normal(0, 0.7)), 1, scale_max))
    if rng.random() < 0.95:
        answers["d_gender"] = str(rng.choice(GENDERS))
    answers["d_age"] = str(rng.choice(AGE_BANDS))
    return answers


def responses_for(survey: SurveyPage, points, count: int, seed: int, level=4.0):
    """``count`` submitted responses spread over ``points``, bulk-created."""
    rng = np.random.default_rng(seed)
    scale_max = 5
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    first = Response.objects.count()
    rows = [
        Response(
            survey=survey,
            revision_id=survey.live_revision_id,
            status=ResponseStatus.SUBMITTED,
            resume_digest=f"sim-{survey.pk}-{seed}-{first + i}",
            idempotency_key=f"sim-{seed}-{i}",
            service_point=points[i % len(points)] if points else None,
            channel=str(rng.choice(["web", "qr", "phone"])),
            language="zh-hans",
            started_at=now,
            saved_at=now,
            submitted_at=now,
            duration_seconds=300,
            sections_done=1,
            answers=_answers(rng, level + 0.3 * (i % len(points or [1])), scale_max),
        )
        for i in range(count)
    ]
    Response.objects.bulk_create(rows, batch_size=1000)


def simulated_wave(
    *,
    sectors=(("medical", "consumer"), ("finance", "producer")),
    points_per_sector: int = 3,
    responses_per_survey: int = 60,
    seed: int = 1,
) -> SimulatedWave:
    """A wave with one published survey per sector and simulated responses."""
    index = SurveyIndexPageFactory(parent=_root())
    regions = [RegionFactory(code=f"r{k}") for k in range(2)]
    wave = WaveFactory()
    surveys = []
    for k, (code, service_class) in enumerate(sectors):
        sector = SectorFactory(code=code, service_class=service_class)
        points = [
            ServicePointFactory(
                code=f"{code}-{j}", sector=sector, region=regions[j % len(regions)]
            )
            for j in range(points_per_sector)
        ]
        survey = published_survey(index, sector=sector, body=rating_body())
        responses_for(survey, points, responses_per_survey, seed + k)
        surveys.append(survey)
    wave.surveys.set(surveys)
    return SimulatedWave(wave=wave, surveys=surveys)


def _root():
    from wagtail.models import Page

    return Page.objects.get(depth=1)


def add_margin(wave: Wave, variables: str, cells: dict[str, float]):
    margin = PopulationMargin.objects.create(wave=wave, variables=variables)
    PopulationMarginCell.objects.bulk_create(
        PopulationMarginCell(margin=margin, category=category, population=population)
        for category, population in cells.items()
    )
    return margin
