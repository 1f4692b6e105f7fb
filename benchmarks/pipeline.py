"""Full recompute of a wave, database to stored results, on 1M responses.

Loads the demo questionnaires (7 sectors), ~490 service points and N
simulated responses into PostgreSQL (generated inside the database, kept
between runs), with population margins by gender and age band. Then, in the
same process:

1. the pipeline: ``index_run_request`` → SQL ``GROUP BY`` to sufficient
   statistics → raking, indexes, rates, roll-ups, verdicts → stored results;
2. the naive path: every response loaded into pandas, scored and aggregated
   by the statistical core, then the same estimation.

Prints each path's wall time, the peak memory after each, the ratio, and the
largest difference between the two paths' estimates (should be ~1e-9).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
.venv/bin/python -m benchmarks.pipeline [responses]`` (the database is
created as ``test_<name>`` and kept).
"""

from __future__ import annotations

import os
import resource
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surveyportal.settings.test")
django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

POINTS_PER_SECTOR = 70


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _database() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, keepdb=True)


def _wave():
    from analysis.models import Wave
    from core.demo import ensure_home_page
    from surveys.demo import load_reference_data
    from surveys.demo_surveys import ensure_demo_surveys
    from surveys.models import Region, ServicePoint
    from tests.factories.analysis import add_margin

    ensure_home_page()
    load_reference_data()
    surveys = [s for s in ensure_demo_surveys(responses=False) if s.wave == "2026 Q4"]
    regions = list(Region.objects.all())
    for survey in surveys:
        for k in range(POINTS_PER_SECTOR):
            ServicePoint.objects.get_or_create(
                code=f"bench-{survey.sector.code}-{k}",
                defaults={
                    "name": f"测试点{k}",
                    "sector": survey.sector,
                    "region": regions[k % len(regions)],
                },
            )
    wave, created = Wave.objects.get_or_create(
        slug="bench",
        defaults={
            "name": "基准",
            "period_start": "2026-10-01",
            "period_end": "2026-12-31",
        },
    )
    if created:
        wave.surveys.set(surveys)
        add_margin(wave, "gender", {"female": 2_700_000.0, "male": 2_700_000.0})
        add_margin(
            wave,
            "age_band",
            _age_cells(surveys[0]),
        )
    return wave


def _age_cells(survey) -> dict[str, float]:
    from analysis.selectors import survey_scoring

    code = survey_scoring(survey).weighting_codes["age_band"]
    question = survey.questionnaire.by_code()[code]
    values = [o.value for o in question.options]
    return dict.fromkeys(values, 5_400_000.0 / len(values))


def _answers_sql(survey) -> str:
    """A jsonb object of plausible answers, built per row inside PostgreSQL."""
    from analysis.selectors import survey_scoring

    scoring = survey_scoring(survey)
    parts = []
    for item in scoring.items:
        lo, hi = int(item.scale_min), int(item.scale_max)
        rating = (
            f"LEAST({hi}, GREATEST({lo}, round({lo} + ({hi - lo}) * "
            f"(0.55 + 0.15 * sp.effect + 0.25 * (random() - 0.5)))::int))"
        )
        na = f"CASE WHEN random() < 0.03 THEN NULL ELSE {rating} END"
        parts.append(f"'{item.code}', {na}")
    questions = survey.questionnaire.by_code()
    for code in scoring.weighting_codes.values():
        values = [o.value for o in questions[code].options]
        array = "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"
        parts.append(f"'{code}', ({array})[1 + floor(random() * {len(values)})::int]")
    return "jsonb_build_object(" + ", ".join(parts) + ")"


