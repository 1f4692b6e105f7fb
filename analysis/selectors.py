"""Reads: a wave's statistics from the database, its margins, runs and results."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
from django.db.models import Count, Max, Prefetch, QuerySet, Sum

from analysis.calibration import Margin
from analysis.compute import merge_statistics
from analysis.insights import SectorMoments
from analysis.models import (
    IndexResult,
    IndexRun,
    PopulationMargin,
    PopulationMarginCell,
    RollupWeight,
    RunStatus,
    Wave,
)
from analysis.sql import RatingItem, SurveyScoring, survey_statistics
from analysis.sql_moments import survey_aggregates
from surveys.models import QuestionKind, Response, ResponseStatus, SurveyPage


def wave_surveys(wave: Wave) -> list[SurveyPage]:
    return list(wave.surveys.select_related("sector").order_by("pk"))


def wave_responses(wave: Wave) -> QuerySet[Response]:
    """Submitted, non-excluded responses to the wave's surveys."""
    return Response.objects.filter(
        survey__in=wave.surveys.all(),
        status=ResponseStatus.SUBMITTED,
        excluded=False,
    )


def survey_scoring(survey: SurveyPage) -> SurveyScoring:
    """Rating items and weighting questions of the survey's current questionnaire.

    Question codes, kinds and scales cannot change once answered, so the
    current revision scores the answers to every earlier one.
    """
    items = []
    weighting: dict[str, str] = {}
    for question in survey.questionnaire.questions:
        if question.kind == QuestionKind.LIKERT and question.scale:
            points = list(question.points())
            items.append(
                RatingItem(
                    code=question.code,
                    dimension=question.dimension or "overall",
                    scale_min=float(points[0]),
                    scale_max=float(points[-1]),
                    reverse=bool(question.reverse_coded),
                )
            )
        elif question.kind == QuestionKind.DEMOGRAPHIC and question.variable:
            weighting.setdefault(question.variable, question.code)
    return SurveyScoring(
        sector=survey.sector.code, items=tuple(items), weighting_codes=weighting
    )


def survey_responses(survey: SurveyPage) -> QuerySet[Response]:
    """Submitted, non-excluded responses to one survey of a wave; filtering
    on the survey alone keeps the aggregation plan free of a semi-join."""
    return Response.objects.filter(
        survey=survey, status=ResponseStatus.SUBMITTED, excluded=False
    )


def wave_statistics(wave: Wave, variables: list[str]) -> pd.DataFrame:
    """Sufficient statistics of the whole wave: one GROUP BY query per survey."""
    tables = [
        survey_statistics(survey_responses(survey), survey_scoring(survey), variables)
        for survey in wave_surveys(wave)
    ]
    return merge_statistics(tables)


def wave_aggregates(
    wave: Wave, variables: list[str]
) -> tuple[pd.DataFrame, list[SectorMoments]]:
    """Sufficient statistics and, for drivers and alpha, sums of
    cross-products of the whole wave: one GROUP BY query per survey."""
    tables, moments = [], []
    for survey in wave_surveys(wave):
        table, found = survey_aggregates(
            survey_responses(survey), survey_scoring(survey), variables
        )
        tables.append(table)
        if found is not None:
            moments.append(found)
    return merge_statistics(tables), moments


def wave_moments(wave: Wave, variables: list[str]) -> list[SectorMoments]:
    """The sums of cross-products of :func:`wave_aggregates` alone."""
    return wave_aggregates(wave, variables)[1]


def wave_margins(wave: Wave) -> list[Margin]:
    margins = PopulationMargin.objects.filter(wave=wave).prefetch_related(
        Prefetch("cells", queryset=PopulationMarginCell.objects.order_by("category"))
    )
    return [
        Margin(
            variables=tuple(margin.variable_list),
            cells={cell.values: float(cell.population) for cell in margin.cells.all()},
            label=margin.variables,
        )
        for margin in margins
    ]


