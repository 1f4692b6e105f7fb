"""The index pipeline end to end: database aggregation, core, stored results."""

import numpy as np
import pandas as pd
import pytest
from django.utils import translation

from analysis import selectors, services
from analysis.compute import merge_statistics
from analysis.frames import microdata_statistics, responses_microdata
from analysis.models import IndexResult, IndexRun, RunStatus
from analysis.tasks import run_index_pipeline
from tests.factories.analysis import simulated_wave

pytestmark = pytest.mark.django_db


def _run(wave, callbacks):
    with callbacks(execute=True):
        run = services.index_run_request(wave=wave)
    run.refresh_from_db()
    return run


def _in_english(run: IndexRun) -> str:
    with translation.override("en"):
        return str(run.status_message)


def test_database_statistics_equal_the_cores_scoring_of_the_microdata(wave):
    variables = ["age_band", "gender"]
    in_database = selectors.wave_statistics(wave, variables)
    parts = []
    for survey in selectors.wave_surveys(wave):
        scoring = selectors.survey_scoring(survey)
        responses = selectors.wave_responses(wave).filter(survey=survey)
        parts.append(
            microdata_statistics(
                responses_microdata(responses, scoring), scoring, variables
            )
        )
    in_pandas = merge_statistics(parts)
    keys = [c for c in in_database.columns if "__" not in c or c.startswith("w__")]
    keys = [k for k in keys if k != "_count"]
    a = in_database.fillna(dict.fromkeys(keys, "-")).sort_values(keys)
    b = in_pandas.fillna(dict.fromkeys(keys, "-")).sort_values(keys)
    assert len(a) == len(b) > 10
    for column in in_database.columns:
        if column in keys:
            assert a[column].astype(str).tolist() == b[column].astype(str).tolist()
        else:
            np.testing.assert_allclose(
                a[column].to_numpy(float), b[column].to_numpy(float), rtol=1e-9
            )


def test_a_run_stores_indexes_rates_rollups_and_verdicts_with_provenance(
    wave, django_capture_on_commit_callbacks
):
    run = _run(wave, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.progress == 100
    results = IndexResult.objects.filter(run=run)
    sector = results.get(kind="index", domain_type="sector", domain="medical")
    assert sector.ci_low < sector.estimate < sector.ci_high
    assert sector.target == 80.0 and sector.verdict
    producer = results.get(
        kind="index", domain_type="rollup", domain="producer_services"
    )
    finance = results.get(kind="index", domain_type="sector", domain="finance")
    assert producer.estimate == pytest.approx(finance.estimate)
    assert producer.target == 85.0
    rate = results.get(kind="satisfied_rate", domain_type="all")
    assert 0 < rate.estimate < 1
    assert results.filter(kind="dimension", dimension="staff_attitude").exists()
    # per service point: direct index, satisfied rate and shrinkage estimate
    assert results.filter(domain_type="service_point").count() == 3 * 6
    assert run.provenance["margins"]["digest"]
    assert run.provenance["surveys"][0]["revision"]
    assert run.provenance["weighting"]["method"] == "raking within sectors"
    assert run.provenance["software"]["numpy"]


def test_running_the_task_twice_leaves_one_result_set(
    wave, django_capture_on_commit_callbacks
):
    run = _run(wave, django_capture_on_commit_callbacks)
    stored = IndexResult.objects.filter(run=run).count()
    run_index_pipeline.delay(run.pk)
    run_index_pipeline.delay(run.pk)
    assert IndexResult.objects.filter(run=run).count() == stored
    assert IndexRun.objects.filter(wave=wave).count() == 1


def test_requesting_while_a_run_is_queued_returns_that_run(wave):
    first = services.index_run_request(wave=wave)  # on_commit not run: stays queued
    second = services.index_run_request(wave=wave)
    assert first.pk == second.pk
    assert IndexRun.objects.filter(wave=wave).count() == 1


def test_a_margin_missing_a_category_fails_the_run_and_keeps_previous_results(
    wave, django_capture_on_commit_callbacks
):
    good = _run(wave, django_capture_on_commit_callbacks)
    margin = wave.margins.get(variables="age_band")
    margin.cells.filter(category="60+").delete()
    bad = _run(wave, django_capture_on_commit_callbacks)
    assert bad.status == RunStatus.FAILED
    said = _in_english(bad)
    assert "60+" in said and "add it to the margin" in said
    assert not IndexResult.objects.filter(run=bad).exists()
    assert selectors.wave_current_run(wave) == good


def test_margins_that_do_not_add_up_are_explained(
    wave, django_capture_on_commit_callbacks
):
    wave.margins.get(variables="gender").cells.filter(category="male").update(
        population=1.0
    )
    run = _run(wave, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED
    assert "do not add up" in _in_english(run)


def test_a_wave_with_no_responses_fails_with_a_clear_message(
    django_capture_on_commit_callbacks,
):
    from tests.factories.analysis import WaveFactory

    run = _run(WaveFactory(), django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED
    assert "no analysable responses" in _in_english(run)


def test_a_sector_with_one_response_is_stored_without_a_made_up_interval(
    django_capture_on_commit_callbacks,
):
    simulated = simulated_wave(
        sectors=(("medical", "consumer"), ("tourism", "consumer")),
        responses_per_survey=40,
    )
    from surveys.models import Response

    tourism = simulated.surveys[1]
    keep = Response.objects.filter(survey=tourism).order_by("pk").first()
    Response.objects.filter(survey=tourism).exclude(pk=keep.pk).delete()
    run = _run(simulated.wave, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.SUCCEEDED, run.message
    row = IndexResult.objects.get(
        run=run, kind="index", domain_type="sector", domain="tourism"
    )
    assert row.n == 1
    assert row.se is None or row.se == 0 or pd.isna(row.se)
    assert row.verdict in ("", "met", "not_met")