def _fill(wave, total: int) -> None:
    from surveys.models import Response

    surveys = list(wave.surveys.select_related("sector"))
    have = Response.objects.filter(survey__in=surveys).count()
    if have >= total:
        print(f"{have:,} responses already in the database")
        return
    start = time.perf_counter()
    per_survey = (total - have) // len(surveys) + 1
    table = Response._meta.db_table
    with connection.cursor() as cursor:
        for survey in surveys:
            cursor.execute(
                f"""
                WITH sp AS (
                    SELECT id, row_number() OVER (ORDER BY id) - 1 AS k,
                           count(*) OVER () AS m,
                           (abs(hashtext(code)) %% 100) / 100.0 AS effect
                    FROM surveys_servicepoint WHERE sector_id = %s
                )
                INSERT INTO {table} (
                    survey_id, revision_id, status, resume_digest, idempotency_key,
                    service_point_id, channel, language, started_at, saved_at,
                    submitted_at, duration_seconds, sections_done, answers, flags,
                    excluded)
                SELECT %s, %s, 'submitted',
                       md5('bench-' || %s || '-' || g || '-' || %s),
                       'bench-' || g || '-' || %s, sp.id,
                       (ARRAY['web','qr','phone','paper'])[1 + g %% 4], 'zh-hans',
                       now(), now(), now(), 300, 5, {_answers_sql(survey)},
                       '[]'::jsonb, false
                FROM generate_series(1, %s) AS g
                JOIN sp ON sp.k = g %% sp.m
                """,  # noqa: S608 - generated from our own questionnaire
                [
                    survey.sector_id,
                    survey.pk,
                    survey.live_revision_id,
                    survey.pk,
                    have,
                    have,
                    per_survey,
                ],
            )
        cursor.execute(f"ANALYZE {table}")
    print(
        f"inserted {per_survey * len(surveys):,} responses in "
        f"{time.perf_counter() - start:.1f} s"
    )


def _pipeline(wave) -> tuple[float, object]:
    from analysis import services

    start = time.perf_counter()
    run = services.index_run_request(wave=wave)
    run = services.index_run_execute(run_id=run.pk)
    return time.perf_counter() - start, run


def _naive(wave):
    from analysis.compute import WaveSpec, merge_statistics, wave_results
    from analysis.frames import microdata_statistics, responses_microdata
    from analysis.selectors import (
        survey_scoring,
        wave_margins,
        wave_responses,
        wave_rollup_weights,
    )
    from surveys.models import Sector

    start = time.perf_counter()
    margins = wave_margins(wave)
    variables = sorted({v for m in margins for v in m.variables})
    tables = []
    for survey in wave.surveys.select_related("sector"):
        scoring = survey_scoring(survey)
        frame = responses_microdata(wave_responses(wave).filter(survey=survey), scoring)
        tables.append(microdata_statistics(frame, scoring, variables))
    spec = WaveSpec(
        sector_classes=dict(Sector.objects.values_list("code", "service_class")),
        margins=margins,
        rollup_weights=wave_rollup_weights(wave),
        confidence=wave.confidence,
    )
    results, _ = wave_results(merge_statistics(tables), spec)
    return time.perf_counter() - start, results


def main(total: int = 1_000_000) -> None:
    _database()
    from analysis.models import IndexResult
    from surveys.models import Response

    wave = _wave()
    _fill(wave, total)
    n = Response.objects.filter(survey__in=wave.surveys.all()).count()
    print(f"wave {wave.slug!r}: {n:,} responses, {wave.surveys.count()} surveys")
    print(f"peak memory before the runs: {_peak_mb():,.0f} MB")

    pipeline_s, run = _pipeline(wave)
    stored = IndexResult.objects.filter(run=run).count()
    print(
        f"pipeline (database to stored results): {pipeline_s:6.2f} s, "
        f"run {run.status}, {stored:,} results; peak memory {_peak_mb():,.0f} MB"
    )
    if run.status != "succeeded":
        sys.exit(f"run failed: {run.message}")
    naive_s, naive = _naive(wave)
    print(
        f"naive (all responses into pandas, then the core): {naive_s:6.2f} s; "
        f"peak memory {_peak_mb():,.0f} MB"
    )
    print(f"ratio naive / pipeline: {naive_s / pipeline_s:.1f}x")
    stored_rows = {
        (r.kind, r.dimension, r.domain_type, r.domain): r.estimate
        for r in IndexResult.objects.filter(run=run)
    }
    diffs = [
        abs(stored_rows[key] - estimate)
        for key, estimate in zip(
            naive[["kind", "dimension", "domain_type", "domain"]].itertuples(
                index=False, name=None
            ),
            naive["estimate"],
            strict=True,
        )
        if stored_rows.get(key) is not None and np.isfinite(estimate)
    ]
    print(
        f"largest difference between the two paths' {len(diffs):,} estimates: "
        f"{max(diffs):.2e}"
    )
    budget = "within" if pipeline_s < 30 else "OVER"
    print(f"budget: {pipeline_s:.1f} s {budget} the 30 s target")


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
