"""Key drivers, alphas, shrinkage estimates and the district x sector grid:
the pipeline finishes them from database aggregates, and they equal the
statistical core run on the respondents themselves."""

import numpy as np
import pandas as pd
import pytest

from analysis import selectors
from analysis.calibration import calibrated_design
from analysis.frames import _scored, microdata_moments, responses_microdata
from analysis.insights import DRIVERS, OVERALL, alpha_set
from analysis.models import IndexResult
from analysis.stats.drivers import relative_importance
from analysis.stats.reliability import cronbach_alpha
from analysis.stats.smallarea import small_area_estimates

pytestmark = pytest.mark.django_db

VARIABLES = ["age_band", "gender"]


def _sorted(moments):
    keys = moments.keys.astype(object).where(moments.keys.notna(), "-").astype(str)
    order = np.lexsort([keys[c].to_numpy() for c in reversed(keys.columns)])
    return keys.iloc[order].reset_index(drop=True), order


def test_database_moments_equal_the_cores_sums_over_the_microdata(wave):
    in_database = {m.sector: m for m in selectors.wave_moments(wave, VARIABLES)}
    assert set(in_database) == {"medical", "finance"}
    for survey in selectors.wave_surveys(wave):
        scoring = selectors.survey_scoring(survey)
        responses = selectors.wave_responses(wave).filter(survey=survey)
        frame = responses_microdata(responses, scoring)
        reference = microdata_moments(frame, scoring, VARIABLES)
        found = in_database[scoring.sector]
        keys_a, order_a = _sorted(found)
        keys_b, order_b = _sorted(reference)
        pd.testing.assert_frame_equal(keys_a, keys_b)
        assert set(found.sets) == {DRIVERS, *(alpha_set(d) for d in DIMENSIONS)}
        assert found.sets[DRIVERS].variables[-1] == OVERALL
        for name, moment_set in found.sets.items():
            other = reference.sets[name]
            assert moment_set.variables == other.variables
            for attr in ("n", "s1", "s2"):
                np.testing.assert_allclose(
                    getattr(moment_set, attr)[order_a],
                    getattr(other, attr)[order_b],
                    rtol=1e-10,
                )


DIMENSIONS = ("staff_attitude", "responsiveness", "environment")


def _respondent_weights(wave, frame, sector):
    """Each response's calibrated weight, from the pipeline's weighting."""
    table = selectors.wave_statistics(wave, VARIABLES)
    _design, weighted, _ = calibrated_design(table, selectors.wave_margins(wave))
    keys = ["sector", "service_point", "region", "channel", "w__age_band", "w__gender"]
    lookup = table[keys].assign(_weight=weighted["_weight"].to_numpy())
    rows = frame.assign(
        sector=sector,
        w__age_band=frame["d_age"],
        w__gender=frame.get("d_gender"),
    )[keys]
    return rows.merge(lookup, on=keys, how="left")["_weight"].to_numpy()