def margins_digest(margins: list[Margin]) -> str:
    payload = sorted(
        (m.name, sorted((list(k), v) for k, v in m.cells.items())) for m in margins
    )
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]


def wave_rollup_weights(wave: Wave) -> dict[str, dict[str, float]]:
    weights: dict[str, dict[str, float]] = {}
    rows = RollupWeight.objects.filter(wave=wave).values_list(
        "rollup", "sector__code", "weight"
    )
    for rollup, sector, weight in rows:
        weights.setdefault(rollup, {})[sector] = float(weight)
    return weights


def wave_response_summary(wave: Wave) -> list[dict]:
    """Per survey and questionnaire revision answered: how many responses,
    the latest and the sum of their ids, the latest save. One query serves
    both :func:`wave_fingerprint` and :func:`wave_revisions`."""
    return list(
        wave_responses(wave)
        .values("survey_id", "survey__slug", "revision_id")
        .annotate(n=Count("id"), last=Max("id"), ids=Sum("id"), saved=Max("saved_at"))
        .order_by("survey_id", "revision_id")
    )


def wave_fingerprint(wave: Wave, summary: list[dict] | None = None) -> str:
    """Changes whenever a new, edited or excluded response, margin, roll-up
    weight or questionnaire revision would change the results."""
    rows = wave_response_summary(wave) if summary is None else summary
    revisions = list(
        wave.surveys.order_by("pk").values_list("pk", "latest_revision_id")
    )
    payload = [
        sum(row["n"] for row in rows),
        max((row["last"] for row in rows), default=None),
        sum(row["ids"] for row in rows) if rows else None,
        str(max((row["saved"] for row in rows), default=None)),
        revisions,
        margins_digest(wave_margins(wave)),
        sorted(wave_rollup_weights(wave).items()),
        wave.confidence,
    ]
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


def wave_revisions(wave: Wave, summary: list[dict] | None = None) -> list[dict]:
    """The questionnaire revisions the wave's responses answered, per survey."""
    rows = wave_response_summary(wave) if summary is None else summary
    return [
        {
            "survey": row["survey_id"],
            "slug": row["survey__slug"],
            "revision": row["revision_id"],
            "responses": row["n"],
        }
        for row in rows
    ]


def wave_current_run(wave: Wave) -> IndexRun | None:
    """The latest successful run: the wave's current results."""
    return (
        IndexRun.objects.filter(wave=wave, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


def wave_latest_run(wave: Wave) -> IndexRun | None:
    return IndexRun.objects.filter(wave=wave).order_by("-requested_at", "-pk").first()


def run_results(run: IndexRun | None) -> QuerySet[IndexResult]:
    if run is None:
        return IndexResult.objects.none()
    return IndexResult.objects.filter(run=run).order_by(
        "kind", "dimension", "domain_type", "domain"
    )


def published_waves() -> QuerySet[Wave]:
    return (
        Wave.objects.filter(published_run__isnull=False)
        .select_related("published_run")
        .order_by("-period_start", "slug")
    )


def latest_published_wave() -> Wave | None:
    return published_waves().first()


def published_results(wave: Wave) -> QuerySet[IndexResult]:
    """The approved run's results; none while the wave is unpublished."""
    if wave.published_run_id is None:
        return IndexResult.objects.none()
    return run_results(wave.published_run)


def waves_due_for_run() -> list[Wave]:
    """Waves whose data changed since their last successful run (for beat)."""
    due = []
    waves = Wave.objects.annotate(n_surveys=Count("surveys")).filter(n_surveys__gt=0)
    for wave in waves:
        if IndexRun.objects.filter(
            wave=wave, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        ).exists():
            continue
        current = wave_current_run(wave)
        last = wave_latest_run(wave)
        fingerprint = wave_fingerprint(wave)
        if current and current.data_fingerprint == fingerprint:
            continue
        failed = last is not None and last.status == RunStatus.FAILED
        if failed and last.data_fingerprint == fingerprint:
            continue  # the same data would fail the same way
        due.append(wave)
    return due