def test_stored_drivers_and_alphas_equal_the_core_on_the_weighted_respondents(
    wave, run_wave
):
    run = run_wave(wave)
    assert run.status == "succeeded", run.message
    stored = IndexResult.objects.filter(run=run)
    for survey in selectors.wave_surveys(wave):
        scoring = selectors.survey_scoring(survey)
        sector = scoring.sector
        frame = responses_microdata(
            selectors.wave_responses(wave).filter(survey=survey), scoring
        )
        weights = _respondent_weights(wave, frame, sector)
        assert np.isfinite(weights).all()
        items, scores, dims, _index, _sat = _scored(frame, scoring)
        overall = scores[scoring.overall_item.code]
        core = relative_importance(
            dims[list(DIMENSIONS)],
            overall,
            weights=weights,
            method="lmg",
            interval="jackknife",
            clusters=frame["service_point"].to_numpy(),
        ).table.set_index("dimension")
        drivers = {
            r.dimension: r
            for r in stored.filter(kind="driver", domain_type="sector", domain=sector)
        }
        assert set(drivers) == set(DIMENSIONS)
        for dimension, row in drivers.items():
            assert row.estimate == pytest.approx(core.loc[dimension, "importance"])
            assert row.se == pytest.approx(core.loc[dimension, "se"])
            assert row.details["share"] == pytest.approx(core.loc[dimension, "share"])
            assert row.details["quadrant"] in {
                "improve",
                "strength",
                "maintain",
                "opportunity",
            }
            score = stored.get(
                kind="dimension",
                dimension=dimension,
                domain_type="sector",
                domain=sector,
            )
            assert row.details["performance"] == pytest.approx(score.estimate)
        for dimension in DIMENSIONS:
            codes = [i.code for i in items if i.dimension == dimension]
            alpha = stored.get(
                kind="alpha", dimension=dimension, domain_type="sector", domain=sector
            )
            weighted = cronbach_alpha(scores[codes], weights=weights)
            plain = cronbach_alpha(scores[codes])
            assert alpha.estimate == pytest.approx(weighted.raw, rel=1e-9)
            assert alpha.details["unweighted"] == pytest.approx(plain.raw, rel=1e-9)
            assert alpha.n == weighted.n


def test_shrinkage_estimates_are_the_cores_fay_herriot_on_the_stored_direct_ones(
    wave, run_wave
):
    run = run_wave(wave)
    stored = IndexResult.objects.filter(run=run, domain_type="service_point")
    direct = pd.DataFrame(
        list(stored.filter(kind="index").values("domain", "estimate", "se", "n"))
    )
    direct = direct.assign(sector=direct["domain"].str.split("-").str[0])
    core = small_area_estimates(
        direct, "sector", min_n=10, method="reml", variance="pooled"
    ).set_index("domain")
    shrunk = {r.domain: r for r in stored.filter(kind="shrunk_index")}
    assert set(shrunk) == set(core.index)
    for code, row in shrunk.items():
        assert row.estimate == pytest.approx(core.loc[code, "eblup"], rel=1e-9)
        assert row.se == pytest.approx(core.loc[code, "rmse"], rel=1e-9)
        assert row.details["rank"] == core.loc[code, "rank"]
        assert (
            row.details["rank_low"] <= row.details["rank"] <= row.details["rank_high"]
        )
        # shrinkage moves each point towards its sector, never past it
        synthetic, own = row.details["synthetic"], row.details["direct"]
        assert min(own, synthetic) <= row.estimate <= max(own, synthetic)


def test_district_by_sector_cells_are_stored_with_names_and_intervals(wave, run_wave):
    run = run_wave(wave)
    cells = IndexResult.objects.filter(
        run=run, kind="index", domain_type="sector_region"
    )
    assert {c.domain for c in cells} == {
        f"{s}/{r}" for s in ("medical", "finance") for r in ("r0", "r1")
    }
    for cell in cells:
        assert " · " in cell.domain_name_en
        assert cell.n > 0
        if cell.ci_low is None:  # one service point: no variance, no verdict
            assert cell.verdict == ""


def test_a_shrinkage_model_that_cannot_be_fit_leaves_a_note_worded_when_read(
    monkeypatch,
):
    from django.utils import translation

    from analysis import insights

    def singular(*_args, **_kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(insights, "small_area_estimates", singular)
    points = pd.DataFrame(
        {"domain": ["p1", "p2"], "estimate": [80.0, 70.0], "se": [1.0, 1.0], "n": 20}
    )
    rows, notes = insights.shrinkage_rows(points, {"p1": "a", "p2": "a"}, 0.95)
    assert rows.empty
    assert [note.as_json() for note in notes] == [
        {
            "msgid": "No shrinkage estimates of service points: %(reason)s",
            "params": {"reason": "Singular matrix"},
        }
    ]
    with translation.override("zh-hans"):
        assert str(notes[0]) == "无法得到服务网点的收缩估计：Singular matrix"
    with translation.override("en"):
        assert (
            str(notes[0]) == "No shrinkage estimates of service points: Singular matrix"
        )
